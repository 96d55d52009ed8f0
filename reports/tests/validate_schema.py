#!/usr/bin/env python3
"""Validates report.json files against reports/schema/report.schema.json (JSON Schema 2020-12).

usage: validate_schema.py SCHEMA REPORT.json|DIR...   (a DIR is searched for report.json files)

Besides the reports, it checks that the schema itself is valid and that it is not too loose: a few
broken copies of the first report (wrong schema id, unknown field, bad verdict, missing field), of
the first report with swarm metrics (an unknown field, another bucket layout, an unknown SLO...) and
of the first fuzz report with findings (an unknown finding kind, a generic finding in it, its
findings in a run report...) must each be rejected. Exit status 0 when all is as expected, 1
otherwise.
"""
import copy
import json
import pathlib
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate_schema.py: the Python module jsonschema is missing "
             "(Debian: apt-get install python3-jsonschema)")


def reports(arguments):
    for argument in arguments:
        path = pathlib.Path(argument)
        if path.is_dir():
            yield from sorted(path.rglob("report.json"))
        else:
            yield path


def broken_copies(report):
    """(what, document) pairs that the schema must reject."""
    def changed(what, edit):
        document = copy.deepcopy(report)
        edit(document)
        return what, document

    yield changed("wrong schema id", lambda d: d.update(schema="gauntlet.report/2"))
    yield changed("unknown top-level field", lambda d: d.update(surprise=1))
    yield changed("missing started_at", lambda d: d.pop("started_at"))
    yield changed("started_at not RFC 3339 UTC", lambda d: d.update(started_at="21/11/2026"))
    yield changed("negative duration", lambda d: d.update(duration_s=-1))
    yield changed("bad kind", lambda d: d.update(kind="bench"))
    yield changed("statements outside conformance empty",
                  lambda d: d.update(kind="run", statements={}))
    yield changed("statements keyed by id alone",
                  lambda d: d.update(statements={"MQTT-1.5.3-1": {"verdict": "pass", "cases": []}}))
    if report.get("cases"):
        yield changed("bad verdict", lambda d: d["cases"][0].update(verdict="maybe"))
        yield changed("missing case id", lambda d: d["cases"][0].pop("id"))
        yield changed("bad protocol", lambda d: d["cases"][0].update(protocol="4"))
        yield changed("empty optional array", lambda d: d["cases"][0].update(traces=[]))
        yield changed("bad statement id", lambda d: d["cases"][0].update(spec=["3.1.2-3"]))


def broken_metrics(report):
    """(what, document) pairs of a swarm report that the schema must reject."""
    def changed(what, edit):
        document = copy.deepcopy(report)
        edit(document["metrics"])
        return what, document

    yield changed("unknown metrics field", lambda m: m.update(surprise=1))
    yield changed("metrics without by_qos", lambda m: m.pop("by_qos"))
    yield changed("a QoS 3 class", lambda m: m["by_qos"].update({"3": m["by_qos"]["0"]}))
    yield changed("negative expected", lambda m: m["by_qos"]["1"].update(expected=-1))
    yield changed("another bucket layout",
                  lambda m: m["histograms"]["end_to_end"].update(sub_bucket_bits=5))
    yield changed("a bucket index out of range",
                  lambda m: m["histograms"]["connect"]["buckets"].append([2240, 1]))
    yield changed("an empty bucket listed",
                  lambda m: m["histograms"]["connect"]["buckets"].append([2000, 0]))
    yield changed("a histogram without its percentiles",
                  lambda m: m["histograms"]["end_to_end"].pop("p99"))
    yield changed("percentiles in a second's sparse histogram",
                  lambda m: m["series"][0]["histogram"].update(p50=1))
    yield changed("an unknown SLO", lambda m: m["slos"][0].update(name="p42_latency_ms"))
    yield changed("an SLO without a verdict", lambda m: m["slos"][0].pop("passed"))
    yield changed("a shard count of 0", lambda m: m["shards"][0].update(count=0))
    yield changed("empty notes", lambda m: m.update(notes=[]))
    yield changed("a shared sink at QoS 3",
                  lambda m: m.update(shared=[{"sink": "s", "delivery_qos": 3, "by_publisher": {}}]))


