#!/usr/bin/env python3
"""The Kubernetes manifests of ci/k8s keep their contract, proved on one machine without a cluster.

    k8s_contract_test.py --gauntlet BIN --broker-profile PROFILE --scenario SCENARIO --out DIR

1. `ci/k8s/run.sh render` writes the manifests for N shards (the same renderer `run.sh run`
   applies), and they are read with PyYAML.
2. Their structure: the shards' Job is Indexed with completions == parallelism == N, and N reaches
   the pods as the SHARDS of `--shard I/N`; one PUBLISH_AT and one SEED for every pod (one pod
   template); restartPolicy Never; the podFailurePolicy, evaluated rule by rule as the Job
   controller does, fails the Job at once on exit 2 and fails only the index, without a retry, on
   exit 1 and 3; the volumes name ConfigMaps and a ReadWriteMany claim that the render contains,
   and the merge Job reads that same claim. Negative controls: broken copies of the manifests must
   each fail these checks.
3. The replay: the shards' container command, args and env, exactly as written (with the kubelet's
   $(VAR) expansion), run for every completion index 0..N-1 at once with JOB_COMPLETION_INDEX set,
   `gauntlet` on PATH, the ConfigMaps written where their volumes mount and the claim a temporary
   directory; the profile in the ConfigMap points at the test broker. Then the merge Job's command.
4. The merged report accounts for every message exactly: N shards, each with its index, N and the
   seed; published is the sum of the shards'; delivered == expected for each QoS; no loss, no
   duplicate; every shard began publishing at PUBLISH_AT; the report validates against the schema.
   N = 4 splits the 4 dashboards evenly, so each shard's own account balances too and every
   shard must exit 0.
5. `run.sh run` itself, with fake_kubectl.py standing in for kubectl (run_sh_flow below).
Exit status 0 when everything holds, 1 otherwise (each failure printed).
"""
from __future__ import annotations

import argparse
import copy
import datetime
import json
import os
import pathlib
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time

import jsonschema
import yaml

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent.parent
RUN_SH = ROOT / "ci" / "k8s" / "run.sh"
SCHEMA = ROOT / "reports" / "schema" / "report.schema.json"
SHARDS = 4
SEED = 7
IMAGE = "registry.example/gauntlet:contract-test"
# The scenario (scenarios/examples/load/fanout-qos1.json): 20 sensors at 5/s for 4 s, each
# message owed to 4 dashboards.
PUBLISHED = 400
FAN_OUT = 4


def kubelet_expand(text: str, env: dict[str, str]) -> str:
    """$(VAR) references in a container's command, args and env values, as the kubelet expands
    them (k8s.io/kubernetes third_party/forked/golang/expansion): $$ is a literal $, a reference
    to an undefined variable or an unclosed one stays as written."""
    out, i = [], 0
    while i < len(text):
        if text[i] != "$" or i + 1 >= len(text):
            out.append(text[i])
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == "$":
            out.append("$")
            i += 2
        elif nxt == "(":
            close = text.find(")", i + 2)
            if close < 0:
                out.append("$(")
                i += 2
                continue
            name = text[i + 2:close]
            out.append(env[name] if name in env else f"$({name})")
            i = close + 1
        else:
            out.append("$" + nxt)
            i += 2
    return "".join(out)


# --- the manifests -----------------------------------------------------------------------------

def render(scenario: pathlib.Path, profile: pathlib.Path, publish_at: str, out: pathlib.Path) -> list:
    env = dict(os.environ, GAUNTLET_IMAGE=IMAGE, GAUNTLET_SHARDS=str(SHARDS),
               GAUNTLET_SEED=str(SEED), GAUNTLET_PUBLISH_AT=publish_at, GAUNTLET_RUN="contract")
    text = subprocess.run(["bash", str(RUN_SH), "render", str(scenario), str(profile)], env=env,
                          check=True, capture_output=True, text=True, timeout=60).stdout
    (out / "rendered.yaml").write_text(text)
    return [d for d in yaml.safe_load_all(text) if d is not None]


def find(docs: list, kind: str, name: str | None = None) -> list:
    return [d for d in docs if d.get("kind") == kind and
            (name is None or d.get("metadata", {}).get("name") == name)]


