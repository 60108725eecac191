#!/usr/bin/env bash
# verify-spark.sh — checks `kpi sql --dialect spark` against a real Spark engine.
#
# The method of tests/cli/engines.rs (DuckDB, PostgreSQL), with pyspark in local mode: for the
# bundled example (kpis.toml + examples/data, its windows-1252 tickets turned to UTF-8) and for
# tests/warehouse/fixture, each source's typed rows (`kpi sql --dialect duckdb --rows NAME`, run
# in DuckDB) are written as Parquet and registered as a Spark temporary view NAME; a config copy
# names these tables (`table = "NAME"`); the query of `kpi sql --dialect spark` is run by Spark
# and its result, as CSV, fed to `kpi run --results`, which must give the same JSON as a run
# over the CSV sources (numbers to a relative 1e-12). The work is in scripts/verify_spark.py.
#
# Usage:   scripts/verify-spark.sh            (from anywhere; takes a few minutes)
#          KPI_SPARK_KEEP=1 scripts/verify-spark.sh    keep the scratch folders in /tmp
#
# Requirements: a Rust toolchain (builds target/release/kpi), Java 17 or newer on PATH (for
# Spark), python3 with venv, iconv, and network access to PyPI the first time: the venv
# target/spark-venv is made with pyspark==4.3.0 and duckdb==2.0.0 if it is missing. Set
# KPI_SPARK_PYTHON to use another Python that has both packages.
#
# Output: one line per dataset and period (results compared, differences), the differences
# (the first 40 per period) or Spark's error message with the SQL line it points at, then a
# summary. Exit status 0 when everything agrees, 1 on a difference or error, 2 on a crash.
# The scratch folder of a dataset that failed is kept (its queries and results CSVs).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo/target/spark-venv"
python="${KPI_SPARK_PYTHON:-$venv/bin/python}"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"   # local mode: no hostname lookup warning
started=$SECONDS

command -v java >/dev/null || { echo "verify-spark: java not found (Spark needs Java 17+)" >&2; exit 2; }
command -v iconv >/dev/null || { echo "verify-spark: iconv not found" >&2; exit 2; }

if [[ -z "${KPI_SPARK_PYTHON:-}" ]] && ! "$python" -c 'import pyspark, duckdb' 2>/dev/null; then
    echo "== making $venv (pyspark==4.3.0, duckdb==2.0.0)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check pyspark==4.3.0 duckdb==2.0.0
fi

echo "== cargo build --release"
(cd "$repo" && cargo build --release --quiet < /dev/null)

status=0
"$python" "$repo/scripts/verify_spark.py" "$repo/target/release/kpi" "$repo" || status=$?
echo "verify-spark: $((SECONDS - started))s wall time, exit status $status"
exit "$status"
