#!/usr/bin/env bash
# The README's first command: installs what Gauntlet needs, builds it, and runs the main job.
# At this stage of the project the main job decodes real captures of Mosquitto traffic (both
# directions, MQTT 3.1.1 and 5.0) and checks every byte against the spec; the JSON goes to
# reports/decode/. Later issues make it a conformance run plus a short swarm.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
gauntlet=build/release/cli/gauntlet
mkdir -p reports/decode
status=0
for capture in docs/samples/*.bin; do
  name=$(basename "$capture" .bin)
  echo "--- $name"
  "$gauntlet" decode "$capture" --format text || status=$?
  # Written atomically: a report is either whole or absent.
  "$gauntlet" decode "$capture" > "reports/decode/$name.jsonl.tmp" || true
  mv "reports/decode/$name.jsonl.tmp" "reports/decode/$name.jsonl"
done
echo "JSON written to reports/decode/ (one line per packet)"
exit "$status"
