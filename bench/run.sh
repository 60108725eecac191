#!/usr/bin/env bash
# kpi's benchmark: kpi against DuckDB on the reference workload (bench/kpis.toml), on generated
# CRM exports of 1M and 10M rows; the same workload with baselines (year_ago) and with
# trailing windows (3 months), against the plain one; and a rollup of the export by account
# (bench/kpis_rollup.toml), against DuckDB's GROUP BY; and the backfill over other paths: a
# source with a `key`, and the French export in windows-1252. Writes BENCHMARKS.md at the root
# of the repository.
#
#   bench/run.sh                       # everything (the first run generates 1.8 GB of data)
#   BENCH_RUNS=5 bench/run.sh          # more runs per measurement (default 3; medians reported)
#   BENCH_SIZES=1m bench/run.sh        # only some sizes (default "1m 10m"; any "<n>k"/"<n>m")
#   BENCH_ENTITY_SIZES="1m 10m" bench/run.sh   # where the rollup by opportunity_id is measured
#
# Needs cargo, python3 (with venv), iconv and /usr/bin/time; installs duckdb and numpy with pip into
# target/bench/venv. Everything generated stays under target/bench/ (git-ignored): the data
# files are kept and reused. Not a test: CI does not run it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
RUNS="${BENCH_RUNS:-3}"
SIZES="${BENCH_SIZES:-1m 10m}"
DUCKDB_THREADS=2
AS_OF="2024-07-01"            # `kpi run` computes 2024-06 (and 2024-05, its previous period)
RUN_MONTHS="2024-05,2024-06"
BACKFILL_FROM="2023-01-01"    # the data covers 2023-01 .. 2024-12
BACKFILL_AS_OF="2025-01-01"
# Comparisons and windows: `kpi run` with a year_ago baseline also computes 2023-06; a backfill
# over 2024 also computes 2023-12 (the previous period of 2024-01), and with year_ago all of 2023.
RUN_CMP_MONTHS="2023-06,$RUN_MONTHS"
YEAR_FROM="2024-01-01"
YEAR_MONTHS="2023-12,$(seq -f '2024-%02g' 1 12 | paste -sd,)"
OUT="target/bench"
VENV="$OUT/venv"
PY="$VENV/bin/python"
KPI="$ROOT/target/release/kpi"
TIME=/usr/bin/time

log() { printf '[bench] %s\n' "$*" >&2; }

[ -x "$TIME" ] || { echo "bench: $TIME is needed (apt-get install time)" >&2; exit 1; }
mkdir -p "$OUT"

log "cargo build --release"
cargo build --release --quiet </dev/null

if ! "$PY" -c "import duckdb, numpy" 2>/dev/null; then
    log "creating $VENV (pip install duckdb numpy)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet duckdb numpy </dev/null
fi

rows_of() {  # 1m -> 1000000, 500k -> 500000
    case "$1" in
        *m) echo $(( ${1%m} * 1000000 )) ;;
        *k) echo $(( ${1%k} * 1000 )) ;;
        *) echo "$1" ;;
    esac
}

# time_cmd LABEL CMD...: runs CMD (stdout to /dev/null), appends "LABEL wall_s peak_kb" to $RES
time_cmd() {
    local label="$1"; shift
    local t; t="$(mktemp)"
    if ! "$TIME" -f "%e %M" -o "$t" "$@" >/dev/null 2>"$OUT/last_stderr.txt"; then
        echo "bench: failed: $*" >&2; cat "$OUT/last_stderr.txt" >&2; rm -f "$t"; exit 1
    fi
    echo "$label $(tail -n 1 "$t")" >> "$RES"
    rm -f "$t"
}

# variant CFG NAME [SED_ARGS...]: writes $OUT/kpis_NAME.toml, CFG edited by SED_ARGS with the
# archive folder archive_NAME
variant() {
    local cfg="$1" name="$2"; shift 2
    sed -e "s|^archive = .*|archive = \"archive_$name\"|" "$@" "$cfg" > "$OUT/kpis_$name.toml"
}

