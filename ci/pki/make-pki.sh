#!/usr/bin/env bash
# Makes the TLS material the broker tests use, in DIR (never committed):
#   ca.crt/ca.key            the test CA
#   server.crt/server.key    localhost / 127.0.0.1 / ::1, signed by the CA
#   wrong-host.crt/.key      signed by the CA, but for the name wrong.invalid (hostname mismatch)
#   client.crt/client.key    a client certificate (CN=gauntlet-client) for mutual TLS
#   other-ca.crt/.key        a second CA that signed nothing the broker uses (the "wrong CA")
# Usage: make-pki.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
days=30
quiet() { "$@" >/dev/null 2>&1 || { echo "make-pki: $* failed" >&2; "$@"; exit 1; }; }

ca() {  # name subject
  quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.crt" -days $days \
    -subj "$2" -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
}
leaf() {  # name subject extensions
  quiet openssl req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
  printf '%s\n' "$3" > "$1.ext"
  quiet openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" \
    -days $days -extfile "$1.ext"
  rm -f "$1.csr" "$1.ext"
}

ca ca "/CN=Gauntlet test CA"
ca other-ca "/CN=Gauntlet other CA"
leaf server "/CN=localhost" \
  "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1
extendedKeyUsage=serverAuth"
leaf wrong-host "/CN=wrong.invalid" \
  "subjectAltName=DNS:wrong.invalid
extendedKeyUsage=serverAuth"
leaf client "/CN=gauntlet-client" "extendedKeyUsage=clientAuth"
chmod 644 ./*.key  # mosquitto may drop privileges; these are throw-away test keys
echo "make-pki: TLS material in $dir"
