#!/usr/bin/env bash
# Starts or stops Debian's ejabberd with mod_mqtt (MQTT 3.1.1 and 5.0) for tests, without systemd,
# on loopback ports from PORT_BASE:
#   PORT_BASE+0  MQTT
#   PORT_BASE+1  MQTT, a second listener for the "auth" endpoint
#   PORT_BASE+2  MQTT over WebSocket at /mqtt (ejabberd_http + mod_mqtt)
#   PORT_BASE+9  Erlang distribution (a fixed ERL_DIST_PORT: no epmd), for `ejabberdctl`
# mod_mqtt has no per-listener authentication: a client's user name picks the virtual host, and the
# host picks how it is checked. Two hosts:
#   localhost       (the default, for user names without @): anonymous login, so any user name with
#                   any non-empty password is accepted
#   auth.localhost  registered users only: alice/alice-secret, bob/bob-secret, limited/limited-secret
# so the profile's credentials for the "auth" endpoint are alice@auth.localhost and so on, and a wrong
# password or an unknown user @auth.localhost is refused on either port. Every listener refuses a
# CONNECT without a user name, or with a user name and no password (ejabberd then wants a client
# certificate). So the profile's "plain" and "ws" URLs carry the user anonymous/anonymous, which
# gauntlet uses for every client that names no credentials (an anonymous login on localhost); the
# "auth" URL carries none, so a CONNECT there without credentials really has no user name.
# Each host is its own topic space: a message published as a user of one never reaches the other.
# mod_mqtt's access rules restrict limited@auth.localhost to subscribing within limited/# and publishing
# to limited/out.
# ejabberdctl, run as root, runs the VM as the ejabberd user through su (which moves it into its own
# session): the state dir is owned by that user, the VM is stopped with `ejabberdctl stop`, then by
# pid. The Erlang cookie is given with -setcookie; the node name is unique per PORT_BASE.
# It also writes profile.json (docs/profiles.md) there: the broker as `gauntlet run --profile` sees it.
# State (config, database, logs, pids, profile) lives in $GAUNTLET_BROKER_DIR, by default
# ${TMPDIR:-/tmp}/gauntlet-ejabberd-PORT_BASE; the database (registered users, sessions, retained
# messages) is kept between starts.
#
# Usage: ejabberd.sh start PORT_BASE | stop PORT_BASE | dir PORT_BASE
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
action=${1:-}
base=${2:-}
if [[ -z $action || ! $base =~ ^[0-9]+$ ]] || ((base < 1024 || base > 65526)); then
  echo "usage: ejabberd.sh start|stop|dir PORT_BASE (1024-65526)" >&2
  exit 2
fi
dir=${GAUNTLET_BROKER_DIR:-${TMPDIR:-/tmp}/gauntlet-ejabberd-$base}
ctl=/usr/sbin/ejabberdctl
user=ejabberd
node=gauntlet-ejabberd-$base@localhost
mqtt_ports=(0 1 2)
dist_port=$((base + 9))
boot_timeout=${GAUNTLET_EJABBERD_BOOT_TIMEOUT:-60}

# shellcheck source=ci/brokers/common.sh
source "$here/common.sh"

ctl() { "$ctl" --config-dir "$dir/etc" --logs "$dir/log" --spool "$dir/spool" "$@"; }

stop() {
  [[ -f $dir/ejabberd.pid || -f $dir/su.pid || -f $dir/ejabberdctl.pid ]] || return 0
  # A clean stop through the node's distribution port, when the VM is there to answer.
  if [[ -f $dir/ejabberd.pid ]] && ours "$(cat "$dir/ejabberd.pid")" "$node"; then
    timeout 30 "$ctl" --config-dir "$dir/etc" --logs "$dir/log" --spool "$dir/spool" stop \
      >>"$dir/log/ctl.log" 2>&1 || true
  fi
  # The VM (beam.smp, pid written by ejabberd), then the su that runs it as the ejabberd user and
  # the ejabberdctl shell that started su: both end with the VM, unless something went wrong.
  # Each is given as long again to end on its own (the stop asked for above) before SIGTERM.
  stop_pid "$dir/ejabberd.pid" "$node" 5 5
  stop_pid "$dir/su.pid" "$node" 2 2
  stop_pid "$dir/ejabberdctl.pid" "$dir/etc" 2 2
}

