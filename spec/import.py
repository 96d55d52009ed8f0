#!/usr/bin/env python3
"""Writes the statement ids of MQTT 3.1.1 and 5.0 (id, section, binding party) from the shared
spec lists into this folder. The wording stays out on purpose: the project cites statements by id
and describes its checks in its own words (DESIGN.md §3a).

Usage: python3 spec/import.py [SHARED_SPEC_DIR]   (default: ../shared/spec beside the repo)
"""
import json
import pathlib
import sys

here = pathlib.Path(__file__).resolve().parent
source = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else here.parent.parent / "shared" / "spec"
for version, name in (("3.1.1", "mqtt-v3.1.1-normative.json"), ("5", "mqtt-v5.0-normative.json")):
    data = json.loads((source / name).read_text())
    rows = [{"id": s["id"], "section": s["section"], "applies_to": s["applies_to"]}
            for s in data["statements"]]
    out = {"spec": data["spec"], "protocol": version, "count": len(rows), "statements": rows}
    (here / f"statements-{version}.json").write_text(json.dumps(out, indent=1) + "\n")
    print(f"{version}: {len(rows)} statements")
