#!/usr/bin/env bash
# A distributed `gauntlet swarm` run on Kubernetes (docs/distributed.md): every shard a completion
# of one Indexed Job, then the merge Job, then the reports copied out.
#
#   ci/k8s/run.sh render SCENARIO PROFILE       print the manifests (needs no cluster)
#   ci/k8s/run.sh run SCENARIO PROFILE OUT      apply, wait for the shards, merge, copy to OUT
#   ci/k8s/run.sh delete                        delete the run's objects (GAUNTLET_RUN)
#
# Settings, from the environment:
#   GAUNTLET_IMAGE        the image with gauntlet (ci/k8s/Containerfile); required
#   GAUNTLET_SHARDS       shards = completions = parallelism (default 4)
#   GAUNTLET_SEED         the run's seed, the same for every shard (default 1)
#   GAUNTLET_PUBLISH_AT   RFC 3339 UTC instant every shard starts publishing at (default: now +
#                         GAUNTLET_LEAD_S, 120 s: time to schedule the pods, pull the image and
#                         connect every client first)
#   GAUNTLET_RUN          names the run's objects (default: the UTC time, 20261121-100000)
#   GAUNTLET_NAMESPACE    the namespace (default: the context's)
#   GAUNTLET_CPU, GAUNTLET_MEMORY       each shard pod's requests (default 1 and 1Gi)
#   GAUNTLET_ACCESS_MODE, GAUNTLET_STORAGE, GAUNTLET_STORAGE_CLASS   the reports volume
#                         (default ReadWriteMany, 1Gi, the cluster's default class)
#   GAUNTLET_DEADLINE_S   the shards Job's activeDeadlineSeconds (default 7200)
#   GAUNTLET_TIMEOUT_S    how long run waits for the shards (default: the deadline + 60)
#
# Exit codes, those of gauntlet: 0 the merged run passed; 1 it failed (an SLO breached, QoS 1/2
# messages lost: the reports say which); 2 bad input (here, or a shard exited 2 and the Job
# stopped); 3 infrastructure (kubectl failed, a wait timed out, no report to merge).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
  sed -n '4,6p' "${BASH_SOURCE[0]}" | sed 's/^# //' >&2
  exit 2
}
die() {  # CODE MESSAGE
  echo "run.sh: $2" >&2
  exit "$1"
}

# --- settings ----------------------------------------------------------------------------------

utc_in() {  # SECONDS: an RFC 3339 UTC time that many seconds from now (GNU or BSD date)
  date -u -d "+$1 seconds" +%Y-%m-%dT%H:%M:%SZ 2>/dev/null || date -u -v "+$1S" +%Y-%m-%dT%H:%M:%SZ
}

