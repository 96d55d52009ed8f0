#!/usr/bin/env bash
# Proves that each planted bug of gauntlet_planted_broker (planted_broker.cpp) fires on its
# triggering sequence and only then, so that the network fuzzer's tests can rely on it:
#   crash  the near misses (scenarios/planted-crash-miss-*.json) leave the proxy alive; the trigger
#          (planted-crash.json) kills it with SIGABRT after a sanitizer-like report whose stack is
#          the same at every trigger; the broker it spawned goes with it.
#   hang   the near misses leave it answering; after the trigger the process is alive and the port
#          open, but a fresh CONNECT gets no CONNACK within 2 s; SIGTERM still ends it (exit 0)
#          and stops the broker it spawned.
#   leak   the near misses leave RSS and descriptors flat; each run of the trigger (16 messages)
#          adds 16 descriptors and about 16 MiB of RSS; --bug none with the same runs stays flat.
#   none   the shipped example scenarios get the same verdicts through the proxy as directly.
# Every trigger scenario also passes through --bug none: it is a valid reproducer, which fails
# only on the planted bug. crash and hang spawn a minimal Mosquitto through the proxy's
# --spawn-upstream; leak and none use ci/brokers/mosquitto.sh. Everything is stopped by pid.
#
# Usage: planted_test.sh crash|hang|leak|none PORT_BASE WORK_DIR
#        (environment: GAUNTLET, PLANTED_BROKER = the two executables)
# Ports: PORT_BASE..PORT_BASE+6 for Mosquitto, PORT_BASE+7 for the proxy.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
mode=${1:?mode}
base=${2:?port base}
work=${3:?work dir}
: "${GAUNTLET:?GAUNTLET must name the gauntlet executable}"
: "${PLANTED_BROKER:?PLANTED_BROKER must name gauntlet_planted_broker}"
[[ $base =~ ^[0-9]+$ ]] || { echo "planted_test: PORT_BASE must be a number" >&2; exit 2; }
scenarios=$here/scenarios
proxy_port=$((base + 7))
rm -rf "$work"
mkdir -p "$work"

note() { echo "planted_test $mode: $*"; }
fail() {
  echo "planted_test $mode: FAIL: $*" >&2
  exit 1
}

proxy_pid=""
spawned_pid=""
broker_dir=""

# Alive and not a zombie (kill -0 succeeds on a zombie until it is waited for).
alive() {
  [[ -r /proc/$1/stat ]] || return 1
  local state
  state=$(sed 's/^.*) //' "/proc/$1/stat" | cut -d' ' -f1)
  [[ $state != Z ]]
}

# Waits up to $2 seconds (default 5) for process $1 to end.
wait_gone() {
  local tenths=$((${2:-5} * 10))
  for _ in $(seq "$tenths"); do
    alive "$1" || return 0
    sleep 0.1
  done
  ! alive "$1"
}

cleanup() {
  if [[ -n $proxy_pid ]] && alive "$proxy_pid"; then
    kill "$proxy_pid" 2>/dev/null || true
    wait "$proxy_pid" 2>/dev/null || true
  fi
  if [[ -n $spawned_pid ]] && alive "$spawned_pid"; then kill "$spawned_pid" 2>/dev/null || true; fi
  if [[ -n $broker_dir ]]; then
    GAUNTLET_BROKER_DIR=$broker_dir bash "$repo/ci/brokers/mosquitto.sh" stop "$base" >/dev/null || true
  fi
}
trap cleanup EXIT

start_mosquitto() {
  broker_dir=$work/broker
  GAUNTLET_BROKER_DIR=$broker_dir bash "$repo/ci/brokers/mosquitto.sh" start "$base"
}

# A minimal Mosquitto for --spawn-upstream: one anonymous listener on PORT_BASE.
spawn_command() {
  cat >"$work/mosquitto.conf" <<CONF
listener $base 127.0.0.1
allow_anonymous true
persistence false
log_dest file $work/mosquitto.log
CONF
  # Run as root, mosquitto drops to the mosquitto user, which must be able to write its log.
  if [[ $(id -u) -eq 0 ]] && id mosquitto >/dev/null 2>&1; then
    touch "$work/mosquitto.log"
    chown mosquitto "$work/mosquitto.log"
  fi
  echo "mosquitto -c $work/mosquitto.conf"
}

# start_proxy BUG NAME PROXY_ARGS...: starts the proxy in the background, waits (10 s at most) for
# its startup line, and sets proxy_pid (and spawned_pid when it spawned the broker).
start_proxy() {
  local bug=$1 name=$2
  shift 2
  "$PLANTED_BROKER" --listen "$proxy_port" --bug "$bug" "$@" >"$work/$name.out" 2>"$work/$name.err" &
  proxy_pid=$!
  for _ in $(seq 100); do
    grep -q ' listening on ' "$work/$name.out" 2>/dev/null && break
    alive "$proxy_pid" || fail "the $bug proxy exited at start: $(cat "$work/$name.err")"
    sleep 0.1
  done
  grep -q ' listening on ' "$work/$name.out" || fail "the $bug proxy did not start within 10 s"
  [[ $(wc -l <"$work/$name.out") == 1 ]] || fail "the proxy wrote more than its startup line to stdout"
  spawned_pid=$(sed -n 's/.*(spawned, pid \([0-9]*\)).*/\1/p' "$work/$name.out")
  note "started: $(cat "$work/$name.out")"
}

