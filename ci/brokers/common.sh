# Shared by the broker scripts of ci/brokers (sourced, not run): processes are found and stopped
# by pid, never by name, and the parts of profile.json that every broker set-up shares.
# The caller sets `base` (its port base) and `here` (this folder).
# shellcheck shell=bash disable=SC2154

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A process that has exited stays a zombie until init reaps it, which takes seconds here: not alive.
alive() { [[ -r /proc/$1/stat ]] && [[ $(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1) != Z ]]; }

# The pid of the first child of a process (no procps needed).
first_child() {
  local f line fields
  for f in /proc/[0-9]*/stat; do
    # (not $(<"$f"): with set -e, bash 5.2 exits when that file has gone, as a process may have)
    { read -r line <"$f"; } 2>/dev/null || continue
    read -r -a fields <<<"${line##*) }"
    if [[ ${fields[1]:-} == "$1" ]]; then f=${f#/proc/}; echo "${f%/stat}"; return 0; fi
  done
}

# ours PID MARK: a pid file may be stale and its pid reused; only a process whose command line or
# environment holds MARK (a state dir, a node name, a port) is ours.
ours() {
  alive "$1" || return 1
  local text
  text=$(cat "/proc/$1/cmdline" "/proc/$1/environ" 2>/dev/null | tr '\0' ' ') || true
  [[ $text == *"$2"* ]]
}

# stop_pid FILE MARK SECONDS [GRACE]: stops the process of a pid file if it is ours: after GRACE
# seconds (a stop already asked for another way), SIGTERM; after SECONDS more, SIGKILL.
stop_pid() {
  local file=$1 mark=$2 seconds=$3 grace=${4:-0} pid name=${0##*/}
  [[ -f $file ]] || return 0
  pid=$(cat "$file" 2>/dev/null) || return 0
  if ours "$pid" "$mark"; then
    for _ in $(seq $((grace * 20))); do alive "$pid" || break; sleep 0.05; done
    if alive "$pid"; then kill "$pid" 2>/dev/null || true; fi
    for _ in $(seq $((seconds * 20))); do alive "$pid" || break; sleep 0.05; done
    if alive "$pid"; then
      echo "$name: pid $pid did not stop in ${seconds}s; killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
    echo "$name: stopped pid $pid"
  fi
  rm -f "$file"
}

# The "credentials" of a profile: the users every set-up creates (alice, bob, limited), with
# SUFFIX appended to each user name ("" for none; ejabberd's users live in a virtual host).
credentials_json() {
  local s=$1
  cat <<JSON
{
    "valid": {"username": "alice$s", "password": "alice-secret"},
    "second": {"username": "bob$s", "password": "bob-secret"},
    "limited": {"username": "limited$s", "password": "limited-secret"},
    "wrong_password": {"username": "alice$s", "password": "not-alice-secret"},
    "unknown_user": {"username": "nobody-$base$s", "password": "nobody-secret"}
  }
JSON
}

# The "lifecycle" of a profile for SCRIPT (mosquitto.sh, ...) on this port base, in this state
# directory (so a restart finds the broker the fixture started); ENV, when given, is put before the
# start and restart commands ("NAME=value ", the broker's options).
lifecycle_json() {
  cat <<JSON
{
    "start": "$2GAUNTLET_BROKER_DIR=$dir bash $here/$1 start $base",
    "stop": "GAUNTLET_BROKER_DIR=$dir bash $here/$1 stop $base",
    "restart": "$2GAUNTLET_BROKER_DIR=$dir bash $here/$1 start $base"
  }
JSON
}