def shard_and_merge_jobs(docs: list) -> tuple[dict | None, dict | None]:
    jobs = find(docs, "Job")
    indexed = [j for j in jobs if j["spec"].get("completionMode") == "Indexed"]
    others = [j for j in jobs if j["spec"].get("completionMode") != "Indexed"]
    return (indexed[0] if len(indexed) == 1 else None), (others[0] if len(others) == 1 else None)


def env_of(container: dict) -> dict[str, str]:
    env: dict[str, str] = {}
    for item in container.get("env", []):
        if "value" not in item:
            raise ValueError(f"env {item.get('name')}: only plain values can be replayed: {item}")
        env[item["name"]] = kubelet_expand(str(item["value"]), env)
    return env


def policy_action(job: dict, container: str, code: int) -> str:
    """What the Job controller does when `container` exits with `code`: the action of the first
    podFailurePolicy rule that matches (rules on pod conditions do not match an exit code), or
    "Count" (a failure counted against the backoff limits) when none does."""
    for rule in job["spec"].get("podFailurePolicy", {}).get("rules", []):
        codes = rule.get("onExitCodes")
        if not codes or codes.get("containerName", container) != container:
            continue
        listed = code in codes.get("values", [])
        if (codes.get("operator") == "In") == listed:
            return rule["action"]
    return "Count"


def retried(job: dict, container: str, code: int) -> bool:
    action = policy_action(job, container, code)
    if action in ("FailJob", "FailIndex"):
        return False
    if action == "Ignore":
        return True  # not counted, and the pod is replaced
    spec = job["spec"]
    limit = spec.get("backoffLimitPerIndex", spec.get("backoffLimit", 6))
    return limit > 0


def check_manifests(docs: list, publish_at: str) -> list[str]:
    failures: list[str] = []

    def check(ok: bool, what: str) -> None:
        if not ok:
            failures.append(what)

    shards_job, merge_job = shard_and_merge_jobs(docs)
    check(shards_job is not None, "no single Indexed Job (completionMode: Indexed)")
    check(merge_job is not None, "no single merge Job beside the Indexed one")
    if shards_job is None or merge_job is None:
        return failures
    spec = shards_job["spec"]
    check(spec.get("completions") == SHARDS and spec.get("parallelism") == SHARDS,
          f"completions {spec.get('completions')} and parallelism {spec.get('parallelism')} "
          f"are not both {SHARDS}")
    pod = spec["template"]["spec"]
    check(pod.get("restartPolicy") == "Never", "the shards' pods must not restart in place")
    containers = pod.get("containers", [])
    check(len(containers) == 1, f"{len(containers)} containers in a shard's pod, expected 1")
    if not containers:
        return failures
    container = containers[0]
    name = container["name"]
    try:
        env = env_of(container)
    except ValueError as error:
        return failures + [str(error)]
    check(env.get("SHARDS") == str(spec.get("completions")),
          f"SHARDS={env.get('SHARDS')!r} in the pods, completions {spec.get('completions')}")
    check(env.get("PUBLISH_AT") == publish_at,
          f"PUBLISH_AT={env.get('PUBLISH_AT')!r}, rendered with {publish_at}")
    check(env.get("SEED") == str(SEED), f"SEED={env.get('SEED')!r}, rendered with {SEED}")
    # The words of the pod's shell script, as sh splits them (quotes removed, $ kept).
    words = shlex.split(" ".join(container.get("command", [])[2:] + container.get("args", [])))
    for flag, needed in (("--shard", (r"JOB_COMPLETION_INDEX\b.*/\$\{?SHARDS\b",)),
                         ("--publish-at", (r"^\$\{?PUBLISH_AT\b",)), ("--seed", (r"^\$\{?SEED\b",)),
                         ("--report-dir", (r"\$\{?JOB_COMPLETION_INDEX\b",))):
        value = words[words.index(flag) + 1] if flag in words[:-1] else ""
        check(all(re.search(pattern, value) for pattern in needed),
              f"the pods' command gives {flag} {value!r}: {' '.join(words)}")

    check(policy_action(shards_job, name, 2) == "FailJob",
          f"exit 2 (bad input) -> {policy_action(shards_job, name, 2)}, not FailJob")
    for code in (1, 3):
        check(policy_action(shards_job, name, code) == "FailIndex" and
              not retried(shards_job, name, code),
              f"exit {code} -> {policy_action(shards_job, name, code)}: it must fail only its "
              "index, without a retry, and leave the other shards running")
    check(not retried(shards_job, name, 137), "a killed shard (137) would run a second time")

    for job in (shards_job, merge_job):
        for c in job["spec"]["template"]["spec"]["containers"]:
            check(c.get("image") == IMAGE, f"{job['metadata']['name']}: image {c.get('image')}")
    claims = {}
    for job in (shards_job, merge_job):
        for volume in job["spec"]["template"]["spec"].get("volumes", []):
            if "persistentVolumeClaim" in volume:
                claims[job["metadata"]["name"]] = volume["persistentVolumeClaim"]["claimName"]
            elif "configMap" in volume:
                maps = find(docs, "ConfigMap", volume["configMap"]["name"])
                check(len(maps) == 1, f"ConfigMap {volume['configMap']['name']} not rendered")
                for item in volume["configMap"].get("items", []):
                    check(bool(maps) and item["key"] in maps[0].get("data", {}),
                          f"ConfigMap {volume['configMap']['name']} has no key {item['key']}")
    check(len(set(claims.values())) == 1 and len(claims) == 2,
          f"the shards and the merge do not share one claim: {claims}")
    pvcs = find(docs, "PersistentVolumeClaim", next(iter(claims.values()), None))
    check(len(pvcs) == 1 and pvcs[0]["spec"].get("accessModes") == ["ReadWriteMany"],
          f"the reports claim is not rendered as ReadWriteMany: {pvcs}")
    return failures


