#!/usr/bin/env bash
# Starts or stops Aedes (npm `aedes`, pinned in ci/brokers/aedes/package.json) for tests, on Node.js,
# without systemd, on loopback ports from PORT_BASE:
#   PORT_BASE+0  plain, anonymous (any user name and password are accepted)
#   PORT_BASE+1  plain, user name and password required, ACL for `limited`
#   PORT_BASE+2  WebSocket at /mqtt, anonymous
# Users (the same as mosquitto.sh): alice/alice-secret and bob/bob-secret may do anything;
# limited/limited-secret may only subscribe within limited/# and publish to limited/out.
# Every listener is one broker instance, so they share one topic space. State is in memory only.
# The broker is ci/brokers/aedes/broker.mjs; its packages are installed with `npm ci` into
# ci/brokers/aedes/node_modules (not committed) by ci/brokers/install-others.sh, or by the first
# start when they are missing.
# It also writes profile.json (docs/profiles.md) there: the broker as `gauntlet run --profile` sees it.
# State (pid, log, profile) lives in $GAUNTLET_BROKER_DIR, by default
# ${TMPDIR:-/tmp}/gauntlet-aedes-PORT_BASE. The broker is stopped by its pid, never by name.
#
# Usage: aedes.sh start PORT_BASE | stop PORT_BASE | dir PORT_BASE
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
action=${1:-}
base=${2:-}
if [[ -z $action || ! $base =~ ^[0-9]+$ ]] || ((base < 1024 || base > 65533)); then
  echo "usage: aedes.sh start|stop|dir PORT_BASE (1024-65533)" >&2
  exit 2
fi
dir=${GAUNTLET_BROKER_DIR:-${TMPDIR:-/tmp}/gauntlet-aedes-$base}
pkg=$here/aedes
ports=(0 1 2)

# shellcheck source=ci/brokers/common.sh
source "$here/common.sh"

stop() { stop_pid "$dir/aedes.pid" "$pkg/broker.mjs $base" 5; }

# The pinned version, installed once into ci/brokers/aedes/node_modules. Concurrent starts wait for
# each other's `npm ci` (which deletes node_modules before it installs).
installed_version() {
  { sed -n 's/^[[:space:]]*"version": "\([^"]*\)".*/\1/p' "$pkg/node_modules/aedes/package.json" 2>/dev/null || true; } | head -1
}
pinned_version() { sed -n 's/^[[:space:]]*"aedes": "\([^"]*\)".*/\1/p' "$pkg/package.json" | head -1; }
ensure_packages() {
  [[ $(installed_version) == "$(pinned_version)" && -d $pkg/node_modules/ws ]] && return 0
  command -v npm >/dev/null || { echo "aedes.sh: npm is not installed (ci/brokers/install-others.sh)" >&2; exit 3; }
  (
    flock 9
    if [[ $(installed_version) != "$(pinned_version)" || ! -d $pkg/node_modules/ws ]]; then
      echo "aedes.sh: npm ci in $pkg" >&2
      npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --prefix "$pkg" >&2
    fi
  ) 9>"${TMPDIR:-/tmp}/gauntlet-aedes-npm.lock"
}

write_profile() {
  cat > "$dir/profile.json" <<PROFILE
{
  "name": "aedes-local-$base",
  "version": "$(installed_version)",
  "endpoints": {
    "plain": "mqtt://127.0.0.1:$((base + 0))",
    "auth": "mqtt://127.0.0.1:$((base + 1))",
    "ws": "ws://127.0.0.1:$((base + 2))/mqtt"
  },
  "credentials": $(credentials_json ""),
  "capabilities": {
    "protocols": ["3.1", "3.1.1"],
    "maximum_qos": 2,
    "retain": true,
    "wildcards": true,
    "shared_subscriptions": false,
    "sys_topics": false,
    "subscription_identifiers": false,
    "topic_aliases": false
  },
  "lifecycle": $(lifecycle_json aedes.sh),
  "known_deviations": $(cat "$here/aedes-deviations.json")
}
PROFILE
}

start() {
  command -v node >/dev/null || { echo "aedes.sh: node is not installed (ci/brokers/install-others.sh)" >&2; exit 3; }
  ensure_packages
  stop
  for offset in "${ports[@]}"; do
    if port_open $((base + offset)); then
      echo "aedes.sh: port $((base + offset)) is already in use; choose another PORT_BASE" >&2
      exit 3
    fi
  done
  mkdir -p "$dir"
  write_profile
  node "$pkg/broker.mjs" "$base" >>"$dir/aedes.log" 2>&1 &
  local pid=$!
  echo "$pid" > "$dir/aedes.pid"
  for _ in $(seq 200); do
    local up=1
    for offset in "${ports[@]}"; do port_open $((base + offset)) || { up=0; break; }; done
    ((up)) && { echo "aedes.sh: pid $pid on ports $base-$((base + 2)), state in $dir"; return 0; }
    alive "$pid" || break
    sleep 0.05
  done
  echo "aedes.sh: aedes did not start; its log:" >&2
  cat "$dir/aedes.log" >&2 2>/dev/null || true
  stop
  exit 3
}

case $action in
  start) start ;;
  stop) stop ;;
  dir) echo "$dir" ;;
  *) echo "usage: aedes.sh start|stop|dir PORT_BASE" >&2; exit 2 ;;
esac
