#!/usr/bin/env python3
"""A stand-in for kubectl that runs ci/k8s/run.sh's Jobs on this machine, for the test of
run.sh's `run` path (k8s_contract_test.py --run-sh). It answers exactly the kubectl commands
run.sh uses, and fails loudly on any other:

  apply -f -                          records the objects; a Job starts running at once: its pods
                                      are replayed as in k8s_contract_test.py (every completion
                                      index at once), and the Job controller's verdict follows
                                      its podFailurePolicy (FailJob stops the others)
  wait --for=condition=complete job/J --timeout=Ns      exit 0 once J is Complete
  get job/J -o jsonpath=...Failed...  "True REASON" once J has failed
  get pods -l job-name=J -o jsonpath=...   one line per pod: "INDEX EXIT_CODE"
  logs job/J [--tail=N]               the first pod's output
  wait --for=condition=Ready pod/P    a reader pod is ready as soon as it is applied
  cp P:/reports OUT                   copies the claim's directory
  delete ...                          accepted, nothing else

State lives in $FAKE_KUBE_DIR; `gauntlet` comes from $FAKE_KUBE_DIR/bin.
"""
from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import time

import yaml

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import k8s_contract_test as contract  # noqa: E402  (the replay and the policy evaluation)

STATE = pathlib.Path(os.environ.get("FAKE_KUBE_DIR", "/nonexistent"))
POD_TIMEOUT_S = 120


def objects() -> list:
    path = STATE / "objects.json"
    return json.loads(path.read_text()) if path.exists() else []


def job_dir(name: str) -> pathlib.Path:
    return STATE / "jobs" / name


def status(name: str) -> dict:
    path = job_dir(name) / "status.json"
    return json.loads(path.read_text()) if path.exists() else {}


def write_status(name: str, value: dict) -> None:
    tmp = job_dir(name) / "status.json.tmp"
    tmp.write_text(json.dumps(value))
    tmp.replace(job_dir(name) / "status.json")


def apply() -> int:
    docs = [d for d in yaml.safe_load_all(sys.stdin.read()) if d is not None]
    known = objects()
    for doc in docs:
        known = [k for k in known if (k["kind"], k["metadata"]["name"]) !=
                 (doc["kind"], doc["metadata"]["name"])] + [doc]
        print(f"{doc['kind'].lower()}/{doc['metadata']['name']} created")
    (STATE / "objects.json").write_text(json.dumps(known))
    for doc in docs:
        if doc["kind"] == "Job":
            job_dir(doc["metadata"]["name"]).mkdir(parents=True, exist_ok=True)
            write_status(doc["metadata"]["name"], {"conditions": [], "pods": {}})
            # The Job controller: a process of its own, so that this kubectl returns at once.
            subprocess.Popen([sys.executable, __file__, "__run_job", doc["metadata"]["name"]],
                             start_new_session=True, stdout=subprocess.DEVNULL,
                             stderr=open(job_dir(doc["metadata"]["name"]) / "controller.log", "w"))
    return 0


