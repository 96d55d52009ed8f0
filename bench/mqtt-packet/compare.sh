#!/usr/bin/env bash
# Gauntlet's decoder beside the npm package mqtt-packet (the codec of MQTT.js and Aedes) on one
# stream of small QoS 1 PUBLISH packets (DESIGN.md §10). See docs/performance.md.
#
#   bench/mqtt-packet/compare.sh [BUILD_DIR]      (default: build/release)
#
# Environment: PACKETS (200000), RUNS for mqtt-packet (7, after 2 warm-up runs), ITERATIONS for
# Gauntlet (20, after 3 warm-up passes), CHUNK for mqtt-packet's chunked feed (65536), KEEP=DIR to
# keep the stream file and the JSON results in DIR.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/release}
tool=$build/bench/gauntlet_stream_decode_bench
packets=${PACKETS:-200000}
runs=${RUNS:-7}
iterations=${ITERATIONS:-20}
chunk=${CHUNK:-65536}

if [[ ! -x $tool ]]; then
  echo "compare.sh: $tool not found; build it first:" >&2
  echo "  cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release -DGAUNTLET_BENCH=ON" \
       "-DGAUNTLET_TESTS=OFF -DGAUNTLET_CLI=OFF && cmake --build build/release" >&2
  exit 2
fi
command -v node >/dev/null || { echo "compare.sh: node is required" >&2; exit 2; }

# mqtt-packet is pinned (package.json + package-lock.json); node_modules is not committed.
(cd "$here" && npm install --no-audit --no-fund --loglevel=error >/dev/null)

if [[ -n ${KEEP:-} ]]; then
  work=$KEEP
  mkdir -p "$work"
else
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
stream=$work/publish-qos1-64B.bin
js=$here/mqtt_packet_bench.js

echo "load before: $(uptime | sed 's/.*load average/load average/')"
node "$js" generate "$stream" "$packets" >/dev/null
node "$js" parse "$stream" --runs "$runs" >"$work/mqtt-packet-whole.json"
node "$js" parse "$stream" --runs "$runs" --chunk "$chunk" >"$work/mqtt-packet-chunks.json"
"$tool" "$stream" --iterations "$iterations" >"$work/gauntlet-strict.json"
"$tool" "$stream" --iterations "$iterations" --lenient >"$work/gauntlet-lenient.json"
echo "load after:  $(uptime | sed 's/.*load average/load average/')"
echo
node "$js" summary "$work/gauntlet-strict.json" "$work/gauntlet-lenient.json" \
  "$work/mqtt-packet-whole.json" "$work/mqtt-packet-chunks.json"
