#!/usr/bin/env python3
"""Runs a query of `kpi sql` in DuckDB, for tests/cli/engines.rs.

    engine.py run QUERY.sql OUT.csv        the query's result as CSV
    engine.py table QUERY.sql OUT.csv      the same, plus OUT.csv.types: one "name<TAB>type"
                                           line per column, in PostgreSQL's type names

The second form loads a source into PostgreSQL: `kpi sql --dialect duckdb --rows SOURCE`
gives the source's rows as kpi reads them, typed; DuckDB's types map to PostgreSQL's.
"""

import sys

import duckdb

POSTGRES_TYPES = {
    "VARCHAR": "TEXT",
    "DOUBLE": "DOUBLE PRECISION",
    "DATE": "DATE",
    "TIMESTAMP": "TIMESTAMP",
    "BOOLEAN": "BOOLEAN",
    "BIGINT": "BIGINT",
    "INTEGER": "INTEGER",
}


def main():
    mode, query_file, out = sys.argv[1:4]
    with open(query_file, encoding="utf-8") as f:
        query = f.read()
    con = duckdb.connect()
    relation = con.sql(query)
    relation.write_csv(out)
    if mode == "table":
        with open(out + ".types", "w", encoding="utf-8") as f:
            for name, kind in zip(relation.columns, relation.types):
                f.write(f"{name}\t{POSTGRES_TYPES[str(kind)]}\n")


if __name__ == "__main__":
    main()