def negative_controls(docs: list, publish_at: str) -> list[str]:
    """Broken copies of the manifests, each of which check_manifests must reject."""
    def shards(d: list) -> dict:
        return shard_and_merge_jobs(d)[0]

    def rules(d: list) -> list:
        return shards(d)["spec"]["podFailurePolicy"]["rules"]

    def env(d: list) -> list:
        return shards(d)["spec"]["template"]["spec"]["containers"][0]["env"]

    breakages = {
        "parallelism below completions": lambda d: shards(d)["spec"].update(parallelism=SHARDS - 1),
        "not Indexed": lambda d: shards(d)["spec"].update(completionMode="NonIndexed"),
        "no FailJob rule for exit 2": lambda d: rules(d).pop(0),
        "exit 1 counted and retried": lambda d: (rules(d)[1].update(action="Count"),
                                                 shards(d)["spec"].update(backoffLimitPerIndex=2)),
        "exit 1 ignored (retried)": lambda d: rules(d).insert(0, {
            "action": "Ignore", "onExitCodes": {"operator": "In", "values": [1]}}),
        "SHARDS unlike completions": lambda d: env(d)[0].update(value=str(SHARDS + 1)),
        "another PUBLISH_AT": lambda d: env(d)[1].update(value="2030-01-01T00:00:00Z"),
        "merge reads another claim": lambda d: shard_and_merge_jobs(d)[1]["spec"]["template"][
            "spec"]["volumes"][0]["persistentVolumeClaim"].update(claimName="elsewhere"),
    }
    problems = []
    for what, breakage in breakages.items():
        broken = copy.deepcopy(docs)
        breakage(broken)
        caught = check_manifests(broken, publish_at)
        print(f"negative control '{what}': {caught[:1]}")
        if not caught:
            problems.append(f"negative control '{what}' passed the manifest checks")
    return problems


# --- the replay --------------------------------------------------------------------------------