version() {
  local app
  app=$({ ls /usr/lib/*/ejabberd-*/ebin/ejabberd.app /usr/lib/ejabberd-*/ebin/ejabberd.app 2>/dev/null || true; } | head -1)
  [[ -n $app ]] && sed -n 's/.*{vsn, *"\([0-9.]*\).*/\1/p' "$app" | head -1
}

write_profile() {
  cat > "$dir/profile.json" <<PROFILE
{
  "name": "ejabberd-local-$base",
  "version": "$(version)",
  "endpoints": {
    "plain": "mqtt://anonymous:anonymous@127.0.0.1:$((base + 0))",
    "auth": "mqtt://127.0.0.1:$((base + 1))",
    "ws": "ws://anonymous:anonymous@127.0.0.1:$((base + 2))/mqtt"
  },
  "credentials": $(credentials_json "@auth.localhost"),
  "capabilities": {
    "protocols": ["3.1.1", "5"],
    "maximum_qos": 2,
    "retain": true,
    "wildcards": true,
    "shared_subscriptions": false,
    "sys_topics": false,
    "subscription_identifiers": true,
    "topic_aliases": true,
    "client_dollar_topics": false
  },
  "lifecycle": $(lifecycle_json ejabberd.sh),
  "known_deviations": $(cat "$here/ejabberd-deviations.json")
}
PROFILE
}

write_config() {
  mkdir -p "$dir/etc" "$dir/log" "$dir/spool"
  cat > "$dir/etc/ejabberdctl.cfg" <<CFG
ERLANG_NODE=$node
# Distribution on one fixed loopback port, without epmd; a fixed cookie, without a cookie file.
ERL_DIST_PORT=$dist_port
INET_DIST_INTERFACE=127.0.0.1
ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 -setcookie gauntlet-ejabberd-$base"
EJABBERD_PID_PATH=$dir/ejabberd.pid
CONTRIB_MODULES_PATH=$dir/spool/modules
EJABBERD_BYPASS_WARNINGS=true
CFG
  # The VM's resolver: /etc/hosts first (as Debian's /etc/ejabberd/inetrc does); localhost is loopback.
  cat > "$dir/etc/inetrc" <<'INETRC'
{lookup, ["file", "native"]}.
{host, {127,0,0,1}, ["localhost", "auth.localhost"]}.
INETRC
  cat > "$dir/etc/ejabberd.yml" <<YML
loglevel: info
log_rotate_count: 0
hosts:
  - localhost
  - auth.localhost
host_config:
  localhost:
    auth_method: anonymous
    anonymous_protocol: login_anon
    allow_multiple_connections: true
  auth.localhost:
    auth_method: internal
    auth_password_format: plain
certfiles: []
acme:
  auto: false
acl:
  limited:
    user:
      - "limited@auth.localhost"
access_rules:
  mqtt_everyone:
    - allow
  mqtt_not_limited:
    - deny: limited
    - allow
listen:
  -
    port: $((base + 0))
    ip: "127.0.0.1"
    module: mod_mqtt
    backlog: 1000
  -
    port: $((base + 1))
    ip: "127.0.0.1"
    module: mod_mqtt
    backlog: 1000
  -
    port: $((base + 2))
    ip: "127.0.0.1"
    module: ejabberd_http
    request_handlers:
      /mqtt: mod_mqtt
modules:
  mod_mqtt:
    # A topic is allowed when some filter below matches it and its rule allows the user.
    access_subscribe:
      "limited/#": mqtt_everyone
      "#": mqtt_not_limited
    access_publish:
      "limited/out": mqtt_everyone
      "#": mqtt_not_limited
YML
  chown -R "$user:" "$dir"
}

