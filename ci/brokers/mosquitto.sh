#!/usr/bin/env bash
# Starts or stops Debian's mosquitto for tests, without systemd, on loopback ports from PORT_BASE:
#   PORT_BASE+0  plain, anonymous
#   PORT_BASE+1  plain, password file + ACL (users below; anonymous refused)
#   PORT_BASE+2  TLS (server certificate from ci/pki), password file + ACL
#   PORT_BASE+3  mutual TLS: a client certificate signed by the test CA is required
#   PORT_BASE+4  WebSocket, anonymous
#   PORT_BASE+5  secure WebSocket, anonymous
#   PORT_BASE+6  TLS with a certificate for another host name (hostname-mismatch tests)
# Users: alice/alice-secret and bob/bob-secret may do anything; limited/limited-secret may only
# read limited/# and write limited/out.
# It also writes profile.json (docs/profiles.md) there: the broker as `gauntlet run --profile` and
# `gauntlet conformance --profile` see it, with the judged deviations of Mosquitto 2.0.11 from
# mosquitto-deviations.json (docs/results/mosquitto.md explains each).
# GAUNTLET_MOSQUITTO_PERSISTENCE=1 keeps sessions across restarts (the profile's restart command
# keeps it too).
# State (config, PKI, password file, ACL, pid, log) lives in $GAUNTLET_BROKER_DIR, by default
# ${TMPDIR:-/tmp}/gauntlet-mosquitto-PORT_BASE. The broker is stopped by its pid, never by name.
#
# Usage: mosquitto.sh start PORT_BASE | stop PORT_BASE | dir PORT_BASE
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
action=${1:-}
base=${2:-}
if [[ -z $action || ! $base =~ ^[0-9]+$ ]] || ((base < 1024 || base > 65528)); then
  echo "usage: mosquitto.sh start|stop|dir PORT_BASE (1024-65528)" >&2
  exit 2
fi
dir=${GAUNTLET_BROKER_DIR:-${TMPDIR:-/tmp}/gauntlet-mosquitto-$base}

# shellcheck source=ci/brokers/common.sh
source "$here/common.sh"

stop() {
  [[ -f $dir/mosquitto.pid ]] || return 0
  local pid
  pid=$(cat "$dir/mosquitto.pid")
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$dir/mosquitto.pid"
  echo "mosquitto.sh: stopped pid $pid"
}

write_profile() {
  local version
  # `mosquitto -h` exits non-zero after printing its version.
  version=$({ mosquitto -h 2>/dev/null || true; } | sed -n 's/^mosquitto version \([0-9.]*\).*/\1/p' | head -1)

  cat > "$dir/profile.json" <<PROFILE
{
  "name": "mosquitto-local-$base",
  "version": "${version:-unknown}",
  "endpoints": {
    "plain": "mqtt://127.0.0.1:$((base + 0))",
    "auth": "mqtt://127.0.0.1:$((base + 1))",
    "tls": "mqtts://localhost:$((base + 2))",
    "mtls": "mqtts://localhost:$((base + 3))",
    "ws": "ws://127.0.0.1:$((base + 4))/mqtt",
    "wss": "wss://localhost:$((base + 5))/mqtt",
    "wrong_host": "mqtts://localhost:$((base + 6))"
  },
  "credentials": $(credentials_json ""),
  "tls": {"ca": "pki/ca.crt", "other_ca": "pki/other-ca.crt", "cert": "pki/client.crt",
          "key": "pki/client.key"},
  "capabilities": {
    "protocols": ["3.1", "3.1.1", "5"],
    "maximum_qos": 2,
    "retain": true,
    "wildcards": true,
    "shared_subscriptions": true,
    "sys_topics": true,
    "subscription_identifiers": true,
    "topic_aliases": true
  },
  "lifecycle": $(lifecycle_json mosquitto.sh "${persistent:+GAUNTLET_MOSQUITTO_PERSISTENCE=1 }"),
  "known_deviations": $(cat "$here/mosquitto-deviations.json")
}
PROFILE
}