class Pod:
    """One container of a Job's pod template, run here: its volumes are directories under `root`
    (a claim: volumes/CLAIM, shared by every pod that mounts it; a ConfigMap: its items written
    under the mount path), its command and args with the mount paths mapped to them."""

    def __init__(self, job: dict, docs: list, root: pathlib.Path, bin_dir: pathlib.Path) -> None:
        spec = job["spec"]["template"]["spec"]
        self.container = spec["containers"][0]
        self.root, self.bin_dir = root, bin_dir
        self.mounts: list[tuple[str, pathlib.Path]] = []
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for mount in self.container.get("volumeMounts", []):
            volume = volumes[mount["name"]]
            if "persistentVolumeClaim" in volume:
                local = root / "volumes" / volume["persistentVolumeClaim"]["claimName"]
            elif "configMap" in volume:
                local = root / "configmaps" / job["metadata"]["name"] / mount["name"]
                data = find(docs, "ConfigMap", volume["configMap"]["name"])[0]["data"]
                for item in volume["configMap"]["items"]:
                    target = local / item["path"]
                    target.parent.mkdir(parents=True, exist_ok=True)
                    target.write_text(data[item["key"]])
            else:
                raise ValueError(f"volume {mount['name']}: only claims and ConfigMaps are replayed")
            local.mkdir(parents=True, exist_ok=True)
            self.mounts.append((mount["mountPath"].rstrip("/"), local))

    def mapped(self, text: str) -> str:
        for mount, local in self.mounts:
            # The mount path as a path's first components only: /reports, /reports/x, "/reports".
            text = re.sub(r"(?<![\w./-])" + re.escape(mount) + r"(?=/|\"|'|\s|$)", str(local), text)
        return text

    def start(self, extra_env: dict[str, str], log: pathlib.Path) -> subprocess.Popen:
        env = env_of(self.container)
        env.update(extra_env)  # JOB_COMPLETION_INDEX: the Job controller adds it to every pod
        argv = [self.mapped(kubelet_expand(a, env))
                for a in self.container.get("command", []) + self.container.get("args", [])]
        env.update(PATH=f"{self.bin_dir}:/usr/bin:/bin", HOME=str(self.root), LC_ALL="C.UTF-8")
        with log.open("w") as out:
            out.write("argv: " + json.dumps(argv) + "\n")
            out.flush()
            return subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)


def wait_all(processes: dict[str, subprocess.Popen], timeout_s: float) -> dict[str, int | None]:
    deadline = time.monotonic() + timeout_s
    codes: dict[str, int | None] = {}
    for name, process in processes.items():
        try:
            codes[name] = process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # its own session: only what we started
            process.wait(timeout=10)
            codes[name] = None
    return codes


def parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_reports(volume: pathlib.Path, publish_at: str) -> list[str]:
    failures: list[str] = []

    def check(ok: bool, what: str) -> bool:
        if not ok:
            failures.append(what)
        return ok

    schema = json.loads(SCHEMA.read_text())
    merged = json.loads((volume / "merged" / "report.json").read_text())
    jsonschema.validate(merged, schema)
    m = merged["metrics"]
    shard_reports = {}
    for index in range(SHARDS):
        path = volume / f"shard-{index}" / "report.json"
        if check(path.exists(), f"no report from completion index {index} at {path}"):
            shard_reports[index] = json.loads(path.read_text())
    start = parse_time(publish_at)
    for index, report in shard_reports.items():
        jsonschema.validate(report, schema)
        shards = report["metrics"]["shards"]
        check(shards == [{"index": index, "count": SHARDS, "seed": SEED, "complete": True}],
              f"completion index {index} ran as {shards}, not shard {index + 1}/{SHARDS}")
        check(report.get("seed") == SEED, f"shard {index}: seed {report.get('seed')}")
        # Second 0 of the series begins with the shard's first connection (within a moment of
        # started_at): its first publishing second must hold PUBLISH_AT.
        series = report["metrics"]["series"]
        first = next((s["second"] for s in series if s["published"] > 0), None)
        if check(first is not None, f"shard {index} published nothing"):
            began = parse_time(report["started_at"]) + datetime.timedelta(seconds=first)
            offset = (start - began).total_seconds()
            check(-0.5 <= offset <= 1.5, f"shard {index} began publishing in the second from "
                                         f"{began.isoformat()}, PUBLISH_AT is {publish_at}")

    check(merged["complete"] is True, f"the merged report is incomplete: {m.get('notes')}")
    check(sorted(s["index"] for s in m["shards"]) == list(range(SHARDS)),
          f"merged shards: {m['shards']}")
    check(all(s["count"] == SHARDS and s["seed"] == SEED and s["complete"] for s in m["shards"]),
          f"merged shards: {m['shards']}")
    if len(shard_reports) == SHARDS:
        for key in ("published", "delivered", "expected"):
            total = sum(r["metrics"][key] for r in shard_reports.values())
            check(m[key] == total, f"merged {key} {m[key]}, the shards' sum {total}")
    check(m["published"] == PUBLISHED, f"published {m['published']}, the scenario makes {PUBLISHED}")
    check(m["expected"] == PUBLISHED * FAN_OUT,
          f"expected {m['expected']}, {PUBLISHED} messages x {FAN_OUT} dashboards")
    for qos, counts in m["by_qos"].items():
        check(counts["delivered"] == counts["expected"],
              f"QoS {qos}: {counts['delivered']} of {counts['expected']} delivered")
    check(m["lost"] == 0 and m["duplicated"] == 0,
          f"lost {m['lost']}, duplicated {m['duplicated']}")
    verdicts = {c["id"]: c["verdict"] for c in merged["cases"]}
    check(all(v in ("pass", "skip") for v in verdicts.values()), f"merged cases: {verdicts}")
    print(f"merged: {len(m['shards'])} shards, {m['published']} published, {m['delivered']} of "
          f"{m['expected']} owed copies delivered, cases {verdicts}")
    return failures


