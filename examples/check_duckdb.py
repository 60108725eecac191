#!/usr/bin/env python3
"""Cross-check the KPIs of kpis.toml with plain DuckDB SQL over examples/data.

    python3 examples/check_duckdb.py                       # kpi,period,value for 2026-10 and 2026-09
    python3 examples/check_duckdb.py --periods 2026-08,2026-07
    python3 examples/check_duckdb.py --breakdowns          # adds the dimension rows
                                                           # (kpi,period,dimensions,value)

This is an independent re-implementation of the source rules and formulas of
kpis.toml, written by hand in SQL, to compare with `kpi run --as-of 2026-11-22
--format csv`. It is a cross-check, not a test: it is not run by cargo.

Source rules reproduced here:
* every cell is trimmed; "", "NULL" and "N/A" are null;
* opportunities: rows sharing an opportunity_id keep the LAST one in file
  order (key), then rows with is_test = true are dropped (filter); the
  accounts lookup adds segment and country by account_id;
* tickets: windows-1252 (DuckDB's CSV reader has no windows-1252 without the
  `encodings` extension, so the file is transcoded to a temporary UTF-8 copy
  first), ';' delimiter, decimal comma, dates as %d/%m/%Y %H:%M;
* email flags are yes/no booleans;
* a KPI with a `time` column takes the rows whose time falls inside the
  period (start inclusive, end exclusive); derived KPIs are computed from the
  overall values; the snapshot KPI (open_tickets) is computed over the whole
  file and labelled with the ISO week that contains the as-of date.
"""

import argparse
import datetime as dt
import os
import sys
import tempfile

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
AS_OF = dt.date(2026, 11, 22)


def month_bounds(label):
    y, m = map(int, label.split("-"))
    start = dt.date(y, m, 1)
    end = dt.date(y + 1, 1, 1) if m == 12 else dt.date(y, m + 1, 1)
    return start, end


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def load(con, name, path, delim=","):
    con.execute(f"""
        CREATE TABLE raw_{name} AS
        SELECT * FROM read_csv({sql_str(path)}, delim={sql_str(delim)}, quote='"', escape='"',
                               header=true, all_varchar=true)""")


def setup(con, data):
    con.execute("SET threads = 1")   # file order is kept (used by the keep-last dedup)
    con.execute("""CREATE MACRO nv(x) AS
                   CASE WHEN trim(x) IN ('', 'NULL', 'N/A') THEN NULL ELSE trim(x) END""")
    con.execute("""CREATE MACRO yn(x) AS
                   CASE lower(nv(x)) WHEN 'yes' THEN true WHEN 'no' THEN false END""")
    con.execute("CREATE MACRO num(x) AS CAST(nv(x) AS DOUBLE)")

    for name in ["opportunities", "accounts", "leads", "email_sends", "survey", "orders",
                 "subscriptions"]:
        load(con, name, os.path.join(data, name + ".csv"))
    with open(os.path.join(data, "tickets.csv"), encoding="cp1252", newline="") as f:
        text = f.read()
    tmp = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", suffix=".csv",
                                      delete=False)
    with tmp:
        tmp.write(text)
    try:
        load(con, "tickets", tmp.name, ";")
    finally:
        os.unlink(tmp.name)

    con.execute("""
        CREATE TABLE opportunities AS
        WITH numbered AS (
            SELECT rowid AS file_line, * FROM raw_opportunities
        ), last AS (            -- key = "opportunity_id": the last row of a key wins
            SELECT * FROM numbered
            QUALIFY row_number() OVER (PARTITION BY nv(opportunity_id)
                                       ORDER BY file_line DESC) = 1
        ), typed AS (
            SELECT nv(opportunity_id) AS opportunity_id, nv(account_id) AS account_id,
                   nv(owner) AS owner, nv(region) AS region, nv(channel) AS channel,
                   nv(stage) AS stage, CAST(nv(created_at) AS DATE) AS created_at,
                   CAST(nv(closed_at) AS DATE) AS closed_at, num(amount) AS amount,
                   lower(nv(is_test)) = 'true' AS is_test
            FROM last
        )
        SELECT t.*, nv(a.segment) AS segment, nv(a.country) AS country
        FROM typed t LEFT JOIN raw_accounts a ON nv(a.account_id) = t.account_id
        WHERE t.is_test = false  -- filter = "is_test = false"
    """)
    con.execute("""
        CREATE TABLE leads AS
        SELECT nv(lead_id) AS lead_id, CAST(nv(created_at) AS TIMESTAMP) AS created_at,
               nv(source) AS source, nv(status) AS status,
               CAST(nv(converted_at) AS DATE) AS converted_at, nv(country) AS country
        FROM raw_leads""")
    con.execute("""
        CREATE TABLE email_sends AS
        SELECT nv(campaign_id) AS campaign_id, CAST(nv(sent_at) AS DATE) AS sent_at,
               nv(recipient_id) AS recipient_id, yn(delivered) AS delivered,
               yn(opened) AS opened, yn(clicked) AS clicked, yn(converted) AS converted,
               nv(segment) AS segment
        FROM raw_email_sends""")
    con.execute("""
        CREATE TABLE survey AS
        SELECT nv(response_id) AS response_id, CAST(nv(answered_at) AS DATE) AS answered_at,
               nv(customer_id) AS customer_id, num(score) AS score, num(csat) AS csat,
               nv(plan) AS plan
        FROM raw_survey""")
    con.execute("""
        CREATE TABLE orders AS
        SELECT nv(order_id) AS order_id, CAST(nv(ordered_at) AS DATE) AS ordered_at,
               CAST(nv(promised_at) AS DATE) AS promised_at,
               CAST(nv(delivered_at) AS DATE) AS delivered_at, num(amount) AS amount,
               nv(warehouse) AS warehouse, nv(carrier) AS carrier
        FROM raw_orders""")
    con.execute("""
        CREATE TABLE subscriptions AS
        SELECT nv(customer_id) AS customer_id, CAST(nv(month_start) AS DATE) AS month_start,
               nv(plan) AS plan, num(mrr) AS mrr
        FROM raw_subscriptions""")
    con.execute("""
        CREATE TABLE tickets AS
        SELECT nv(ticket_id) AS ticket_id,
               strptime(nv(opened_at), '%d/%m/%Y %H:%M') AS opened_at,
               strptime(nv(resolved_at), '%d/%m/%Y %H:%M') AS resolved_at,
               nv(priority) AS priority, nv(channel) AS channel, nv(team) AS team,
               CAST(replace(nv(sla_hours), ',', '.') AS DOUBLE) AS sla_hours,
               CAST(replace(nv(satisfaction), ',', '.') AS DOUBLE) AS satisfaction
        FROM raw_tickets""")


