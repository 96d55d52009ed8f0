#!/usr/bin/env bash
# restart_test.sh GAUNTLET PORT_BASE OUT — a broker restart during a swarm (the "restart_broker"
# fault): a Mosquitto of its own (persistence on, so sessions and queued messages survive) on
# PORT_BASE, restarted through its profile's restart command 1.5 s into publishing, while the
# subscribers are away (dropped at 1 s, back after their 2 s backoff) and their messages wait in
# the broker. Every client must come back, publishing must resume, and every QoS 1 copy owed to the
# persistent subscribers must arrive (duplicates are allowed at QoS 1). With persistence off the
# queued copies are lost and this test fails (54 of 600 when tried).
set -euo pipefail
gauntlet=$1 base=$2 out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
rm -rf "$out" && mkdir -p "$out"
export GAUNTLET_BROKER_DIR=$out/broker
trap 'bash "$here/../../ci/brokers/mosquitto.sh" stop "$base" >/dev/null' EXIT
GAUNTLET_MOSQUITTO_PERSISTENCE=1 bash "$here/../../ci/brokers/mosquitto.sh" start "$base"
first_pid=$(cat "$GAUNTLET_BROKER_DIR/mosquitto.pid")

"$gauntlet" swarm "$here/restart-qos1.json" --profile "$GAUNTLET_BROKER_DIR/profile.json" \
  --seed 31 --report-dir "$out/run"

second_pid=$(cat "$GAUNTLET_BROKER_DIR/mosquitto.pid")
[[ $first_pid != "$second_pid" ]] || { echo "the broker was not restarted (pid $first_pid)"; exit 1; }
python3 - "$out/run/report.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))["metrics"]
c, q1 = m["connections"], m["by_qos"]["1"]
# 7 clients connect, all are dropped by the restart, and all come back.
assert c["dropped"] >= 7 and c["succeeded"] >= 14, c
assert q1["delivered"] == q1["expected"] and q1["lost"] == 0, q1
series = m["series"]
down = [s["second"] for s in series if s["connections"] == 0 and s["second"] < 9]
back = [s for s in series if down and s["second"] > max(down) and s["published"] > 0]
assert down, "no second without connections: the restart did not happen while publishing"
assert back, "publishing did not resume after the restart"
assert not m.get("notes") or not any("restart command" in n for n in m["notes"]), m["notes"]
print(f"restart: {c['dropped']} dropped, {c['succeeded']} connects, down in seconds {down}, "
      f"{q1['delivered']} of {q1['expected']} QoS 1 copies, {q1['duplicated']} duplicates")
PY
echo "restart_test: all checks passed"