settings() {
  : "${GAUNTLET_IMAGE:?set GAUNTLET_IMAGE to the gauntlet image (docs/distributed.md, \"The image\")}"
  export GAUNTLET_IMAGE
  export GAUNTLET_SHARDS=${GAUNTLET_SHARDS:-4}
  export GAUNTLET_SEED=${GAUNTLET_SEED:-1}
  export GAUNTLET_RUN=${GAUNTLET_RUN:-$(date -u +%Y%m%d-%H%M%S)}
  export GAUNTLET_PUBLISH_AT=${GAUNTLET_PUBLISH_AT:-$(utc_in "${GAUNTLET_LEAD_S:-120}")}
  export GAUNTLET_CPU=${GAUNTLET_CPU:-1}
  export GAUNTLET_MEMORY=${GAUNTLET_MEMORY:-1Gi}
  export GAUNTLET_ACCESS_MODE=${GAUNTLET_ACCESS_MODE:-ReadWriteMany}
  export GAUNTLET_STORAGE=${GAUNTLET_STORAGE:-1Gi}
  export GAUNTLET_DEADLINE_S=${GAUNTLET_DEADLINE_S:-7200}
  GAUNTLET_TIMEOUT_S=${GAUNTLET_TIMEOUT_S:-$((GAUNTLET_DEADLINE_S + 60))}
  [[ $GAUNTLET_IMAGE =~ ^[^[:space:]\"\'\$]+$ ]] || die 2 "GAUNTLET_IMAGE: not an image name: $GAUNTLET_IMAGE"
  [[ $GAUNTLET_SHARDS =~ ^[1-9][0-9]{0,4}$ ]] || die 2 "GAUNTLET_SHARDS: 1 to 99999, not $GAUNTLET_SHARDS"
  [[ $GAUNTLET_SEED =~ ^[0-9]{1,19}$ ]] || die 2 "GAUNTLET_SEED: a whole number, not $GAUNTLET_SEED"
  # Object names take it: a DNS label, short enough for "gauntlet-reports-" in front.
  [[ $GAUNTLET_RUN =~ ^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$ ]] ||
    die 2 "GAUNTLET_RUN: lower-case letters, digits and '-', at most 40, not $GAUNTLET_RUN"
  [[ $GAUNTLET_PUBLISH_AT =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?Z$ ]] ||
    die 2 "GAUNTLET_PUBLISH_AT: an RFC 3339 UTC time (2026-11-21T10:00:00Z), not $GAUNTLET_PUBLISH_AT"
  [[ $GAUNTLET_CPU =~ ^[0-9]+(\.[0-9]+|m)?$ ]] || die 2 "GAUNTLET_CPU: a CPU quantity, not $GAUNTLET_CPU"
  [[ $GAUNTLET_MEMORY =~ ^[0-9]+([KMGT]i?)?$ ]] || die 2 "GAUNTLET_MEMORY: a quantity, not $GAUNTLET_MEMORY"
  [[ $GAUNTLET_STORAGE =~ ^[0-9]+([KMGT]i?)?$ ]] || die 2 "GAUNTLET_STORAGE: a quantity, not $GAUNTLET_STORAGE"
  [[ $GAUNTLET_ACCESS_MODE =~ ^(ReadWriteMany|ReadWriteOnce|ReadWriteOncePod)$ ]] ||
    die 2 "GAUNTLET_ACCESS_MODE: ReadWriteMany or ReadWriteOnce, not $GAUNTLET_ACCESS_MODE"
  [[ $GAUNTLET_DEADLINE_S =~ ^[1-9][0-9]{0,6}$ ]] || die 2 "GAUNTLET_DEADLINE_S: seconds, not $GAUNTLET_DEADLINE_S"
  [[ $GAUNTLET_TIMEOUT_S =~ ^[1-9][0-9]{0,6}$ ]] || die 2 "GAUNTLET_TIMEOUT_S: seconds, not $GAUNTLET_TIMEOUT_S"
  [[ ${GAUNTLET_STORAGE_CLASS:-} =~ ^[a-z0-9.-]*$ ]] ||
    die 2 "GAUNTLET_STORAGE_CLASS: a storage class name, not $GAUNTLET_STORAGE_CLASS"
  command -v envsubst >/dev/null || die 3 "envsubst not found (Debian: gettext-base)"
}

# The manifests' variables, and only those: the pods' own $SHARDS, $PUBLISH_AT, ... stay as written.
# shellcheck disable=SC2016  # the names themselves, for envsubst
variables='${GAUNTLET_IMAGE} ${GAUNTLET_SHARDS} ${GAUNTLET_SEED} ${GAUNTLET_RUN} ${GAUNTLET_PUBLISH_AT}
${GAUNTLET_CPU} ${GAUNTLET_MEMORY} ${GAUNTLET_ACCESS_MODE} ${GAUNTLET_STORAGE} ${GAUNTLET_DEADLINE_S}'

template() {  # FILE
  envsubst "$variables" < "$here/$1"
}

configmap() {  # NAME KEY FILE: the file as the key's value (a YAML literal block, any text)
  cat <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: $1-$GAUNTLET_RUN
  labels:
    app.kubernetes.io/name: gauntlet
    gauntlet-run: "$GAUNTLET_RUN"
data:
  $2: |2
YAML
  # awk ends every line, the last one too: the next document's "---" must start a line.
  awk '{ print "    " $0 }' "$3"
}

render_setup() {  # SCENARIO PROFILE: the ConfigMaps, the reports volume and the shards' Job
  configmap gauntlet-scenario scenario.json "$1"
  echo ---
  configmap gauntlet-profile profile.json "$2"
  echo ---
  if [[ -n ${GAUNTLET_STORAGE_CLASS:-} ]]; then
    template storage.yaml |
      awk -v class="$GAUNTLET_STORAGE_CLASS" '{ print } /^spec:$/ { print "  storageClassName: " class }'
  else
    template storage.yaml
  fi
  echo ---
  template swarm-job.yaml
}

check_inputs() {  # SCENARIO PROFILE
  [[ -f $1 && -r $1 ]] || die 2 "$1: no such file (the scenario)"
  [[ -f $2 && -r $2 ]] || die 2 "$2: no such file (the profile)"
  # A ConfigMap holds at most 1 MiB.
  (($(wc -c < "$1") + $(wc -c < "$2") < 1000000)) || die 2 "the scenario and profile exceed a ConfigMap's 1 MiB"
}

# --- the cluster -------------------------------------------------------------------------------

kube() {
  kubectl ${GAUNTLET_NAMESPACE:+--namespace "$GAUNTLET_NAMESPACE"} "$@"
}

# Waits for a Job to finish: prints "Complete" or "Failed REASON"; exit 3 after TIMEOUT seconds.
# `kubectl wait` alone cannot wait for either condition, and a Job with a failed index never
# becomes complete: so it waits for completion in short steps and looks for failure in between.
wait_job() {  # JOB TIMEOUT_S
  local job=$1 timeout=$2 start=$SECONDS failed
  while ((SECONDS - start < timeout)); do
    if kube wait --for=condition=complete "job/$job" --timeout=10s >/dev/null 2>&1; then
      echo Complete
      return 0
    fi
    failed=$(kube get "job/$job" \
      -o jsonpath='{.status.conditions[?(@.type=="Failed")].status} {.status.conditions[?(@.type=="Failed")].reason}')
    if [[ $failed == True* ]]; then
      echo "Failed ${failed#True }"
      return 0
    fi
    sleep 2  # kubectl wait returns at once while the Job is not there yet
  done
  die 3 "job/$job has not finished after ${timeout}s (kubectl describe job/$job)"
}

# Each pod of a Job: its completion index (if any) and its container's exit code.
exit_codes() {  # JOB
  kube get pods -l "job-name=$1" -o jsonpath='{range .items[*]}{.metadata.annotations.batch\.kubernetes\.io/job-completion-index}{" "}{.status.containerStatuses[0].state.terminated.exitCode}{"\n"}{end}'
}

run() {  # SCENARIO PROFILE OUT
  local scenario=$1 profile=$2 out=$3 state merge_code
  check_inputs "$scenario" "$profile"
  # kubectl cp creates the directory with the volume's contents in it.
  [[ ! -e $out ]] || die 2 "$out exists: give a directory that does not exist yet"
  mkdir -p "$(dirname "$out")"
  command -v kubectl >/dev/null || die 3 "kubectl not found"
  local shards_job=gauntlet-swarm-$GAUNTLET_RUN merge_job=gauntlet-merge-$GAUNTLET_RUN
  local reader=gauntlet-reports-$GAUNTLET_RUN

  echo "run.sh: run $GAUNTLET_RUN: $GAUNTLET_SHARDS shards of $scenario, seed $GAUNTLET_SEED, publishing at $GAUNTLET_PUBLISH_AT"
  render_setup "$scenario" "$profile" | kube apply -f - || die 3 "kubectl apply failed"
  state=$(wait_job "$shards_job" "$GAUNTLET_TIMEOUT_S")
  echo "run.sh: $shards_job: $state; exit codes by completion index:"
  exit_codes "$shards_job" | sort -n | sed 's/^/  shard index /'
  if [[ $state == "Failed PodFailurePolicy" ]]; then
    # The FailJob rule: a shard exited 2 (bad input). Its log says what was wrong.
    kube logs "job/$shards_job" --tail=20 >&2 || true
    die 2 "a shard rejected its input (exit 2); nothing to merge"
  fi
  # Otherwise merge whatever the shards wrote: a failed or missing shard is named in the notes.
  template merge-job.yaml | kube apply -f - || die 3 "kubectl apply of the merge Job failed"
  state=$(wait_job "$merge_job" 660)
  kube logs "job/$merge_job" || true
  merge_code=$(exit_codes "$merge_job" | awk 'NF == 1 { print $1 } NF == 2 { print $2 }' | head -1)

  template reader-pod.yaml | kube apply -f - || die 3 "kubectl apply of the reader pod failed"
  kube wait --for=condition=Ready "pod/$reader" --timeout=300s >/dev/null ||
    die 3 "pod/$reader did not start: the reports are still on the volume gauntlet-reports-$GAUNTLET_RUN"
  kube cp "$reader:/reports" "$out" >/dev/null || die 3 "kubectl cp from pod/$reader failed"
  kube delete pod "$reader" --wait=false >/dev/null || true
  echo "run.sh: reports in $out (merged: $out/merged/report.html); remove the run's objects with"
  echo "  GAUNTLET_RUN=$GAUNTLET_RUN ${GAUNTLET_NAMESPACE:+GAUNTLET_NAMESPACE=$GAUNTLET_NAMESPACE }bash $0 delete"
  case $merge_code in
    0 | 1 | 2) exit "$merge_code" ;;
    *) die 3 "the merge Job ended $state without an exit code" ;;
  esac
}

delete() {
  [[ -n ${GAUNTLET_RUN:-} ]] || die 2 "set GAUNTLET_RUN to the run to delete"
  kube delete job,pod,configmap,pvc -l "gauntlet-run=$GAUNTLET_RUN" --ignore-not-found
}

case ${1:-} in
  render)
    (($# == 3)) || usage
    settings
    check_inputs "$2" "$3"
    render_setup "$2" "$3"
    echo ---
    template merge-job.yaml
    echo ---
    template reader-pod.yaml
    ;;
  run)
    (($# == 4)) || usage
    settings
    run "$2" "$3" "$4"
    ;;
  delete)
    (($# == 1)) || usage
    delete
    ;;
  *) usage ;;
esac
