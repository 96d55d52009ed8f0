#!/usr/bin/env bash
# The release gate end to end against a real broker, with the tiny suite in data/ (one case that
# passes, one that fails on every broker):
#   - without a baseline, the failing case makes the exit code 1;
#   - against a baseline where that case failed too, there is no regression: exit 0;
#   - against a baseline where it passed, it is a regression: exit 1, and summary.md says so;
#   - `gauntlet report diff` agrees, both ways;
#   - a waiver in the profile turns the failure into "waived" and the run into exit 0.
# Usage: gate_test.sh GAUNTLET PROFILE OUTDIR
set -uo pipefail
g=$1 profile=$2 out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
suite=$here/data/tiny-suite
rm -rf "$out" && mkdir -p "$out"
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

"$g" conformance --cases "$suite" --profile "$profile" --report-dir "$out/first" --seed 1 >"$out/first.log"
check "a failing case fails the run" 1 $?
has "the first report has the failing case" "$out/first/report.json" '"verdict": "fail"'
has "not applicable is reported" "$out/first/report.json" '"verdict": "not_applicable"'

"$g" conformance --cases "$suite" --profile "$profile" --report-dir "$out/same" --seed 2 \
  --baseline "$out/first/report.json" >"$out/same.log"
check "the same failure against a baseline that had it is no regression" 0 $?
has "summary.md says there is no regression" "$out/same/summary.md" 'No regression'

# A baseline in which the failing case (and its statement) passed.
python3 - "$out/first/report.json" "$out/passing-baseline.json" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
for case in report["cases"]:
    case["verdict"] = "pass"
for table in report["statements"].values():
    for entry in table.values():
        if entry["verdict"] == "fail":
            entry["verdict"] = "pass"
json.dump(report, open(sys.argv[2], "w"))
PY
"$g" conformance --cases "$suite" --profile "$profile" --report-dir "$out/regressed" --seed 3 \
  --baseline "$out/passing-baseline.json" >"$out/regressed.log"
check "a case that passed in the baseline and fails now is a regression" 1 $?
has "summary.md lists the case" "$out/regressed/summary.md" 'case v311-publish-wrong-expectation: pass → fail'
has "summary.md lists the statement" "$out/regressed/summary.md" 'statement 3.1.1 MQTT-3.3.1-1: pass → fail'
has "report.json has the comparison" "$out/regressed/report.json" '"regressions": \['

"$g" report diff "$out/passing-baseline.json" "$out/first/report.json" >"$out/diff.md"
check "report diff finds the regression" 1 $?
has "report diff prints it" "$out/diff.md" 'Regressions'
"$g" report diff "$out/first/report.json" "$out/same/report.json" >"$out/diff-same.md"
check "report diff of two equal outcomes" 0 $?

python3 - "$profile" "$out/waiving-profile.json" <<'PY'
import json, os, sys
profile = json.load(open(sys.argv[1]))
base = os.path.dirname(os.path.abspath(sys.argv[1]))
for key in ("ca", "other_ca", "cert", "key"):
    if key in profile.get("tls", {}):
        profile["tls"][key] = os.path.join(base, profile["tls"][key])
profile["known_deviations"] = [{"case": "*-wrong-expectation", "reason": "test waiver",
                                "link": "https://example.invalid/issue/1"}]
json.dump(profile, open(sys.argv[2], "w"))
PY
"$g" conformance --cases "$suite" --profile "$out/waiving-profile.json" --report-dir "$out/waived" \
  --seed 4 >"$out/waived.log"
check "a waived failure passes the gate" 0 $?
has "the waiver and its link are in the report" "$out/waived/report.json" 'known deviation: test waiver \(https://example.invalid/issue/1\)'

"$g" conformance --cases "$here/data/bad-suite" --profile "$profile" --report-dir "$out/bad" \
  2>"$out/bad.err" >/dev/null
check "a bad case file is bad input" 2 $?
has "the error names file, position and rule" "$out/bad.err" \
  'v5-publish-unknown-statement.json:4:12: error\[unknown-statement\]: MQTT-3.3.1-99'

exit $((failures > 0))
