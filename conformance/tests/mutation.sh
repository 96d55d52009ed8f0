#!/usr/bin/env bash
# Mutation test of the conformance suite. A suite that passes everything proves nothing: this runs
# the suite against Mosquitto through gauntlet_fault_proxy (conformance/tests/fault_proxy/), which
# simulates one broker bug at a time, and requires
#   - through the controls `pass` (bytes relayed) and `pass-framed` (every packet framed and decoded,
#     as under the faults), exactly the cases that pass against the broker directly pass;
#   - through every other fault, at least one case that passes directly fails (the fault is caught).
# It writes REPORT_DIR/mutation.json and REPORT_DIR/mutation.md: per fault, the cases that caught
# it and how often the proxy applied it (0: no case exercised it); the mutation score is faults
# caught / faults. Each run's own report stays in REPORT_DIR/runs/NAME/.
#
# Usage: mutation.sh PORT_BASE REPORT_DIR [CASE.json|DIR ...]
#   PORT_BASE   Mosquitto listens on PORT_BASE..PORT_BASE+6 (ci/brokers/mosquitto.sh); the proxy on
#               PROXY_PORT_BASE.. (default PORT_BASE+50), two per fault running at once.
#   CASE, DIR   scenario files to use instead of the conformance suite (e.g. scenarios/examples).
# Environment:
#   GAUNTLET      the gauntlet executable (default: gauntlet on PATH)
#   FAULT_PROXY   the gauntlet_fault_proxy executable (default: on PATH)
#   FAULTS        the faults to run, space separated (default: every fault of `--list`)
#   JOBS          parallel cases per run (default 8)
#   PARALLEL      faults run at once, each with its own proxy (default 4); proxy ports are
#                 PROXY_PORT_BASE .. PROXY_PORT_BASE+2*PARALLEL-1
#   CONFIRM       1 (default): a case that fails through a fault is run again before it counts
#   SEED          seed of the proxy and of the direct run; run N uses SEED+N (default 1)
#   MUTATION_SUITE  `run` (gauntlet run over conformance/cases/**.json) or `conformance`
#                 (gauntlet conformance); see run_suite below.
# Exit codes: 0 every requirement holds; 1 a requirement fails; 2 bad usage; 3 infrastructure.
# Only loopback ports are used; the broker and every proxy are stopped by their pid.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() { echo "usage: mutation.sh PORT_BASE REPORT_DIR [CASE.json|DIR ...]" >&2; exit 2; }
[[ $# -ge 2 && $1 =~ ^[0-9]+$ ]] || usage
base=$1
report_dir=$2
shift 2
proxy_base=${PROXY_PORT_BASE:-$((base + 50))}
GAUNTLET=${GAUNTLET:-gauntlet}
FAULT_PROXY=${FAULT_PROXY:-gauntlet_fault_proxy}
JOBS=${JOBS:-8}
PARALLEL=${PARALLEL:-4}
CONFIRM=${CONFIRM:-1}
SEED=${SEED:-1}
MUTATION_SUITE=${MUTATION_SUITE:-run}
for tool in "$GAUNTLET" "$FAULT_PROXY" python3; do
  command -v "$tool" >/dev/null || { echo "mutation.sh: $tool not found" >&2; exit 3; }
done

# The cases: the arguments (files, or directories searched for *.json), else the conformance suite.
cases=()
if [[ $# -gt 0 ]]; then
  for arg in "$@"; do
    if [[ -d $arg ]]; then
      while IFS= read -r file; do cases+=("$file"); done < <(find "$arg" -name '*.json' | sort)
    else
      cases+=("$arg")
    fi
  done
  MUTATION_SUITE=run
  suite_name="gauntlet run $*"
else
  while IFS= read -r file; do cases+=("$file"); done \
    < <(find "$root/conformance/cases" -name '*.json' | sort)
  suite_name="conformance suite ($MUTATION_SUITE)"
fi
if [[ $MUTATION_SUITE == run && ${#cases[@]} -eq 0 ]]; then
  echo "mutation.sh: no cases to run" >&2
  exit 3
fi

# Runs the suite against PROFILE and leaves DIR/report.json (cases[].id, cases[].verdict). SEED
# differs per run: it makes the `{run}` part of client ids and topics, so that a session a case
# leaves behind when a fault breaks it cannot meet the next run. The one place that knows how the
# suite is started: switch MUTATION_SUITE to `conformance` once `gauntlet conformance` lands (the
# cases then come from the suite itself). Sets suite_rc.
run_suite() {
  local profile=$1 dir=$2 seed=$3
  suite_rc=0
  case $MUTATION_SUITE in
    conformance)
      "$GAUNTLET" conformance --profile "$profile" --jobs "$JOBS" --report-dir "$dir" \
        >"$dir.log" 2>&1 || suite_rc=$? ;;
    run)
      "$GAUNTLET" run --profile "$profile" --jobs "$JOBS" --seed "$seed" --report-dir "$dir" \
        "${cases[@]}" >"$dir.log" 2>&1 || suite_rc=$? ;;
    *) echo "mutation.sh: MUTATION_SUITE must be run or conformance" >&2; exit 2 ;;
  esac
}

# 0 all passed, 1 some case failed: both are results. 2 (bad input) and 3 are not.
require_report() {
  local dir=$1
  if ((suite_rc > 1)) || [[ ! -f $dir/report.json ]]; then
    echo "mutation.sh: the suite did not run (exit $suite_rc); its output:" >&2
    tail -20 "$dir.log" >&2
    exit 3
  fi
}

mkdir -p "$report_dir"
report_dir=$(cd "$report_dir" && pwd)
rm -rf "$report_dir/runs"
mkdir -p "$report_dir/runs"

broker_dir=$(bash "$root/ci/brokers/mosquitto.sh" dir "$base")
cleanup() {
  # Our fault jobs and the proxies they started (each wrote its pid file; a proxy that stops
  # cleanly removes it).
  local pid
  for pid in $(jobs -p); do kill "$pid" 2>/dev/null || true; done
  for file in "$report_dir"/runs/*.pid; do
    if [[ -f $file ]]; then
      pid=$(cat "$file")
      kill "$pid" 2>/dev/null || true
    fi
  done
  wait 2>/dev/null || true
  bash "$root/ci/brokers/mosquitto.sh" stop "$base" >/dev/null || true
}
trap cleanup EXIT
bash "$root/ci/brokers/mosquitto.sh" start "$base" >/dev/null || exit 3
broker_pid=$(cat "$broker_dir/mosquitto.pid")

# A copy of the broker's profile with only the plain and authenticated endpoints, pointing at
# PLAIN_PORT and AUTH_PORT. The proxy speaks MQTT over TCP only, so the TLS and WebSocket endpoints
# are removed: cases that need them are skipped, in the direct run as well, so that both runs hold
# the same cases. TLS paths become absolute (they are relative to the profile file). The lifecycle
# commands go too: a case restarting the broker would disturb the runs going on beside it.
write_profile() {
  local out=$1 plain=$2 auth=$3
  python3 - "$broker_dir/profile.json" "$out" "$plain" "$auth" <<'PY'
import json, os, sys
source, out, plain, auth = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
with open(source) as f:
    profile = json.load(f)
profile["endpoints"] = {"plain": f"mqtt://127.0.0.1:{plain}", "auth": f"mqtt://127.0.0.1:{auth}"}
profile.pop("lifecycle", None)
for key, path in profile.get("tls", {}).items():
    if not os.path.isabs(path):
        profile["tls"][key] = os.path.join(os.path.dirname(os.path.abspath(source)), path)
with open(out, "w") as f:
    json.dump(profile, f, indent=2)
PY
}

mapfile -t all_faults < <("$FAULT_PROXY" --list | awk '{print $1}')
if [[ -n ${FAULTS:-} ]]; then
  read -r -a faults <<<"$FAULTS"
else
  faults=("${all_faults[@]}")
fi
# The controls (`pass`, `pass-framed`: every name that begins with "pass") always run, first: they
# prove that the proxy itself, relaying bytes or framing every packet, changes no verdict.
controls=()
for fault in "${all_faults[@]}"; do [[ $fault == pass* ]] && controls+=("$fault"); done
mutants=()
for fault in "${faults[@]}"; do [[ $fault == pass* ]] || mutants+=("$fault"); done
faults=("${controls[@]}" "${mutants[@]}")

echo "mutation.sh: broker pid $broker_pid on $base-$((base + 6)); ${#faults[@]} faults; $suite_name"
write_profile "$report_dir/runs/direct-profile.json" "$base" "$((base + 1))"
# Every run reads the same files: a snapshot, taken now (cases may change while this runs).
if [[ $MUTATION_SUITE == run ]]; then
  snapshot=()
  for file in "${cases[@]}"; do
    [[ -f $file ]] || continue
    abs=$(realpath "$file")
    rel=${abs#"$root"/}
    [[ $rel == "$abs" ]] && rel=external$abs
    mkdir -p "$report_dir/runs/cases/$(dirname "$rel")"
    cp "$abs" "$report_dir/runs/cases/$rel"
    snapshot+=("$report_dir/runs/cases/$rel")
  done
  cases=("${snapshot[@]}")
fi
# Cases are being written while this runs: with `gauntlet run`, a file that does not parse stops the
# whole run (exit 2, FILE:LINE:COLUMN: error[...]). Such files are left out, and listed.
: >"$report_dir/runs/excluded.txt"
for _ in $(seq 50); do
  run_suite "$report_dir/runs/direct-profile.json" "$report_dir/runs/direct" "$SEED"
  [[ $suite_rc -eq 2 && $MUTATION_SUITE == run ]] || break
  mapfile -t bad < <(sed -n 's/^\(.*\.json\):[0-9][0-9]*:[0-9][0-9]*: error.*/\1/p' \
                       "$report_dir/runs/direct.log" | sort -u)
  ((${#bad[@]} > 0)) || break
  printf '%s\n' "${bad[@]}" >>"$report_dir/runs/excluded.txt"
  echo "mutation.sh: left out (does not parse): ${bad[*]}" >&2
  kept=()
  for file in "${cases[@]}"; do
    printf '%s\n' "${bad[@]}" | grep -qxF -- "$file" || kept+=("$file")
  done
  cases=("${kept[@]}")
  ((${#cases[@]} > 0)) || { echo "mutation.sh: no case parses" >&2; exit 3; }
done
require_report "$report_dir/runs/direct"
echo "mutation.sh: direct run done"

# Cases whose verdict differs from the direct run are run once more, alone, through the same proxy
# (with `gauntlet run` on their files, listed in report.json): a case counts only if the difference
# shows again. Cases that subscribe to wide filters see the traffic of other cases, and one run is
# not proof that a fault caused a failure.
confirm() {
  local dir=$1 seed=$2 again=()
  [[ $CONFIRM == 1 ]] || return 0
  mapfile -t again < <(python3 - "$report_dir/runs/direct/report.json" "$dir/report.json" <<'PY'
import json, sys
with open(sys.argv[1]) as f:
    direct = {case["id"]: case["verdict"] for case in json.load(f)["cases"]}
with open(sys.argv[2]) as f:
    for case in json.load(f)["cases"]:
        if case["id"] in direct and case["verdict"] != direct[case["id"]] and case.get("file"):
            print(case["file"])
PY
  )
  ((${#again[@]} > 0)) || return 0
  "$GAUNTLET" run --profile "$dir.profile.json" --jobs "$JOBS" --seed "$seed" \
    --report-dir "$dir.confirm" "${again[@]}" >"$dir.confirm.log" 2>&1 || true
}

# One fault: its own proxy on the port pair of SLOT, the suite through it, the proxy stopped by pid.
# Runs in a background subshell; leaves DIR/report.json, DIR.proxy.log and DIR.duration.
run_fault() {
  local fault=$1 slot=$2 seed=$3
  local dir=$report_dir/runs/$fault pid_file=$report_dir/runs/$fault.pid
  local plain=$((proxy_base + 2 * slot)) pid started ended
  local auth=$((plain + 1))
  rm -f "$pid_file"
  "$FAULT_PROXY" --fault "$fault" --seed "$SEED" --pid-file "$pid_file" \
    --listen "$plain:$base" --listen "$auth:$((base + 1))" 2>"$dir.proxy.log" &
  pid=$!
  trap 'kill "$pid" 2>/dev/null || true' EXIT
  for _ in $(seq 100); do
    [[ -f $pid_file ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.05
  done
  if [[ ! -f $pid_file ]]; then
    echo "mutation.sh: the proxy did not start for $fault:" >&2
    cat "$dir.proxy.log" >&2
    exit 3
  fi
  write_profile "$dir.profile.json" "$plain" "$auth"
  started=$(date +%s.%N)
  run_suite "$dir.profile.json" "$dir" "$seed"
  require_report "$dir"
  confirm "$dir" "$((seed + 1000))"
  ended=$(date +%s.%N)
  kill "$pid"
  wait "$pid" 2>/dev/null || true
  trap - EXIT
  python3 -c "import sys; print(round(float(sys.argv[2]) - float(sys.argv[1]), 2))" \
    "$started" "$ended" >"$dir.duration"
  echo "mutation.sh: $fault: $(grep -o 'applied=.*' "$dir.proxy.log" || echo 'no proxy summary')"
}

# PARALLEL faults at a time, each on its own pair of proxy ports.
declare -A slot_of=()
free_slots=()
for ((slot = 0; slot < PARALLEL; slot++)); do free_slots+=("$slot"); done
run_number=0
for fault in "${faults[@]}"; do
  while ((${#free_slots[@]} == 0)); do
    wait -n || true
    for job in "${!slot_of[@]}"; do
      if ! kill -0 "$job" 2>/dev/null; then
        free_slots+=("${slot_of[$job]}")
        unset "slot_of[$job]"
      fi
    done
  done
  run_number=$((run_number + 1))
  slot=${free_slots[0]}
  free_slots=("${free_slots[@]:1}")
  run_fault "$fault" "$slot" "$((SEED + run_number))" &
  slot_of[$!]=$slot
done
wait || true
for fault in "${faults[@]}"; do
  if [[ ! -f $report_dir/runs/$fault/report.json || ! -f $report_dir/runs/$fault.duration ]]; then
    echo "mutation.sh: no result for fault $fault" >&2
    exit 3
  fi
done
if ! kill -0 "$broker_pid" 2>/dev/null; then
  echo "mutation.sh: the broker died during the run" >&2
  exit 3
fi

"$FAULT_PROXY" --list >"$report_dir/runs/faults.txt"
python3 - "$report_dir" "$suite_name" "${faults[@]}" <<'PY'
import json, os, re, sys

report_dir, suite = sys.argv[1], sys.argv[2]
faults = sys.argv[3:]
runs = os.path.join(report_dir, "runs")
descriptions = {}
with open(os.path.join(runs, "faults.txt")) as f:
    for line in f:
        name, _, description = line.strip().partition(" ")
        descriptions[name] = description.strip()

def verdicts(name):
    with open(os.path.join(runs, name, "report.json")) as f:
        report = json.load(f)
    return {case["id"]: case["verdict"] for case in report["cases"]}, report

def proxy_summary(name):
    try:
        with open(os.path.join(runs, name + ".proxy.log")) as f:
            m = re.search(r"applied=(\d+) connections=(\d+)", f.read())
        return (int(m.group(1)), int(m.group(2))) if m else (None, None)
    except OSError:
        return (None, None)

FAILED = ("fail", "error")
direct, direct_report = verdicts("direct")
passing = sorted(c for c, v in direct.items() if v == "pass")
broken = sorted(c for c, v in direct.items() if v in FAILED)
skipped = sorted(c for c, v in direct.items() if v == "skip")
problems = []
with open(os.path.join(runs, "excluded.txt")) as f:
    excluded = [line.strip() for line in f if line.strip()]

results = []
def confirmed(name):
    """Verdicts of the confirmation run (None: no confirmation was made)."""
    path = os.path.join(runs, name + ".confirm", "report.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return {case["id"]: case["verdict"] for case in json.load(f)["cases"]}

for fault in faults:
    got, _ = verdicts(fault)
    again = confirmed(fault)
    applied, connections = proxy_summary(fault)
    with open(os.path.join(runs, fault + ".duration")) as f:
        duration = float(f.read())
    def differs(case, verdict):
        # A difference counts when it shows again in the confirmation run (when there was one).
        return verdict != direct[case] and (again is None or case not in again or
                                            again[case] != direct[case])
    unconfirmed = sorted(c for c in direct if got.get(c) != direct[c] and not differs(c, got.get(c)))
    failed = sorted(c for c in passing if got.get(c) in FAILED and differs(c, got.get(c)))
    changed = sorted(c for c in direct if differs(c, got.get(c)))
    entry = {"fault": fault, "description": descriptions.get(fault, ""),
             "applied": applied, "connections": connections, "duration_s": duration,
             "unconfirmed": unconfirmed}
    if fault.startswith("pass"):
        entry["control"] = True
        entry["transparent"] = not changed
        entry["differences"] = [{"case": c, "direct": direct[c], "through_proxy": got.get(c)}
                                for c in changed]
        if changed:
            problems.append(f"{fault}: verdicts differ from the direct run: " +
                            ", ".join(f"{c} ({direct[c]} -> {got.get(c)})" for c in changed))
    elif failed and applied == 0:
        # Cases failed although the proxy never changed a byte: flaky cases, not a catch.
        entry["caught"] = False
        entry["caught_by"] = []
        entry["failed_without_fault"] = failed
        problems.append(f"{fault}: never applied, yet cases failed (flaky?): " + ", ".join(failed))
    else:
        entry["caught"] = bool(failed)
        entry["caught_by"] = failed
        if not failed:
            problems.append(f"{fault}: no case caught it" +
                            (" (no case exercised it: the proxy never applied it)"
                             if applied == 0 else ""))
    results.append(entry)

mutants = [r for r in results if not r.get("control")]
caught = sum(1 for r in mutants if r["caught"])
score = {"caught": caught, "faults": len(mutants),
         "ratio": round(caught / len(mutants), 4) if mutants else None}
report = {
    "schema": "gauntlet.mutation/1",
    "suite": suite,
    "target": direct_report.get("target", {}),
    "cases": {"total": len(direct), "passing_directly": len(passing),
              "failing_directly": broken, "skipped": len(skipped),
              "excluded_files": excluded},
    "score": score,
    "ok": not problems,
    "problems": problems,
    "faults": results,
}
tmp = os.path.join(report_dir, "mutation.json.tmp")
with open(tmp, "w") as f:
    json.dump(report, f, indent=2)
    f.write("\n")
os.replace(tmp, os.path.join(report_dir, "mutation.json"))

lines = ["# Mutation test of the conformance suite", "",
         f"Suite: {suite}. Cases: {len(direct)} ({len(passing)} pass against the broker directly, "
         f"{len(broken)} fail, {len(skipped)} skipped).", "",
         f"**Mutation score: {caught}/{len(mutants)} faults caught"
         + (f" ({100 * caught / len(mutants):.0f}%)**" if mutants else "**"), ""]
for control in (r for r in results if r.get("control")):
    lines.append(f"Through the control `{control['fault']}` ({control['description']}): " +
                 ("the same verdicts as the direct run." if control["transparent"] else
                  "**verdicts differ**: " + ", ".join(f"`{d['case']}` {d['direct']} -> "
                                                       f"{d['through_proxy']}"
                                                       for d in control["differences"])))
    lines.append("")
lines += ["", "| fault | what the broker gets wrong | applied | caught by |", "|---|---|---|---|"]
for r in mutants:
    by = ", ".join(f"`{c}`" for c in r["caught_by"][:6])
    if len(r["caught_by"]) > 6:
        by += f" and {len(r['caught_by']) - 6} more"
    applied = "?" if r["applied"] is None else str(r["applied"])
    lines.append(f"| `{r['fault']}` | {r['description']} | {applied} | "
                 f"{by if r['caught'] else '**not caught**'} |")
if broken:
    lines += ["", "Cases that fail against the broker directly (left out of the comparison): " +
              ", ".join(f"`{c}`" for c in broken)]
flaky = [(r["fault"], r["unconfirmed"]) for r in results if r["unconfirmed"]]
if flaky:
    lines += ["", "Verdicts that changed once but not on the rerun (not counted; flaky cases or "
              "cases that see other cases' traffic):", ""]
    lines += [f"- `{fault}`: " + ", ".join(f"`{c}`" for c in cases) for fault, cases in flaky]
if excluded:
    lines += ["", "Files left out because they do not parse: " +
              ", ".join(f"`{c}`" for c in excluded)]
if problems:
    lines += ["", "## Problems", ""] + [f"- {p}" for p in problems]
lines.append("")
tmp = os.path.join(report_dir, "mutation.md.tmp")
with open(tmp, "w") as f:
    f.write("\n".join(lines))
os.replace(tmp, os.path.join(report_dir, "mutation.md"))

print(f"mutation.sh: score {caught}/{len(mutants)}; report in {report_dir}/mutation.md")
for p in problems:
    print(f"mutation.sh: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
