#!/usr/bin/env bash
# swarm-capacity.sh [GAUNTLET] [OUT] — the swarm's capacity figures of docs/performance.md, against
# Debian's Mosquitto on this machine:
#   memory    idle plain-TCP clients: peak RSS at 1,000 and at 19,000 clients of one process, and
#             the difference per client; TLS clients likewise at 500 and 2,500
#   connects  18,000 clients at a scheduled 10,000 connects/s: connects per second achieved
#   sharded   SHARDS processes (default 6) of ~17,000 idle clients each, every one against its own
#             Mosquitto, holding their connections through one common --publish-at window, then
#             `gauntlet report merge`: the connections open at once, from the merged series
# Each part writes its reports under OUT (default /tmp/gauntlet-capacity) and a line of results.
#
# The Mosquitto instances here are lean on purpose: one plain listener each, no per-connection log
# line (a log line per connect would measure the broker's disk writes, not its connection
# handling), persistence off. The open-file limit is 20,000 per process on this machine and cannot
# be raised, which is what caps a process at ~19,000 connections and a broker likewise.
# Brokers are started here and stopped by pid (trap). Ports: 26000 + instance.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
gauntlet=$(realpath "${1:-$root/build/release/cli/gauntlet}")
out=${2:-/tmp/gauntlet-capacity}
parts=${PARTS:-memory connects sharded}
shards=${SHARDS:-6}
per_shard=${PER_SHARD:-17000}
port_base=26000
tls_base=26100
mkdir -p "$out"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  bash "$root/ci/brokers/mosquitto.sh" stop "$tls_base" >/dev/null 2>&1 || true
}
trap cleanup EXIT

start_lean_mosquitto() {  # INSTANCE: a plain listener on port_base + INSTANCE
  local k=$1 dir=$out/mosquitto-$1
  mkdir -p "$dir"
  cat > "$dir/mosquitto.conf" <<CONF
persistence false
log_dest file $dir/mosquitto.log
log_type error
log_type warning
connection_messages false
max_queued_messages 0
listener $((port_base + k)) 127.0.0.1
allow_anonymous true
CONF
  # setsid: its own session, so nothing here signals it but the trap (by pid).
  (ulimit -n "$(ulimit -Hn)"; exec setsid mosquitto -c "$dir/mosquitto.conf" >"$dir/stderr" 2>&1) &
  pids+=($!)
  for _ in $(seq 50); do
    (: </dev/tcp/127.0.0.1/$((port_base + k))) 2>/dev/null && return 0
    sleep 0.1
  done
  echo "mosquitto $k did not start: $(cat "$dir/stderr")" >&2
  return 1
}

profile_for() {  # INSTANCE -> a profile path
  local k=$1 file=$out/profile-$1.json
  printf '{"name": "mosquitto-lean-%s", "endpoints": {"plain": "mqtt://127.0.0.1:%s"}}\n' \
    "$k" "$((port_base + k))" > "$file"
  echo "$file"
}

idle_scenario() {  # FILE COUNT RATE DURATION [ENDPOINT CREDENTIALS]
  python3 - "$@" <<'PY'
import json, sys
file, count, rate, duration = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4])
group = {"count": count, "id": "{run}-idle-{i}", "keep_alive_s": 600}
if len(sys.argv) > 5:
    group["endpoint"], group["credentials"] = sys.argv[5], sys.argv[6]
json.dump({"name": f"idle-{count}", "protocol": "3.1.1", "clients": {"idle": group},
           "load": {"duration_s": duration, "drain_s": 0, "connect": {"rate": rate}}},
          open(file, "w"))
PY
}

metric() {  # REPORT PYTHON-EXPRESSION over m (the metrics)
  python3 -c "import json,sys; m=json.load(open(sys.argv[1]))['metrics']; print($2)" "$1"
}

# per_client_memory LABEL PROFILE SMALL LARGE RATE [ENDPOINT CREDENTIALS]: peak RSS of SMALL and
# of LARGE idle clients, and the difference per client (what one more client costs).
per_client_memory() {
  local label=$1 profile=$2 small=$3 large=$4 rate=$5 n
  local -A rss
  shift 5
  for n in "$small" "$large"; do
    idle_scenario "$out/$label-$n.json" "$n" "$rate" 5 "$@"
    "$gauntlet" swarm "$out/$label-$n.json" --profile "$profile" --threads 1 \
      --report-dir "$out/$label-$n" >"$out/$label-$n.log" 2>&1
    rss[$n]=$(metric "$out/$label-$n/report.json" "m['resources']['max_rss_kib']")
    echo "memory: $n idle $label clients: $(metric "$out/$label-$n/report.json" \
      "m['connections']['succeeded']") connected, peak RSS ${rss[$n]} KiB"
  done
  echo "memory: per idle $label client $(python3 -c \
    "print(round((${rss[$large]} - ${rss[$small]}) / ($large - $small), 2))") KiB"
}