# id, table, time column, SQL aggregate expression, dimensions (as in kpis.toml)
KPIS = [
    ("win_rate", "opportunities", "closed_at",
     "count_if(stage = 'Won')::DOUBLE / nullif(count_if(stage IN ('Won', 'Lost')), 0)",
     ["region", "segment", "region+channel"]),
    ("sales_cycle_days", "opportunities", "closed_at",
     "avg(date_diff('day', created_at, closed_at)) FILTER (WHERE stage = 'Won')", ["segment"]),
    ("revenue_won", "opportunities", "closed_at",
     "sum(amount) FILTER (WHERE stage = 'Won')", ["region", "segment"]),
    ("won_accounts", "opportunities", "closed_at",
     "count(DISTINCT account_id) FILTER (WHERE stage = 'Won')", []),
    ("revenue_per_customer", None, None, "revenue_won / won_accounts", []),
    ("lead_conversion_rate", "leads", "created_at",
     "count_if(status = 'converted')::DOUBLE / nullif(count(*), 0)", ["source"]),
    ("email_open_rate", "email_sends", "sent_at",
     "count_if(opened AND delivered)::DOUBLE / nullif(count_if(delivered), 0)", ["segment"]),
    ("click_rate", "email_sends", "sent_at",
     "count_if(clicked)::DOUBLE / nullif(count_if(opened), 0)", ["segment"]),
    ("marketing_conversion", "email_sends", "sent_at",
     "count_if(converted)::DOUBLE / nullif(count(*), 0)", ["segment"]),
    ("nps", "survey", "answered_at",
     "100.0 * (count_if(score >= 9) - count_if(score <= 6)) / nullif(count(score), 0)",
     ["plan"]),
    ("csat_avg", "survey", "answered_at", "avg(csat)", ["plan"]),
    ("customer_retention", "subscriptions", "month_start", "RETENTION(customer_id)", []),
    ("churn_rate", None, None, "1 - customer_retention", []),
    ("on_time_delivery", "orders", "delivered_at",
     "count_if(delivered_at <= promised_at)::DOUBLE / nullif(count(delivered_at), 0)",
     ["warehouse", "carrier"]),
    ("ticket_resolution_hours", "tickets", "resolved_at",
     "median(date_diff('hour', opened_at, resolved_at))", ["priority"]),
    ("sla_compliance", "tickets", "resolved_at",
     "count_if(date_diff('minute', opened_at, resolved_at) <= sla_hours * 60)::DOUBLE"
     " / nullif(count(resolved_at), 0)", ["team"]),
    ("open_tickets", "tickets", None, "count_if(resolved_at IS NULL)", []),
]

