#!/usr/bin/env bash
# Starts the test Mosquitto on PORT_BASE, checks every listener with Mosquitto's own clients
# (what must pass and what must be refused), and stops it by pid, whatever happens.
# Usage: check-mosquitto.sh PORT_BASE
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
base=$1
export GAUNTLET_BROKER_DIR=${GAUNTLET_BROKER_DIR:-$(mktemp -d)}
trap 'bash "$here/mosquitto.sh" stop "$base"' EXIT
bash "$here/mosquitto.sh" start "$base" || exit 3
pki=$GAUNTLET_BROKER_DIR/pki
failures=0
expect() {  # expect RC DESCRIPTION CMD...
  local want=$1 what=$2
  shift 2
  timeout 10 "$@" >/dev/null 2>&1
  local rc=$?
  # 124 (timed out) and 126/127 (could not run) are failures whatever was expected: a refusal
  # must come from the broker, not from a missing tool.
  if ((rc == 124 || rc == 126 || rc == 127)) ||
    [[ ($want == 0 && $rc -ne 0) || ($want != 0 && $rc -eq 0) ]]; then
    echo "FAIL: $what (exit $rc)"
    failures=$((failures + 1))
  else
    echo "ok:   $what"
  fi
}
expect 0 "plain, anonymous" mosquitto_pub -t gauntlet/check -m x -h 127.0.0.1 -p $((base + 0))
expect 0 "password listener, valid user" mosquitto_pub -t gauntlet/check -m x -h 127.0.0.1 -p $((base + 1)) -u alice -P alice-secret
expect 1 "password listener, wrong password refused" mosquitto_pub -t gauntlet/check -m x -h 127.0.0.1 -p $((base + 1)) -u alice -P wrong
expect 1 "password listener, anonymous refused" mosquitto_pub -t gauntlet/check -m x -h 127.0.0.1 -p $((base + 1))
expect 0 "TLS with the test CA" mosquitto_pub -t gauntlet/check -m x -h localhost -p $((base + 2)) --cafile "$pki/ca.crt" -u bob -P bob-secret
expect 1 "TLS with another CA refused" mosquitto_pub -t gauntlet/check -m x -h localhost -p $((base + 2)) --cafile "$pki/other-ca.crt" -u bob -P bob-secret
expect 0 "mutual TLS with a client certificate" mosquitto_pub -t gauntlet/check -m x -h localhost -p $((base + 3)) --cafile "$pki/ca.crt" --cert "$pki/client.crt" --key "$pki/client.key"
expect 1 "mutual TLS without a client certificate refused" mosquitto_pub -t gauntlet/check -m x -h localhost -p $((base + 3)) --cafile "$pki/ca.crt"
expect 1 "TLS with a certificate for another host refused" mosquitto_pub -t gauntlet/check -m x -h localhost -p $((base + 6)) --cafile "$pki/ca.crt"
# A round trip through the WebSocket listener is checked by gauntlet's own WebSocket transport;
# mosquitto_pub speaks plain TCP only, so here the port just has to accept.
expect 0 "WebSocket listener accepts" bash -c "exec 3<>/dev/tcp/127.0.0.1/$((base + 4))"
expect 0 "secure WebSocket listener accepts" bash -c "exec 3<>/dev/tcp/127.0.0.1/$((base + 5))"
echo "$((11 - failures)) passed, $failures failed"
((failures == 0))