# cmp_cases SIZE: one run of each measurement of the comparisons section
cmp_cases() {
    local size="$1" data="$OUT/crm_$1.csv" c
    time_cmd "cmp_run_$size" "$KPI" -q -c "$OUT/kpis_${size}_cmp.toml" run --as-of "$AS_OF" \
        --no-archive --format json -o "$OUT/cmp_run_$size.json"
    time_cmd "win_run_$size" "$KPI" -q -c "$OUT/kpis_${size}_win.toml" run --as-of "$AS_OF" \
        --no-archive --format csv -o "$OUT/win_run_$size.csv"
    time_cmd "duckdb_cmp_run_$size" "$PY" bench/duckdb_workload.py "$data" \
        "$OUT/duckdb_cmp_run_$size.csv" --threads "$DUCKDB_THREADS" --months "$RUN_CMP_MONTHS"
    time_cmd "duckdb_win_run_$size" "$PY" bench/duckdb_workload.py "$data" \
        "$OUT/duckdb_win_run_$size.csv" --threads "$DUCKDB_THREADS" --months "$RUN_MONTHS" --window 3
    for c in year cmp win; do
        rm -rf "$OUT/archive_${size}_$c"
        time_cmd "${c}_year_$size" "$KPI" -q -c "$OUT/kpis_${size}_$c.toml" backfill \
            --from "$YEAR_FROM" --as-of "$BACKFILL_AS_OF"
    done
    # With year_ago, the year's backfill computes all 24 months: DuckDB's is the backfill's above.
    time_cmd "duckdb_year_year_$size" "$PY" bench/duckdb_workload.py "$data" \
        "$OUT/duckdb_year_year_$size.csv" --threads "$DUCKDB_THREADS" --months "$YEAR_MONTHS"
    time_cmd "duckdb_win_year_$size" "$PY" bench/duckdb_workload.py "$data" \
        "$OUT/duckdb_win_year_$size.csv" --threads "$DUCKDB_THREADS" --months "$YEAR_MONTHS" \
        --window 3
}

# cmp_checks SIZE: the values of the last runs of cmp_cases against DuckDB's, and the year_ago
# values against a plain run of 2023-06; appends a line per check to $CHECKS
cmp_checks() {
    local size="$1" cfg="$OUT/kpis_$1.toml" y="${YEAR_FROM:0:7}" out name
    "$KPI" -q -c "$cfg" run --as-of "$AS_OF" --period "${RUN_CMP_MONTHS:0:7}" --no-archive \
        --format csv -o "$OUT/plain_year_ago_$size.csv"
    local -a checks=(
        "\`kpi run\` with baselines|json $OUT/cmp_run_$size.json $OUT/duckdb_cmp_run_$size.csv"
        "\`kpi run\` with baselines, year_ago against a plain \`kpi run --period ${RUN_CMP_MONTHS:0:7}\`|baseline year_ago $OUT/cmp_run_$size.json $OUT/plain_year_ago_$size.csv"
        "\`kpi run\` with a window|run $OUT/win_run_$size.csv $OUT/duckdb_win_run_$size.csv"
        "\`kpi backfill\` over a year|archive $OUT/archive_${size}_year $OUT/duckdb_year_year_$size.csv $y"
        "\`kpi backfill\` over a year with baselines|archive $OUT/archive_${size}_cmp $OUT/duckdb_backfill_$size.csv $y"
        "\`kpi backfill\` over a year with a window|archive $OUT/archive_${size}_win $OUT/duckdb_win_year_$size.csv $y"
    )
    for c in "${checks[@]}"; do
        name="${c%%|*}"
        # shellcheck disable=SC2086 # the arguments are paths without spaces, split on purpose
        out="$("$PY" bench/compare.py ${c#*|})" \
            || { echo "$out" >&2; echo "bench: $name: values differ ($size)" >&2; exit 1; }
        CHECKS+="- $size, $name: $(tail -n 1 <<<"$out")"$'\n'
    done
}

# path_cases SIZE: one run of each measurement of the other paths: the backfill of a keyed
# source (the plain export, `key = "opportunity_id"`) and of the French export in windows-1252,
# on the default threads and on one, and DuckDB's on 2 threads and 1 (reading the French export
# in UTF-8: its windows-1252 needs the `encodings` extension, not installed here)
path_cases() {
    local size="$1" c t
    for c in key 1252; do
        for t in "" 1; do
            rm -rf "$OUT/archive_${size}_$c"
            time_cmd "${c}${t}_backfill_$size" "$KPI" -q ${t:+--threads "$t"} -c "$OUT/kpis_${size}_$c.toml" \
                backfill --from "$BACKFILL_FROM" --as-of "$BACKFILL_AS_OF"
        done
    done
    for t in "$DUCKDB_THREADS" 1; do
        time_cmd "duckdb${t}_key_backfill_$size" "$PY" bench/duckdb_workload.py "$OUT/crm_$size.csv" \
            "$OUT/duckdb_key_backfill_$size.csv" --threads "$t" --key opportunity_id
        time_cmd "duckdb${t}_1252_backfill_$size" "$PY" bench/duckdb_workload.py \
            "$OUT/crm_${size}_fr.csv" "$OUT/duckdb_1252_backfill_$size.csv" --threads "$t" --french
    done
}

