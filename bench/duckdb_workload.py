#!/usr/bin/env python3
"""The benchmark workload in DuckDB, the reference kpi is compared with (values and time).

Usage:
    python bench/duckdb_workload.py DATA.csv OUT.csv [--threads 2] [--months 2024-05,2024-06]
        [--window 3] [--key opportunity_id] [--french]

Per month of created_at, overall and by region: count, won count, win rate, won amount, average
days to win, distinct accounts, median amount, NPS (the KPIs of bench/kpis.toml). Without
--months every month is computed (what `kpi backfill` does); with it, only those months (what
`kpi run` computes: the period and the previous one). Writes long CSV rows
`kpi,period,dimensions,value` with the same labels as kpi (`2024-06`, `region=APAC`, `` for the
overall value), which bench/compare.py reads. With --window N (and --months), the value for each
month covers the rows of the N months that end with it (what a KPI with `window = "N months"`
computes): each row joins every window that holds it. With --key COLUMN, only the last row of
each key in file order counts (what a source with `key` computes). With --french, the file is
read as `gen_crm.py --french` writes it: `;`, decimal comma, `dd/mm/yyyy HH:MM` (in UTF-8: DuckDB
reads windows-1252 only with its `encodings` extension, which is not installed here).
"""
import argparse
import csv
import sys

import duckdb

KPIS = ["n_opps", "n_won", "win_rate", "won_amount", "avg_days_to_win", "n_accounts",
        "median_amount", "nps"]

SQL = """
SELECT
    {month}                                                           AS month,
    region,
    count(*)                                                          AS n_opps,
    count(*) FILTER (WHERE stage = 'Won')                             AS n_won,
    count(*) FILTER (WHERE stage = 'Won')::DOUBLE
        / nullif(count(*) FILTER (WHERE stage IN ('Won', 'Lost')), 0) AS win_rate,
    sum(amount) FILTER (WHERE stage = 'Won')                          AS won_amount,
    avg(date_diff('second', created_at, closed_at) / 86400.0)
        FILTER (WHERE stage = 'Won')                                  AS avg_days_to_win,
    count(DISTINCT account_id)                                        AS n_accounts,
    median(amount)                                                    AS median_amount,
    100.0 * (count(*) FILTER (WHERE nps_score >= 9)
             - count(*) FILTER (WHERE nps_score <= 6))
        / nullif(count(nps_score), 0)                                 AS nps
FROM {source}
{where}
GROUP BY GROUPING SETS ((1), (1, region))
ORDER BY 1, 2 NULLS FIRST
"""


# Trailing windows: one row per (window, row of the data inside it). `ends` holds each window's
# label and its bounds [lo, hi), from Python.
WINDOWED = """(SELECT e.label, d.* FROM read_csv_auto(?) d
     JOIN (VALUES {ends}) e(label, lo, hi)
       ON d.created_at >= e.lo::TIMESTAMP AND d.created_at < e.hi::TIMESTAMP)"""


def month_start(label, shift):
    """The first day of the month `shift` months after YYYY-MM `label`, as YYYY-MM-DD."""
    y, m = int(label[:4]), int(label[5:7]) - 1 + shift
    return f"{y + m // 12:04d}-{m % 12 + 1:02d}-01"


def windowed(months, n):
    """The FROM clause and its parameters for windows of n months ending with each month."""
    params, ends = [], []
    for m in months:
        ends.append("(?, ?, ?)")
        params += [m, month_start(m, 1 - n), month_start(m, 1)]
    return WINDOWED.format(ends=", ".join(ends)), params


def reader(a):
    """The table function that reads the data, as `source`."""
    options = ""
    if a.french:
        options = (", delim = ';', decimal_separator = ',', "
                   "timestampformat = '%d/%m/%Y %H:%M', header = true")
    scan = f"read_csv(?{options})"
    if not a.key:
        return scan
    return (f"(SELECT * FROM {scan} WITH ORDINALITY "
            f"QUALIFY row_number() OVER (PARTITION BY {a.key} ORDER BY ordinality DESC) = 1)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--months", default="", help="comma-separated YYYY-MM; default: every month")
    ap.add_argument("--window", type=int, default=0, help="months per trailing window (needs --months)")
    ap.add_argument("--key", default="", help="keep the last row of each value of this column")
    ap.add_argument("--french", action="store_true", help="read gen_crm.py --french's dialect")
    a = ap.parse_args()
    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    months = [m for m in a.months.split(",") if m]
    if a.window:
        if not months:
            ap.error("--window needs --months")
        source, params = windowed(months, a.window)
        params = [a.data] + params
        sql = SQL.format(month="label", source=source, where="")
    else:
        params = [a.data]
        where = ""
        if months:
            where = ("WHERE strftime(date_trunc('month', created_at), '%Y-%m') IN ("
                     + ", ".join("?" for _ in months) + ")")
            params += months
        sql = SQL.format(month="strftime(date_trunc('month', created_at), '%Y-%m')",
                         source=reader(a), where=where)
    rows = con.execute(sql, params).fetchall()
    with open(a.out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["kpi", "period", "dimensions", "value"])
        for r in rows:
            month, region, vals = r[0], r[1], r[2:]
            dims = "" if region is None else "region=" + region
            for k, v in zip(KPIS, vals):
                w.writerow([k, month, dims, "" if v is None else repr(float(v))])
    return 0


if __name__ == "__main__":
    sys.exit(main())
