//! A number cell read as kpi reads it (`ingest::parse::parse_number`), in DuckDB SQL: a plain
//! number, or digits with thousands separators in groups of three, one currency sign or ISO
//! code, a sign, a trailing minus or accounting parentheses. `12 %`, `NaN` and `inf` are not
//! numbers.

use super::dialect::Dialect;

/// ISO codes kpi accepts as a currency (`ingest::parse::number::CURRENCY_CODES`).
const CODES: &str = "AED|ARS|AUD|BGN|BRL|CAD|CHF|CLP|CNY|COP|CZK|DKK|EGP|EUR|GBP|HKD|HUF|IDR|ILS|INR|JPY|KRW|MAD|MXN|MYR|NGN|NOK|NZD|PEN|PHP|PLN|RON|RUB|SAR|SEK|SGD|THB|TRY|USD|ZAR";
/// Currency signs (Unicode's Sc that exports use), as a character class body.
const SIGNS: &str = r"$\x{a2}-\x{a5}\x{58f}\x{e3f}\x{20a0}-\x{20c0}\x{fdfc}\x{ff04}\x{ffe0}\x{ffe1}\x{ffe5}\x{ffe6}";

pub fn number(d: Dialect, cell: &str, decimal: u8) -> String {
    let (dec, thousands) = if decimal == b',' {
        (",", r"\.")
    } else {
        (r"\.", ",")
    };
    let plain = format!(r"[+-]?([0-9]+{dec}?[0-9]*|{dec}[0-9]+)([eE][+-]?[0-9]+)?");
    let currency = format!(r"[A-Z]{{0,3}}[{SIGNS}][A-Z]{{0,3}}|{CODES}");
    let separators = [thousands, " ", "'", r"\x{a0}", r"\x{202f}"];
    let grouped: Vec<String> = separators
        .iter()
        .map(|s| format!(r"[1-9][0-9]{{0,2}}(?:{s}[0-9]{{3}})+(?:{dec}[0-9]*)?"))
        .collect();
    let core = format!(r"[0-9]+(?:{dec}[0-9]*)?|{dec}[0-9]+|{}", grouped.join("|"));
    let decorated =
        format!(r"((?:\s|[(+-]|{currency})*?)({core})([eE][+-]?[0-9]+)?((?:\s|[)-]|{currency})*)");
    let part = |group: u8| {
        format!(
            "regexp_extract({cell}, {}, {group})",
            d.string(&format!("^{decorated}$"))
        )
    };
    let prefix = part(1);
    let digits = part(2);
    let exponent = part(3);
    let suffix = part(4);
    let affixes = format!("({prefix} || ' ' || {suffix})");
    let count =
        |text: &str, c: &str| format!("(length({text}) - length(replace({text}, '{c}', '')))");
    let minus = count(&affixes, "-");
    let plus = count(&prefix, "+");
    let open = count(&prefix, "(");
    let close = count(&suffix, ")");
    let token = d.string(&format!("[A-Za-z{SIGNS}]+"));
    let currencies = format!("len(regexp_extract_all({affixes}, {token}))");
    // At most one currency token, and a valid one (`EUR`, `US$`, not `abc`).
    let currency_valid = format!(
        "({currencies} = 0 OR regexp_full_match(regexp_extract({affixes}, {token}, 0), {}))",
        d.string(&currency)
    );
    let consistent = format!(
        "{currencies} <= 1 AND {currency_valid} AND {minus} + {plus} <= 1 AND {open} = {close} AND {open} <= 1 AND NOT ({open} = 1 AND {minus} + {plus} > 0)"
    );
    let normalized = format!(
        "regexp_replace(regexp_replace({digits}, {}, '', 'g'), {}, '.') || {exponent}",
        d.string(&format!("[{thousands} '\\x{{a0}}\\x{{202f}}]")),
        d.string(dec)
    );
    let negative = format!("CASE WHEN {open} = 1 OR {minus} = 1 THEN -1 ELSE 1 END");
    let plain_value = if decimal == b',' {
        format!("TRY_CAST(replace({cell}, ',', '.') AS DOUBLE)")
    } else {
        format!("TRY_CAST({cell} AS DOUBLE)")
    };
    format!(
        "CASE WHEN {} THEN {plain_value} WHEN {} AND {consistent} THEN {negative} * TRY_CAST({normalized} AS DOUBLE) END",
        d.full_match(cell, &plain),
        d.full_match(cell, &decorated),
    )
}