# path_checks SIZE: the last backfills of path_cases against DuckDB's
path_checks() {
    local size="$1" c out
    local -A names=([key]=keyed [1252]=windows-1252)
    for c in key 1252; do
        out="$("$PY" bench/compare.py archive "$OUT/archive_${size}_$c" "$OUT/duckdb_${c}_backfill_$size.csv")" \
            || { echo "$out" >&2; echo "bench: the $c backfill and DuckDB differ ($size)" >&2; exit 1; }
        CHECKS+="- $size, \`kpi backfill\` of the ${names[$c]} source: $(tail -n 1 <<<"$out")"$'\n'
    done
}

# path_row SIZE MEASUREMENT CASE: a row of the other paths' table
path_row() {
    local size="$1" m="$2" c="$3" d="$DUCKDB_THREADS"
    awk -v m="$m" -v n="${NROWS[$size]}" -v kw="$(stat_of "${c}_backfill_$size" 2)" \
        -v kk="$(stat_of "${c}_backfill_$size" 3)" -v k1="$(stat_of "${c}1_backfill_$size" 2)" \
        -v dw="$(stat_of "duckdb${d}_${c}_backfill_$size" 2)" -v d1="$(stat_of "duckdb1_${c}_backfill_$size" 2)" \
        -v runs="$(all_of "${c}_backfill_$size")" 'BEGIN {
        printf "| %s | %gM | %s s | %s | %.0f MB | %s s | %s s | %s s | **%.2f×** | **%.2f×** |\n",
            m, n/1e6, kw, runs, kk/1024, k1, dw, d1, kw/dw, k1/d1 }'
}

path_section() {
    echo "## Other paths"
    echo
    echo "The backfill (24 months) over the paths that were read by one thread until"
    echo "2026-12-04: a source with \`key = \"opportunity_id\"\` (the plain export; keep-last, two passes"
    echo "over the same pieces), and \`gen_crm.py --french\` re-encoded in windows-1252 (\`;\`, decimal"
    echo "comma, \`dd/mm/yyyy HH:MM\`, each piece transcoded by its thread). DuckDB keeps the last row of"
    echo "a key with \`QUALIFY row_number() … ORDER BY ordinality DESC\`, and reads the French export in"
    echo "UTF-8 (its windows-1252 needs the \`encodings\` extension, not installed here)."
    echo
    echo "| measurement | rows | kpi median wall | runs (s) | kpi peak RSS | kpi 1 thread | DuckDB ($DUCKDB_THREADS threads) | DuckDB 1 thread | kpi / DuckDB | 1 thread / 1 thread |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for size in $SIZES; do
        path_row "$size" "backfill, keyed" key
        path_row "$size" "backfill, windows-1252" 1252
    done
}

# rollup_cases SIZE: one run of each measurement of the rollups section: the accounts rollup
# (`kpi run` and `kpi backfill`) and, at the sizes of ENTITY_SIZES, the rollup by opportunity_id
# (one entity per deal)
rollup_cases() {
    local size="$1" data="$OUT/crm_$1.csv" cfg="$OUT/kpis_rollup_$1.toml"
    time_cmd "roll_run_$size" "$KPI" -q -c "$cfg" run --as-of "$AS_OF" --no-archive --format csv \
        -o "$OUT/roll_run_$size.csv"
    time_cmd "duckdb_roll_run_$size" "$PY" bench/duckdb_rollup.py "$data" "$OUT/duckdb_roll_run_$size.csv" \
        --threads "$DUCKDB_THREADS" --months "$RUN_MONTHS"
    rm -rf "$OUT/archive_rollup_$size"
    time_cmd "roll_backfill_$size" "$KPI" -q -c "$cfg" backfill --from "$BACKFILL_FROM" \
        --as-of "$BACKFILL_AS_OF"
    time_cmd "duckdb_roll_backfill_$size" "$PY" bench/duckdb_rollup.py "$data" \
        "$OUT/duckdb_roll_backfill_$size.csv" --threads "$DUCKDB_THREADS"
    if [[ " $ENTITY_SIZES " == *" $size "* ]]; then
        time_cmd "opp_run_$size" "$KPI" -q -c "$OUT/kpis_rollup_opp_$size.toml" run --as-of "$AS_OF" \
            --no-archive --format csv -o "$OUT/opp_run_$size.csv"
        time_cmd "duckdb_opp_run_$size" "$PY" bench/duckdb_rollup.py "$data" \
            "$OUT/duckdb_opp_run_$size.csv" --by opportunity_id --threads "$DUCKDB_THREADS" \
            --months "$RUN_MONTHS"
    fi
}

