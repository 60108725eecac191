//! What a column's name and values say to an analyst: an identifier or code (kept as text,
//! never summed), an outcome (the rate to suggest), an attribute of a person (never the rate),
//! money, a count, the date a deal closes. Pure word lists; the decisions built on them are in
//! `profile` (types) and `suggest` (KPIs).

/// Whole words that name an identifier or a code: its digits are a label, not a quantity.
const ID_WORDS: [&str; 27] = [
    "id",
    "ids",
    "uuid",
    "guid",
    "zip",
    "zipcode",
    "postal",
    "postcode",
    "postalcode",
    "phone",
    "telephone",
    "tel",
    "mobile",
    "fax",
    "code",
    "sku",
    "ean",
    "upc",
    "gtin",
    "isbn",
    "iban",
    "siret",
    "siren",
    "ssn",
    "imei",
    "msisdn",
    "ref",
];
/// What a name glued into one word starts with before `id` (`customerid`, `orderid`).
const ID_OWNERS: [&str; 16] = [
    "customer",
    "client",
    "user",
    "account",
    "order",
    "deal",
    "opportunity",
    "product",
    "ticket",
    "lead",
    "contact",
    "invoice",
    "transaction",
    "row",
    "record",
    "case",
];
/// The first word of a French identifier: `id_client`, `code_postal`, `num_commande`.
const FIRST_ID_WORDS: [&str; 4] = ["id", "code", "num", "ref"];
/// The last word of `account number`, `order no`: an identifier, unlike `number of seats`.
const NUMBER_WORDS: [&str; 3] = ["number", "num", "nr"];

/// Words of an outcome column: whether a customer churned, a deal was won, a lead converted.
const OUTCOME_WORDS: [&str; 19] = [
    "churn",
    "churned",
    "attrition",
    "exited",
    "won",
    "win",
    "converted",
    "conversion",
    "outcome",
    "result",
    "y",
    "target",
    "label",
    "subscribed",
    "retained",
    "success",
    "successful",
    "closedwon",
    "iswon",
];
/// Words (of a name or a value) of an outcome that is bad news: its rate should go down.
const LOSS_WORDS: [&str; 9] = [
    "churn",
    "churned",
    "attrition",
    "exited",
    "lost",
    "cancelled",
    "canceled",
    "late",
    "defaulted",
];
/// Words of a column that holds an outcome among other states: `status`, `deal_stage`.
const STATE_WORDS: [&str; 4] = ["status", "stage", "statut", "phase"];
/// Who the row is about rather than what happened: never the suggested rate.
const ATTRIBUTE_WORDS: [&str; 14] = [
    "gender",
    "sex",
    "male",
    "female",
    "marital",
    "married",
    "partner",
    "dependents",
    "senior",
    "citizen",
    "age",
    "title",
    "civility",
    "test",
];
/// Words of a count: a column of 0 and 1 named so is a number that happens to be small.
const COUNT_WORDS: [&str; 9] = [
    "quantity",
    "qty",
    "count",
    "nb",
    "units",
    "items",
    "calls",
    "visits",
    "purchases",
];
/// Words of the date an outcome is known on, whichever it is: the rate is placed in its period
/// by it. Not `won_date` nor `converted_at`, which only the successes have: by them a rate
/// would count no failure, and read 100 %.
const CLOSING_WORDS: [&str; 6] = [
    "close", "closed", "closing", "resolved", "decided", "decision",
];
/// Words of a name that say "money".
const MONEY_WORDS: [&str; 10] = [
    "mrr", "arr", "ttc", "ht", "ca", "eur", "usd", "gbp", "chf", "value",
];
/// Beginnings of words of a price or a cost per unit: money, but a sum of them means less.
const UNIT_MONEY_STEMS: [&str; 6] = ["price", "prix", "cost", "fee", "msrp", "tarif"];
/// Beginnings of words that say "money" (`amounts`, `revenue_eur`, `pricing`, `charges`).
const MONEY_STEMS: [&str; 14] = [
    "amount", "revenue", "total", "sales", "paid", "spend", "budget", "montant", "chiffre",
    "income", "invoice", "payment", "turnover", "charge",
];
/// Words of a 0–10 "how likely are you to recommend" question.
const NPS_WORDS: [&str; 4] = ["nps", "recommend", "recommendation", "promoter"];

