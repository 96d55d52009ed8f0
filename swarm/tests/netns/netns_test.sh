#!/usr/bin/env bash
# netns_test.sh GAUNTLET DELAYER|none OUT — a sharded `gauntlet swarm` over real, impaired links.
#
# Topology: one network namespace for the broker and four for the shards, all named after this
# script's pid so that two builds' tests never meet. Each shard namespace is linked to the broker's
# by its own veth pair and subnet: shard K is 10.213.K.2, the broker's end of its link 10.213.K.1.
# A Debian Mosquitto started here (config written to OUT, persistence off, queues unlimited)
# listens on port 1883 of each of the four broker addresses; shard K runs
# `gauntlet swarm --shard K/4 --broker mqtt://10.213.K.1:1883` in its own namespace, so every
# message a shard's publisher sends to another shard's subscriber crosses two links.
#
# Run 1, clean links (clean.json): QoS 0, 1 and 2 publishers and subscribers, every subscriber on
# every topic, 240 messages. The four shards start publishing at one instant (--publish-at) and
# `gauntlet report merge` joins their reports; netns_check.py checks that the merged report
# accounts for every message exactly: published is the shards' sum and the plan's, expected is the
# fan-out the scenario owes at each QoS, every copy at every QoS delivered once, 4 shards, and the
# reports match the report schema.
#
# Run 2, impaired links (impaired.json): 5 % packet loss and 100 ms delay in each direction of
# every shard<->broker link (RTT 200 ms), the seeds' "high latency, low bandwidth" networks. TCP
# repairs packet loss, so QoS 0 messages are lost the way they are on bad networks: subscribers
# lose their connections (drop faults), and the broker does not queue QoS 0 messages for a session
# that is away. Those subscribers keep persistent sessions (3.1.1 clean session 0; 5.0 with a
# Session Expiry Interval), so their QoS 1 and 2 copies are queued or resent. They subscribe at
# QoS 1 or 2 (the load language refuses to drop a QoS 0 subscription, whose loss would be the
# scenario's) and lose copies of the messages published at QoS 0: a copy's QoS is the lower of the
# two. Publishing ends 8 s before the publish phase does, so that retransmissions and resumed
# sessions finish while every shard still listens (a shard stops at the end of the phase once its
# own publishers are acknowledged, whatever its subscribers still owe). The check: every QoS 1/2 copy delivered (lost 0), no QoS 2 duplicate, QoS 0
# loss reported in by_qos["0"], every shard and the merge exit 0 (QoS 0 loss is not a failure),
# no copy faster than the two links' 200 ms, and TCP retransmitted segments.
#
# Impairment: `tc netem delay 100ms loss 5%` on both ends of every veth when the kernel has
# sch_netem (probed on a throwaway veth). Otherwise it is emulated in the broker's namespace, on
# input from and output to every shard link: loss by an nftables rule (`numgen random mod 100 < 5
# drop`), delay by DELAYER (gauntlet_netem_delay, netem_delay.cpp), which holds each packet of an
# NFQUEUE queue for 100 ms and then accepts it. The output says which was used.
# GAUNTLET_NETNS_LOSS_PERCENT and GAUNTLET_NETNS_DELAY_MS change the impairment (5 and 100).
#
# Needs root, iproute2, nftables and iptables (nft backend), mosquitto. Without root or network
# namespaces, or without any way to impair the links, it exits 77 (a skip), except under CI=true,
# where it fails instead. A trap stops every process it started, by pid, and deletes the
# namespaces (and with them the links and rules). Every wait is bounded: the whole test takes
# about a minute.
set -euo pipefail
gauntlet=$1 delayer=$2 out=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
schema=$here/../../../reports/schema/report.schema.json
loss_percent=${GAUNTLET_NETNS_LOSS_PERCENT:-5}
delay_ms=${GAUNTLET_NETNS_DELAY_MS:-100}
shard_count=4
rm -rf "$out" && mkdir -p "$out"

skip() {
  echo "netns_test: cannot run: $*"
  if [[ ${CI:-} == true ]]; then
    echo "netns_test: CI=true: this test must run in CI"
    exit 1
  fi
  exit 77
}