def retention(con, period):
    """Share of the customers of the previous month seen again in this month."""
    start, end = month_bounds(period)
    prev_start = month_bounds(f"{start.year - (start.month == 1)}-"
                              f"{12 if start.month == 1 else start.month - 1:02d}")[0]
    return con.execute(f"""
        WITH prev AS (SELECT DISTINCT customer_id FROM subscriptions
                      WHERE month_start >= DATE '{prev_start}' AND month_start < DATE '{start}'
                        AND customer_id IS NOT NULL),
             cur AS (SELECT DISTINCT customer_id FROM subscriptions
                     WHERE month_start >= DATE '{start}' AND month_start < DATE '{end}')
        SELECT count(cur.customer_id)::DOUBLE / nullif(count(*), 0)
        FROM prev LEFT JOIN cur USING (customer_id)""").fetchone()[0]


def check_config(path):
    """Warn (stderr) when kpis.toml and this script no longer list the same KPIs."""
    try:
        import tomllib
        with open(path, "rb") as f:
            ids = [k["id"] for k in tomllib.load(f).get("kpi", [])]
    except (ImportError, OSError, ValueError) as e:
        print(f"note: cannot compare with {path}: {e}", file=sys.stderr)
        return
    mine = [k[0] for k in KPIS]
    if sorted(ids) != sorted(mine):
        print(f"warning: kpis.toml defines {sorted(set(ids) - set(mine))} that this script "
              f"does not check, and this script checks {sorted(set(mine) - set(ids))} that "
              f"kpis.toml does not define", file=sys.stderr)


def fmt(v):
    if v is None:
        return ""
    s = f"{float(v):.6f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def compute(con, periods, breakdowns):
    out = []   # (kpi, period, dimensions, value)
    for period in periods:
        start, end = month_bounds(period)
        values = {}
        for kid, table, time, expr, dims in KPIS:
            if table is None:                       # derived KPI
                env = {k: v for k, v in values.items()}
                try:
                    v = eval(expr, {"__builtins__": {}}, env)
                except (TypeError, ZeroDivisionError):
                    v = None
            elif expr.startswith("RETENTION"):
                v = retention(con, period)
            elif time is None:                      # snapshot KPI
                continue
            else:
                where = f"{time} >= DATE '{start}' AND {time} < DATE '{end}'"
                v = con.execute(f"SELECT {expr} FROM {table} WHERE {where}").fetchone()[0]
            values[kid] = v
            out.append((kid, period, "", v))
            if breakdowns and table and time and not expr.startswith("RETENTION"):
                for dim in dims:
                    cols = dim.split("+")
                    rows = con.execute(
                        f"SELECT {', '.join(cols)}, {expr} FROM {table} WHERE {where} "
                        f"GROUP BY ALL ORDER BY ALL NULLS LAST").fetchall()
                    for r in rows:
                        label = ";".join(f"{c}={'' if x is None else x}"
                                         for c, x in zip(cols, r[:-1]))
                        out.append((kid, period, label, r[-1]))
    iso = AS_OF.isocalendar()
    week = f"{iso[0]}-W{iso[1]:02d}"
    for kid, table, time, expr, _ in KPIS:
        if table and time is None:
            v = con.execute(f"SELECT {expr} FROM {table}").fetchone()[0]
            out.append((kid, week, "", v))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", default=os.path.join(HERE, "data"))
    ap.add_argument("--periods", default="2026-10,2026-09",
                    help="comma-separated month labels (default: 2026-10,2026-09)")
    ap.add_argument("--breakdowns", action="store_true",
                    help="also print the dimension rows (adds a `dimensions` column)")
    args = ap.parse_args()
    periods = [p.strip() for p in args.periods.split(",") if p.strip()]

    check_config(os.path.join(HERE, "..", "kpis.toml"))
    con = duckdb.connect()
    setup(con, args.data)
    rows = compute(con, periods, args.breakdowns)
    rows.sort(key=lambda r: ([k[0] for k in KPIS].index(r[0]),
                             periods.index(r[1]) if r[1] in periods else 0, r[2] != "", r[2]))
    w = sys.stdout
    w.write("kpi,period,dimensions,value\n" if args.breakdowns else "kpi,period,value\n")
    for kid, period, dims, v in rows:
        if args.breakdowns:
            d = '"' + dims.replace('"', '""') + '"' if ("," in dims or '"' in dims) else dims
            w.write(f"{kid},{period},{d},{fmt(v)}\n")
        else:
            w.write(f"{kid},{period},{fmt(v)}\n")


if __name__ == "__main__":
    main()
