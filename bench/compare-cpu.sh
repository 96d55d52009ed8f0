#!/usr/bin/env bash
# CPU time per delivered message: gauntlet's swarm, Mosquitto, and MQTT.js (npm `mqtt`) on the same
# workload (DESIGN.md §10: "swarm client CPU per delivered message ≤ 0.5× the broker's own").
#
#   bench/compare-cpu.sh [GAUNTLET]          (default: build/release/cli/gauntlet)
#
# It starts its own Mosquitto (ci/brokers/mosquitto.sh on PORT_BASE, stopped by pid on exit) and,
# for each workload — P publishers on their own topics, S subscribers on one wildcard filter, QoS
# q, R messages a second per publisher for DURATION seconds, PAYLOAD bytes — runs
#   - `gauntlet swarm` on a generated load scenario, --threads 1 --broker-pid PID: its report gives
#     gauntlet's CPU (getrusage, the whole run) and the broker's (/proc/PID/stat, the same span);
#   - bench/mqttjs/mqttjs_load.js, the same workload with MQTT.js: its CPU (process.cpuUsage) and
#     the broker's (/proc/PID/stat), from the first publish to the end of the drain;
# REPEAT times each, alternating, and prints a Markdown table of medians with the spread (min–max)
# of CPU time (user + system, not wall time: the machine may be shared) per delivered message.
#
# The rate sweep goes up RATES for each shape and QoS and stops after the first point where
# Mosquitto saturates: its CPU over the run reaches SATURATED_CORES (default 0.9) of a core, or
# delivery falls behind the schedule in gauntlet's runs (p99 latency from the scheduled send time
# above BEHIND_MS, default 500 ms, or copies missing at the end of the drain). A failed MQTT.js run
# is shown in the table but does not end the sweep (at QoS 2 Mosquitto drops MQTT.js's
# publishers, which do not reconnect).
#
# Environment (defaults in brackets):
#   SHAPES    "PxS ..." publishers x subscribers                            ["10x1 10x4"]
#   QOS       QoS levels                                                    ["0 1 2"]
#   RATES     messages per second per publisher, increasing                 ["500 1000 2000 4000 8000"]
#   DURATION  seconds of publishing per run [5]; DRAIN seconds allowed for the rest [10]
#   PAYLOAD   bytes per message (≥ 24: gauntlet's stamp) [64]
#   REPEAT    runs per tool and point [3]
#   PORT_BASE Mosquitto's ports, PORT_BASE..PORT_BASE+6 [25200]
#   BATCH_US  gauntlet's I/O batching window in µs (`--batch-us`, docs/swarm.md "Batched I/O");
#             0 is exact timing [0]. MQTT.js sends what is due in each 1 ms timer tick.
#   KEEP=DIR  keep the scenarios, reports and raw results (results.jsonl) in DIR
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
gauntlet=${1:-$root/build/release/cli/gauntlet}
shapes=${SHAPES:-10x1 10x4}
qos_levels=${QOS:-0 1 2}
rates=${RATES:-500 1000 2000 4000 8000}
duration=${DURATION:-5}
drain=${DRAIN:-10}
payload=${PAYLOAD:-64}
repeat=${REPEAT:-3}
port_base=${PORT_BASE:-25200}
saturated_cores=${SATURATED_CORES:-0.9}
batch_us=${BATCH_US:-0}
behind_ms=${BEHIND_MS:-500}

[[ -x $gauntlet ]] || { echo "compare-cpu.sh: $gauntlet is not an executable (build it first)" >&2; exit 2; }
command -v node >/dev/null || { echo "compare-cpu.sh: node is required" >&2; exit 2; }
for n in "$duration" "$drain" "$payload" "$repeat" "$batch_us"; do
  [[ $n =~ ^[0-9]+$ ]] || { echo "compare-cpu.sh: DURATION, DRAIN, PAYLOAD, REPEAT, BATCH_US are integers" >&2; exit 2; }
done
((duration > 0 && repeat > 0 && payload >= 24)) || { echo "compare-cpu.sh: bad DURATION/REPEAT/PAYLOAD" >&2; exit 2; }

# MQTT.js is pinned (package.json + package-lock.json); node_modules is not committed.
(cd "$here/mqttjs" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

if [[ -n ${KEEP:-} ]]; then
  work=$KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d)
fi
broker_dir=${TMPDIR:-/tmp}/gauntlet-mosquitto-$port_base
cleanup() {
  GAUNTLET_BROKER_DIR=$broker_dir bash "$root/ci/brokers/mosquitto.sh" stop "$port_base" >/dev/null || true
  [[ -n ${KEEP:-} ]] || rm -rf "$work"
}
trap cleanup EXIT
GAUNTLET_BROKER_DIR=$broker_dir bash "$root/ci/brokers/mosquitto.sh" start "$port_base" >/dev/null
broker_pid=$(cat "$broker_dir/mosquitto.pid")
profile=$broker_dir/profile.json
url=mqtt://127.0.0.1:$port_base
results=$work/results.jsonl
: >"$results"
# Each run is bounded: connecting, the publish phase, the drain and a margin; SIGKILL 10 s after
# the SIGTERM if it does not stop by then.
limit_s=$((duration + drain + 60))

