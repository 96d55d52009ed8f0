#!/usr/bin/env bash
# Installs everything Gauntlet needs to build and test from Debian 12's packages. Safe to re-run:
# it does nothing when every package is already there.
set -euo pipefail
packages=(
  # build
  cmake ninja-build pkg-config g++ clang-14 libclang-rt-14-dev llvm-14 git python3
  # libraries (DESIGN.md: all from Debian, nothing downloaded at build time)
  libasio-dev libssl-dev nlohmann-json3-dev libfmt-dev libcli11-dev libpcap-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # checks: coverage, formatting, static analysis
  gcovr clang-format clang-tidy
  # real brokers for the tests that need one
  mosquitto mosquitto-clients
  # tests only: the pcap tests check captures with tshark's MQTT dissector; the schema tests
  # validate scenarios and reports with jsonschema, JUnit files with xmllint
  tshark python3-jsonschema libxml2-utils
  # tests only: report.html is rendered in headless Chromium (driven over WebDriver); the
  # network-namespace test builds veth links (iproute2) and impairs them (nftables, NFQUEUE)
  chromium chromium-driver iproute2 nftables iptables libnetfilter-queue-dev
  # tests only: the Kubernetes manifests are parsed (python3-yaml) and rendered (envsubst)
  python3-yaml gettext-base
)
# Node.js runs the differential test against mqtt-packet; keep a Node that is already installed.
command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  sudo=""
  [[ $(id -u) -eq 0 ]] || sudo=sudo
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  # tshark pulls in wireshark-common, which asks whether non-root users may capture: answer no.
  if [[ " ${missing[*]} " == *" tshark "* ]]; then
    echo "wireshark-common wireshark-common/install-setuid boolean false" |
      $sudo debconf-set-selections
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Debian's clang-14 installs versioned names only; the presets ask for clang++.
command -v clang++ >/dev/null || ln -sf /usr/bin/clang++-14 /usr/local/bin/clang++
command -v clang >/dev/null || ln -sf /usr/bin/clang-14 /usr/local/bin/clang
echo "install-deps: all packages present"