# rollup_checks SIZE: the values of the last rollup runs against DuckDB's, and the entities
rollup_checks() {
    local size="$1" out name c
    local -a checks=(
        "rollup, \`kpi run\`|run $OUT/roll_run_$size.csv $OUT/duckdb_roll_run_$size.csv"
        "rollup, \`kpi backfill\`|archive $OUT/archive_rollup_$size $OUT/duckdb_roll_backfill_$size.csv"
    )
    if [[ " $ENTITY_SIZES " == *" $size "* ]]; then
        checks+=("rollup by opportunity_id, \`kpi run\`|run $OUT/opp_run_$size.csv $OUT/duckdb_opp_run_$size.csv")
    fi
    for c in "${checks[@]}"; do
        name="${c%%|*}"
        # shellcheck disable=SC2086 # the arguments are paths without spaces, split on purpose
        out="$("$PY" bench/compare.py ${c#*|})" \
            || { echo "$out" >&2; echo "bench: $name: values differ ($size)" >&2; exit 1; }
        CHECKS+="- $size, $name: $(tail -n 1 <<<"$out")"$'\n'
    done
    ENTITIES[$size]="$("$KPI" -q -c "$OUT/kpis_rollup_$size.toml" explain new_accounts --as-of "$AS_OF" \
        | sed -n 's/.*one row per entity: \([0-9,]*\) entities.*/\1/p')"
    if [[ " $ENTITY_SIZES " == *" $size "* ]]; then
        OPP_ENTITIES[$size]="$("$KPI" -q -c "$OUT/kpis_rollup_opp_$size.toml" explain new_accounts \
            --as-of "$AS_OF" | sed -n 's/.*one row per entity: \([0-9,]*\) entities.*/\1/p')"
    fi
}

# roll_row SIZE MEASUREMENT BY ENTITIES KPI_LABEL DUCKDB_LABEL: a row of the rollups table
roll_row() {
    local size="$1" m="$2" by="$3" ent="$4" k="$5_$1" d="$6_$1"
    awk -v m="$m" -v n="${NROWS[$size]}" -v by="$by" -v e="$ent" -v kw="$(stat_of "$k" 2)" \
        -v kk="$(stat_of "$k" 3)" -v dw="$(stat_of "$d" 2)" -v dk="$(stat_of "$d" 3)" \
        -v runs="$(all_of "$k")" 'BEGIN {
        printf "| %s | %gM | `%s` | %s | %s s | %s | %.0f MB | %s s | %.0f MB | **%.2f×** |\n",
            m, n/1e6, by, e, kw, runs, kk/1024, dw, dk/1024, kw/dw }'
}

rollup_section() {
    echo "## Rollups"
    echo
    echo "\`bench/kpis_rollup.toml\`: a rollup source of one row per \`account_id\` of the same export (first"
    echo "deal, region of that deal with \`arg_min\`, won revenue with \`sum … FILTER\`, \`bool_or\`, deals,"
    echo "stage of the latest deal with \`arg_max\`), and five KPIs over the accounts per month of their"
    echo "first deal, overall and by that region. DuckDB computes the same with a \`GROUP BY account_id\`"
    echo "subquery (\`bench/duckdb_rollup.py\`). The input is read in one parallel pass; the entities are"
    echo "then a source of their own, read from memory. The last rows are the same rollup \`by ="
    echo "\"opportunity_id\"\` (one entity per deal): what a rollup of about a million entities costs."
    echo
    echo "| measurement | rows | by | entities | kpi median wall | runs (s) | kpi peak RSS | DuckDB median wall | DuckDB peak RSS | kpi / DuckDB |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for size in $SIZES; do
        roll_row "$size" run account_id "${ENTITIES[$size]}" roll_run duckdb_roll_run
        roll_row "$size" backfill account_id "${ENTITIES[$size]}" roll_backfill duckdb_roll_backfill
        if [[ " $ENTITY_SIZES " == *" $size "* ]]; then
            roll_row "$size" run opportunity_id "${OPP_ENTITIES[$size]}" opp_run duckdb_opp_run
        fi
    done
}