def broken_fuzz(report):
    """(what, document) pairs of a fuzz report with findings that the schema must reject."""
    def changed(what, edit):
        document = copy.deepcopy(report)
        edit(document)
        return what, document

    def fuzz(edit):
        return lambda d: edit(d["fuzz"])

    def finding(edit):
        return lambda d: edit(d["findings"][0])

    yield changed("unknown fuzz field", fuzz(lambda m: m.update(surprise=1)))
    yield changed("fuzz without series", fuzz(lambda m: m.pop("series")))
    yield changed("an unknown mode", fuzz(lambda m: m.update(mode="remote")))
    yield changed("an unknown stop reason", fuzz(lambda m: m.update(stop_reason="tired")))
    yield changed("an empty spawn command", fuzz(lambda m: m.update(spawn_command="")))
    yield changed("a negative rate", fuzz(lambda m: m.update(sequences_per_s=-1)))
    yield changed("an unknown sample field", fuzz(lambda m: m["series"][0].update(cpu=1)))
    yield changed("a negative broker RSS", fuzz(lambda m: m["series"][0].update(broker_rss_kib=-1)))
    yield changed("an empty shape", fuzz(lambda m: m["shapes"][0].update(shape="")))
    yield changed("a finding of an unknown kind", finding(lambda f: f.update(kind="oops")))
    yield changed("a finding without signature", finding(lambda f: f.pop("signature")))
    yield changed("an unknown finding field", finding(lambda f: f.update(surprise=1)))
    yield changed("a finding's bad statement id", finding(lambda f: f.update(statement="3.3.1-4")))
    yield changed("reproducer_verified null", finding(lambda f: f.update(reproducer_verified=None)))
    yield changed("replays beyond 32 bits", finding(lambda f: f.update(replays=2**32)))
    # The edits of `confirmed` need a finding of the right kind: any report may come here, not
    # only the samples (a fuzz run's first finding may be unconfirmed).
    confirmed = [i for i, f in enumerate(report["findings"]) if f["confirmed"]]
    if confirmed:
        yield changed("a reproduction not confirmed",
                      lambda d: d["findings"][confirmed[0]].update(confirmed=False))
    unconfirmed = [i for i, f in enumerate(report["findings"]) if not f["confirmed"]]
    if unconfirmed:
        yield changed("confirmed without a reproduction",
                      lambda d: d["findings"][unconfirmed[0]].update(confirmed=True))
    yield changed("a generic finding in a fuzz report",
                  lambda d: d["findings"].__setitem__(0, {"description": "x"}))
    yield changed("fuzz findings without the fuzz object", lambda d: d.pop("fuzz"))
    yield changed("a fuzz object in a run report",
                  lambda d: (d.update(kind="run"), d.pop("findings")))
    yield changed("fuzz findings in a run report", lambda d: (d.update(kind="run"), d.pop("fuzz")))


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 1
    schema = json.loads(pathlib.Path(argv[1]).read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    if validator_class is not jsonschema.Draft202012Validator:
        print(f"{argv[1]}: expected a draft 2020-12 schema", file=sys.stderr)
        return 1
    checker = getattr(validator_class, "FORMAT_CHECKER", None) or jsonschema.FormatChecker()
    validator = validator_class(schema, format_checker=checker)

    failed = False
    files = list(reports(argv[2:]))
    if not files:
        print("validate_schema.py: no report.json found", file=sys.stderr)
        return 1
    for path in files:
        document = json.loads(path.read_text(encoding="utf-8"))
        errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
        for error in errors:
            where = "/".join(str(p) for p in error.absolute_path) or "(root)"
            print(f"{path}: {where}: {error.message}", file=sys.stderr)
        failed = failed or bool(errors)
        print(f"{path}: {'INVALID' if errors else 'valid'}")

    documents = [json.loads(path.read_text(encoding="utf-8")) for path in files]
    broken = list(broken_copies(documents[0]))
    swarm = next((d for d in documents if "metrics" in d), None)
    if swarm is not None:
        broken += list(broken_metrics(swarm))
    fuzz = next((d for d in documents if d.get("kind") == "fuzz" and "findings" in d), None)
    if fuzz is not None:
        broken += list(broken_fuzz(fuzz))
    for what, document in broken:
        if validator.is_valid(document):
            print(f"schema too loose: accepts a report with {what}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
