#!/usr/bin/env python3
"""Check that kpi and DuckDB give the same values (relative difference at most 1e-9).

Usage:
    python bench/compare.py run KPI_RUN.csv DUCKDB.csv       # `kpi run --format csv` output
    python bench/compare.py archive ARCHIVE_DIR DUCKDB.csv   # after `kpi backfill`

`run`: every value and previous_value of kpi's output must equal DuckDB's for its KPI, period
and breakdown. `archive`: every value recorded in ARCHIVE_DIR/<kpi>.csv must equal DuckDB's, and
every (KPI, month, breakdown) DuckDB computed must have been recorded. Exit 1 on any difference.
"""
import csv
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


def main():
    mode, ours, theirs = sys.argv[1], sys.argv[2], sys.argv[3]
    ref = {}
    for r in csv.DictReader(open(theirs, newline="")):
        ref[(r["kpi"], r["period"], r["dimensions"])] = num(r["value"])
    got = {}
    if mode == "run":
        for r in csv.DictReader(open(ours, newline="", encoding="utf-8")):
            got[(r["kpi"], r["period"], r["dimensions"])] = num(r["value"])
            if r["previous_period"]:
                got[(r["kpi"], r["previous_period"], r["dimensions"])] = num(r["previous_value"])
    elif mode == "archive":
        for k in KPIS:
            for r in csv.DictReader(open(os.path.join(ours, k + ".csv"), newline="",
                                         encoding="utf-8")):
                got[(r["kpi"], r["period"], r["dimensions"])] = num(r["value"])
    else:
        sys.exit("mode must be run or archive")
    bad = 0
    for key, v in sorted(got.items()):
        exp = ref.get(key, "MISSING")
        if exp == "MISSING" or not same(exp, v):
            bad += 1
            if bad <= 10:
                print(f"DIFF {key}: duckdb={exp} kpi={v}")
    if mode == "archive":
        for key in sorted(set(ref) - set(got)):
            bad += 1
            if bad <= 20:
                print(f"MISSING in kpi's archive: {key}")
    print(f"{len(got)} kpi values compared with DuckDB's ({len(ref)} computed), {bad} differ")
    return 1 if bad or not got else 0


if __name__ == "__main__":
    sys.exit(main())