/// Values that say the event happened (compared once lowercased, separators as spaces).
const POSITIVE: [&str; 14] = [
    "won",
    "win",
    "closed won",
    "converted",
    "success",
    "successful",
    "succeeded",
    "churned",
    "subscribed",
    "accepted",
    "approved",
    "signed",
    "yes",
    "true",
];
/// Values that say it did not.
const NEGATIVE: [&str; 13] = [
    "lost",
    "loss",
    "closed lost",
    "not converted",
    "unconverted",
    "disqualified",
    "failed",
    "failure",
    "rejected",
    "declined",
    "refused",
    "no",
    "false",
];

/// A name in lowercase words, split at separators and where camelCase turns upper:
/// `customerID` → customer, id; `Reached.on.Time_Y.N` → reached, on, time, y, n.
pub fn words(name: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut lower_before = false;
    for c in name.chars() {
        if !c.is_alphanumeric() {
            out.extend((!word.is_empty()).then(|| std::mem::take(&mut word)));
            lower_before = false;
            continue;
        }
        if c.is_uppercase() && lower_before {
            out.push(std::mem::take(&mut word));
        }
        lower_before = c.is_lowercase() || c.is_ascii_digit();
        word.extend(c.to_lowercase());
    }
    out.extend((!word.is_empty()).then_some(word));
    out
}

fn has_word(name: &str, list: &[&str]) -> bool {
    words(name).iter().any(|w| list.contains(&w.as_str()))
}

/// An identifier or a code: `Postal Code`, `customerID`, `ORDERNUMBER`, `account number`,
/// `id_client`. The word that says so ends the name (or starts it, in French: `code_postal`),
/// so that `PhoneService` is a service and `has_gtin` a flag.
pub fn is_identifier(name: &str) -> bool {
    let words = words(name);
    let glued = |w: &str| {
        (w.len() > 4 && w.ends_with("code"))
            || (w.len() > 6 && w.ends_with("number"))
            || w.strip_suffix("id")
                .is_some_and(|owner| ID_OWNERS.contains(&owner))
    };
    let says_id = |w: &String| ID_WORDS.contains(&w.as_str()) || glued(w);
    let (Some(first), Some(last)) = (words.first(), words.last()) else {
        return false;
    };
    says_id(last)
        || (words.len() > 1 && NUMBER_WORDS.contains(&last.as_str()))
        || (FIRST_ID_WORDS.contains(&first.as_str()) && words.len() > 1)
}

/// How strongly a name says "outcome": 2 for `Churn`, `y`, `is_won`; 1 for `status` and
/// `deal_stage`, which hold an outcome among other states; 0 otherwise.
pub fn outcome_strength(name: &str) -> u8 {
    if is_identifier(name) {
        0
    } else if has_word(name, &OUTCOME_WORDS) {
        2
    } else if has_word(name, &STATE_WORDS) {
        1
    } else {
        0
    }
}

/// Who the row is about (gender, age, partner, a test flag): not an outcome.
pub fn is_attribute(name: &str) -> bool {
    has_word(name, &ATTRIBUTE_WORDS)
}

/// An outcome whose rate is better low: `Churn`, `exited`, a share of `Lost`.
pub fn is_loss(text: &str) -> bool {
    has_word(text, &LOSS_WORDS)
}

pub fn is_count(name: &str) -> bool {
    has_word(name, &COUNT_WORDS)
}

/// A date that says when the outcome was known: `close_date`, `closed_at`, `converted_at`.
pub fn is_closing_date(name: &str) -> bool {
    has_word(name, &CLOSING_WORDS)
}

