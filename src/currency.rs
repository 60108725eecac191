//! Currencies for display: an ISO 4217 code (`settings.currency`, or `currency` on a KPI), the
//! sign the human-readable outputs write before an amount, and its minor unit.
//!
//! Display only: values stay raw numbers and no amount is ever converted. Which codes exist is
//! checked here (so that `EUT` is a configuration error, not a silent `EUT 1,234`); where a code
//! is written in `kpis.toml` is the configuration's business.

use std::fmt;

/// The active ISO 4217 codes, and a few recently withdrawn ones that old exports still carry
/// (HRK, SLL, ZWL); funds, metals and testing codes (XAU, XTS...) are not money a KPI reports.
const CODES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND \
    BOB BOV BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK \
    DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HRK HTG HUF \
    IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL \
    LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR \
    PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD \
    SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED \
    VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL";

/// Codes whose sign is unambiguous where the code is used; every other code is written as the
/// code and a space (`CHF 1,234`), since `$` or `kr` alone would not say which dollar or crown.
const SIGNS: [(&str, &str); 4] = [("EUR", "€"), ("USD", "$"), ("GBP", "£"), ("JPY", "¥")];

/// ISO 4217 minor units other than 2 (cents): yen and won have none, dinars have three.
const NO_MINOR_UNIT: &str = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
const THREE_MINOR_DIGITS: &str = "BHD IQD JOD KWD LYD OMR TND";

/// A currency by its ISO 4217 code (three capital letters, checked to exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The currency of a code as written in `kpis.toml` (`EUR`, or `eur`); None when no such
    /// currency exists.
    pub fn from_code(code: &str) -> Option<Currency> {
        let upper = code.trim().to_ascii_uppercase();
        let bytes: [u8; 3] = upper.as_bytes().try_into().ok()?;
        let known = bytes.iter().all(u8::is_ascii_uppercase) && listed(CODES, &upper);
        known.then_some(Currency(bytes))
    }

    /// `EUR`.
    pub fn code(&self) -> &str {
        // Built from three ASCII capitals only (see `from_code`).
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// What precedes an amount: `€` (no space), or `CHF ` (the code and a space).
    pub fn prefix(&self) -> String {
        match SIGNS.iter().find(|(code, _)| *code == self.code()) {
            Some((_, sign)) => sign.to_string(),
            None => format!("{} ", self.code()),
        }
    }

    /// The digits of its minor unit: 2 for cents, 0 for the yen, 3 for dinars.
    pub fn minor_digits(&self) -> usize {
        if listed(NO_MINOR_UNIT, self.code()) {
            0
        } else if listed(THREE_MINOR_DIGITS, self.code()) {
            3
        } else {
            2
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

fn listed(list: &str, code: &str) -> bool {
    list.split_whitespace().any(|c| c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_checked_and_read_in_either_case() {
        assert_eq!(
            Currency::from_code("EUR").map(|c| c.code().to_string()),
            Some("EUR".into())
        );
        assert_eq!(
            Currency::from_code(" chf ").map(|c| c.to_string()),
            Some("CHF".into())
        );
        for wrong in ["EUT", "EURO", "€", "", "E1R", "XAU", "ÉUR"] {
            assert_eq!(Currency::from_code(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn known_signs_stick_to_the_amount_other_codes_are_spaced() {
        let prefix = |code: &str| Currency::from_code(code).map(|c| c.prefix());
        assert_eq!(prefix("EUR").as_deref(), Some("€"));
        assert_eq!(prefix("USD").as_deref(), Some("$"));
        assert_eq!(prefix("GBP").as_deref(), Some("£"));
        assert_eq!(prefix("JPY").as_deref(), Some("¥"));
        assert_eq!(prefix("CHF").as_deref(), Some("CHF "));
        assert_eq!(prefix("SEK").as_deref(), Some("SEK "));
    }

    #[test]
    fn minor_units_follow_iso_4217() {
        let digits = |code: &str| Currency::from_code(code).map(|c| c.minor_digits());
        assert_eq!(digits("EUR"), Some(2));
        assert_eq!(digits("JPY"), Some(0));
        assert_eq!(digits("KWD"), Some(3));
    }
}
