#!/usr/bin/env python3
"""Checks `kpi sql --dialect spark` against a real Spark (pyspark, local mode).

Called by scripts/verify-spark.sh, which builds kpi and makes the venv; see its header.

    verify_spark.py KPI_BINARY REPO_ROOT

For the bundled example (kpis.toml + examples/data, tickets turned to UTF-8), for
tests/warehouse/fixture, for the example with baselines and windows
(tests/warehouse/comparisons.toml), and for the example's files with computed columns
(tests/warehouse/computed.toml) and rollups (rollups.toml), in a scratch folder:

 1. each top-level source's rows as kpi reads them (`kpi sql --dialect duckdb --rows NAME`,
    run in DuckDB) are written to NAME.parquet — Parquet keeps the types, and DuckDB's naive
    TIMESTAMP stays naive (Spark reads it as TIMESTAMP_NTZ) — and registered in Spark as a
    temporary view NAME;
 2. a copy of the configuration gets `table = "NAME"` under each `[sources.NAME]` (but
    rollups, which the query builds from their input's table);
 3. for each (as-of, period) of tests/cli/engines.rs, `kpi sql --dialect spark` is run by
    spark.sql() and its result written as one CSV (header, null = empty cell, doubles with
    repr(), i.e. the shortest text that reads back as the same double);
 4. `kpi run --format json` with and without `--results` that CSV must agree, `generated_at`
    aside: same structure, numbers equal to a relative 1e-12.

Prints one line per dataset and period, then a summary; exits 1 on any difference or error.
Set KPI_SPARK_KEEP=1 to keep the scratch folders (they are always kept when something fails).
"""

import csv
import json
import logging
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import traceback

import duckdb
import pyspark
from pyspark.sql import SparkSession

EXAMPLE_DATES = [("2026-11-22", "previous"), ("2026-11-22", "current"), ("2026-06-03", "previous")]
FIXTURE_DATES = [("2026-11-05", "previous"), ("2026-11-05", "current"), ("2026-10-12", "previous")]
# tests/cli/engines/comparisons.rs: its baselines, and its dates.
COMPARE = 'compare = ["previous", "year_ago", "2_periods_ago"]'
COMPARISONS_DATES = [("2026-11-22", "previous"), ("2026-11-22", "current"),
                     ("2026-03-30", "current")]
# tests/warehouse/computed.toml and rollups.toml (tests/cli/engines/computed.rs, rollups.rs).
CONFIG_DATES = [("2026-11-22", "previous"), ("2026-11-22", "current")]
RESULT_COLUMNS = ["kpi", "period", "dimensions", "value", "rows", "parts"]
SOURCE_HEADER = re.compile(r"\[sources\.([^.\]]+)\]\s*")


class Failure(Exception):
    """A step that failed, with what to show."""


