#!/usr/bin/env bash
# Installs what the other test brokers need on a fresh Debian 12, beside ci/install-deps.sh (which
# installs Mosquitto): RabbitMQ with its MQTT plugin and ejabberd with mod_mqtt from Debian, Node.js
# and npm from Debian, and Aedes from npm (the exact versions of ci/brokers/aedes/package-lock.json,
# installed into ci/brokers/aedes/node_modules, which is not committed).
# Safe to re-run: it does nothing when everything is already there. Debian's packages do not start
# their services here (no systemd, and policy-rc.d forbids it in containers); the scripts beside this
# one start each broker on its own ports when a test needs it.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
packages=(rabbitmq-server ejabberd)
# Keep a Node.js that is already installed (ci/install-deps.sh does the same).
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  echo "install-others: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # On a machine with systemd (not a container) the packages just installed start their own broker
  # on the default ports, which the tests never use: stop and disable those services.
  if [[ -d /run/systemd/system ]]; then
    for service in rabbitmq-server ejabberd; do
      [[ " ${missing[*]} " == *" $service "* ]] || continue
      $sudo systemctl disable --now "$service" >/dev/null 2>&1 || true
    done
  fi
fi

# Aedes: `npm ci` from the lock file, once; an installed copy of the pinned version is reused.
pinned=$(sed -n 's/^[[:space:]]*"aedes": "\([^"]*\)".*/\1/p' "$here/aedes/package.json" | head -1)
installed=$({ sed -n 's/^[[:space:]]*"version": "\([^"]*\)".*/\1/p' \
  "$here/aedes/node_modules/aedes/package.json" 2>/dev/null || true; } | head -1)
if [[ $installed != "$pinned" || ! -d $here/aedes/node_modules/ws ]]; then
  echo "install-others: npm ci in $here/aedes (aedes $pinned)"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --prefix "$here/aedes" >/dev/null
fi
echo "install-others: rabbitmq-server, ejabberd, node $(node --version) and aedes $pinned present"
