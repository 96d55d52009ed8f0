#!/usr/bin/env bash
# The whole built-in suite against the test broker, three times in a row with different seeds
# (so different client ids and topics): every run must pass the gate (failures only where the
# profile waives a known deviation), give the same verdict for every case and statement, and
# write a report.json that follows the published schema. The durations are printed for
# docs/performance.md; they are not asserted (targets are measured, not unit-tested).
# Usage: stable_test.sh GAUNTLET PROFILE OUTDIR REPORT_SCHEMA
set -uo pipefail
g=$1 profile=$2 out=$3 schema=$4
rm -rf "$out" && mkdir -p "$out"
status=0
for run in 1 2 3; do
  "$g" conformance --profile "$profile" --report-dir "$out/run$run" --seed "$run" \
    >"$out/run$run.log" 2>&1
  rc=$?
  tail -1 "$out/run$run.log"
  if [[ $rc != 0 ]]; then
    echo "FAILED: run $run exited $rc; its failures:"
    grep -E '^(fail|error)  ' "$out/run$run.log"
    status=1
  fi
done
python3 - "$out" "$schema" <<'PY' || status=1
import json, sys, jsonschema
out, schema = sys.argv[1], json.load(open(sys.argv[2]))
runs = [json.load(open(f"{out}/run{i}/report.json")) for i in (1, 2, 3)]
for i, report in enumerate(runs, 1):
    jsonschema.validate(report, schema)
    print(f"run {i}: {len(report['cases'])} cases in {report['duration_s']:.1f} s")
verdicts = [{c["id"]: c["verdict"] for c in r["cases"]} for r in runs]
statements = [{(p, i): e["verdict"] for p, t in r["statements"].items() for i, e in t.items()}
              for r in runs]
bad = False
for name, table in (("case", verdicts), ("statement", statements)):
    for key in sorted(set(table[0]) | set(table[1]) | set(table[2]), key=str):
        seen = [t.get(key) for t in table]
        if len(set(seen)) > 1:
            print(f"FLAKY {name} {key}: {seen}")
            bad = True
sys.exit(1 if bad else 0)
PY
exit $status
