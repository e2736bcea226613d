//! Money: exact decimals with an ISO 4217 currency code, and the FX table to USD.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;

use crate::{Error, Result};

/// Active ISO 4217 codes (2024 list).
const ISO_4217: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB \
BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD \
FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR \
KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR \
MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK \
SGD SHP SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES \
VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG";

/// An ISO 4217 currency code, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// The platform's reference currency.
    pub const USD: Currency = Currency(*b"USD");

    /// Parses an ISO 4217 code; lower case is accepted and normalised.
    pub fn parse(code: &str) -> Option<Self> {
        let &[a, b, c] = code.trim().as_bytes() else {
            return None;
        };
        let wanted = [a, b, c].map(|x| x.to_ascii_uppercase());
        // Every stored amount is parsed on its way out, so the list is searched by halves: its
        // codes are sorted and four bytes apart (a test holds it to that).
        let list = ISO_4217.as_bytes();
        let (mut lo, mut hi) = (0, list.len().div_ceil(4));
        while lo < hi {
            let mid = (lo + hi) / 2;
            match list[mid * 4..mid * 4 + 3].cmp(&wanted) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(Currency(wanted)),
            }
        }
        None
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        // The bytes came from an ASCII code list.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money: a non-negative exact decimal in a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Money {
    amount: Decimal,
    currency: Currency,
}

impl Money {
    /// Validates an amount and a currency code; `field` names the input for errors.
    pub fn new(amount: Decimal, currency: &str, field: &str) -> Result<Self> {
        let currency = Currency::parse(currency).ok_or_else(|| {
            Error::validation(format!("{field}.currency"), "not an ISO 4217 currency code")
        })?;
        if amount.is_sign_negative() && !amount.is_zero() {
            return Err(Error::validation(
                format!("{field}.amount"),
                "must not be negative",
            ));
        }
        if amount.scale() > 4 {
            return Err(Error::validation(
                format!("{field}.amount"),
                "at most 4 decimal places",
            ));
        }
        Ok(Self {
            amount: amount.normalize(),
            currency,
        })
    }

    /// Rebuilds money read back from storage.
    pub fn from_stored(amount: &str, currency: &str) -> Result<Self> {
        let amount = Decimal::from_str(amount)
            .map_err(|_| Error::validation("amount", "stored amount is not a decimal"))?;
        Self::new(amount, currency, "amount")
    }

    /// The amount.
    pub fn amount(&self) -> Decimal {
        self.amount
    }

    /// The currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    /// The amount as plain decimal text: no exponent, no sign, no trailing fractional zeros.
    pub fn plain_amount(&self) -> String {
        plain_decimal(self.amount)
    }
}

/// A decimal as plain text without trailing fractional zeros or a trailing dot.
pub fn plain_decimal(d: Decimal) -> String {
    d.normalize().to_string()
}

/// Rates to USD: how many US dollars one unit of each currency is worth.
#[derive(Debug, Clone, PartialEq)]
pub struct FxTable {
    usd_per_unit: BTreeMap<Currency, Decimal>,
}

impl Default for FxTable {
    /// A built-in table for common currencies (mid rates, late 2026).
    fn default() -> Self {
        let pairs = [
            ("USD", "1"),
            ("IDR", "0.0000625"),
            ("EUR", "1.08"),
            ("GBP", "1.27"),
            ("JPY", "0.0067"),
            ("CNY", "0.14"),
            ("KRW", "0.00073"),
            ("SGD", "0.74"),
            ("MYR", "0.21"),
            ("AUD", "0.66"),
            ("NZD", "0.60"),
            ("CAD", "0.73"),
            ("CHF", "1.12"),
            ("HKD", "0.128"),
            ("INR", "0.012"),
            ("THB", "0.028"),
            ("AED", "0.2723"),
            ("SAR", "0.2667"),
            ("QAR", "0.2747"),
            ("NOK", "0.092"),
            ("SEK", "0.094"),
            ("DKK", "0.145"),
        ];
        let mut usd_per_unit = BTreeMap::new();
        for (code, rate) in pairs {
            if let (Some(c), Ok(r)) = (Currency::parse(code), Decimal::from_str(rate)) {
                usd_per_unit.insert(c, r);
            }
        }
        Self { usd_per_unit }
    }
}

