#!/usr/bin/env bash
# Starts or stops Debian's RabbitMQ (rabbitmq-server) with its MQTT plugins for tests, without
# systemd and without the /usr/sbin wrappers (they force the rabbitmq user and /var/lib), on loopback
# ports from PORT_BASE:
#   PORT_BASE+0  MQTT, anonymous (mapped to the user guest), virtual host "/"
#   PORT_BASE+1  MQTT, user name and password required, virtual host "auth"
#   PORT_BASE+2  MQTT over WebSocket at /ws (rabbitmq_web_mqtt), anonymous, virtual host "/"
#   PORT_BASE+8  Erlang distribution of the node
#   PORT_BASE+9  its own epmd
# The MQTT plugin's authentication settings are global, so the two MQTT listeners differ by virtual
# host (the global parameter mqtt_port_to_vhost_mapping): guest, the user of anonymous connections,
# has no permissions on "auth", so an anonymous CONNECT there is refused. The two virtual hosts are two
# separate topic spaces: a message published on one endpoint never reaches the other.
# Users: alice/alice-secret and bob/bob-secret may do anything on both virtual hosts;
# limited/limited-secret only on "auth", with topic permissions: read limited/#, write limited/out.
# The AMQP listener is off. The node runs as root with HOME and RABBITMQ_* in the state dir, its node
# name is unique per PORT_BASE (gauntlet-rabbit-PORT_BASE@localhost), and its database is kept
# between starts (the first boot of a fresh directory takes longer).
# It also writes profile.json (docs/profiles.md) there: the broker as `gauntlet run --profile` sees it.
# State (config, database, logs, pids, profile) lives in $GAUNTLET_BROKER_DIR, by default
# ${TMPDIR:-/tmp}/gauntlet-rabbitmq-PORT_BASE. The node and its epmd are stopped by their pids, never
# by name.
#
# Usage: rabbitmq.sh start PORT_BASE | stop PORT_BASE | dir PORT_BASE
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
action=${1:-}
base=${2:-}
if [[ -z $action || ! $base =~ ^[0-9]+$ ]] || ((base < 1024 || base > 65526)); then
  echo "usage: rabbitmq.sh start|stop|dir PORT_BASE (1024-65526)" >&2
  exit 2
fi
dir=${GAUNTLET_BROKER_DIR:-${TMPDIR:-/tmp}/gauntlet-rabbitmq-$base}
server=/usr/lib/rabbitmq/bin/rabbitmq-server
node=gauntlet-rabbit-$base@localhost
mqtt_ports=(0 1 2)
dist_port=$((base + 8))
epmd_port=$((base + 9))
boot_timeout=${GAUNTLET_RABBITMQ_BOOT_TIMEOUT:-90}

# shellcheck source=ci/brokers/common.sh
source "$here/common.sh"

stop() {
  # rabbitmq-server is a shell that turns SIGTERM into a clean shutdown of its child, the Erlang VM
  # (beam.smp, in rabbitmq-beam.pid), and waits for it. Then the VM itself, should it outlive its
  # shell, and last epmd: with epmd gone first, the node would try to start another one.
  stop_pid "$dir/rabbitmq.pid" "RABBITMQ_MNESIA_BASE=$dir/mnesia" 60
  stop_pid "$dir/rabbitmq-beam.pid" "-home $dir/home" 30
  stop_pid "$dir/epmd.pid" "epmd -address 127.0.0.1 -port $epmd_port" 10
}

version() {
  local d
  d=$({ ls -d /usr/lib/rabbitmq/lib/rabbitmq_server-* 2>/dev/null || true; } | head -1)
  echo "${d##*/rabbitmq_server-}"
}

write_profile() {
  cat > "$dir/profile.json" <<PROFILE
{
  "name": "rabbitmq-local-$base",
  "version": "$(version)",
  "endpoints": {
    "plain": "mqtt://127.0.0.1:$((base + 0))",
    "auth": "mqtt://127.0.0.1:$((base + 1))",
    "ws": "ws://127.0.0.1:$((base + 2))/ws"
  },
  "credentials": $(credentials_json ""),
  "capabilities": {
    "protocols": ["3.1", "3.1.1"],
    "maximum_qos": 1,
    "retain": true,
    "wildcards": true,
    "shared_subscriptions": false,
    "sys_topics": false,
    "subscription_identifiers": false,
    "topic_aliases": false
  },
  "lifecycle": $(lifecycle_json rabbitmq.sh),
  "known_deviations": $(cat "$here/rabbitmq-deviations.json")
}
PROFILE
}

