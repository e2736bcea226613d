//! Text folding shared by validation and matching.

/// Lower-cases and strips the accents of Latin letters, so "Pariwisata Budaya" and
/// "pariwisata budaya", or "Café" and "cafe", compare equal.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        for l in c.to_lowercase() {
            out.push(strip_accent(l));
        }
    }
    out
}

/// The words of a text after folding: runs of letters and digits.
pub fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn strip_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ś' | 'š' | 'ş' => 's',
        'ť' | 'ţ' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        other => other,
    }
}

/// Checks a required free-text input: trimmed, non-empty, at most `max` characters.
pub fn required(field: &str, value: &str, max: usize) -> crate::Result<String> {
    let v = value.trim();
    if v.is_empty() || v.chars().count() > max {
        return Err(crate::Error::validation(
            field,
            format!("must be 1 to {max} characters"),
        ));
    }
    Ok(v.to_owned())
}

/// Parses an e-mail address loosely (one `@`, a dot in the domain) and lower-cases it.
pub fn email(field: &str, value: &str) -> crate::Result<String> {
    let v = value.trim().to_lowercase();
    let ok = v.len() <= 254
        && v.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !v.chars().any(char::is_whitespace)
        });
    if ok {
        Ok(v)
    } else {
        Err(crate::Error::validation(field, "not an e-mail address"))
    }
}

/// An ISO 3166-1 alpha-2 country code, upper-cased.
pub fn country_code(field: &str, code: &str) -> crate::Result<String> {
    let c = code.trim().to_ascii_uppercase();
    if c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(crate::Error::validation(
            field,
            "must be an ISO 3166-1 alpha-2 code",
        ))
    }
}

/// A point as (latitude, longitude) in degrees: -90..90 and -180..180.
pub fn coordinates(field: &str, point: (f64, f64)) -> crate::Result<(f64, f64)> {
    let (lat, lng) = point;
    if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng) {
        Ok(point)
    } else {
        Err(crate::Error::validation(
            field,
            "lat must be in -90..90, lng in -180..180",
        ))
    }
}

/// A zone of the IANA time zone database (as chrono-tz carries it), e.g. Asia/Jayapura.
pub fn time_zone(field: &str, tz: &str) -> crate::Result<String> {
    let tz = tz.trim();
    tz.parse::<chrono_tz::Tz>()
        .map(|z| z.name().to_owned())
        .map_err(|_| crate::Error::validation(field, "not an IANA time zone"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_ignores_case_and_accents() {
        assert_eq!(fold("Café Musik AMBON"), "cafe musik ambon");
        assert_eq!(
            words("Flood early-warning, Kota!"),
            vec!["flood", "early", "warning", "kota"]
        );
    }

    #[test]
    fn emails_are_checked_and_lower_cased() {
        assert_eq!(
            email("email", " Walikota@Ambon.go.id ").as_deref(),
            Ok("walikota@ambon.go.id")
        );
        assert!(email("email", "no-at-sign").is_err());
        assert!(email("email", "a@b").is_err());
    }
}