def run_job(name: str) -> None:
    """Runs every pod of the Job at once and judges it as the Job controller would."""
    job = next(d for d in objects() if d["kind"] == "Job" and d["metadata"]["name"] == name)
    spec = job["spec"]
    indexed = spec.get("completionMode") == "Indexed"
    count = spec.get("completions", 1) if indexed else 1
    pod = contract.Pod(job, objects(), STATE / "cluster", STATE / "bin")
    processes = {}
    for index in range(count):
        extra = {"JOB_COMPLETION_INDEX": str(index)} if indexed else {}
        processes[index] = pod.start(extra, job_dir(name) / f"pod-{index}.log")
    codes: dict[int, int] = {}
    container = spec["template"]["spec"]["containers"][0]["name"]
    deadline = time.monotonic() + POD_TIMEOUT_S
    reason = ""
    while len(codes) < len(processes) and time.monotonic() < deadline and not reason:
        for index, process in processes.items():
            if index not in codes and process.poll() is not None:
                codes[index] = process.returncode
                if process.returncode != 0 and \
                        contract.policy_action(job, container, process.returncode) == "FailJob":
                    reason = "PodFailurePolicy"
        time.sleep(0.1)
    for index, process in processes.items():  # FailJob or the deadline: the rest are stopped
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            codes[index] = process.wait(timeout=30)
    failed = {i for i, c in codes.items() if c != 0}
    if reason:
        condition = {"type": "Failed", "reason": reason}
    elif not failed:
        condition = {"type": "Complete", "reason": ""}
    elif indexed and "backoffLimitPerIndex" in spec:
        condition = {"type": "Failed", "reason": "FailedIndexes"}
    else:
        condition = {"type": "Failed", "reason": "BackoffLimitExceeded"}
    write_status(name, {"conditions": [condition], "pods": {str(i): c for i, c in codes.items()},
                        "indexed": indexed})


def condition(name: str) -> dict:
    conditions = status(name).get("conditions", [])
    return conditions[0] if conditions else {}


def main(argv: list[str]) -> int:
    if argv[:1] == ["__run_job"]:
        try:
            run_job(argv[1])
        except Exception:  # a broken replay must end the Job, not leave run.sh waiting
            write_status(argv[1], {"conditions": [{"type": "Failed", "reason": "FakeController"}],
                                   "pods": {}})
            raise
        return 0
    if argv[:1] == ["--namespace"]:
        argv = argv[2:]
    verb, rest = argv[0], argv[1:]
    if verb == "apply" and rest == ["-f", "-"]:
        return apply()
    if verb == "wait":
        wanted = next(a for a in rest if a.startswith("--for=")).split("=", 2)[2]
        target = next(a for a in rest if "/" in a and not a.startswith("--"))
        timeout = float(next(a for a in rest if a.startswith("--timeout=")).split("=")[1][:-1])
        kind, name = target.split("/")
        if kind == "pod" and wanted == "Ready":
            return 0 if any(d["kind"] == "Pod" and d["metadata"]["name"] == name
                            for d in objects()) else 1
        if kind == "job" and wanted == "complete":
            end = time.monotonic() + timeout
            while time.monotonic() < end:
                state = condition(name).get("type")
                if state == "Complete":
                    print(f"job.batch/{name} condition met")
                    return 0
                if state == "Failed":
                    break  # kubectl would wait out its timeout; run.sh looks for Failed next
                time.sleep(0.2)
            print(f"error: timed out waiting for the condition on jobs/{name}", file=sys.stderr)
            return 1
    if verb == "get" and rest[0].startswith("job/") and "Failed" in " ".join(rest):
        c = condition(rest[0].split("/")[1])
        print(f"True {c['reason']}" if c.get("type") == "Failed" else " ", end="")
        return 0
    if verb == "get" and rest[:2] == ["pods", "-l"] and rest[2].startswith("job-name="):
        s = status(rest[2].split("=", 1)[1])
        for index, code in sorted(s.get("pods", {}).items(), key=lambda p: int(p[0])):
            print(f"{index if s.get('indexed') else ''} {code}")
        return 0
    if verb == "logs" and rest[0].startswith("job/"):
        log = job_dir(rest[0].split("/")[1]) / "pod-0.log"
        print(log.read_text() if log.exists() else "", end="")
        return 0
    if verb == "cp" and len(rest) == 2 and rest[0].endswith(":/reports"):
        pod = next(d for d in objects() if d["kind"] == "Pod" and
                   d["metadata"]["name"] == rest[0].split(":")[0])
        claim = pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"]
        shutil.copytree(STATE / "cluster" / "volumes" / claim, rest[1])
        return 0
    if verb == "delete":
        return 0
    print(f"fake kubectl: not a command run.sh is known to use: {argv}", file=sys.stderr)
    return 99


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