median() { sort -g | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
stat_of() {  # stat_of LABEL FIELD(2=wall,3=kb) -> median
    awk -v l="$1" -v f="$2" '$1==l {print $f}' "$RES" | median
}
all_of() { awk -v l="$1" '$1==l {printf "%s%s", sep, $2; sep=", "}' "$RES"; }

LOAD0="$(cut -d' ' -f1-3 /proc/loadavg)"
RES="$OUT/results.txt"
: > "$RES"
CHECKS=""
declare -A BYTES NROWS ENTITIES OPP_ENTITIES
# Sizes at which the rollup by opportunity_id (one entity per row) is measured too: memory grows
# with entities, about 700 bytes each.
ENTITY_SIZES="${BENCH_ENTITY_SIZES:-1m}"

for size in $SIZES; do
    n="$(rows_of "$size")"
    data="$OUT/crm_$size.csv"
    if [ ! -s "$data" ]; then
        log "generating $n rows into $data"
        "$PY" bench/gen_crm.py "$n" "$data.tmp" </dev/null
        mv "$data.tmp" "$data"
    fi
    NROWS[$size]="$n"
    BYTES[$size]="$(stat -c %s "$data")"
    # bench/kpis.toml with this size's data and its own archive folder, next to the data
    cfg="$OUT/kpis_$size.toml"
    arch="$OUT/archive_$size"
    sed -e "s|^path = .*|path = \"crm_$size.csv\"|" \
        -e "s|^archive = .*|archive = \"archive_$size\"|" bench/kpis.toml > "$cfg"
    # The variants of the comparisons section, each with its own archive: the plain workload
    # (for the backfill over a year), every KPI with a year_ago baseline, every KPI windowed.
    variant "$cfg" "${size}_year"
    variant "$cfg" "${size}_cmp" -e '/^\[settings\]/a compare = ["previous", "year_ago"]'
    variant "$cfg" "${size}_win" -e '/^dimensions = /a window = "3 months"'
    # The other paths: the keyed source, and the French export (UTF-8 for DuckDB, windows-1252)
    if [ ! -s "$OUT/crm_${size}_fr.csv" ]; then
        log "generating $n French rows into $OUT/crm_${size}_fr.csv"
        "$PY" bench/gen_crm.py "$n" "$OUT/crm_${size}_fr.csv.tmp" --french </dev/null
        mv "$OUT/crm_${size}_fr.csv.tmp" "$OUT/crm_${size}_fr.csv"
    fi
    if [ ! -s "$OUT/crm_${size}_1252.csv" ]; then
        tail -c +4 "$OUT/crm_${size}_fr.csv" | iconv -f UTF-8 -t WINDOWS-1252 > "$OUT/crm_${size}_1252.csv.tmp"
        mv "$OUT/crm_${size}_1252.csv.tmp" "$OUT/crm_${size}_1252.csv"
    fi
    variant "$cfg" "${size}_key" -e '/^path = /a key = "opportunity_id"'
    variant "$cfg" "${size}_1252" -e "s|^path = .*|path = \"crm_${size}_1252.csv\"\ndelimiter = \";\"\ndecimal = \",\"\nencoding = \"windows-1252\"\ndate_format = \"%d/%m/%Y %H:%M\"|"
    # The rollups: by account_id, and by opportunity_id (a million entities at 1M rows)
    sed -e "s|^path = .*|path = \"crm_$size.csv\"|" \
        -e "s|^archive = .*|archive = \"archive_rollup_$size\"|" bench/kpis_rollup.toml \
        > "$OUT/kpis_rollup_$size.toml"
    sed -e 's|^by = "account_id"|by = "opportunity_id"|' \
        -e "s|^archive = .*|archive = \"archive_rollup_opp_$size\"|" \
        -e '/^\[settings\]/a max_entities = 20000000' \
        "$OUT/kpis_rollup_$size.toml" > "$OUT/kpis_rollup_opp_$size.toml"

    for i in $(seq 1 "$RUNS"); do
        log "$size run $i/$RUNS"
        time_cmd "kpi_run_$size" "$KPI" -q -c "$cfg" run --as-of "$AS_OF" --no-archive --format csv \
            -o "$OUT/kpi_run_$size.csv"
        time_cmd "kpi1_run_$size" "$KPI" -q --threads 1 -c "$cfg" run --as-of "$AS_OF" --no-archive \
            --format csv -o "$OUT/kpi1_run_$size.csv"
        time_cmd "duckdb_run_$size" "$PY" bench/duckdb_workload.py "$data" "$OUT/duckdb_run_$size.csv" \
            --threads "$DUCKDB_THREADS" --months "$RUN_MONTHS"
        rm -rf "$arch"
        time_cmd "kpi1_backfill_$size" "$KPI" -q --threads 1 -c "$cfg" backfill \
            --from "$BACKFILL_FROM" --as-of "$BACKFILL_AS_OF"
        rm -rf "$arch"
        time_cmd "kpi_backfill_$size" "$KPI" -q -c "$cfg" backfill --from "$BACKFILL_FROM" \
            --as-of "$BACKFILL_AS_OF"
        time_cmd "duckdb_backfill_$size" "$PY" bench/duckdb_workload.py "$data" \
            "$OUT/duckdb_backfill_$size.csv" --threads "$DUCKDB_THREADS"
        cmp_cases "$size"
        rollup_cases "$size"
        path_cases "$size"
    done

    log "$size: comparing values"
    c1="$("$PY" bench/compare.py run "$OUT/kpi_run_$size.csv" "$OUT/duckdb_run_$size.csv")" \
        || { echo "$c1" >&2; echo "bench: kpi run and DuckDB differ ($size)" >&2; exit 1; }
    c2="$("$PY" bench/compare.py archive "$arch" "$OUT/duckdb_backfill_$size.csv")" \
        || { echo "$c2" >&2; echo "bench: kpi backfill and DuckDB differ ($size)" >&2; exit 1; }
    cmp -s "$OUT/kpi_run_$size.csv" "$OUT/kpi1_run_$size.csv" \
        || { echo "bench: kpi run with 1 and $(nproc) threads differ ($size)" >&2; exit 1; }
    CHECKS+="- $size, \`kpi run\`: $(tail -n 1 <<<"$c1"); 1 thread and $(nproc) give byte-identical output"$'\n'
    CHECKS+="- $size, \`kpi backfill\`: $(tail -n 1 <<<"$c2")"$'\n'
    cmp_checks "$size"
    rollup_checks "$size"
    path_checks "$size"
done

# ---------------------------------------------------------------- BENCHMARKS.md
# cmp_row SIZE MEASUREMENT CASE KPI_LABEL DUCKDB_LABEL KPI_PLAIN DUCKDB_PLAIN: a row of the
# comparisons table (labels without the size; the last two name the plain case's labels)
cmp_row() {
    local size="$1" m="$2" case="$3" k="$4_$1" d="$5_$1" kp="$6_$1" dp="$7_$1"
    local kw dw kpw dpw kk
    kw="$(stat_of "$k" 2)"; dw="$(stat_of "$d" 2)"; kk="$(stat_of "$k" 3)"
    kpw="$(stat_of "$kp" 2)"; dpw="$(stat_of "$dp" 2)"
    awk -v m="$m" -v n="${NROWS[$size]}" -v c="$case" -v kw="$kw" -v dw="$dw" -v kpw="$kpw" \
        -v dpw="$dpw" -v kk="$kk" -v runs="$(all_of "$k")" 'BEGIN {
        printf "| %s | %gM | %s | %s s | %s | **%.2f×** | %.0f MB | %s s | %.2f× | %.2f× |\n",
            m, n/1e6, c, kw, runs, kw/kpw, kk/1024, dw, dw/dpw, kw/dw }'
}