scenario() {  # P S QOS RATE FILE
  cat >"$5" <<JSON
{
  "name": "cpu-$1x$2-qos$3-$4",
  "title": "compare-cpu.sh: $1 publishers at $4 msg/s each, $2 subscribers on one wildcard, QoS $3",
  "protocol": "3.1.1",
  "vars": {"prefix": "bench/{run}"},
  "clients": {
    "subscribers": {"count": $2, "id": "{run}-sub-{i}"},
    "publishers": {"count": $1, "id": "{run}-pub-{i}"}
  },
  "load": {
    "duration_s": $duration,
    "drain_s": $drain,
    "connect": {"rate": 1000},
    "groups": {
      "subscribers": {"subscribe": [{"filter": "{prefix}/#", "qos": $3}]},
      "publishers": {"publish": {"topic": "{prefix}/{i}", "qos": $3, "payload_size": $payload,
                                 "rate": {"per_client": $4}}}
    }
  }
}
JSON
}

run_gauntlet() {  # P S QOS RATE REP
  local name=g-$1x$2-q$3-r$4-$5 status=0
  scenario "$1" "$2" "$3" "$4" "$work/$name.json"
  timeout -k 10 "$limit_s" "$gauntlet" swarm "$work/$name.json" --profile "$profile" --threads 1 \
    --batch-us "$batch_us" --broker-pid "$broker_pid" --seed "$5" --report-dir "$work/$name" >"$work/$name.log" 2>&1 \
    || status=$?
  python3 - "$work/$name/report.json" "$1" "$2" "$3" "$4" "$5" "$status" >>"$results" <<'PY'
import json, sys
path, p, s, q, r, rep, status = sys.argv[1:]
out = {"tool": "gauntlet", "P": int(p), "S": int(s), "qos": int(q), "rate": float(r),
       "rep": int(rep), "exit": int(status)}
try:
    report = json.load(open(path))
    m = report["metrics"]
    res = m["resources"]
    out.update(delivered=m["delivered"], expected=m["expected"],
               cpu_s=res["cpu_user_s"] + res["cpu_system_s"],
               broker_cpu_s=res.get("broker_cpu_s"), wall_s=report["duration_s"],
               p99_ms=m["latency_us"]["p99"] / 1000,
               behind=m["publishing"]["behind_schedule"])
except (OSError, KeyError, ValueError) as error:
    out["error"] = str(error)
print(json.dumps(out))
PY
}

run_mqttjs() {  # P S QOS RATE REP
  local name=m-$1x$2-q$3-r$4-$5 status=0
  timeout -k 10 "$limit_s" node "$here/mqttjs/mqttjs_load.js" --url "$url" --publishers "$1" \
    --subscribers "$2" --qos "$3" --rate "$4" --duration "$duration" --payload "$payload" \
    --drain "$drain" --broker-pid "$broker_pid" --timeout $((limit_s - 5)) \
    >"$work/$name.json" 2>"$work/$name.log" || status=$?
  python3 - "$work/$name.json" "$1" "$2" "$3" "$4" "$5" "$status" >>"$results" <<'PY'
import json, sys
path, p, s, q, r, rep, status = sys.argv[1:]
out = {"tool": "mqttjs", "P": int(p), "S": int(s), "qos": int(q), "rate": float(r),
       "rep": int(rep), "exit": int(status)}
try:
    m = json.loads(open(path).read())
    out.update(delivered=m["delivered"], expected=m["expected"],
               cpu_s=m["cpu_user_s"] + m["cpu_system_s"], broker_cpu_s=m.get("broker_cpu_s"),
               wall_s=m["window_s"], p99_ms=m["latency_us"]["p99"] / 1000, behind=0)
except (OSError, KeyError, ValueError) as error:
    out["error"] = str(error)
print(json.dumps(out))
PY
}

# Whether the last point saturated Mosquitto (see the header): the sweep stops there.
saturated() {  # P S QOS RATE
  python3 - "$results" "$@" "$saturated_cores" "$behind_ms" <<'PY'
import json, sys
path, p, s, q, r, cores, behind_ms = sys.argv[1:]
runs = [json.loads(line) for line in open(path)]
runs = [x for x in runs if (x["P"], x["S"], x["qos"], x["rate"]) == (int(p), int(s), int(q), float(r))]
for x in runs:
    if "error" in x:
        continue
    if x["broker_cpu_s"] is not None and x["broker_cpu_s"] / x["wall_s"] >= float(cores):
        sys.exit(0)
    if x["tool"] == "gauntlet" and (x["p99_ms"] >= float(behind_ms) or x["delivered"] < x["expected"]):
        sys.exit(0)
sys.exit(1)
PY
}

echo "compare-cpu.sh: $("$gauntlet" --version 2>/dev/null | head -1), MQTT.js" \
     "$(node -p "require('$here/mqttjs/node_modules/mqtt/package.json').version") on node" \
     "$(node --version), $(mosquitto -h 2>/dev/null | head -1 || true)" >&2
