#!/usr/bin/env python3
"""netns_check.py MODE SCENARIO SCHEMA DELAY_MS MERGED SHARD... -- checks the reports of one
four-shard run of netns_test.sh.

MODE is "clean" or "impaired"; DELAY_MS is the one-way delay of every link in the impaired run.
What the run owes is computed from SCENARIO itself (every subscription there is "{prefix}/#" and
every topic lies under {prefix}/, so each message is owed one copy per subscriber, at
min(publish QoS, subscription QoS)), never written down here.

Both runs: every report validates against the report schema; the merged report holds the four
shards, each complete; published, expected and delivered are the sums of the shards'; every
planned message was published; expected equals the planned fan-out at each QoS (so the shards'
publishers counted each other's subscribers); QoS 1 and 2 copies all arrived, no QoS 2 copy twice;
no connection attempt failed.
clean: every copy at every QoS arrived exactly once, and the median latency stays below the two
link delays that the impaired run must show.
impaired: QoS 0 loss is reported (the dropped subscribers missed QoS 0 messages), the faults did
drop connections, and no acknowledgement or copy arrived sooner than the link delays it
crosses.
"""
import json
import sys

import jsonschema


def fail(message):
    print("netns_check: FAILED:", message)
    sys.exit(1)


def planned(scenario):
    """(messages published, copies owed by delivery QoS) for the whole run."""
    clients = scenario["clients"]
    groups = scenario["load"]["groups"]
    subscribers = []  # (clients, highest subscription QoS)
    for name, group in groups.items():
        if "subscribe" not in group:
            continue
        for subscription in group["subscribe"]:
            if subscription["filter"] != "{prefix}/#" or "share" in subscription:
                fail(f"{name}: the owed copies are computed for \"{{prefix}}/#\" filters only")
        qos = max(s.get("qos", 0) for s in group["subscribe"])
        subscribers.append((clients[name]["count"], qos))
    published = 0
    owed = [0, 0, 0]
    for name, group in groups.items():
        publish = group.get("publish")
        if publish is None:
            continue
        if not publish["topic"].startswith("{prefix}/") or not publish.get("messages"):
            fail(f"{name}: the plan needs topics under {{prefix}}/ and a \"messages\" count")
        messages = clients[name]["count"] * publish["messages"]
        published += messages
        for count, subscription_qos in subscribers:
            owed[min(publish.get("qos", 0), subscription_qos)] += messages * count
    return published, owed


def main():
    mode, scenario_path, schema_path, delay_ms = sys.argv[1:5]
    merged_path, shard_paths = sys.argv[5], sys.argv[6:]
    delay_ms = float(delay_ms)
    schema = json.load(open(schema_path))
    reports = {path: json.load(open(path)) for path in [merged_path, *shard_paths]}
    for path, report in reports.items():
        try:
            jsonschema.validate(report, schema)
        except jsonschema.ValidationError as error:
            fail(f"{path} does not match the report schema: {error.message}")
    merged = reports[merged_path]["metrics"]
    shards = [reports[p]["metrics"] for p in shard_paths]

    indexes = sorted(s["index"] for s in merged["shards"])
    if indexes != [0, 1, 2, 3] or not all(s["complete"] for s in merged["shards"]):
        fail(f"the merged report should hold 4 complete shards: {merged['shards']}")
    if not reports[merged_path].get("complete", True):
        fail(f"the merged report is incomplete: {merged['notes']}")
    for key in ("published", "expected", "delivered"):
        total = sum(s[key] for s in shards)
        if merged[key] != total:
            fail(f"merged {key} {merged[key]} is not the shards' sum {total}")

    published, owed = planned(json.load(open(scenario_path)))
    if merged["published"] != published:
        fail(f"{merged['published']} messages published, {published} planned "
             f"(behind schedule: {merged['publishing']['behind_schedule']})")
    by_qos = merged["by_qos"]
    for qos in range(3):
        counts = by_qos[str(qos)]
        print(f"netns_check: {mode}: QoS {qos}: expected {counts['expected']}, delivered "
              f"{counts['delivered']}, lost {counts['lost']}, duplicated {counts['duplicated']}, "
              f"out of order {counts['out_of_order']}")
        if counts["expected"] != owed[qos]:
            fail(f"QoS {qos}: {counts['expected']} copies expected, the scenario owes {owed[qos]}")
    for qos in ("1", "2"):
        if by_qos[qos]["delivered"] != by_qos[qos]["expected"] or by_qos[qos]["lost"] != 0:
            fail(f"QoS {qos}: {by_qos[qos]['delivered']} of {by_qos[qos]['expected']} delivered")
    if by_qos["2"]["duplicated"] != 0:
        fail(f"QoS 2: {by_qos['2']['duplicated']} duplicates")
    connections = merged["connections"]
    if connections["failed"] != 0 or connections["subscribe_failed"] != 0:
        fail(f"connections: {connections}")
    verdicts = {c["id"]: c["verdict"] for c in reports[merged_path]["cases"]}
    if verdicts.get("delivery-qos1-2") != "pass" or verdicts.get("duplicates-qos2") != "pass":
        fail(f"merged verdicts: {verdicts}")

    p50_ms = merged["latency_us"]["p50"] / 1000
    if mode == "clean":
        for qos in ("0", "1", "2"):
            counts = by_qos[qos]
            if counts["delivered"] != counts["expected"] or counts["duplicated"] != 0:
                fail(f"clean links, QoS {qos}: {counts['delivered']} of {counts['expected']} "
                     f"delivered, {counts['duplicated']} duplicates")
        # Below the floor that the impaired run must reach: the clean links carry no delay.
        if delay_ms > 0 and p50_ms >= 2 * delay_ms * 0.95:
            fail(f"clean links, yet the median latency is {p50_ms:.1f} ms")
    else:
        if by_qos["0"]["lost"] == 0 or merged["lost_qos0"] != by_qos["0"]["lost"]:
            fail(f"no QoS 0 loss reported (lost_qos0 {merged['lost_qos0']}, "
                 f"by_qos 0 {by_qos['0']}) although subscribers were dropped")
        if connections["dropped"] == 0:
            fail("no connection was dropped: the faults did not happen")
        # The fastest of each exchange against the links it crosses (2 % for timer granularity):
        # PUBLISH to PUBACK is one round trip over the publisher's link, PUBLISH to PUBCOMP two,
        # both timed by one process's monotonic clock. A copy crosses the publisher's link and
        # the subscriber's, usually in two shards: the stamp's clock (system time) must agree
        # across the processes of one machine (docs/swarm.md), so no copy may beat two delays.
        histograms = merged["histograms"]
        floors = (("PUBLISH to PUBACK", "ack_qos1", 2), ("PUBLISH to PUBCOMP", "ack_qos2", 4),
                  ("a copy, scheduled send to delivery", "end_to_end", 2))
        for label, name, delays in floors:
            fastest_ms = histograms[name].get("min", 0) / 1000
            if fastest_ms < delays * delay_ms * 0.98:
                fail(f"{label}: fastest {fastest_ms:.1f} ms, sooner than the "
                     f"{delays * delay_ms:.0f} ms of {delays} link delays")
    print(f"netns_check: {mode}: 4 shards, {merged['published']} published, "
          f"{merged['expected']} copies owed, {merged['delivered']} delivered, "
          f"QoS 0 lost {by_qos['0']['lost']}, latency min "
          f"{merged['histograms']['end_to_end'].get('min', 0) / 1000:.1f} ms, median "
          f"{p50_ms:.1f} ms, "
          f"{connections['dropped']} connections dropped")


if __name__ == "__main__":
    main()
