#!/usr/bin/env bash
# Runs the conformance suite against real brokers and writes their result pages,
# docs/results/<broker>.md (ci/brokers/results_page.py), from their reports in
# build/results/<broker>/. Each broker is started on its own loopback ports and stopped by pid.
#   bash ci/brokers/results.sh [mosquitto|rabbitmq|ejabberd|aedes|all]   (default: all)
# RabbitMQ, ejabberd and aedes come from ci/brokers/install-others.sh (run it once first);
# GAUNTLET (default build/release/cli/gauntlet) is the gauntlet binary to use.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
gauntlet=${GAUNTLET:-build/release/cli/gauntlet}
[[ -x $gauntlet ]] || { echo "results.sh: no gauntlet at $gauntlet (build it, or set GAUNTLET)" >&2; exit 2; }
declare -A bases=([mosquitto]=26000 [rabbitmq]=26100 [ejabberd]=26200 [aedes]=26300)
wanted=${1:-all}
[[ $wanted == all ]] && wanted="mosquitto rabbitmq ejabberd aedes"
status=0
for broker in $wanted; do
  base=${bases[$broker]:-}
  [[ -n $base ]] || { echo "results.sh: unknown broker $broker" >&2; exit 2; }
  echo "=== $broker"
  export GAUNTLET_BROKER_DIR=${TMPDIR:-/tmp}/gauntlet-results-$broker-$base
  if ! bash "ci/brokers/$broker.sh" start "$base"; then
    echo "results.sh: $broker did not start" >&2; status=3; continue
  fi
  command="gauntlet conformance --profile <$broker.sh profile> --jobs 8 --seed 1"
  "$gauntlet" conformance --profile "$GAUNTLET_BROKER_DIR/profile.json" --jobs 8 --seed 1 \
    --report-dir "build/results/$broker" | tail -1
  rc=${PIPESTATUS[0]}
  bash "ci/brokers/$broker.sh" stop "$base"
  ((rc > 1)) && status=$rc  # 1 (unjudged failures) still makes a page
  mkdir -p docs/results
  python3 ci/brokers/results_page.py "build/results/$broker/report.json" "$command" \
    > "docs/results/$broker.md.tmp" && mv "docs/results/$broker.md.tmp" "docs/results/$broker.md"
  echo "docs/results/$broker.md written (gauntlet exit $rc)"
  ((rc == 1 && status == 0)) && status=1
done
exit $status