# SIGTERM must end the proxy with exit code 0 within 5 s, and the broker it spawned with it.
stop_proxy() {
  kill -TERM "$proxy_pid"
  wait_gone "$proxy_pid" 5 || fail "the proxy still runs 5 s after SIGTERM"
  local status=0
  wait "$proxy_pid" || status=$?
  proxy_pid=""
  [[ $status == 0 ]] || fail "the proxy exited with $status after SIGTERM, expected 0"
  if [[ -n $spawned_pid ]]; then
    ! alive "$spawned_pid" || fail "the spawned broker (pid $spawned_pid) outlived the proxy"
    spawned_pid=""
  fi
}

# run_scenarios EXPECTED_EXIT NAME FILE...: gauntlet run through the proxy.
run_scenarios() {
  local expected=$1 name=$2
  shift 2
  local status=0
  timeout 120 "$GAUNTLET" run "$@" --broker "mqtt://127.0.0.1:$proxy_port" --seed 7 \
    --report-dir "$work/$name" >"$work/$name.log" 2>&1 || status=$?
  if [[ $status != "$expected" ]]; then
    cat "$work/$name.log" >&2
    fail "gauntlet run ($name) exited with $status, expected $expected"
  fi
  note "$name: gauntlet run exited with $status as expected ($(tail -1 "$work/$name.log"))"
}