impl FxTable {
    /// A table from `(code, usd_per_unit)` pairs; USD is always 1.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, Decimal)>) -> Result<Self> {
        let mut usd_per_unit = BTreeMap::new();
        usd_per_unit.insert(Currency::USD, Decimal::ONE);
        for (code, rate) in pairs {
            let c = Currency::parse(code)
                .ok_or_else(|| Error::validation(code, "not an ISO 4217 currency code"))?;
            if rate <= Decimal::ZERO {
                return Err(Error::validation(code, "rate must be positive"));
            }
            usd_per_unit.insert(c, rate);
        }
        Ok(Self { usd_per_unit })
    }

    /// The rate of a currency, if the table has one.
    pub fn rate(&self, currency: Currency) -> Option<Decimal> {
        self.usd_per_unit.get(&currency).copied()
    }

    /// Whether the table can convert this currency.
    pub fn knows(&self, currency: Currency) -> bool {
        self.usd_per_unit.contains_key(&currency)
    }

    /// The amount in USD, rounded to cents; `None` when the table has no rate.
    pub fn to_usd(&self, money: &Money) -> Option<Decimal> {
        let rate = self.rate(money.currency)?;
        Some(money.amount.checked_mul(rate)?.round_dp(2).normalize())
    }

    /// The amount in USD as a number for scoring and ranking — the one conversion every part of
    /// Sinergi uses, never a silent zero. `field` names the money input in the error: its
    /// `.currency` when the table has no rate, its `.amount` when the amount is too large.
    pub fn usd(&self, money: &Money, field: &str) -> Result<f64> {
        use rust_decimal::prelude::ToPrimitive;
        if !self.knows(money.currency) {
            return Err(Error::validation(
                format!("{field}.currency"),
                format!("no FX rate for {}", money.currency),
            ));
        }
        self.to_usd(money)
            .and_then(|d| d.to_f64())
            .filter(|x| x.is_finite())
            .ok_or_else(|| {
                Error::validation(
                    format!("{field}.amount"),
                    "the amount is too large to convert to USD",
                )
            })
    }

    /// The currencies the table knows.
    pub fn currencies(&self) -> impl Iterator<Item = (&Currency, &Decimal)> {
        self.usd_per_unit.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dec(s: &str) -> Decimal {
        Decimal::from_str(s).expect("decimal")
    }

    #[test]
    fn currency_codes_are_validated_and_normalised() {
        assert_eq!(
            Currency::parse("idr").map(|c| c.to_string()),
            Some("IDR".into())
        );
        assert!(Currency::parse("XYZ").is_none());
        assert!(Currency::parse("US").is_none());
        assert!(Currency::parse("USDX").is_none());
        assert_eq!(
            Currency::parse(" zwg ").map(|c| c.to_string()),
            Some("ZWG".into())
        );
    }

    #[test]
    fn every_listed_code_is_found_and_nothing_between_them() {
        // The search by halves needs sorted codes, four bytes apart.
        let codes: Vec<&str> = ISO_4217.split(' ').collect();
        assert!(codes.iter().all(|c| c.len() == 3));
        assert!(
            codes.windows(2).all(|w| w[0] < w[1]),
            "ISO_4217 must stay sorted"
        );
        for c in &codes {
            assert_eq!(
                Currency::parse(c).map(|x| x.to_string()).as_deref(),
                Some(*c)
            );
        }
        for c in ["AAA", "AEE", "ZZZ", "MMM", "ÀBC"] {
            assert!(Currency::parse(c).is_none(), "{c}");
        }
    }

    #[test]
    fn negative_amounts_and_bad_codes_name_the_field() {
        let e = Money::new(dec("-1"), "USD", "capex").unwrap_err();
        assert_eq!(e, Error::validation("capex.amount", "must not be negative"));
        let e = Money::new(dec("1"), "ABC", "capex").unwrap_err();
        assert!(matches!(e, Error::Validation { ref field, .. } if field == "capex.currency"));
    }

    #[test]
    fn plain_amounts_drop_trailing_zeros() {
        let m = Money::new(dec("1500000.500"), "IDR", "x").expect("money");
        assert_eq!(m.plain_amount(), "1500000.5");
        let m = Money::new(dec("2000.00"), "USD", "x").expect("money");
        assert_eq!(m.plain_amount(), "2000");
    }

    #[test]
    fn rupiah_converts_to_dollars_exactly() {
        let fx = FxTable::default();
        let m = Money::new(dec("64000000000"), "IDR", "x").expect("money");
        assert_eq!(fx.to_usd(&m), Some(dec("4000000")));
    }
}
