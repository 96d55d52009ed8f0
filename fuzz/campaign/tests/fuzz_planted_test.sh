#!/usr/bin/env bash
# The proof that `gauntlet fuzz` finds bugs (issue: "Proof that it finds bugs"): it fuzzes
# gauntlet_planted_broker (fuzz/network/planted/), a proxy in front of Mosquitto whose planted bug
# fires only after a multi-step, multi-client sequence, spawned with --spawn, from a fixed seed and
# for a bounded time. The run must exit 1 with a confirmed finding of the bug's kind —
#   crash  the sanitizer-like stack of the planted crash (RetainedAliasTable::release), SIGABRT
#   hang   a broker that no longer answers a fresh CONNECT
#   leak   resource growth: descriptors and RSS grow with each replay
# — minimised to a few packets, whose reproducer the fuzzer checked with the scenario runner.
# Then the reproducer is replayed here by `gauntlet run` against a fresh proxy with the bug (it
# must fail, or for the leak grow the proxy's descriptors) and against one without (it must pass:
# the reproducer fails because of the bug, not by itself).
#
# Usage: fuzz_planted_test.sh crash|hang|leak PORT_BASE WORK_DIR DURATION_S
#        (environment: GAUNTLET, PLANTED_BROKER = the two executables)
# Ports: PORT_BASE for Mosquitto, PORT_BASE+7 for the proxy (the fuzzer spawns both, and
# PORT_BASE+1 / PORT_BASE+8 for the replays).
set -euo pipefail
mode=${1:?mode} base=${2:?port base} work=${3:?work dir} duration=${4:?duration}
: "${GAUNTLET:?}" "${PLANTED_BROKER:?}"
rm -rf "$work"
mkdir -p "$work"
fail() {
  echo "fuzz_planted_test $mode: FAIL: $*" >&2
  exit 1
}
note() { echo "fuzz_planted_test $mode: $*"; }

mosquitto_config() {  # mosquitto_config PORT NAME: a minimal anonymous Mosquitto, printed as a command
  local port=$1 name=$2
  cat >"$work/$name.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
log_dest file $work/$name.log
CONF
  touch "$work/$name.log"
  # Run as root, mosquitto drops to the mosquitto user, which must be able to write its log.
  if [[ $(id -u) -eq 0 ]] && id mosquitto >/dev/null 2>&1; then chown mosquitto "$work/$name.log"; fi
  echo "mosquitto -c $work/$name.conf"
}

[[ $mode == leak ]] || [[ $mode == crash ]] || [[ $mode == hang ]] || fail "mode $mode"
spawn="$PLANTED_BROKER --listen $((base + 7)) --upstream 127.0.0.1:$base --bug $mode --spawn-upstream '$(mosquitto_config "$base" fuzzed)'"
status=0
timeout 600 "$GAUNTLET" fuzz --spawn "$spawn" --broker "mqtt://127.0.0.1:$((base + 7))" \
  --duration "$duration" --seed 1 --report-dir "$work/report" >"$work/fuzz.log" 2>&1 || status=$?
[[ $status == 1 ]] || { tail -40 "$work/fuzz.log" >&2; fail "gauntlet fuzz exited $status, expected 1"; }
note "$(tail -2 "$work/fuzz.log" | head -1)"