cmp_section() {
    echo "## Comparisons and windows"
    echo
    echo "The same workload with baselines and with trailing windows, default threads, medians of the"
    echo "same runs as above. \`bench/run.sh\` writes the variants of \`bench/kpis.toml\` next to the data"
    echo "(\`target/bench/kpis_<size>_cmp.toml\`, \`_win.toml\`):"
    echo
    echo "- **baselines**: \`compare = [\"previous\", \"year_ago\"]\` in \`[settings]\`: every value also has"
    echo "  its value a year before (for \`run\`, 2023-06 beside 2024-06 and 2024-05; for the backfill over"
    echo "  2024, every month of 2023). \`kpi run\` writes JSON here, for the \`comparisons\`."
    echo "- **window**: \`window = \"3 months\"\` on every KPI: each month's value covers the three months"
    echo "  that end with it (for \`run\`, 2024-04..2024-06 and the window before it, 2024-03..2024-05)."
    echo "- **backfill**: \`kpi backfill --from $YEAR_FROM --as-of $BACKFILL_AS_OF\` (the 12 months of"
    echo "  2024) into an empty archive; the plain case is the same command on the plain workload."
    echo "- DuckDB computes the same values: the extra months for the baselines (for the year with"
    echo "  year_ago: every month, its backfill measurement above), and for a window, each row joined to"
    echo "  every window that holds it (\`--window 3\` of \`bench/duckdb_workload.py\`)."
    echo
    echo "| measurement | rows | workload | kpi median wall | runs (s) | kpi × plain | kpi peak RSS | DuckDB median wall | DuckDB × plain | kpi / DuckDB |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for size in $SIZES; do
        cmp_row "$size" run plain kpi_run duckdb_run kpi_run duckdb_run
        cmp_row "$size" run baselines cmp_run duckdb_cmp_run kpi_run duckdb_run
        cmp_row "$size" run "3-month window" win_run duckdb_win_run kpi_run duckdb_run
        cmp_row "$size" "backfill, a year" plain year_year duckdb_year_year year_year duckdb_year_year
        cmp_row "$size" "backfill, a year" baselines cmp_year duckdb_backfill year_year duckdb_year_year
        cmp_row "$size" "backfill, a year" "3-month window" win_year duckdb_win_year year_year \
            duckdb_year_year
    done
    echo
    echo "kpi × plain is the case's median wall time over the plain case's, for the same command."
    echo "Rows are still read once: a row goes into the one stretch of days (\"atom\","
    echo "\`src/engine/atoms.rs\`) that holds it, and a window or a baseline is the merge of its atoms'"
    echo "accumulators, made once at the end. What a baseline or a window costs is the rows it adds to"
    echo "those accumulated (the time gate skips the others unparsed), not a second pass: with year_ago,"
    echo "the backfill over 2024 accumulates every month of 2023 as well, the 24 months of the plain"
    echo "backfill above, so that is the one to hold it against:"
    echo
    for size in $SIZES; do
        awk -v s="$size" -v a="$(stat_of "cmp_year_$size" 2)" -v b="$(stat_of "kpi_backfill_$size" 2)" \
            'BEGIN {printf "- %s: %s s with baselines against %s s for the 24 months (%.2f×).\n", s, a, b, a/b}'
    done
    echo
    echo "Where the rest goes (a profile made once, on 2026-12-03, not by this script: \`perf record\` of"
    echo "\`kpi --threads 1 backfill\` over 2024 on 1M rows, 5,322 samples with the window against 4,419"
    echo "plain). With a window, the backfill accumulates 15 months (2023-10 … 2024-12) rather than 13,"
    echo "and each month's value is the merge of three atoms, in which the distinct-count hashes are"
    echo "concatenated and sorted again and the median values copied: sorting goes from 4 % to 8 % of the"
    echo "samples and accounts for a third of the extra ones, the added rows for most of the rest. Peak"
    local big="${SIZES##* }"
    awk -v n="${NROWS[$big]}" -v w="$(stat_of "win_year_$big" 3)" -v p="$(stat_of "year_year_$big" 3)" \
        'BEGIN {printf "memory grows with the months held (%gM rows: %.0f MB against %.0f MB; the goal: 300 MB at most):\n", n/1e6, w/1024, p/1024}'
    echo "the atoms of the 15 months are held until the end, and each window's merge, a copy of three"
    echo "months of hashes and values, while its value is computed. \`SourcePass::finish\`"
    echo "(\`src/engine/pass/finish.rs\`) assembles one window at a time and drops it once read (it held"
    echo "every merge at once before: 475 MB at 10M rows). Left to do: merge the atoms' sorted hashes in"
    echo "one linear pass instead of sorting them again."
}

