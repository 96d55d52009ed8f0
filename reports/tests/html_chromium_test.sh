#!/usr/bin/env bash
# html_chromium_test.sh GAUNTLET PROFILE SCENARIO OUT — a real swarm report.html, rendered in
# headless Chromium (html_chromium_test.py says what is checked):
#  1. a short swarm run (3 s of publishing) against the test Mosquitto writes OUT/swarm;
#  2. a run stopped by SIGTERM writes OUT/interrupted ("complete": false, exit 3), whose page must
#     warn that it is incomplete;
#  3. both pages are opened through chromedriver and checked; the screenshot, the page probes and
#     chromedriver's log are left in OUT/browser.
set -euo pipefail
gauntlet=$1 profile=$2 scenario=$3 out=$4
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for tool in chromium chromedriver; do
  command -v "$tool" >/dev/null || { echo "$tool not found (Debian: chromium, chromium-driver)"; exit 1; }
done
rm -rf "$out" && mkdir -p "$out"

# An SLO breach (exit 1) on a busy machine still makes a page to check; 2 and 3 do not.
rc=0
"$gauntlet" swarm "$scenario" --profile "$profile" --duration 3 --seed 5 \
  --report-dir "$out/swarm" > "$out/swarm.log" 2>&1 || rc=$?
cat "$out/swarm.log"
((rc == 0 || rc == 1)) || { echo "gauntlet swarm exited $rc"; exit 1; }

# Stopped while publishing: the run would take 30 s; it is stopped after 3.
"$gauntlet" swarm "$scenario" --profile "$profile" --duration 30 --seed 6 \
  --report-dir "$out/interrupted" > "$out/interrupted.log" 2>&1 &
pid=$!
sleep 3
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
cat "$out/interrupted.log"
((rc == 3)) || { echo "the interrupted swarm exited $rc, not 3"; exit 1; }

python3 "$here/html_chromium_test.py" --report-dir "$out/swarm" --incomplete-dir "$out/interrupted" \
  --out "$out/browser"
