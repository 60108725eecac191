#!/usr/bin/env python3
"""The rollup benchmark in DuckDB (bench/kpis_rollup.toml): entities GROUP BY `--by`, then the
KPIs per month of their first deal, overall and by the region of that deal.

Usage:
    python bench/duckdb_rollup.py DATA.csv OUT.csv [--by account_id] [--threads 2]
        [--months 2024-05,2024-06]

Writes long CSV rows `kpi,period,dimensions,value`, as bench/duckdb_workload.py does, for
bench/compare.py.
"""
import argparse
import csv
import sys

import duckdb

KPIS = ["new_accounts", "won_share", "median_won_revenue", "deals_per_account", "still_open"]

SQL = """
WITH entities AS (
    SELECT {by},
           min(created_at)                          AS first_deal,
           arg_min(region, created_at)              AS first_region,
           sum(amount) FILTER (WHERE stage = 'Won') AS won_revenue,
           bool_or(stage = 'Won')                   AS won,
           count(*)                                 AS deals,
           arg_max(stage, created_at)               AS last_stage
    FROM read_csv_auto(?)
    GROUP BY {by}
)
SELECT strftime(date_trunc('month', first_deal), '%Y-%m') AS month,
       first_region,
       count(*),
       count_if(won)::DOUBLE / count(*),
       median(won_revenue),
       avg(deals),
       count_if(last_stage IN ('Prospecting', 'Qualified', 'Proposal'))
FROM entities
{where}
GROUP BY GROUPING SETS ((1), (1, first_region))
ORDER BY 1, 2 NULLS FIRST
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--by", default="account_id")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--months", default="", help="comma-separated YYYY-MM; default: every month")
    a = ap.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    months = [m for m in a.months.split(",") if m]
    params = [a.data]
    where = ""
    if months:
        where = ("WHERE strftime(date_trunc('month', first_deal), '%Y-%m') IN ("
                 + ", ".join("?" for _ in months) + ")")
        params += months
    rows = con.execute(SQL.format(by=a.by, where=where), params).fetchall()
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["kpi", "period", "dimensions", "value"])
        for r in rows:
            month, region, vals = r[0], r[1], r[2:]
            dims = "" if region is None else "first_region=" + region
            for k, v in zip(KPIS, vals):
                w.writerow([k, month, dims, "" if v is None else repr(float(v))])
    return 0


if __name__ == "__main__":
    sys.exit(main())