[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces, veth links, nftables)"
for tool in ip tc mosquitto python3 timeout; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (ci/install-deps.sh)"
done

broker_ns=gauntlet-$$-broker
shard_ns=()
for k in $(seq $shard_count); do shard_ns[k]=gauntlet-$$-shard$k; done
namespaces=()
pids=()  # every process this script started and has not waited for: stopped by pid in cleanup

forget() {  # PID: waited for, so its pid may be reused and must not be killed
  local kept=() pid
  for pid in "${pids[@]}"; do [[ $pid == "$1" ]] || kept+=("$pid"); done
  pids=("${kept[@]}")
}

cleanup() {
  local pid ns
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  # Deleting a namespace deletes its links (both ends of a veth go together) and its rules.
  for ns in "${namespaces[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Background processes are started as `ip netns exec NS PROGRAM &` and never through a shell
# function: ip execs PROGRAM, so $! is PROGRAM's pid (a function would run in a subshell whose pid
# is not the program's, and killing it would leave the program running).

# --- topology -----------------------------------------------------------------------------------
# A namespace of these names can only be left by an earlier run with this pid that was killed
# before its trap ran: that run is over, so its leftovers go.
for ns in "$broker_ns" "${shard_ns[@]}"; do ip netns delete "$ns" 2>/dev/null || true; done
ip netns add "$broker_ns" 2>"$out/netns.err" || skip "ip netns add failed: $(cat "$out/netns.err")"
namespaces+=("$broker_ns")
ip -n "$broker_ns" link set lo up
for k in $(seq $shard_count); do
  ip netns add "${shard_ns[k]}"
  namespaces+=("${shard_ns[k]}")
  ip -n "${shard_ns[k]}" link set lo up
  # Both ends are made inside their namespaces: no name ever appears in the host's namespace.
  ip link add name "to-shard$k" netns "$broker_ns" type veth peer name to-broker netns "${shard_ns[k]}"
  ip -n "$broker_ns" address add "10.213.$k.1/24" dev "to-shard$k"
  ip -n "$broker_ns" link set "to-shard$k" up
  ip -n "${shard_ns[k]}" address add "10.213.$k.2/24" dev to-broker
  ip -n "${shard_ns[k]}" link set to-broker up
done
echo "netns_test: broker namespace $broker_ns, shard namespaces ${shard_ns[*]}"

# --- the broker ---------------------------------------------------------------------------------
{
  echo "# netns_test.sh: the broker of the network-namespace test"
  echo "persistence false"
  echo "allow_anonymous true"
  # Bursts must not be dropped by the broker's default 1,000-message queue (BROKERS.md).
  echo "max_queued_messages 0"
  echo "log_dest stderr"
  echo "log_type error"
  echo "log_type warning"
  echo "log_type notice"
  echo "connection_messages false"
  for k in $(seq $shard_count); do echo "listener 1883 10.213.$k.1"; done
} >"$out/mosquitto.conf"
# Logging to stderr: the file is opened here, before Mosquitto drops root for its own user.
ip netns exec "$broker_ns" mosquitto -c "$out/mosquitto.conf" >"$out/mosquitto.log" 2>&1 &
mosquitto_pid=$!
pids+=("$mosquitto_pid")

# Each shard must reach the broker over its own link.
for k in $(seq $shard_count); do
  reached=0
  for _ in $(seq 100); do
    if ip netns exec "${shard_ns[k]}" bash -c "exec 3<>/dev/tcp/10.213.$k.1/1883" 2>/dev/null; then
      reached=1
      break
    fi
    kill -0 "$mosquitto_pid" 2>/dev/null || break
    sleep 0.05
  done
  if ((!reached)); then
    echo "netns_test: shard $k cannot reach 10.213.$k.1:1883; the broker's log:"
    cat "$out/mosquitto.log"
    exit 1
  fi
done
echo "netns_test: mosquitto pid $mosquitto_pid listening on 10.213.1-$shard_count.1:1883"

# --- runs ---------------------------------------------------------------------------------------
# run_shards NAME SCENARIO SEED LEAD_S: the four shards, each in its namespace, publishing from one
# instant LEAD_S seconds ahead (time for every shard's clients to connect and subscribe), then the
# merge. Every shard and the merge must exit 0. A shard judges its own numbers: the copies its
# publishers owe against those its subscribers got. The scenarios are symmetric (every group a
# multiple of 4 clients, every subscriber on every topic), so without QoS 1/2 loss the two agree in
# every shard; when a shard fails, the merge still runs so that its summary shows the whole run.
run_shards() {
  local name=$1 scenario=$2 seed=$3 lead=$4 at k rc failed=0
  local -a shard_pids=()
  at=$(date -u -d "+$lead seconds" +%Y-%m-%dT%H:%M:%S.%3NZ)
  mkdir -p "$out/$name"
  for k in $(seq $shard_count); do
    # `timeout` bounds a shard well inside the test's TIMEOUT; SIGTERM still writes its report.
    ip netns exec "${shard_ns[k]}" timeout 75 "$gauntlet" swarm "$scenario" \
      --broker "mqtt://10.213.$k.1:1883" --seed "$seed" --shard "$k/$shard_count" \
      --publish-at "$at" --threads 1 --report-dir "$out/$name/shard-$k" \
      >"$out/$name/shard-$k.log" 2>&1 &
    shard_pids[k]=$!
    pids+=("${shard_pids[k]}")
  done
  for k in $(seq $shard_count); do
    rc=0
    wait "${shard_pids[k]}" || rc=$?
    forget "${shard_pids[k]}"
    if ((rc != 0)); then
      echo "netns_test: $name: shard $k/$shard_count exited $rc; its output:"
      cat "$out/$name/shard-$k.log"
      failed=1
    fi
  done
  local reports=()
  for k in $(seq $shard_count); do reports+=("$out/$name/shard-$k/report.json"); done
  rc=0
  "$gauntlet" report merge "${reports[@]}" --report-dir "$out/$name/merged" || rc=$?
  if ((failed || rc != 0)); then
    echo "netns_test: $name: FAILED (merge exited $rc)"
    exit 1
  fi
}

check_run() {  # NAME SCENARIO
  local reports=()
  for k in $(seq $shard_count); do reports+=("$out/$1/shard-$k/report.json"); done
  python3 "$here/netns_check.py" "$1" "$2" "$schema" "$delay_ms" "$out/$1/merged/report.json" \
    "${reports[@]}"
}

# The scenarios themselves must be valid (the checker computes what they owe from them).
python3 - "$here/../../../scenarios/schema/scenario.schema.json" "$here/clean.json" \
  "$here/impaired.json" <<'PY'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
for path in sys.argv[2:]:
    jsonschema.validate(json.load(open(path)), schema)
PY

tcp_retransmissions() {  # TCP segments retransmitted so far in all the namespaces (/proc/net/snmp)
  local ns total=0 count
  for ns in "${namespaces[@]}"; do
    # /proc/net is the reading process's namespace's: read it from inside.
    count=$(ip netns exec "$ns" cat /proc/net/snmp |
      awk '$1 == "Tcp:" && !header { for (i = 1; i <= NF; i++) column[$i] = i; header = 1; next }
           $1 == "Tcp:" { print $column["RetransSegs"] }')
    total=$((total + count))
  done
  echo "$total"
}

run_shards clean "$here/clean.json" 41 4
check_run clean "$here/clean.json"

# --- impairment ---------------------------------------------------------------------------------
netem_works() {  # real netem on a throwaway veth in the broker's namespace
  ip -n "$broker_ns" link add name probe0 type veth peer name probe1 || return 1
  local ok=0
  ip netns exec "$broker_ns" tc qdisc add dev probe0 root netem delay 1ms 2>/dev/null && ok=1
  ip -n "$broker_ns" link delete probe0
  ((ok))
}

delayer_pid=
if netem_works; then
  impairment="tc netem (the kernel's sch_netem): delay ${delay_ms}ms loss ${loss_percent}% on the egress of both ends of every link"
  for k in $(seq $shard_count); do
    ip netns exec "$broker_ns" tc qdisc add dev "to-shard$k" root netem delay "${delay_ms}ms" loss "${loss_percent}%"
    ip netns exec "${shard_ns[k]}" tc qdisc add dev to-broker root netem delay "${delay_ms}ms" loss "${loss_percent}%"
  done
else
  [[ -x $delayer ]] || skip "the kernel has no sch_netem and gauntlet_netem_delay was not built (libnetfilter-queue-dev)"
  for tool in nft iptables-nft; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (ci/install-deps.sh)"
  done
  impairment="emulated, the kernel has no sch_netem: nftables numgen loss ${loss_percent}% and gauntlet_netem_delay (NFQUEUE) ${delay_ms} ms, in the broker's namespace on input from and output to every link"
  if ((loss_percent > 0)); then
    # Loss before the delay (priority below iptables' mangle, -150): lost packets are not held.
    ip netns exec "$broker_ns" nft -f - <<NFT
table inet gauntlet_netem {
  chain input {
    type filter hook input priority -160;
    iifname "to-shard*" numgen random mod 100 < $loss_percent counter drop
  }
  chain output {
    type filter hook output priority -160;
    oifname "to-shard*" numgen random mod 100 < $loss_percent counter drop
  }
}
NFT
  fi
  if ((delay_ms > 0)); then
    ip netns exec "$broker_ns" "$delayer" --queue 0 --delay-ms "$delay_ms" --max-seconds 150 \
      --ready-file "$out/delayer.ready" >"$out/delayer.log" 2>&1 &
    delayer_pid=$!
    pids+=("$delayer_pid")
    for _ in $(seq 100); do
      [[ -s $out/delayer.ready ]] && break
      kill -0 "$delayer_pid" 2>/dev/null || break
      sleep 0.05
    done
    if [[ ! -s $out/delayer.ready ]]; then
      echo "netns_test: gauntlet_netem_delay did not start:"
      cat "$out/delayer.log"
      exit 1
    fi
    # No --queue-bypass: if the delayer dies, the links go dead and the run fails loudly rather
    # than going on undelayed.
    ip netns exec "$broker_ns" iptables-nft -t mangle -A INPUT -i 'to-shard+' -j NFQUEUE --queue-num 0
    ip netns exec "$broker_ns" iptables-nft -t mangle -A OUTPUT -o 'to-shard+' -j NFQUEUE --queue-num 0
  fi
fi
echo "netns_test: impairment: $impairment"

retransmitted_before=$(tcp_retransmissions)
run_shards impaired "$here/impaired.json" 42 15
retransmitted=$(($(tcp_retransmissions) - retransmitted_before))
echo "netns_test: impaired run: $retransmitted TCP segments retransmitted (broker and shards)"
if [[ -n $delayer_pid ]]; then
  kill "$delayer_pid"
  rc=0
  wait "$delayer_pid" || rc=$?
  forget "$delayer_pid"
  if ((rc != 0)); then
    echo "netns_test: gauntlet_netem_delay exited $rc:"
    cat "$out/delayer.log"
    exit 1
  fi
  cat "$out/delayer.log"
fi
if ip netns exec "$broker_ns" nft list table inet gauntlet_netem >"$out/nft.txt" 2>/dev/null; then
  echo "netns_test: packets dropped by the loss rules (input, output):" \
    "$(grep -o 'counter packets [0-9]*' "$out/nft.txt" | awk '{print $3}' | paste -sd' ')"
fi
check_run impaired "$here/impaired.json"
if ((loss_percent > 0 && retransmitted == 0)); then
  echo "netns_test: FAILED: ${loss_percent}% loss, yet TCP retransmitted nothing"
  exit 1
fi
kill -0 "$mosquitto_pid" 2>/dev/null || { echo "netns_test: mosquitto died:"; cat "$out/mosquitto.log"; exit 1; }
echo "netns_test: all checks passed ($impairment)"