# probe EXPECTED_EXIT: liveness_probe.py (0 CONNACK, 1 silent, 2 refused or closed).
probe() {
  local status=0 output
  output=$(python3 "$here/liveness_probe.py" "$proxy_port" 2) || status=$?
  [[ $status == "$1" ]] || fail "liveness probe exited with $status ($output), expected $1"
  note "liveness probe: $output"
}

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$proxy_pid/status"; }
fd_count() { find "/proc/$proxy_pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }

# The reproducer passes when nothing is planted.
trigger_passes_without_bug() {
  local trigger=$1
  local upstream_args=("${@:2}")
  start_proxy none "$mode-control" "${upstream_args[@]}"
  run_scenarios 0 control "$trigger"
  stop_proxy
}

test_crash() {
  local upstream=(--upstream "127.0.0.1:$base" --spawn-upstream "$(spawn_command)")
  start_proxy crash crash-1 "${upstream[@]}"
  [[ -n $spawned_pid ]] || fail "no spawned broker pid on the startup line"
  run_scenarios 0 near-misses "$scenarios"/planted-crash-miss-*.json
  alive "$proxy_pid" || fail "a near miss crashed the proxy: $(cat "$work/crash-1.err")"
  probe 0
  local stacks=()
  for run in 1 2; do
    if ((run == 2)); then start_proxy crash crash-2 "${upstream[@]}"; fi
    local spawned=$spawned_pid
    run_scenarios 1 "trigger-$run" "$scenarios/planted-crash.json"
    wait_gone "$proxy_pid" 5 || fail "the trigger did not crash the proxy"
    local status=0
    wait "$proxy_pid" || status=$?
    proxy_pid=""
    [[ $status == 134 ]] || fail "the proxy exited with $status, expected 134 (SIGABRT)"
    local err=$work/crash-$run.err
    grep -q 'ERROR: AddressSanitizer: heap-use-after-free' "$err" || fail "no sanitizer line in $err"
    grep -q '#0 0x[0-9a-f]* in gauntlet::planted::RetainedAliasTable::release' "$err" ||
      fail "no stable top frame in $err"
    stacks+=("$(grep '^    #' "$err")")
    wait_gone "$spawned" 5 || fail "the spawned broker (pid $spawned) outlived the crashed proxy"
    spawned_pid=""
    probe 2
    note "trigger $run: SIGABRT, sanitizer report in $err, spawned broker gone"
  done
  [[ ${stacks[0]} == "${stacks[1]}" ]] || fail "the fake stack differs between two crashes"
  trigger_passes_without_bug "$scenarios/planted-crash.json" "${upstream[@]}"
}

test_hang() {
  local upstream=(--upstream "127.0.0.1:$base" --spawn-upstream "$(spawn_command)")
  start_proxy hang hang "${upstream[@]}"
  [[ -n $spawned_pid ]] || fail "no spawned broker pid on the startup line"
  run_scenarios 0 near-misses "$scenarios"/planted-hang-miss-*.json
  probe 0
  run_scenarios 1 trigger "$scenarios/planted-hang.json"
  alive "$proxy_pid" || fail "the proxy died instead of hanging: $(cat "$work/hang.err")"
  grep -q 'hang: connection' "$work/hang.err" || fail "the proxy did not log the hang"
  # Exit code 1: the TCP connection was accepted (the port is open) but no CONNACK came.
  probe 1
  alive "$proxy_pid" || fail "the proxy died after the probe"
  stop_proxy
  trigger_passes_without_bug "$scenarios/planted-hang.json" "${upstream[@]}"
}

test_leak() {
  start_mosquitto
  local upstream=(--upstream "127.0.0.1:$base") repetitions=3 per_run=16
  for bug in leak none; do
    start_proxy "$bug" "$bug" "${upstream[@]}"
    local rss0 fd0
    rss0=$(rss_kb)
    fd0=$(fd_count)
    run_scenarios 0 "$bug-near-misses" "$scenarios"/planted-leak-miss-*.json
    local rss1 fd1
    rss1=$(rss_kb)
    fd1=$(fd_count)
    note "$bug, near misses: RSS $rss0 -> $rss1 kB, descriptors $fd0 -> $fd1"
    ((fd1 == fd0)) || fail "$bug: the near misses changed the descriptor count"
    ((rss1 - rss0 < 4096)) || fail "$bug: the near misses grew the RSS by $((rss1 - rss0)) kB"
    for k in $(seq "$repetitions"); do
      run_scenarios 0 "$bug-trigger-$k" "$scenarios/planted-leak.json"
    done
    local rss2 fd2
    rss2=$(rss_kb)
    fd2=$(fd_count)
    note "$bug, $repetitions triggers: RSS $rss1 -> $rss2 kB, descriptors $fd1 -> $fd2"
    if [[ $bug == leak ]]; then
      # 1 MiB and one descriptor per message; a little allowance for pages the kernel has not
      # counted yet, none for descriptors.
      ((fd2 - fd1 >= repetitions * per_run)) || fail "leak: descriptors grew by $((fd2 - fd1))"
      ((rss2 - rss1 >= repetitions * per_run * 1024 * 7 / 8)) ||
        fail "leak: RSS grew by $((rss2 - rss1)) kB"
    else
      ((fd2 == fd1)) || fail "none: the trigger changed the descriptor count"
      ((rss2 - rss1 < 4096)) || fail "none: the trigger grew the RSS by $((rss2 - rss1)) kB"
    fi
    stop_proxy
  done
}

test_none() {
  start_mosquitto
  local profile=$work/broker/profile.json proxied=$work/broker/profile-proxy.json
  # The same profile with the plain endpoint behind the proxy (relative paths stay valid).
  python3 - "$profile" "$proxied" "$proxy_port" <<'PY'
import json, sys
profile = json.load(open(sys.argv[1]))
profile["endpoints"]["plain"] = f"mqtt://127.0.0.1:{sys.argv[3]}"
json.dump(profile, open(sys.argv[2], "w"), indent=1)
PY
  local examples=$repo/scenarios/examples
  local files=("$examples"/tutorials/tutorial-temperature-*.json
    "$examples"/tutorials/tutorial-kids-adult-*.json
    "$examples"/tutorials/tutorial-mosquitto-test-topic-anonymous-*.json
    "$examples"/qos2/*.json "$examples"/wildcards/*.json "$scenarios"/*.json)
  start_proxy none none --upstream "127.0.0.1:$base"
  local status=0
  for target in direct proxied; do
    local use=$profile
    [[ $target == proxied ]] && use=$proxied
    status=0
    timeout 300 "$GAUNTLET" run "${files[@]}" --profile "$use" --seed 7 \
      --report-dir "$work/$target" >"$work/$target.log" 2>&1 || status=$?
    note "$target: exit $status, $(tail -1 "$work/$target.log")"
    [[ $status == 0 || $status == 1 ]] || fail "gauntlet run ($target) exited with $status"
  done
  python3 - "$work/direct/report.json" "$work/proxied/report.json" <<'PY' || fail "verdicts differ"
import json, sys
direct, proxied = ({case["id"]: case["verdict"] for case in json.load(open(path))["cases"]}
                   for path in sys.argv[1:3])
if len(direct) < 30:
    sys.exit(f"only {len(direct)} cases ran")
if direct != proxied:
    for name in sorted(set(direct) | set(proxied)):
        if direct.get(name) != proxied.get(name):
            print(f"{name}: direct {direct.get(name)}, proxied {proxied.get(name)}")
    sys.exit(1)
passed = sum(verdict == "pass" for verdict in direct.values())
print(f"planted_test none: {len(direct)} cases, {passed} passed, the same verdicts both ways")
PY
  alive "$proxy_pid" || fail "the none proxy died"
  stop_proxy
}

case $mode in
  crash) test_crash ;;
  hang) test_hang ;;
  leak) test_leak ;;
  none) test_none ;;
  *) fail "unknown mode $mode" ;;
esac
note "passed"
