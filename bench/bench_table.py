#!/usr/bin/env python3
"""Turns Google Benchmark JSON output (--benchmark_out=FILE --benchmark_out_format=json, run with
--benchmark_repetitions=5 --benchmark_report_aggregates_only=true) into the Markdown table of
docs/performance.md: the median of each benchmark, with its throughput counters.

    python3 bench/bench_table.py results.json
"""
import json
import sys


def si(value, unit):
    for factor, prefix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if value >= factor:
            return f"{value / factor:.3g} {prefix}{unit}"
    return f"{value:.3g} {unit}"


def ns(seconds_or_ns, unit):
    scale = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9}[unit]
    return seconds_or_ns * scale


def main(path):
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    rows = []
    cvs = {}
    for b in data["benchmarks"]:
        if b.get("aggregate_name") == "cv":
            cvs[b["run_name"]] = b["cpu_time"]
    for b in data["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        name = b["run_name"].removeprefix("BM_")
        cpu = ns(b["cpu_time"], b["time_unit"])
        throughput = []
        if "time/packet" in b:
            throughput.append(f"**{b['time/packet'] * 1e9:.1f} ns/packet**")
        if "items_per_second" in b:
            throughput.append(si(b["items_per_second"], "items/s"))
        if "bytes_per_second" in b:
            throughput.append(si(b["bytes_per_second"], "B/s"))
        cv = cvs.get(b["run_name"])
        spread = f"{cv * 100:.1f}%" if cv is not None else ""
        rows.append((name, f"{cpu:,.1f}", " · ".join(throughput), spread))
    print("| benchmark | CPU time (ns, median) | throughput (median) | CV of 5 |")
    print("|---|---:|---|---:|")
    for name, cpu, throughput, spread in rows:
        print(f"| `{name}` | {cpu} | {throughput} | {spread} |")


if __name__ == "__main__":
    main(sys.argv[1])
