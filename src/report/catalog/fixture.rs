//! A small configuration with a derived KPI, a snapshot, a lookup and odd characters, shared
//! by the catalog's tests.

use crate::config::{self, Config};
use std::path::Path;

pub const TOML: &str = r#"
[sources.deals]
path = "data/deals_*.csv"
delimiter = ";"
decimal = ","
encoding = "windows-1252"
date_format = "%d/%m/%Y"
key = "deal_id"
filter = "is_test = false"
columns = { amount = "number", closed_at = "date", is_test = "bool" }

[sources.deals.lookup.accounts]
path = "data/accounts.csv"
on = "account_id"
columns = ["segment"]

[sources.tickets]
path = "data/tickets.csv"

[[kpi]]
id = "revenue"
name = "Revenue <won> & | booked"
description = "Sum of *won* deals."
owner = "Sales"
action = "Call `the` team."
source = "deals"
time = "closed_at"
formula = "sum(amount) FILTER (WHERE stage = 'Won')"
dimensions = ["segment", "region+channel"]
unit = "currency"
target = { value = 1200000, by = "2026-12-31" }
warn = "value < 0.8 * target"

[[kpi]]
id = "deals_won"
source = "deals"
time = "closed_at"
formula = "count_if(stage = 'Won')"

[[kpi]]
id = "deal_size"
formula = "revenue / deals_won"
unit = "currency"

[[kpi]]
id = "open_tickets"
source = "tickets"
frequency = "week"
formula = "count_if(resolved_at IS NULL)"
direction = "down"
fail = "value > 80"

[[report]]
id = "sales"
title = "Sales review"
audience = "Sales team"
kpis = ["deal_size"]

[[report]]
id = "support"
kpis = ["open_tickets", "revenue"]
"#;

pub fn config() -> Config {
    let checked = config::check_text(TOML, Path::new("kpis.toml"));
    assert!(checked.problems.is_empty(), "{:?}", checked.problems);
    checked.config
}