mb() { awk -v b="$1" 'BEGIN {printf "%.0f MB", b/1e6}'; }
cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//' || true)"
ram="$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [ -n "$(git status --porcelain --untracked-files=no -- src Cargo.toml Cargo.lock 2>/dev/null)" ]; then
    commit="$commit (with uncommitted changes to src/)"
fi
kpiv="$("$KPI" --version 2>/dev/null || echo kpi)"
rustv="$(rustc --version)"
duckv="$("$PY" -c 'import duckdb; print(duckdb.__version__)')"
pyv="$("$PY" --version 2>&1)"

{
    echo "# Benchmarks"
    echo
    echo "Generated by \`bench/run.sh\` on $(date -u +%Y-%m-%d) — do not edit by hand; rerun it."
    echo "kpi against DuckDB on the reference workload (\`bench/kpis.toml\`, and the same SQL in"
    echo "\`bench/duckdb_workload.py\`): per month of \`created_at\`, overall and by region (8), count,"
    echo "won count, win rate, won amount, average days to win, distinct accounts, median amount, NPS —"
    echo "8 KPIs × 9 breakdowns. Data: \`bench/gen_crm.py\` (deterministic synthetic CRM export, 17"
    echo "columns, quoted fields with delimiters and line breaks, empty values, repeated ids)."
    echo
    echo "- **kpi run**: \`kpi run --as-of $AS_OF --no-archive --format csv\` (the month 2024-06 and its"
    echo "  previous month, so 2 months); DuckDB computes the same two months (\`WHERE\` on the month)."
    echo "- **kpi backfill**: \`kpi backfill --from $BACKFILL_FROM --as-of $BACKFILL_AS_OF\` into an empty"
    echo "  archive (24 months, every value recorded); DuckDB computes every month."
    echo "- Each tool is timed as a whole process with \`/usr/bin/time -f \"%e %M\"\` (wall seconds, peak"
    echo "  RSS), $RUNS run(s) each, alternating kpi and DuckDB, warm page cache; medians below. DuckDB runs"
    echo "  with \`threads=$DUCKDB_THREADS\` through its Python module (the interpreter's start-up, ~0.1 s,"
    echo "  is included)."
    echo
    echo "## Machine and versions"
    echo
    echo "| | |"
    echo "|---|---|"
    echo "| CPU | $cpu |"
    echo "| cores (nproc) | $(nproc) |"
    echo "| RAM | $ram |"
    echo "| load average before the runs | $LOAD0 |"
    echo "| OS | $(uname -sr) |"
    echo "| kpi | $kpiv, commit $commit, \`cargo build --release\` |"
    echo "| rustc | $rustv |"
    echo "| DuckDB | $duckv (Python module, $pyv) |"
    echo
    echo "## Results"
    echo
    echo "| measurement | rows | file | tool | threads | median wall | runs (s) | peak RSS | rows/s | kpi / DuckDB |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for size in $SIZES; do
        n="${NROWS[$size]}"
        for m in run backfill; do
            kw="$(stat_of "kpi_${m}_$size" 2)"; dw="$(stat_of "duckdb_${m}_$size" 2)"
            kk="$(stat_of "kpi_${m}_$size" 3)"; dk="$(stat_of "duckdb_${m}_$size" 3)"
            ratio="$(awk -v a="$kw" -v b="$dw" 'BEGIN {printf "%.2f×", a/b}')"
            for tool in kpi duckdb; do
                if [ "$tool" = kpi ]; then w="$kw"; k="$kk"; name="kpi"; th="$(nproc) (default: all cores)"; r="**$ratio**"
                else w="$dw"; k="$dk"; name="DuckDB"; th="$DUCKDB_THREADS"; r=""; fi
                rps="$(awk -v n="$n" -v w="$w" 'BEGIN {if (w > 0) printf "%.2fM", n/w/1e6; else print "-"}')"
                rss="$(awk -v k="$k" 'BEGIN {printf "%.0f MB", k/1024}')"
                echo "| $m | $(awk -v n="$n" 'BEGIN {printf "%gM", n/1e6}') | $(mb "${BYTES[$size]}") | $name | $th | ${w} s | $(all_of "${tool}_${m}_$size") | $rss | $rps | $r |"
            done
        done
    done
    echo
    echo "rows/s is rows / median wall. kpi / DuckDB is the ratio of median wall times (below 1: kpi is"
    echo "faster). The goal of the Performance issue, on this 2-core machine at 10M rows: ≤ 0.2× DuckDB"
    echo "for both measurements, 1M rows under 0.4 s, peak RSS ≤ 300 MB. Load average after the runs:"
    echo "$(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine during the runs skews the times)."
    echo
    echo "## Threads"
    echo
    echo "\`kpi --threads 1\` against the default ($(nproc) threads), same commands (medians):"
    echo
    echo "| measurement | rows | 1 thread | rows/s | $(nproc) threads | rows/s | speed-up |"
    echo "|---|---|---|---|---|---|---|"
    for size in $SIZES; do
        n="${NROWS[$size]}"
        for m in run backfill; do
            w1="$(stat_of "kpi1_${m}_$size" 2)"; wn="$(stat_of "kpi_${m}_$size" 2)"
            awk -v m="$m" -v n="$n" -v a="$w1" -v b="$wn" 'BEGIN {
                printf "| %s | %gM | %s s | %.2fM | %s s | %.2fM | %.2f× |\n", m, n/1e6, a, n/a/1e6, b, n/b/1e6, a/b }'
        done
    done
    echo
    echo "Why the goal is or is not met, the profile and what would close the gap: [docs/performance.md](docs/performance.md)."
    echo
    cmp_section
    echo
    rollup_section
    echo
    path_section
    echo
    echo "## Same values"
    echo
    echo "Every value kpi computed was compared with DuckDB's (relative difference ≤ 1e-9,"
    echo "\`bench/compare.py\`), from the last run of each measurement:"
    echo
    printf '%s' "$CHECKS"
    echo
    echo "## Reproduce"
    echo
    echo '```sh'
    echo "bench/run.sh                   # BENCH_RUNS=3 and BENCH_SIZES=\"1m 10m\" by default"
    echo '```'
} > BENCHMARKS.md
log "wrote BENCHMARKS.md"
cat "$RES" >&2