echo "compare-cpu.sh: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for shape in $shapes; do
  [[ $shape =~ ^([0-9]+)x([0-9]+)$ ]] || { echo "compare-cpu.sh: bad shape $shape (PxS)" >&2; exit 2; }
  p=${BASH_REMATCH[1]}
  s=${BASH_REMATCH[2]}
  for q in $qos_levels; do
    for r in $rates; do
      echo "compare-cpu.sh: ${p}x$s QoS $q, $r msg/s per publisher ($((p * r)) msg/s)..." >&2
      for ((rep = 1; rep <= repeat; ++rep)); do
        run_gauntlet "$p" "$s" "$q" "$r" "$rep"
        run_mqttjs "$p" "$s" "$q" "$r" "$rep"
      done
      if saturated "$p" "$s" "$q" "$r"; then
        echo "compare-cpu.sh: Mosquitto saturated at $((p * r)) msg/s: the sweep stops here" >&2
        break
      fi
    done
  done
done
echo "compare-cpu.sh: load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

python3 - "$results" "$duration" "$payload" "$saturated_cores" "$behind_ms" "$batch_us" <<'PY'
import json, statistics, sys
path, duration, payload, cores, behind_ms, batch_us = sys.argv[1:]
runs = [json.loads(line) for line in open(path)]
points = []
for x in runs:
    key = (x["P"], x["S"], x["qos"], x["rate"])
    if key not in points:
        points.append(key)

def per_msg(x, field):
    if "error" in x or not x.get("delivered") or x.get(field) is None:
        return None
    return x[field] * 1e6 / x["delivered"]

def spread(values, digits=1):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    median = statistics.median(values)
    if len(values) == 1:
        return f"{median:.{digits}f}"
    return f"{median:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"

timing = "exact timing" if batch_us == "0" else f"I/O batched in {batch_us} µs windows (--batch-us {batch_us})"
print(f"{duration} s of publishing per run, {payload}-byte payloads, MQTT 3.1.1; gauntlet with {timing}; "
      "CPU time (user + system) per delivered message in µs, median of the runs (min–max); ratios are per "
      "run, then the median.")
print()
print("| workload | offered msg/s | delivered per run | Mosquitto busy (cores) | p99 latency ms (gauntlet / MQTT.js) "
      "| gauntlet µs | Mosquitto µs (gauntlet run) | gauntlet ÷ Mosquitto "
      "| MQTT.js µs | Mosquitto µs (MQTT.js run) | MQTT.js ÷ Mosquitto | gauntlet ÷ MQTT.js |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for key in points:
    p, s, q, r = key
    g = [x for x in runs if x["tool"] == "gauntlet" and (x["P"], x["S"], x["qos"], x["rate"]) == key]
    m = [x for x in runs if x["tool"] == "mqttjs" and (x["P"], x["S"], x["qos"], x["rate"]) == key]
    g_cpu = [per_msg(x, "cpu_s") for x in g]
    g_broker = [per_msg(x, "broker_cpu_s") for x in g]
    m_cpu = [per_msg(x, "cpu_s") for x in m]
    m_broker = [per_msg(x, "broker_cpu_s") for x in m]
    ratio = lambda a, b: [x / y if x is not None and y else None for x, y in zip(a, b)]
    g_vs_m = [x / y if x is not None and y else None
              for x, y in zip(g_cpu, m_cpu)]
    delivered = sorted({x.get("delivered", 0) for x in g + m})
    expected = max(x.get("expected", 0) for x in g + m)
    shown = "/".join(f"{d:,}" for d in delivered) + ("" if delivered == [expected] else f" of {expected:,}")
    busy = [x["broker_cpu_s"] / x["wall_s"] for x in g + m
            if "error" not in x and x.get("broker_cpu_s") is not None and x["wall_s"] > 0]
    p99 = f"{spread([x.get('p99_ms') for x in g], 0)} / {spread([x.get('p99_ms') for x in m], 0)}"
    failed_g = [x for x in g if x["exit"] != 0 or "error" in x]
    failed_m = [x for x in m if x["exit"] != 0 or "error" in x]
    note = "".join(f" ({len(f)} {tool} run(s) failed or incomplete)"
                   for tool, f in (("gauntlet", failed_g), ("MQTT.js", failed_m)) if f)
    print(f"| {p}×{s}, QoS {q}, {r:g}/s per publisher{note} | {p * r:,.0f} | {shown} | {spread(busy, 2)} | {p99} "
          f"| {spread(g_cpu)} | {spread(g_broker)} | {spread(ratio(g_cpu, g_broker), 2)} "
          f"| {spread(m_cpu)} | {spread(m_broker)} | {spread(ratio(m_cpu, m_broker), 2)} "
          f"| {spread(g_vs_m, 2)} |")
print()
print(f"Mosquitto busy: its CPU seconds over the run's wall time (gauntlet: the whole run; MQTT.js: first "
      f"publish to the end of the drain). Saturated: ≥ {cores} of a core, or delivery behind the schedule "
      f"(gauntlet's p99 ≥ {behind_ms} ms, or copies missing in gauntlet's runs). A run that failed "
      "(copies missing, exit code not 0) still counts its CPU over what it delivered.")
PY