reproducer=$(python3 - "$work/report" "$mode" <<'PY'
import json, pathlib, sys
folder, mode = pathlib.Path(sys.argv[1]), sys.argv[2]
report = json.loads((folder / "report.json").read_text())
kind = {"crash": "crash", "hang": "hang", "leak": "resource_growth"}[mode]
found = [f for f in report["findings"] if f["kind"] == kind]
def check(ok, what):
    if not ok:
        sys.exit("fuzz_planted_test %s: FAIL: %s\n%s" % (mode, what, json.dumps(report["findings"], indent=1)[:4000]))
check(len(found) == 1, "one %s finding (deduplicated), found %d" % (kind, len(found)))
f = found[0]
check(f["confirmed"] and f["reproduced"] >= 2, "confirmed by replays: %d/%d" % (f["reproduced"], f["replays"]))
check(f["packets_after"] <= 6 and f["packets_after"] < f["packets_before"],
      "minimised to a few packets: %d -> %d" % (f["packets_before"], f["packets_after"]))
check(f.get("reproducer_verified") is True, "the fuzzer's own replay of the reproducer failed as predicted")
if mode == "crash":
    check("RetainedAliasTable::release" in f["signature"], "deduplicated by the sanitizer stack: " + f["signature"])
    check("killed by SIGABRT" in f["detail"], "the exit status is kept")
    check("heap-use-after-free" in f["detail"], "the sanitizer report is kept")
case = {"crash": "fuzz-crash", "hang": "fuzz-hang", "leak": "fuzz-resource-growth"}[mode]
check([c["verdict"] for c in report["cases"] if c["id"] == case] == ["fail"], case + " fails")
check(report["fuzz"]["restarts"] >= 1, "the broker was restarted")
print(folder / f["reproducer"])
print("found after %.1f s (sequence %d), %d -> %d packets" % (f["found_at_s"], f["sequence"], f["packets_before"], f["packets_after"]), file=sys.stderr)
PY
)
note "reproducer $reproducer"

# Replays by `gauntlet run`, each against a fresh proxy (BUG) with its own Mosquitto.
proxy_pid=""
cleanup() {
  if [[ -n $proxy_pid ]]; then kill "$proxy_pid" 2>/dev/null || true; wait "$proxy_pid" 2>/dev/null || true; fi
}
trap cleanup EXIT
start_proxy() {  # start_proxy BUG
  local upstream=$((base + 1)) port=$((base + 8))
  "$PLANTED_BROKER" --listen "$port" --upstream "127.0.0.1:$upstream" --bug "$1" \
    --spawn-upstream "$(mosquitto_config "$upstream" "replay-$1")" >"$work/proxy-$1.out" 2>"$work/proxy-$1.err" &
  proxy_pid=$!
  for _ in $(seq 100); do
    grep -q ' listening on ' "$work/proxy-$1.out" 2>/dev/null && break
    sleep 0.1
  done
  grep -q ' listening on ' "$work/proxy-$1.out" || fail "the $1 proxy did not start"
  # Until its Mosquitto answers.
  for _ in $(seq 50); do
    timeout 5 "$GAUNTLET" run "$(dirname "$0")/../../network/planted/scenarios/planted-hang-miss-no-takeover.json" \
      --broker "mqtt://127.0.0.1:$port" --report-dir "$work/ready" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "the $1 proxy's Mosquitto did not answer"
}
stop_proxy() {
  kill "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  proxy_pid=""
}
replay() {  # replay EXPECTED_EXIT NAME
  local status=0
  timeout 120 "$GAUNTLET" run "$reproducer" --broker "mqtt://127.0.0.1:$((base + 8))" \
    --report-dir "$work/$2" >"$work/$2.log" 2>&1 || status=$?
  [[ $status == "$1" ]] || { cat "$work/$2.log" >&2; fail "gauntlet run of the reproducer ($2) exited $status, expected $1"; }
  note "$2: gauntlet run exited $status as expected"
}
fds() { ls "/proc/$proxy_pid/fd" | wc -l; }

if [[ $mode == leak ]]; then
  start_proxy leak
  before=$(fds)
  replay 0 replay-leak
  after=$(fds)
  stop_proxy
  [[ $((after - before)) -ge 16 ]] || fail "the reproducer grew the proxy's descriptors by $((after - before)), expected 16 or more"
  note "descriptors of the leaking proxy: $before -> $after"
  start_proxy none
  before=$(fds)
  replay 0 replay-none
  after=$(fds)
  stop_proxy
  [[ $((after - before)) -le 2 ]] || fail "without the bug the descriptors still grew: $before -> $after"
else
  start_proxy "$mode"
  replay 1 replay-$mode
  grep -q "liveness probe" "$work/replay-$mode.log" || fail "the replay did not fail at the liveness probe"
  stop_proxy
  start_proxy none
  replay 0 replay-none
  stop_proxy
fi
note "ok"
