//! How each SQL engine spells what the compiled query needs: quoting, types, literals, and the
//! few functions whose names or argument orders differ.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Dialect {
    #[value(name = "duckdb")]
    DuckDb,
    Postgres,
    #[value(name = "bigquery")]
    BigQuery,
    Snowflake,
    Spark,
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::DuckDb => "duckdb",
            Dialect::Postgres => "postgres",
            Dialect::BigQuery => "bigquery",
            Dialect::Snowflake => "snowflake",
            Dialect::Spark => "spark",
        })
    }
}

impl Dialect {
    /// A column or CTE name, quoted so that any header text is safe.
    pub fn ident(self, name: &str) -> String {
        match self {
            Dialect::BigQuery | Dialect::Spark => format!("`{}`", name.replace('`', "\\`")),
            _ => format!("\"{}\"", name.replace('"', "\"\"")),
        }
    }

    /// A string literal. BigQuery, Snowflake and Spark read backslash escapes inside quotes.
    pub fn string(self, text: &str) -> String {
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("'{}'", text.replace('\'', "''")),
            _ => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        }
    }

    pub fn double(self) -> &'static str {
        match self {
            Dialect::Postgres => "DOUBLE PRECISION",
            Dialect::BigQuery => "FLOAT64",
            _ => "DOUBLE",
        }
    }

    pub fn text(self) -> &'static str {
        match self {
            Dialect::Postgres => "TEXT",
            Dialect::BigQuery | Dialect::Spark => "STRING",
            _ => "VARCHAR",
        }
    }

    /// A timestamp without time zone: kpi's datetimes are naive (UTC when the text had an
    /// offset).
    pub fn timestamp(self) -> &'static str {
        match self {
            Dialect::BigQuery => "DATETIME",
            Dialect::Snowflake => "TIMESTAMP_NTZ",
            _ => "TIMESTAMP",
        }
    }

    pub fn cast(self, expr: &str, to: &str) -> String {
        format!("CAST({expr} AS {to})")
    }

    pub fn to_double(self, expr: &str) -> String {
        self.cast(expr, self.double())
    }

    pub fn date_literal(self, date: chrono::NaiveDate) -> String {
        format!("DATE '{date}'")
    }

    pub fn timestamp_literal(self, text: &str) -> String {
        match self {
            Dialect::BigQuery => format!("DATETIME '{text}'"),
            Dialect::Snowflake => format!("'{text}'::TIMESTAMP_NTZ"),
            _ => format!("TIMESTAMP '{text}'"),
        }
    }

    /// A cast that gives null rather than an error when the text does not convert (kpi's rule).
    pub fn try_cast(self, expr: &str, to: &str) -> Option<String> {
        match self {
            Dialect::DuckDb | Dialect::Snowflake => Some(format!("TRY_CAST({expr} AS {to})")),
            Dialect::BigQuery => Some(format!("SAFE_CAST({expr} AS {to})")),
            Dialect::Spark => Some(format!("try_cast({expr} AS {to})")),
            Dialect::Postgres => None,
        }
    }

    /// Every match of a regular expression replaced (`pattern` is a plain regex, escaped here).
    pub fn regexp_replace_all(self, expr: &str, pattern: &str, with: &str) -> String {
        let (p, w) = (self.string(pattern), self.string(with));
        match self {
            Dialect::DuckDb | Dialect::Postgres => format!("regexp_replace({expr}, {p}, {w}, 'g')"),
            _ => format!("regexp_replace({expr}, {p}, {w})"),
        }
    }

    /// The `ORDER BY` of a string comparison: byte order, as kpi compares text. PostgreSQL
    /// otherwise follows the database's locale.
    pub fn byte_order(self, expr: &str) -> String {
        match self {
            Dialect::Postgres => format!("({expr} COLLATE \"C\")"),
            _ => expr.to_string(),
        }
    }
}

impl Dialect {
    /// Whether the whole of `expr` matches `pattern` (a regular expression without anchors).
    pub fn full_match(self, expr: &str, pattern: &str) -> String {
        let anchored = format!("^(?:{pattern})$");
        match self {
            Dialect::DuckDb => format!("regexp_full_match({expr}, {})", self.string(pattern)),
            Dialect::Postgres => format!("({expr} ~ {})", self.string(&anchored)),
            Dialect::BigQuery => format!("REGEXP_CONTAINS({expr}, {})", self.string(&anchored)),
            Dialect::Snowflake => format!("REGEXP_LIKE({expr}, {})", self.string(pattern)),
            Dialect::Spark => format!("({expr} RLIKE {})", self.string(&anchored)),
        }
    }

    /// White space removed at both ends, as kpi trims (Rust's `str::trim`: Unicode white space,
    /// the no-break spaces included).
    pub fn trim(self, expr: &str) -> String {
        let space = match self {
            // RE2 (DuckDB, BigQuery) and Java (Spark) read `\x{…}`; PostgreSQL reads `\u…`.
            Dialect::DuckDb | Dialect::BigQuery | Dialect::Spark => {
                r"[\s\x{0b}\x{85}\x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}]"
            }
            Dialect::Postgres => {
                r"[\s\u000b\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
            }
            Dialect::Snowflake => r"\s",
        };
        self.regexp_replace_all(expr, &format!("^{space}+|{space}+$"), "")
    }
}
