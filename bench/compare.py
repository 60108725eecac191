#!/usr/bin/env python3
"""Check that kpi and DuckDB give the same values (relative difference at most 1e-9).

Usage:
    python bench/compare.py run KPI_RUN.csv DUCKDB.csv       # `kpi run --format csv` output
    python bench/compare.py json KPI_RUN.json DUCKDB.csv     # `kpi run --format json` output
    python bench/compare.py archive ARCHIVE_DIR DUCKDB.csv [FROM]   # after `kpi backfill`
    python bench/compare.py baseline NAME KPI_RUN.json PLAIN_RUN.csv

`run`: every value and previous_value of kpi's output must equal DuckDB's for its KPI, period
and breakdown. `json`: the same for every value and every baseline's value in `comparisons`.
`archive`: every value recorded in ARCHIVE_DIR/<kpi>.csv must equal DuckDB's, and every (KPI,
month, breakdown) DuckDB computed must have been recorded (from the month FROM on, when given:
the months before are baselines, computed but not recorded). `baseline`: the value of the
baseline NAME of every result must be bit for bit the value a plain run of that period gave.
Exit 1 on any difference.
"""
import csv
import json
import os
import sys

KPIS = ["n_opps", "n_won", "win_rate", "won_amount", "avg_days_to_win", "n_accounts",
        "median_amount", "nps"]


def num(s):
    return None if s == "" else float(s)


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def dims_label(dimensions):
    """`{"region": "EMEA"}` -> `region=EMEA`, the label of the CSV outputs ("" for overall)."""
    return ",".join(f"{k}={v}" for k, v in dimensions.items())


def read_csv_values(path):
    return {(r["kpi"], r["period"], r["dimensions"]): num(r["value"])
            for r in csv.DictReader(open(path, newline="", encoding="utf-8"))}


def read_run_csv(path):
    got = {}
    for r in csv.DictReader(open(path, newline="", encoding="utf-8")):
        got[(r["kpi"], r["period"], r["dimensions"])] = num(r["value"])
        if r["previous_period"]:
            got[(r["kpi"], r["previous_period"], r["dimensions"])] = num(r["previous_value"])
    return got


def read_run_json(path, baseline=None):
    """Values by (kpi, period, breakdown): each result's, and its baselines' (only the baseline
    named `baseline` when given, and then not the results' own values)."""
    got = {}
    for r in json.load(open(path, encoding="utf-8"))["results"]:
        dims = dims_label(r["dimensions"])
        if baseline is None:
            got[(r["kpi"], r["period"], dims)] = r["value"]
        for c in r["comparisons"]:
            if baseline is None or c["baseline"] == baseline:
                got[(r["kpi"], c["period"], dims)] = c["value"]
    return got


def read_archive(folder, kpis=KPIS):
    got = {}
    for k in kpis:
        got.update(read_csv_values(os.path.join(folder, k + ".csv")))
    return got


def baseline_check(name, ours, plain):
    """The baseline `name` of a run against a plain run of those periods: equal to the bit."""
    got, ref = read_run_json(ours, name), read_csv_values(plain)
    bad = [key for key, v in sorted(got.items()) if key not in ref or ref[key] != v]
    for key in bad[:10]:
        print(f"DIFF {key}: plain run={ref.get(key, 'MISSING')} {name}={got[key]}")
    print(f"{len(got)} {name} values compared with a plain run of their period, {len(bad)} differ")
    return 1 if bad or not got else 0


def main():
    mode = sys.argv[1]
    if mode == "baseline":
        return baseline_check(*sys.argv[2:5])
    ours, theirs = sys.argv[2], sys.argv[3]
    ref = read_csv_values(theirs)
    readers = {"run": read_run_csv, "json": read_run_json, "archive": read_archive}
    if mode not in readers:
        sys.exit("mode must be run, json, archive or baseline")
    if mode == "archive":
        got = read_archive(ours, sorted({k for k, _, _ in ref}))
    else:
        got = readers[mode](ours)
    bad = 0
    for key, v in sorted(got.items()):
        exp = ref.get(key, "MISSING")
        # A period or group without rows: DuckDB has no row for it, kpi a null value (or a
        # count of 0).
        if exp == "MISSING" and v in (None, 0.0):
            continue
        if exp == "MISSING" or not same(exp, v):
            bad += 1
            if bad <= 10:
                print(f"DIFF {key}: duckdb={exp} kpi={v}")
    if mode == "archive":
        first = sys.argv[4] if len(sys.argv) > 4 else ""
        for key in sorted(k for k in set(ref) - set(got) if k[1] >= first):
            bad += 1
            if bad <= 20:
                print(f"MISSING in kpi's archive: {key}")
    print(f"{len(got)} kpi values compared with DuckDB's ({len(ref)} computed), {bad} differ")
    return 1 if bad or not got else 0


if __name__ == "__main__":
    sys.exit(main())