write_config() {
  mkdir -p "$dir/home" "$dir/log" "$dir/mnesia"
  : > "$dir/rabbitmq-env.conf"
  echo '[rabbitmq_mqtt,rabbitmq_web_mqtt].' > "$dir/enabled_plugins"
  cat > "$dir/rabbitmq.conf" <<CONF
# AMQP is not needed: only MQTT listeners, on loopback.
listeners.tcp = none
mqtt.listeners.tcp.1 = 127.0.0.1:$((base + 0))
mqtt.listeners.tcp.2 = 127.0.0.1:$((base + 1))
web_mqtt.tcp.ip = 127.0.0.1
web_mqtt.tcp.port = $((base + 2))
mqtt.allow_anonymous = true
mqtt.default_user = guest
mqtt.default_pass = guest
mqtt.vhost = /
mqtt.exchange = amq.topic
load_definitions = $dir/definitions.json
log.console = false
log.file.level = info
CONF
  # Loaded at every boot (an import is idempotent): users, virtual hosts, permissions, and the
  # mapping of the authenticated listener's port to the "auth" virtual host.
  cat > "$dir/definitions.json" <<DEFS
{
  "users": [
    {"name": "guest", "password": "guest", "tags": ["administrator"]},
    {"name": "alice", "password": "alice-secret", "tags": []},
    {"name": "bob", "password": "bob-secret", "tags": []},
    {"name": "limited", "password": "limited-secret", "tags": []}
  ],
  "vhosts": [{"name": "/"}, {"name": "auth"}],
  "permissions": [
    {"user": "guest", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "alice", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "bob", "vhost": "/", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "alice", "vhost": "auth", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "bob", "vhost": "auth", "configure": ".*", "write": ".*", "read": ".*"},
    {"user": "limited", "vhost": "auth", "configure": ".*", "write": ".*", "read": ".*"}
  ],
  "topic_permissions": [
    {"user": "limited", "vhost": "auth", "exchange": "amq.topic",
     "write": "^limited\\\\.out\$", "read": "^limited\\\\."}
  ],
  "global_parameters": [
    {"name": "mqtt_port_to_vhost_mapping", "value": {"$((base + 1))": "auth"}}
  ]
}
DEFS
}

start() {
  [[ -x $server ]] || { echo "rabbitmq.sh: rabbitmq-server is not installed (ci/brokers/install-others.sh)" >&2; exit 3; }
  command -v epmd >/dev/null || { echo "rabbitmq.sh: epmd is not installed (erlang-base)" >&2; exit 3; }
  stop
  for offset in "${mqtt_ports[@]}" 8 9; do
    if port_open $((base + offset)); then
      echo "rabbitmq.sh: port $((base + offset)) is already in use; choose another PORT_BASE" >&2
      exit 3
    fi
  done
  write_config
  write_profile

  # Our own epmd, on loopback and its own port, in the foreground so that its pid is known.
  export ERL_EPMD_PORT=$epmd_port ERL_EPMD_ADDRESS=127.0.0.1
  epmd -address 127.0.0.1 -port "$epmd_port" </dev/null >>"$dir/log/epmd.log" 2>&1 &
  echo $! > "$dir/epmd.pid"
  for _ in $(seq 100); do port_open "$epmd_port" && break; sleep 0.05; done

  export HOME=$dir/home
  export RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf
  export RABBITMQ_NODENAME=$node RABBITMQ_USE_LONGNAME=false
  export RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
  export RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config
  export RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
  export RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log
  export RABBITMQ_PID_FILE=$dir/rabbitmq.erlang.pid
  export RABBITMQ_DIST_PORT=$dist_port
  # Distribution on loopback only, and never a second epmd started by the node itself.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1} -start_epmd false"
  # rabbitmq-server is a shell whose child is the VM (erl execs beam.smp).
  "$server" </dev/null >>"$dir/log/stdout.log" 2>&1 &
  local pid=$! beam=""
  echo "$pid" > "$dir/rabbitmq.pid"
  local deadline=$((SECONDS + boot_timeout))
  while ((SECONDS < deadline)); do
    if [[ -z $beam ]]; then
      beam=$(first_child "$pid")
      [[ -n $beam ]] && echo "$beam" > "$dir/rabbitmq-beam.pid"
    fi
    local up=1
    for offset in "${mqtt_ports[@]}"; do port_open $((base + offset)) || { up=0; break; }; done
    # The listeners accept before the plugin's client-id tracker has a leader: wait for a CONNACK.
    if ((up)) && mqtt_ready; then
      echo "rabbitmq.sh: pid $pid (VM $beam, epmd $(cat "$dir/epmd.pid")) on ports $base-$((base + 2)), state in $dir"
      return 0
    fi
    alive "$pid" || break
    sleep 0.2
  done
  echo "rabbitmq.sh: rabbitmq did not start in ${boot_timeout}s; its logs:" >&2
  tail -n 40 "$dir/log/stdout.log" "$dir/log/$node.log" >&2 2>/dev/null || true
  stop
  exit 3
}

# One MQTT 3.1.1 CONNECT (clean session, anonymous, client id gauntlet-ready-PORT_BASE) on the plain
# listener: ready when the answer is CONNACK accepted (20 02 00 00).
mqtt_ready() {
  local id=gauntlet-ready-$base reply connect
  connect=$(printf '\\x10\\x%02x\\x00\\x04MQTT\\x04\\x02\\x00\\x0a\\x00\\x%02x%s' $((12 + ${#id})) ${#id} "$id")
  # shellcheck disable=SC2016  # $1 and $2 are the inner shell's arguments
  reply=$(timeout 3 bash -c '
    exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
    printf "$2" >&3
    head -c 4 <&3 | od -An -tx1 | tr -d " \n"
    printf "\\xe0\\x00" >&3' _ "$base" "$connect" 2>/dev/null) || return 1
  [[ $reply == 20020000 ]]
}

case $action in
  start) start ;;
  stop) stop ;;
  dir) echo "$dir" ;;
  *) echo "usage: rabbitmq.sh start|stop|dir PORT_BASE" >&2; exit 2 ;;
esac