def kpi(binary, work, *args):
    """Runs kpi in `work`; returns its stdout, or raises Failure with its stderr."""
    done = subprocess.run([binary, *args], cwd=work, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 0:
        raise Failure(f"kpi {' '.join(args)} exited {done.returncode}:\n{done.stderr.strip()}")
    return done.stdout


def strip_comments(query):
    """The query without its leading `--` comment lines and trailing semicolon. Each comment
    line becomes an empty line, so that an engine's "line N" is line N of the file."""
    lines = query.splitlines()
    for i, line in enumerate(lines):
        if line.strip() and not line.lstrip().startswith("--"):
            break
        lines[i] = ""
    return "\n".join(lines).rstrip().rstrip(";").rstrip()


def error_context(message, query_file):
    """For a Spark error at "line L pos P": that line of the query, around the position."""
    m = re.search(r"line (\d+),? pos (\d+)", message)
    if not m:
        return ""
    number, pos = int(m.group(1)), int(m.group(2))
    with open(query_file, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if not 0 < number <= len(lines):
        return ""
    line = lines[number - 1]
    start = max(0, pos - 200)
    excerpt = ("..." if start else "") + line[start:pos + 300] + ("..." if pos + 300 < len(line) else "")
    return f"at {os.path.basename(query_file)} line {number}, column {pos + 1}:\n  {excerpt}"


# ─────────────────────────────────────────────────────────────────────── datasets

def prepare_example(repo, work):
    """The bundled example in `work`, its windows-1252 tickets converted to UTF-8 (iconv)."""
    shutil.copytree(os.path.join(repo, "examples"), os.path.join(work, "examples"))
    tickets = os.path.join(work, "examples/data/tickets.csv")
    with open(tickets, "wb") as out:
        subprocess.run(["iconv", "-f", "WINDOWS-1252", "-t", "UTF-8",
                        os.path.join(repo, "examples/data/tickets.csv")], stdout=out, check=True)
    with open(os.path.join(repo, "kpis.toml"), encoding="utf-8") as f:
        config = f.read()
    changed = config.replace('encoding = "windows-1252"', 'encoding = "utf-8"')
    if changed == config:
        raise Failure("kpis.toml no longer declares encoding = \"windows-1252\" for tickets")
    with open(os.path.join(work, "kpis.toml"), "w", encoding="utf-8") as f:
        f.write(changed)


def prepare_comparisons(repo, work):
    """The example with baselines for every KPI and tests/warehouse/comparisons.toml's
    windowed KPIs, as tests/cli/engines/comparisons.rs makes it."""
    prepare_example(repo, work)
    config_path = os.path.join(work, "kpis.toml")
    with open(config_path, encoding="utf-8") as f:
        config = f.read()
    with open(os.path.join(repo, "tests/warehouse/comparisons.toml"), encoding="utf-8") as f:
        windowed = f.read()
    with open(config_path, "w", encoding="utf-8") as f:
        f.write(config.replace("[settings]\n", f"[settings]\n{COMPARE}\n", 1) + windowed)


def prepare_config(file):
    """The bundled example's files with one of tests/warehouse/'s configurations as kpis.toml
    (computed columns, rollups), as tests/cli/engines/computed.rs and rollups.rs make it."""
    def prepare(repo, work):
        shutil.copytree(os.path.join(repo, "examples"), os.path.join(work, "examples"))
        shutil.copy(os.path.join(repo, "tests/warehouse", file), os.path.join(work, "kpis.toml"))
    return prepare


def prepare_fixture(repo, work):
    shutil.copytree(os.path.join(repo, "tests/warehouse/fixture"), work, dirs_exist_ok=True)


# ─────────────────────────────────────────────────────────────────────── loading

def load_sources(binary, work, spark, config):
    """Each source as a Spark view; returns the name of the config copy naming the tables."""
    with open(os.path.join(work, config), encoding="utf-8") as f:
        lines = f.read().splitlines(keepends=True)
    out = []
    for i, line in enumerate(lines):
        out.append(line if line.endswith("\n") else line + "\n")
        m = SOURCE_HEADER.fullmatch(line)
        if not m:
            continue
        # A rollup is built from its input's table, in the query.
        section = []
        for following in lines[i + 1:]:
            if following.startswith("["):
                break
            section.append(following)
        if any(l.startswith("rollup =") for l in section):
            continue
        name = m.group(1)
        out.append(f'table = "{name}"\n')
        rows_sql = strip_comments(kpi(binary, work, "-c", config, "sql", "--dialect", "duckdb",
                                      "--rows", name))
        parquet = os.path.join(work, f"{name}.parquet")
        con = duckdb.connect()
        cwd = os.getcwd()
        os.chdir(work)  # the query reads the CSV files by paths relative to the config
        try:
            con.execute(f"COPY ({rows_sql}) TO '{parquet}' (FORMAT parquet)")
            types = con.sql(f"DESCRIBE SELECT * FROM '{parquet}'").fetchall()
        finally:
            os.chdir(cwd)
            con.close()
        if any("TIME ZONE" in t[1] for t in types):
            raise Failure(f"{name}: DuckDB wrote a TIMESTAMPTZ column: {types}")
        frame = spark.read.parquet(parquet)
        frame.createOrReplaceTempView(name)
        spark_types = ", ".join(f"{f.name} {f.dataType.simpleString()}" for f in frame.schema)
        print(f"    view {name}: {frame.count()} rows ({spark_types})", flush=True)
    with_tables = f"spark-{config}"
    with open(os.path.join(work, with_tables), "w", encoding="utf-8") as f:
        f.write("".join(out))
    return with_tables


# ─────────────────────────────────────────────────────────────────────── running

def cell(value):
    """A CSV cell: null empty, doubles with all their digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        return repr(value)
    return str(value)


def run_spark(spark, query_file, out_csv):
    with open(query_file, encoding="utf-8") as f:
        query = strip_comments(f.read())
    frame = spark.sql(query)
    names = [f.name for f in frame.schema]
    if names != RESULT_COLUMNS:
        raise Failure(f"result columns {names}, expected {RESULT_COLUMNS}")
    rows = frame.collect()
    with open(out_csv, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([cell(v) for v in row])
    return frame.schema, len(rows)


def run_json(binary, work, config, as_of, period, extra=()):
    text = kpi(binary, work, "-c", config, "run", "--as-of", as_of, "--period", period,
               "--no-archive", "--format", "json", *extra)
    data = json.loads(text)
    data.pop("generated_at", None)
    return data


def label(obj):
    return " ".join(json.dumps(obj[k], ensure_ascii=False)
                    for k in ("kpi", "period", "dimensions") if k in obj)


def as_judged_without_dates(expected, got):
    """As engines.rs: a warehouse's results carry no dates, so only a run over the sources can
    tell that a period lies beyond them (`stale`); there the status and the reason are taken
    from `got`, and the values are still compared."""
    for e, g in zip(expected.get("results", []), got.get("results", [])):
        if e.get("status") == "stale":
            e["status"] = g.get("status")
            e["breach"] = g.get("breach")


def as_empty_baselines_without_dates(expected, got, answer_csv):
    """As engines.rs: nor can a warehouse tell a baseline period without rows inside the data
    (a count of 0) from one before it (no value); its answer gives both an overall row of 0
    rows, which `--results` reads as no value (docs/warehouse.md). Where the answer has such a
    row, the baseline is taken from `got`; every other value is still compared."""
    with open(answer_csv, newline="", encoding="utf-8") as f:
        empty = {(r["kpi"], r["period"]) for r in csv.DictReader(f)
                 if r["dimensions"] == "" and r["rows"] == "0"}
    fields = ["previous_value", "delta", "delta_pct", "comparable", "significant", "status",
              "breach"]
    for e, g in zip(expected.get("results", []), got.get("results", [])):
        if e.get("dimensions") != {}:
            continue
        for i, c in enumerate(e.get("comparisons", [])):
            if (e["kpi"], c.get("period")) not in empty:
                continue
            e["comparisons"][i] = g["comparisons"][i]
            if i == 0:
                for field in fields:
                    e[field] = g.get(field)


def differences(expected, got, place, found):
    """Appends to `found` every difference between the two JSON values (as engines.rs)."""
    number = (int, float)
    if (isinstance(expected, number) and not isinstance(expected, bool)
            and isinstance(got, number) and not isinstance(got, bool)):
        a, b = float(expected), float(got)
        if not abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1e-9):
            found.append(f"{place}: {a!r} from the sources, {b!r} from SQL")
    elif isinstance(expected, list) and isinstance(got, list):
        if len(expected) != len(got):
            found.append(f"{place}: lengths differ ({len(expected)} from the sources, "
                         f"{len(got)} from SQL)")
        for i, (x, y) in enumerate(zip(expected, got)):
            differences(x, y, f"{place}[{i}]", found)
    elif isinstance(expected, dict) and isinstance(got, dict):
        if list(expected) != list(got):
            found.append(f"{place}: fields differ: {list(expected)} vs {list(got)}")
        for k, x in expected.items():
            if k in got:
                differences(x, got[k], f"{place} {label(expected)} .{k}", found)
    elif expected != got:
        found.append(f"{place}: {json.dumps(expected, ensure_ascii=False)} from the sources, "
                     f"{json.dumps(got, ensure_ascii=False)} from SQL")


def check_dataset(binary, repo, spark, name, prepare, dates, summary):
    work = tempfile.mkdtemp(prefix=f"kpi-spark-{name}-")
    print(f"== {name} (in {work})", flush=True)
    ok = True
    try:
        prepare(repo, work)
        config = load_sources(binary, work, spark, "kpis.toml")
    except Exception as e:  # noqa: BLE001 — reported, then counted as a failure
        print(f"  {name}: ERROR while loading the sources: {e}", flush=True)
        summary.append((name, "load", 0, 0, "error"))
        return work, False
    for as_of, period in dates:
        tag = f"{as_of}-{period}"
        query_file = os.path.join(work, f"query-{tag}.sql")
        results = os.path.join(work, f"results-{tag}.csv")
        try:
            kpi(binary, work, "-c", config, "sql", "--dialect", "spark", "--as-of", as_of,
                "--period", period, "-o", query_file)
            started = time.monotonic()
            _, n_rows = run_spark(spark, query_file, results)
            spark_secs = time.monotonic() - started
            expected = run_json(binary, work, config, as_of, period)
            got = run_json(binary, work, config, as_of, period, ["--results", results])
            as_judged_without_dates(expected, got)
            as_empty_baselines_without_dates(expected, got, results)
        except Exception as e:  # noqa: BLE001
            message = str(e).strip()
            if not isinstance(e, Failure):
                message = f"{type(e).__name__}: {message}"
                if os.path.exists(query_file):
                    message += "\n" + error_context(message, query_file)
            print(f"  {name} {as_of} {period}: ERROR\n" + indent(message, 4), flush=True)
            summary.append((name, f"{as_of} {period}", 0, 0, "error"))
            ok = False
            continue
        found = []
        differences(expected, got, f"spark {as_of} {period}", found)
        compared = len(expected.get("results", []))
        print(f"  {name} {as_of} {period}: {compared} results compared, {len(found)} differences "
              f"(Spark: {n_rows} rows in {spark_secs:.1f}s)", flush=True)
        for line in found[:40]:
            print(f"    {line}")
        if len(found) > 40:
            print(f"    ... and {len(found) - 40} more")
        summary.append((name, f"{as_of} {period}", compared, len(found),
                        "ok" if not found else "DIFFERENT"))
        ok = ok and not found
    return work, ok


def indent(text, n):
    lines = text.splitlines()
    if len(lines) > 30:
        lines = lines[:30] + [f"... ({len(lines) - 30} more lines)"]
    return "\n".join(" " * n + line for line in lines)


def main():
    binary, repo = sys.argv[1], sys.argv[2]
    started = time.monotonic()
    spark = (SparkSession.builder.master("local[2]").appName("kpi-verify-spark")
             .config("spark.sql.session.timeZone", "UTC")
             .config("spark.sql.ansi.enabled", "false")
             # Not semantics, speed: a few small tables on 2 cores, not 200 shuffle partitions.
             .config("spark.sql.shuffle.partitions", "4")
             .config("spark.ui.enabled", "false")
             .config("spark.ui.showConsoleProgress", "false")
             .config("spark.driver.host", "127.0.0.1")
             .getOrCreate())
    # Spark's own log would repeat each error (with its Java stack) that is reported here.
    spark.sparkContext.setLogLevel("FATAL")
    logging.getLogger("SQLQueryContextLogger").disabled = True  # pyspark's copy of the error
    print(f"pyspark {pyspark.__version__}, Spark {spark.version}, duckdb {duckdb.__version__}",
          flush=True)
    summary = []
    all_ok = True
    for name, prepare, dates in [("example", prepare_example, EXAMPLE_DATES),
                                 ("fixture", prepare_fixture, FIXTURE_DATES),
                                 ("compared", prepare_comparisons, COMPARISONS_DATES),
                                 ("computed", prepare_config("computed.toml"), CONFIG_DATES),
                                 ("rollups", prepare_config("rollups.toml"), CONFIG_DATES)]:
        work, ok = check_dataset(binary, repo, spark, name, prepare, dates, summary)
        if ok and not os.environ.get("KPI_SPARK_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"  (kept {work})")
        all_ok = all_ok and ok
    spark.stop()
    print("\nSummary:")
    for name, what, compared, diffs, status in summary:
        print(f"  {name:8} {what:22} {compared:4} results  {diffs:4} differences  {status}")
    total = sum(s[2] for s in summary)
    print(f"{'PASS' if all_ok else 'FAIL'}: {total} results compared, "
          f"{sum(s[3] for s in summary)} differences, "
          f"{sum(1 for s in summary if s[4] == 'error')} errors "
          f"({time.monotonic() - started:.0f}s in Python)")
    return 0 if all_ok else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception:  # noqa: BLE001
        traceback.print_exc()
        sys.exit(2)
