#!/usr/bin/env bash
# Runs the codec benchmark suite the way docs/performance.md reports it: machine facts first, then
# 5 repetitions per benchmark, aggregates only (the table uses the medians).
#
#   bench/measure.sh [BUILD_DIR] [extra Google Benchmark flags...]     (default: build/release)
#
# The machine has 2 cores shared with other work: the script waits (up to WAIT_S seconds, default
# 300) for the 1-minute load average to fall below MAX_LOAD (default 0.5), and prints the load
# before and after so that a noisy run shows.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/.." && pwd)
build=${1:-$root/build/release}
shift || true
bench=$build/bench/gauntlet_codec_bench
[[ -x $bench ]] || { echo "measure.sh: build $bench first (see docs/performance.md)" >&2; exit 2; }

max_load=${MAX_LOAD:-0.5}
wait_s=${WAIT_S:-300}
load() { cut -d' ' -f1 /proc/loadavg; }
for ((waited = 0; waited < wait_s; waited += 10)); do
  awk -v l="$(load)" -v m="$max_load" 'BEGIN { exit !(l < m) }' && break
  sleep 10
done

echo "date:     $(date -u +%Y-%m-%dT%H:%MZ)"
echo "cpu:      $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores"
cxx=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' "$build/CMakeCache.txt")
echo "compiler: $("$cxx" --version | head -1)," \
     "CMAKE_BUILD_TYPE=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build/CMakeCache.txt")"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (before)"
"$bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true "$@"
echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (after)"