# GAUNTLET_MOSQUITTO_PERSISTENCE=1: sessions and queued messages survive a restart (saved in the
# state directory on shutdown and every second), for the restart tests.
persistent=""
[[ ${GAUNTLET_MOSQUITTO_PERSISTENCE:-0} == 1 ]] && persistent=1
persistence_conf() {
  if [[ -n $persistent ]]; then
    printf 'persistence true\npersistence_location %s/\nautosave_interval 1\n' "$dir"
  else
    echo "persistence false"
  fi
}

start() {
  command -v mosquitto >/dev/null || { echo "mosquitto.sh: mosquitto is not installed (ci/install-deps.sh)" >&2; exit 3; }
  stop
  for offset in 0 1 2 3 4 5 6; do
    if port_open $((base + offset)); then
      echo "mosquitto.sh: port $((base + offset)) is already in use; choose another PORT_BASE" >&2
      exit 3
    fi
  done
  mkdir -p "$dir"
  bash "$here/../pki/make-pki.sh" "$dir/pki" >/dev/null
  rm -f "$dir/passwd"
  touch "$dir/passwd"
  for user in alice bob limited; do mosquitto_passwd -b "$dir/passwd" "$user" "$user-secret"; done
  cat > "$dir/acl" <<ACL
user alice
topic readwrite #
user bob
topic readwrite #
user limited
topic read limited/#
topic write limited/out
ACL
  local pki=$dir/pki
  cat > "$dir/mosquitto.conf" <<CONF
per_listener_settings true
$(persistence_conf)
log_dest file $dir/mosquitto.log
log_type error
log_type warning
log_type notice
log_type information
connection_messages true
# Tests publish bursts: the default 1,000-message queue would drop silently (BROKERS.md).
max_queued_messages 0

listener $((base + 0)) 127.0.0.1
allow_anonymous true

listener $((base + 1)) 127.0.0.1
allow_anonymous false
password_file $dir/passwd
acl_file $dir/acl

listener $((base + 2)) 127.0.0.1
allow_anonymous false
password_file $dir/passwd
acl_file $dir/acl
cafile $pki/ca.crt
certfile $pki/server.crt
keyfile $pki/server.key

listener $((base + 3)) 127.0.0.1
allow_anonymous true
cafile $pki/ca.crt
certfile $pki/server.crt
keyfile $pki/server.key
require_certificate true

listener $((base + 4)) 127.0.0.1
protocol websockets
socket_domain ipv4
allow_anonymous true

listener $((base + 5)) 127.0.0.1
protocol websockets
socket_domain ipv4
allow_anonymous true
cafile $pki/ca.crt
certfile $pki/server.crt
keyfile $pki/server.key

listener $((base + 6)) 127.0.0.1
allow_anonymous true
cafile $pki/ca.crt
certfile $pki/wrong-host.crt
keyfile $pki/wrong-host.key
CONF
  write_profile
  # Run as root, mosquitto drops to the mosquitto user: that user must own its state.
  if [[ $(id -u) -eq 0 ]] && id mosquitto >/dev/null 2>&1; then chown -R mosquitto "$dir"; fi
  mosquitto -c "$dir/mosquitto.conf" >>"$dir/mosquitto.stdout" 2>&1 &
  local pid=$!
  echo "$pid" > "$dir/mosquitto.pid"
  for _ in $(seq 100); do
    local up=1
    for offset in 0 1 2 3 4 5 6; do port_open $((base + offset)) || { up=0; break; }; done
    ((up)) && { echo "mosquitto.sh: pid $pid on ports $base-$((base + 6)), state in $dir"; return 0; }
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  echo "mosquitto.sh: mosquitto did not start; its log:" >&2
  cat "$dir/mosquitto.stdout" "$dir/mosquitto.log" >&2 2>/dev/null || true
  stop
  exit 3
}

case $action in
  start) start ;;
  stop) stop ;;
  dir) echo "$dir" ;;
  *) echo "usage: mosquitto.sh start|stop|dir PORT_BASE" >&2; exit 2 ;;
esac