# One MQTT 3.1.1 CONNECT (clean session, user gauntlet-ready-PORT_BASE, an anonymous login on
# localhost) on the first listener: ready when the answer is CONNACK accepted (20 02 00 00).
mqtt_ready() {
  local id=gauntlet-ready-$base reply connect
  connect=$(printf '\\x10\\x%02x\\x00\\x04MQTT\\x04\\xc2\\x00\\x0a\\x00\\x%02x%s\\x00\\x%02x%s\\x00\\x01x' \
    $((10 + 2 * (2 + ${#id}) + 3)) ${#id} "$id" ${#id} "$id")
  # shellcheck disable=SC2016  # $1 and $2 are the inner shell's arguments
  reply=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "$2" >&3
    head -c 4 <&3 | od -An -tx1 | tr -d " \n"
    printf "\\xe0\\x00" >&3' _ "$base" "$connect" 2>/dev/null) || return 1
  [[ $reply == 20020000 ]]
}

start() {
  [[ -x $ctl ]] || { echo "ejabberd.sh: ejabberd is not installed (ci/brokers/install-others.sh)" >&2; exit 3; }
  id "$user" >/dev/null 2>&1 || { echo "ejabberd.sh: no user $user (the ejabberd package makes it)" >&2; exit 3; }
  [[ $(id -u) -eq 0 ]] || { echo "ejabberd.sh: run as root (ejabberdctl switches to the $user user)" >&2; exit 3; }
  stop
  for offset in "${mqtt_ports[@]}" 9; do
    if port_open $((base + offset)); then
      echo "ejabberd.sh: port $((base + offset)) is already in use; choose another PORT_BASE" >&2
      exit 3
    fi
  done
  write_config
  write_profile
  rm -f "$dir/ejabberd.pid" "$dir/su.pid"
  "$ctl" --config-dir "$dir/etc" --logs "$dir/log" --spool "$dir/spool" foreground \
    </dev/null >>"$dir/log/stdout.log" 2>&1 &
  local pid=$! beam=""
  echo "$pid" > "$dir/ejabberdctl.pid"
  local deadline=$((SECONDS + boot_timeout))
  while ((SECONDS < deadline)); do
    [[ -z $beam && -s $dir/ejabberd.pid ]] && beam=$(cat "$dir/ejabberd.pid")
    if [[ ! -s $dir/su.pid ]]; then
      first_child "$pid" > "$dir/su.pid"
    fi
    local up=1
    for offset in "${mqtt_ports[@]}"; do port_open $((base + offset)) || { up=0; break; }; done
    if ((up)) && mqtt_ready; then
      register_users || { stop; exit 3; }
      echo "ejabberd.sh: pid $pid (VM ${beam:-?}) on ports $base-$((base + 2)), state in $dir"
      return 0
    fi
    alive "$pid" || break
    sleep 0.1
  done
  echo "ejabberd.sh: ejabberd did not start in ${boot_timeout}s; its logs:" >&2
  tail -n 40 "$dir/log/stdout.log" "$dir/log/ejabberd.log" >&2 2>/dev/null || true
  stop
  exit 3
}

# The users of auth.localhost live in the node's database, kept in the state dir: registered once.
register_users() {
  [[ -f $dir/spool/gauntlet-users ]] && return 0
  local who out
  for who in alice bob limited; do
    if ! out=$(ctl register "$who" auth.localhost "$who-secret" 2>&1) && [[ $out != *"already registered"* ]]; then
      echo "ejabberd.sh: cannot register $who: $out" >&2
      return 1
    fi
  done
  touch "$dir/spool/gauntlet-users"
}

case $action in
  start) start ;;
  stop) stop ;;
  dir) echo "$dir" ;;
  *) echo "usage: ejabberd.sh start|stop|dir PORT_BASE" >&2; exit 2 ;;
esac