memory() {
  start_lean_mosquitto 0
  per_client_memory plain "$(profile_for 0)" 1000 19000 5000
  bash "$root/ci/brokers/mosquitto.sh" start "$tls_base" >/dev/null
  per_client_memory tls "/tmp/gauntlet-mosquitto-$tls_base/profile.json" 500 2500 500 tls valid
  bash "$root/ci/brokers/mosquitto.sh" stop "$tls_base" >/dev/null
}

# Mosquitto listens with a backlog of 100 and accepts from its one thread: above ~9,000 connects/s
# its accept queue overflows (the kernel's ListenOverflows counter) and the refused SYNs are retried
# a second later. So the connect rate of one gauntlet process is measured against two brokers, one
# group each (the groups' clients are interleaved over the connect phase).
connects() {
  start_lean_mosquitto 1
  start_lean_mosquitto 2
  local profile=$out/profile-connects.json rate=${CONNECT_RATE:-12000}
  printf '{"name": "mosquitto-lean-pair", "endpoints": {"a": "mqtt://127.0.0.1:%s", "b": "mqtt://127.0.0.1:%s"}}\n' \
    $((port_base + 1)) $((port_base + 2)) > "$profile"
  python3 -c '
import json, sys
groups = {name: {"count": 9000, "id": "{run}-%s-{i}" % name, "keep_alive_s": 600, "endpoint": name}
          for name in ("a", "b")}
json.dump({"name": "connects", "protocol": "3.1.1", "clients": groups,
           "load": {"duration_s": 3, "drain_s": 0, "connect": {"rate": float(sys.argv[2])}}},
          open(sys.argv[1], "w"))' "$out/connects.json" "$rate"
  local before after
  before=$(nstat -az TcpExtListenOverflows 2>/dev/null | awk '/ListenOverflows/ {print $2}')
  "$gauntlet" swarm "$out/connects.json" --profile "$profile" --threads 2 \
    --report-dir "$out/connects" >"$out/connects.log" 2>&1
  after=$(nstat -az TcpExtListenOverflows 2>/dev/null | awk '/ListenOverflows/ {print $2}')
  echo "connects: listen-queue overflows at the brokers: $((${after:-0} - ${before:-0}))"
  metric "$out/connects/report.json" "'connects: ' + str(m['connections']['succeeded']) + ' of 18000 at a scheduled $rate/s; per second: ' + str([s['connects'] for s in m['series'][:5]]) + '; connect p50 ' + str(m['histograms']['connect']['p50'] / 1000) + ' ms, p99 ' + str(m['histograms']['connect']['p99'] / 1000) + ' ms; failed ' + str(m['connections']['failed'])"
}

sharded() {
  local total=$((shards * per_shard)) rate=${SHARD_CONNECT_RATE:-1000} k at
  idle_scenario "$out/sharded.json" "$total" $((shards * rate)) 20
  for ((k = 0; k < shards; k++)); do start_lean_mosquitto $((10 + k)); done
  # Every shard holds its connections through the same 20 s window, well after all have connected.
  at=$(python3 -c "import datetime as d; print((d.datetime.now(d.timezone.utc) + d.timedelta(seconds=$((per_shard / rate + 15)))).strftime('%Y-%m-%dT%H:%M:%SZ'))")
  local shard_pids=()
  for ((k = 0; k < shards; k++)); do
    "$gauntlet" swarm "$out/sharded.json" --profile "$(profile_for $((10 + k)))" --threads 1 \
      --shard $((k + 1))/"$shards" --publish-at "$at" --seed 5 \
      --report-dir "$out/shard-$((k + 1))" >"$out/shard-$((k + 1)).log" 2>&1 &
    shard_pids+=($!)
  done
  local failed=0
  for pid in "${shard_pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
  ((failed == 0)) || echo "sharded: $failed shard(s) exited non-zero (see $out/shard-*.log)"
  "$gauntlet" report merge "$out"/shard-*/report.json --report-dir "$out/merged" >"$out/merge.log" 2>&1 || true
  metric "$out/merged/report.json" "'sharded: ' + str(len(m['shards'])) + ' shards, ' + str(m['connections']['succeeded']) + ' of $total connected, ' + str(m['connections']['failed']) + ' failed; open at once (merged series, max): ' + str(max(s['connections'] for s in m['series']))"
}

for part in $parts; do "$part"; done