/// How strongly a name says an amount to sum: 2 for `amount`, `revenue`, `MonthlyCharges`;
/// 1 for a unit price or cost (`PRICEEACH`, `sales_price`), whose sum means less; 0 for none.
pub fn money_rank(name: &str) -> u8 {
    let words = words(name);
    let says = |w: &String| {
        MONEY_WORDS.contains(&w.as_str()) || MONEY_STEMS.iter().any(|s| w.starts_with(s))
    };
    if words
        .iter()
        .any(|w| UNIT_MONEY_STEMS.iter().any(|s| w.starts_with(s)))
    {
        1
    } else if words.iter().any(says) {
        2
    } else {
        0
    }
}

pub fn says_nps(name: &str) -> bool {
    has_word(name, &NPS_WORDS)
}

/// Whether a value says the event happened (Some(true)), did not (Some(false)), or neither.
pub fn outcome_value(value: &str) -> Option<bool> {
    let plain = words(value).join(" ");
    if POSITIVE.contains(&plain.as_str()) {
        Some(true)
    } else if NEGATIVE.contains(&plain.as_str()) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_names_into_words() {
        assert_eq!(words("customerID"), ["customer", "id"]);
        assert_eq!(
            words("Reached.on.Time_Y.N"),
            ["reached", "on", "time", "y", "n"]
        );
        assert_eq!(words("SeniorCitizen"), ["senior", "citizen"]);
        assert_eq!(words("ORDERNUMBER"), ["ordernumber"]);
        assert_eq!(words("Closed-Won"), ["closed", "won"]);
        assert_eq!(words("Montant TTC (€)"), ["montant", "ttc"]);
    }

    #[test]
    fn identifiers_and_codes() {
        for name in [
            "customerID",
            "Postal Code",
            "POSTALCODE",
            "zip",
            "PHONE",
            "Row ID",
            "ORDERNUMBER",
            "account number",
            "sku",
            "PRODUCTCODE",
            "orderid",
            "mql_id",
            "id_client",
            "code_postal",
        ] {
            assert!(is_identifier(name), "{name}");
        }
        for name in [
            "paid",
            "amount",
            "Number of seats",
            "valid",
            "tenure",
            "Status No.",
            "PhoneService",
        ] {
            assert!(!is_identifier(name), "{name}");
        }
    }

    #[test]
    fn outcomes_states_and_attributes() {
        for name in [
            "Churn",
            "y",
            "is_won",
            "closed_won",
            "Converted",
            "Reached.on.Time_Y.N",
        ] {
            assert_eq!(outcome_strength(name), 2, "{name}");
        }
        for name in ["deal_stage", "STATUS", "statut"] {
            assert_eq!(outcome_strength(name), 1, "{name}");
        }
        for name in ["gender", "default", "response_id", "customer_won_id"] {
            assert_eq!(outcome_strength(name), 0, "{name}");
        }
        assert!(is_attribute("gender") && is_attribute("SeniorCitizen") && is_attribute("is_test"));
        assert!(!is_attribute("Churn"));
        assert!(is_loss("Churn") && is_loss("Exited") && !is_loss("y") && !is_loss("Won"));
        assert!(is_closing_date("close_date") && is_closing_date("closedAt"));
        assert!(!is_closing_date("engage_date") && !is_closing_date("converted_at"));
    }

    #[test]
    fn outcome_values() {
        assert_eq!(outcome_value("Won"), Some(true));
        assert_eq!(outcome_value("Closed-Won"), Some(true));
        assert_eq!(outcome_value("closed lost"), Some(false));
        assert_eq!(outcome_value("No"), Some(false));
        assert_eq!(outcome_value("Engaging"), None);
        assert_eq!(outcome_value("EMEA"), None);
    }

    #[test]
    fn money_names() {
        for name in [
            "close_value",
            "MonthlyCharges",
            "Montant TTC",
            "revenue_eur",
            "SALES",
        ] {
            assert_eq!(money_rank(name), 2, "{name}");
        }
        for name in ["PRICEEACH", "sales_price", "Cost_of_the_Product"] {
            assert_eq!(money_rank(name), 1, "{name}");
        }
        assert_eq!((money_rank("score"), money_rank("label")), (0, 0));
    }
}
