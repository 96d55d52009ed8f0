#!/usr/bin/env bash
# Line and branch coverage of codec/ from a build made with the `coverage` preset, after its tests
# ran. Prints the summary, writes an HTML report, and fails below the floor.
set -euo pipefail
build=${1:-build/coverage}
floor=${COVERAGE_FLOOR:-95}
cd "$(dirname "$0")/.."
mkdir -p "$build/coverage"
gcovr --root . --object-directory "$build" \
  --filter 'codec/src/' --filter 'codec/include/' --filter 'codec/json/' \
  --exclude-unreachable-branches --exclude-throw-branches \
  --html-details "$build/coverage/index.html" \
  --txt "$build/coverage/summary.txt" --print-summary --fail-under-line "$floor" \
  | tee "$build/coverage/totals.txt"
echo "coverage: per-file table in $build/coverage/summary.txt, HTML in $build/coverage/index.html"