def pods_profile(broker_profile: pathlib.Path, out: pathlib.Path) -> pathlib.Path:
    """A profile as one would put into the ConfigMap for a broker in the cluster
    (ci/k8s/profile.example.json), pointing at the test broker: its plain endpoint only, so it
    needs no files beside it (the test broker's TLS material stays out)."""
    source = json.loads(broker_profile.read_text())
    profile = {"name": source["name"], "version": source.get("version", "unknown"),
               "endpoints": {"plain": source["endpoints"]["plain"]},
               "capabilities": source.get("capabilities", {})}
    path = out / "profile.json"
    path.write_text(json.dumps(profile, indent=2) + "\n")
    return path


def run_sh_flow(scenario: pathlib.Path, profile: pathlib.Path, gauntlet: pathlib.Path,
                out: pathlib.Path) -> list[str]:
    """`run.sh run` end to end, with fake_kubectl.py as kubectl (it runs the Jobs here):
    three shards of the four dashboards, an uneven split, so two shards' own accounts show copies
    owed to the others' subscribers as lost and exit 1 (FailIndex) while the merged run passes:
    run.sh must merge anyway and exit with the merge's 0; and a scenario every shard rejects
    (exit 2): the FailJob rule stops the Job, run.sh exits 2 and merges nothing."""
    failures: list[str] = []
    state = out / "fake-kube"
    (state / "bin").mkdir(parents=True)
    (state / "bin" / "gauntlet").symlink_to(gauntlet.resolve())
    shim = state / "bin" / "kubectl"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{HERE / "fake_kubectl.py"}" "$@"\n')
    shim.chmod(0o755)
    env = dict(os.environ, PATH=f"{state / 'bin'}:{os.environ['PATH']}", FAKE_KUBE_DIR=str(state),
               GAUNTLET_IMAGE=IMAGE, GAUNTLET_SHARDS="3", GAUNTLET_SEED="3", GAUNTLET_LEAD_S="6",
               GAUNTLET_DEADLINE_S="300")

    def run_sh(*argv: str, run: str, timeout_s: float) -> subprocess.CompletedProcess:
        # Its own session: on a timeout, run.sh and everything it started (its subshells, the
        # fake kubectl) is stopped by the session's group id.
        process = subprocess.Popen(["bash", str(RUN_SH), *argv], env=dict(env, GAUNTLET_RUN=run),
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   start_new_session=True)
        try:
            stdout, stderr = process.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            stdout, stderr = process.communicate(timeout=10)
            stderr += f"\n(killed after {timeout_s} s)"
        return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)

    reports = out / "run-sh-reports"
    uneven = run_sh("run", str(scenario), str(profile), str(reports), run="uneven", timeout_s=120)
    (out / "run-sh-uneven.log").write_text(uneven.stdout + uneven.stderr)
    print("run.sh run, 3 shards:", uneven.returncode, "|",
          " ".join(line.strip() for line in uneven.stdout.splitlines() if "shard index" in line))
    if uneven.returncode != 0:
        failures.append(f"run.sh run (3 shards) exited {uneven.returncode}: "
                        f"{out / 'run-sh-uneven.log'}")
    else:
        merged = json.loads((reports / "merged" / "report.json").read_text())
        m = merged["metrics"]
        if not (merged["complete"] and len(m["shards"]) == 3 and m["published"] == PUBLISHED and
                m["delivered"] == m["expected"] == PUBLISHED * FAN_OUT):
            failures.append(f"run.sh's merged report does not account: complete "
                            f"{merged['complete']}, {len(m['shards'])} shards, published "
                            f"{m['published']}, delivered {m['delivered']} of {m['expected']}")
        for index in range(3):
            if not (reports / f"shard-{index}" / "report.html").exists():
                failures.append(f"run.sh did not copy out shard-{index}")

    bad = out / "bad-scenario.json"
    scenario_json = json.loads(scenario.read_text())
    scenario_json["load"]["duration_s"] = "four"  # wrong-type: gauntlet exits 2
    bad.write_text(json.dumps(scenario_json))
    rejected = run_sh("run", str(bad), str(profile), str(out / "run-sh-bad"), run="bad",
                      timeout_s=45)
    (out / "run-sh-bad.log").write_text(rejected.stdout + rejected.stderr)
    print("run.sh run, a bad scenario:", rejected.returncode)
    if rejected.returncode != 2 or "nothing to merge" not in rejected.stderr or \
            (state / "jobs" / "gauntlet-merge-bad").exists():
        failures.append(f"run.sh with a bad scenario exited {rejected.returncode}, not 2 without "
                        f"a merge: {out / 'run-sh-bad.log'}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gauntlet", required=True, type=pathlib.Path)
    parser.add_argument("--broker-profile", required=True, type=pathlib.Path)
    parser.add_argument("--scenario", required=True, type=pathlib.Path)
    parser.add_argument("--out", required=True, type=pathlib.Path)
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    bin_dir = args.out / "bin"
    bin_dir.mkdir()
    (bin_dir / "gauntlet").symlink_to(args.gauntlet.resolve())

    # Late enough for every shard to connect first (a few clients each, on loopback).
    at = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + \
        datetime.timedelta(seconds=6)
    publish_at = at.strftime("%Y-%m-%dT%H:%M:%SZ")
    docs = render(args.scenario, pods_profile(args.broker_profile, args.out), publish_at, args.out)
    failures = check_manifests(docs, publish_at)
    failures += negative_controls(docs, publish_at)
    if failures:
        for failure in failures:
            print("FAIL:", failure)
        return 1

    shards_job, merge_job = shard_and_merge_jobs(docs)
    root = args.out / "cluster"
    processes = {}
    pod = Pod(shards_job, docs, root, bin_dir)  # one pod template: its volumes are set up once
    for index in range(SHARDS):
        processes[f"index {index}"] = pod.start({"JOB_COMPLETION_INDEX": str(index)},
                                                args.out / f"shard-{index}.log")
    codes = wait_all(processes, 90)
    print("shards' exit codes:", codes)
    for name, code in codes.items():
        if code != 0:
            failures.append(f"completion {name} exited {code} "
                            f"(log: {args.out / ('shard-' + name.split()[-1] + '.log')})")
    if not failures:
        merge = Pod(merge_job, docs, root, bin_dir).start({}, args.out / "merge.log")
        code = wait_all({"merge": merge}, 30)["merge"]
        print("merge exit code:", code)
        if code != 0:
            failures.append(f"the merge Job's command exited {code} (log: {args.out / 'merge.log'})")
    if not failures:
        claim = next(v["persistentVolumeClaim"]["claimName"]
                     for v in shards_job["spec"]["template"]["spec"]["volumes"]
                     if "persistentVolumeClaim" in v)
        failures += check_reports(root / "volumes" / claim, publish_at)
    if not failures:
        failures += run_sh_flow(args.scenario, args.out / "profile.json", args.gauntlet, args.out)

    for failure in failures:
        print("FAIL:", failure)
    print("k8s_contract_test:", "FAILED" if failures else "all checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
