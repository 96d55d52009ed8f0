#!/usr/bin/env bash
# swarm_test.sh GAUNTLET PROFILE EXAMPLES OUT — `gauntlet swarm` against the test Mosquitto:
#  1. every shipped load example passes, and its report accounts for every owed copy exactly
#     (delivered == expected for QoS 1/2; no duplicates at QoS 2) and validates against the schema;
#  2. a sharded run: the fan-out example as two shards started together (one --publish-at for
#     both), merged with `gauntlet report merge`; the merged report must add up exactly (each
#     shard's publishers' copies are owed to the other shard's subscribers too);
#  3. a false SLO (p99 latency at most 0 ms) exits 1 and names the breach.
set -euo pipefail
gauntlet=$1 profile=$2 examples=$3 out=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
schema=$here/../../reports/schema/report.schema.json
rm -rf "$out" && mkdir -p "$out"

check_report() {  # REPORT.json: exact accounting and schema
  python3 - "$1" "$schema" <<'PY'
import json, sys, jsonschema
report = json.load(open(sys.argv[1]))
jsonschema.validate(report, json.load(open(sys.argv[2])))
m = report["metrics"]
for q in ("1", "2"):
    c = m["by_qos"][q]
    assert c["delivered"] == c["expected"], f"QoS {q}: {c['delivered']} of {c['expected']} delivered"
assert m["by_qos"]["2"]["duplicated"] == 0, "QoS 2 duplicates"
assert m["connections"]["failed"] == 0, "connect failures"
print(sys.argv[1], "accounts for", m["expected"], "owed copies:", m["delivered"], "delivered")
PY
}

for example in "$examples"/*.json; do
  name=$(basename "$example" .json)
  "$gauntlet" swarm "$example" --profile "$profile" --report-dir "$out/$name" --seed 7
  check_report "$out/$name/report.json"
done

# Two shards of one run, publishing from the same instant.
at=$(python3 -c 'import datetime; print((datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=3)).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))')
for shard in 1 2; do
  "$gauntlet" swarm "$examples/fanout-qos1.json" --profile "$profile" --seed 11 --shard "$shard/2" \
    --publish-at "$at" --report-dir "$out/shard-$shard" > "$out/shard-$shard.log" 2>&1 &
  pids[$shard]=$!
done
for shard in 1 2; do
  if ! wait "${pids[$shard]}"; then cat "$out/shard-$shard.log"; exit 1; fi
done
"$gauntlet" report merge "$out/shard-1/report.json" "$out/shard-2/report.json" --report-dir "$out/merged"
check_report "$out/merged/report.json"
python3 - "$out/shard-1/report.json" "$out/shard-2/report.json" "$out/merged/report.json" <<'PY'
import json, sys
a, b, merged = (json.load(open(p))["metrics"] for p in sys.argv[1:])
for key in ("published", "delivered", "expected"):
    assert merged[key] == a[key] + b[key], (key, merged[key], a[key], b[key])
# 20 sensors at 5/s for 4 s, 4 dashboards: 400 messages, each owed 4 copies.
assert merged["published"] == 400, merged["published"]
assert merged["expected"] == 1600, merged["expected"]
assert sorted(s["index"] for s in merged["shards"]) == [0, 1]
print("merged: 2 shards,", merged["published"], "published,", merged["delivered"], "delivered")
PY

# An SLO that cannot hold fails the run (exit 1) and says which.
strict=$out/impossible-slo.json
python3 - "$examples/fanout-qos1.json" "$strict" <<'PY'
import json, sys
scenario = json.load(open(sys.argv[1]))
scenario["load"]["slo"] = {"max_latency_ms": 0}
scenario["load"]["duration_s"] = 1
json.dump(scenario, open(sys.argv[2], "w"))
PY
set +e
"$gauntlet" swarm "$strict" --profile "$profile" --report-dir "$out/impossible" > "$out/impossible.log" 2>&1
rc=$?
set -e
cat "$out/impossible.log"
[[ $rc -eq 1 ]] || { echo "an impossible SLO exited $rc, not 1"; exit 1; }
grep -q "slo-max_latency_ms" "$out/impossible/summary.md"
echo "swarm_test: all checks passed"
