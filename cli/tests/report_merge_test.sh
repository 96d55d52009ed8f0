#!/usr/bin/env bash
# `gauntlet report merge` end to end on the sample shard reports that gauntlet_reports_samples
# writes (reports/tests/samples.cpp: shards 0 and 1 of "fleet-sharded" hold overlapping receipts of
# one shared subscription, so shard 0 alone misses 100 QoS 1 messages and merged nothing is lost):
#   - both shards merge: exit 0, the four files, a schema-valid report.json whose numbers add up
#     (the cross-shard overlap counted as 10 duplicates, not as deliveries), complete;
#   - `report render` of the merged report.json writes the same report.json again (the derived
#     numbers are consistent after a round trip);
#   - one shard of two: exit 1 (loss), incomplete, the missing shard named in the notes;
#   - the same shard twice, a run report, a file that is not a report: exit 2, naming the file.
# Usage: report_merge_test.sh GAUNTLET SAMPLES_DIR SCHEMA OUTDIR
set -uo pipefail
g=$1 samples=$2 schema=$3 out=$4
rm -rf "$out" && mkdir -p "$out"
shard0=$samples/swarm-shard-0/report.json shard1=$samples/swarm-shard-1/report.json
failures=0
check() {  # check WHAT EXPECTED_RC ACTUAL_RC
  if [[ $2 != "$3" ]]; then
    echo "FAILED: $1: exit $3, expected $2"
    failures=$((failures + 1))
  else
    echo "ok: $1 (exit $3)"
  fi
}
has() {  # has WHAT FILE REGEX
  if grep -Eq "$3" "$2"; then echo "ok: $1"; else
    echo "FAILED: $1: $2 does not match /$3/"; failures=$((failures + 1)); fi
}

"$g" report merge "$shard0" "$shard1" --report-dir "$out/both" >"$out/both.log" 2>&1
check "two shards without loss merge and pass" 0 $?
has "a one-line summary" "$out/both.log" '^gauntlet report merge: 2 shard reports of fleet-sharded: 6 passed, 0 failed, 0 skipped .* QoS 1/2 lost 0 -> '
for file in report.json junit.xml summary.md report.html; do
  [[ -s $out/both/$file ]] && echo "ok: $file written" || { echo "FAILED: no $file"; failures=$((failures + 1)); }
done
python3 - "$schema" "$shard0" "$shard1" "$out/both/report.json" <<'PY'
import json, sys
import jsonschema
schema, a, b, merged = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:])
jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).validate(merged)
m, ma, mb = merged["metrics"], a["metrics"], b["metrics"]
problems = []
def expect(what, got, want):
    if got != want:
        problems.append(f"{what}: {got}, expected {want}")
expect("kind", merged["kind"], "swarm")
expect("complete", merged["complete"], True)
expect("no seed", "seed" in merged, False)
expect("published", m["published"], ma["published"] + mb["published"])
expect("expected", m["expected"], ma["expected"] + mb["expected"])
# Messages 90..99 reached the shared group in both shards: 10 duplicates, not 10 more deliveries.
expect("delivered", m["delivered"], ma["delivered"] + mb["delivered"] - 10)
expect("duplicated", m["duplicated"], ma["duplicated"] + mb["duplicated"] + 10)
expect("lost", m["lost"], 0)
expect("QoS 1 lost", m["by_qos"]["1"]["lost"], 0)
expect("end-to-end count", m["histograms"]["end_to_end"]["count"],
       ma["histograms"]["end_to_end"]["count"] + mb["histograms"]["end_to_end"]["count"])
expect("shards", [s["index"] for s in m["shards"]], [0, 1])
expect("shared ranges", m["shared"][0]["by_publisher"]["0"], [[0, 200]])
expect("peak", m["connections"]["peak"], ma["connections"]["peak"] + mb["connections"]["peak"])
expect("failing cases", [c["id"] for c in merged["cases"] if c["verdict"] == "fail"], [])
for problem in problems:
    print("FAILED:", problem)
sys.exit(1 if problems else 0)
PY
check "the merged report is valid and its numbers add up" 0 $?

"$g" report render "$out/both/report.json" --report-dir "$out/rendered" >/dev/null 2>&1
check "the merged report renders" 0 $?
if cmp -s "$out/both/report.json" "$out/rendered/report.json"; then
  echo "ok: rendering the merged report.json writes it again unchanged"
else
  echo "FAILED: report render changed the merged report.json"; failures=$((failures + 1))
fi

"$g" report merge "$shard0" --report-dir "$out/half" >"$out/half.log" 2>&1
check "one shard of two cannot judge delivery: incomplete, exit 3" 3 $?
has "the summary says it is incomplete" "$out/half.log" 'incomplete: see the notes'
has "the missing shard is named" "$out/half/report.json" '1 of 2 shards missing \(2/2\)'
has "report.json is incomplete" "$out/half/report.json" '"complete": false'
has "summary.md shows the note" "$out/half/summary.md" '^> \*\*Note:\*\* 1 of 2 shards missing'

"$g" report merge "$shard0" "$shard0" --report-dir "$out/twice" >"$out/twice.log" 2>&1
check "the same shard twice is bad input" 2 $?
has "the error names the file and why" "$out/twice.log" "swarm-shard-0/report.json: shard 1/2 is there twice"
[[ ! -e $out/twice ]] && echo "ok: nothing written" || { echo "FAILED: wrote $out/twice"; failures=$((failures + 1)); }

"$g" report merge "$shard0" "$samples/passing/report.json" --report-dir "$out/run" >"$out/run.log" 2>&1
check "a run report is bad input" 2 $?
has "the error names it" "$out/run.log" "passing/report.json: not a swarm report \(kind run\)"

echo '{"schema": "gauntlet.report/1"}' >"$out/broken.json"
"$g" report merge "$out/broken.json" --report-dir "$out/broken" >"$out/broken.log" 2>&1
check "a file that is not a report is bad input" 2 $?
has "the error names it" "$out/broken.log" "broken.json: not a gauntlet report: missing required field"

if ((failures > 0)); then
  echo "$failures checks failed"
  exit 1
fi
echo "all checks passed"
