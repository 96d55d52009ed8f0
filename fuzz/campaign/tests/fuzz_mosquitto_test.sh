#!/usr/bin/env bash
# `gauntlet fuzz` against the test Mosquitto (the fixture's), as the README runs it:
# bounded by --duration, exit 0 (no finding) or 1 (findings: Mosquitto 2.0.11 has known
# deviations the fuzzer reports), a schema-valid fuzz report whose numbers add up, reproducers
# that `gauntlet run` loads, and a corpus folder that a second run reads back. Then bad usage
# (exit 2) and an unreachable broker (exit 3).
#
# Usage: fuzz_mosquitto_test.sh GAUNTLET PROFILE SCHEMA VALIDATOR WORK_DIR
set -euo pipefail
gauntlet=${1:?gauntlet} profile=${2:?profile} schema=${3:?schema} validator=${4:?validator}
work=${5:?work dir}
rm -rf "$work"
mkdir -p "$work"
fail() {
  echo "fuzz_mosquitto_test: FAIL: $*" >&2
  exit 1
}

# The fixture's broker is shared with tests that run meanwhile: the fuzzer gets its URL, not the
# profile, so that it can never run the profile's restart command on it, and a generous probe
# deadline, so that a broker busy with a swarm test is not taken for a hung one.
plain=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["endpoints"]["plain"])' "$profile")
run_fuzz() {  # run_fuzz NAME ARGS...: sets status
  local name=$1
  shift
  status=0
  timeout 300 "$gauntlet" fuzz --broker "$plain" --probe-timeout-ms 5000 \
    --report-dir "$work/$name" "$@" >"$work/$name.log" 2>&1 || status=$?
}

run_fuzz first --duration 6 --seed 3 --corpus "$work/corpus"
[[ $status == 0 || $status == 1 ]] || { cat "$work/first.log" >&2; fail "exit $status, expected 0 or 1"; }
python3 "$validator" "$schema" "$work/first" || fail "report.json does not match the schema"
python3 - "$work/first" "$status" <<'PY'
import json, pathlib, sys
folder, status = pathlib.Path(sys.argv[1]), int(sys.argv[2])
r = json.loads((folder / "report.json").read_text())
f = r["fuzz"]
def check(ok, what):
    if not ok:
        sys.exit("fuzz_mosquitto_test: FAIL: " + what)
check(r["kind"] == "fuzz" and r["seed"] == 3, "kind fuzz and seed 3")
check(f["stop_reason"] == "duration", "stopped by the duration: " + f["stop_reason"])
check(f["sequences"] >= 100, "at least 100 sequences in 6 s: %d" % f["sequences"])
check(f["packets"] > f["sequences"] and f["mutated"] > 0, "packets and mutations")
check(len(f["shapes"]) >= 50 and f["corpus_final"] >= 20, "response shapes and corpus grew")
check(f["corpus_initial"] == 0, "no corpus at the start")
check(len(f["series"]) >= 3 and f["series"][-1]["sequences"] == f["sequences"], "the series")
ids = [c["id"] for c in r["cases"]]
check(ids == ["fuzz-crash", "fuzz-hang", "fuzz-resource-growth", "fuzz-spec-violation"], str(ids))
check(r["cases"][2]["verdict"] == "skip", "resources are not watched in black-box mode")
check(r["cases"][0]["verdict"] == "pass" and r["cases"][1]["verdict"] == "pass",
      "Mosquitto neither crashes nor hangs")
findings = r.get("findings", [])
check((status == 1) == bool(findings), "exit 1 exactly when there are findings")
for finding in findings:
    check(finding["kind"] == "spec_violation", "only spec violations: " + finding["id"])
    check((folder / finding["reproducer"]).is_file(), "reproducer written: " + finding["id"])
    check(finding["packets_after"] <= finding["packets_before"], "minimised: " + finding["id"])
print("fuzz_mosquitto_test: %d sequences, %.0f/s, %d shapes, corpus %d, %d findings" % (
    f["sequences"], f["sequences_per_s"], len(f["shapes"]), f["corpus_final"], len(findings)))
PY
# Every reproducer is a scenario file that gauntlet run loads (exit 0 or 1, never 2).
for reproducer in "$work"/first/findings/*.json; do
  [[ -e $reproducer ]] || break
  status=0
  timeout 120 "$gauntlet" run "$reproducer" --profile "$profile" --report-dir "$work/replay" \
    >"$work/replay.log" 2>&1 || status=$?
  [[ $status == 0 || $status == 1 ]] || { cat "$work/replay.log" >&2; fail "gauntlet run $reproducer exited $status"; }
done
# The corpus folder holds scenario files; a second run starts from them.
corpus_files=$(find "$work/corpus" -name '*.json' | wc -l)
[[ $corpus_files -ge 20 ]] || fail "the corpus folder has $corpus_files entries"
run_fuzz second --duration 2 --seed 4 --corpus "$work/corpus"
[[ $status == 0 || $status == 1 ]] || { cat "$work/second.log" >&2; fail "second run: exit $status"; }
python3 -c "
import json,sys; f=json.load(open('$work/second/report.json'))['fuzz']
sys.exit(0 if f['corpus_initial'] == $corpus_files else 'corpus_initial %d != $corpus_files' % f['corpus_initial'])"

# Bad usage: exit 2. An unreachable broker, a broker command that dies: exit 3.
status=0
"$gauntlet" fuzz >"$work/usage.log" 2>&1 || status=$?
[[ $status == 2 ]] && grep -q -- "--profile, --broker or --spawn" "$work/usage.log" || fail "no target: exit $status"
status=0
"$gauntlet" fuzz --broker mqtt://127.0.0.1:1 --duration 1 --report-dir "$work/down" >"$work/down.log" 2>&1 || status=$?
[[ $status == 3 ]] && grep -q "does not answer" "$work/down.log" || fail "unreachable: exit $status"
status=0
"$gauntlet" fuzz --spawn "sh -c 'echo broker failing to start >&2; exit 7'" --broker mqtt://127.0.0.1:1 \
  --duration 1 --report-dir "$work/dies" >"$work/dies.log" 2>&1 || status=$?
[[ $status == 3 ]] && grep -q "exited with 7" "$work/dies.log" || { cat "$work/dies.log"; fail "dying broker: exit $status"; }
grep -q "broker failing to start" "$work"/dies/broker/broker-1.log || fail "the spawned broker's output was not kept"
echo "fuzz_mosquitto_test: ok"
