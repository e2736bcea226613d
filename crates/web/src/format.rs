//! Money and dates as each language writes them.

use chrono::{DateTime, Datelike, Timelike, Utc};

use crate::i18n::Lang;

fn group(int: &str, sep: char) -> String {
    let digits: Vec<char> = int.chars().collect();
    let mut out = String::new();
    for (i, c) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(*c);
    }
    out
}

/// A whole number with the language's thousands separator: `1.250` / `1,250`.
pub fn integer(lang: Lang, n: i64) -> String {
    let sep = match lang {
        Lang::Id => '.',
        Lang::En => ',',
    };
    let digits = group(&n.unsigned_abs().to_string(), sep);
    if n < 0 { format!("-{digits}") } else { digits }
}

/// An amount in its own currency: `Rp 1.250.000.000` in Indonesian, `IDR 1,250,000,000` in
/// English; cents only when there are any.
pub fn money(lang: Lang, amount: &str, currency: &str) -> String {
    let (neg, a) = amount
        .strip_prefix('-')
        .map_or((false, amount), |a| (true, a));
    let (int, frac) = a.split_once('.').unwrap_or((a, ""));
    let frac = frac.trim_end_matches('0');
    let (thousands, decimal) = match lang {
        Lang::Id => ('.', ','),
        Lang::En => (',', '.'),
    };
    let mut n = group(int.trim_start_matches('+'), thousands);
    if !frac.is_empty() {
        n.push(decimal);
        n.push_str(&format!("{frac:0<2}")[..2]);
    }
    let sign = if neg { "-" } else { "" };
    match (lang, currency) {
        (Lang::Id, "IDR") => format!("{sign}Rp {n}"),
        _ => format!("{sign}{currency} {n}"),
    }
}

/// A USD amount in short: `USD 4.4M` (English), `USD 4,4 jt` (Indonesian).
pub fn usd_short(lang: Lang, amount: &str) -> String {
    let v: f64 = amount.parse().unwrap_or(0.0);
    let (units, decimal): (&[(f64, &str)], char) = match lang {
        Lang::En => (&[(1e9, "B"), (1e6, "M"), (1e3, "K")], '.'),
        Lang::Id => (&[(1e9, " M"), (1e6, " jt"), (1e3, " rb")], ','),
    };
    for (scale, unit) in units {
        if v.abs() >= *scale {
            let x = v / scale;
            let text = if x >= 100.0 {
                format!("{x:.0}")
            } else {
                format!("{x:.1}").trim_end_matches(".0").to_owned()
            };
            return format!("USD {}{unit}", text.replace('.', &decimal.to_string()));
        }
    }
    format!("USD {v:.0}")
}

const MONTHS_ID: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A time in a time zone, with the zone's abbreviation: `12 Jan 2027, 17:00 WIT` (English),
/// `12 Jan 2027 17.00 WIT` (Indonesian). UTC for an unknown zone.
pub fn in_zone(lang: Lang, at: DateTime<Utc>, zone: &str) -> String {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let local = at.with_timezone(&tz);
    let abbr = local.format("%Z").to_string();
    let m = local.month0() as usize;
    match lang {
        Lang::En => format!(
            "{} {} {}, {:02}:{:02} {abbr}",
            local.day(),
            MONTHS_EN[m],
            local.year(),
            local.hour(),
            local.minute()
        ),
        Lang::Id => format!(
            "{} {} {} {:02}.{:02} {abbr}",
            local.day(),
            MONTHS_ID[m],
            local.year(),
            local.hour(),
            local.minute()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_the_way_each_language_writes_it() {
        assert_eq!(money(Lang::Id, "1250000000", "IDR"), "Rp 1.250.000.000");
        assert_eq!(money(Lang::En, "1250000000", "IDR"), "IDR 1,250,000,000");
        assert_eq!(money(Lang::En, "1500.50", "USD"), "USD 1,500.50");
        assert_eq!(money(Lang::Id, "999", "EUR"), "EUR 999");
        assert_eq!(integer(Lang::Id, 1250), "1.250");
        assert_eq!(integer(Lang::En, -1250), "-1,250");
        assert_eq!(usd_short(Lang::En, "4400000"), "USD 4.4M");
        assert_eq!(usd_short(Lang::Id, "4400000"), "USD 4,4 jt");
        assert_eq!(usd_short(Lang::En, "2000000"), "USD 2M");
        assert_eq!(usd_short(Lang::En, "125000000000"), "USD 125B");
    }

    #[test]
    fn times_are_shown_in_the_city_zone() {
        let at: DateTime<Utc> = "2027-01-12T08:00:00Z".parse().expect("time");
        assert_eq!(
            in_zone(Lang::En, at, "Asia/Jayapura"),
            "12 Jan 2027, 17:00 WIT"
        );
        assert_eq!(
            in_zone(Lang::Id, at, "Asia/Jakarta"),
            "12 Jan 2027 15.00 WIB"
        );
    }
}
