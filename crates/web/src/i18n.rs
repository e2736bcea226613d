//! The message catalogues (`messages/*.txt`, embedded at compile time) and the choice of
//! language: the `lang` cookie when set, else the first supported language of Accept-Language.

use std::collections::HashMap;
use std::sync::OnceLock;

/// A language the web client speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Id,
    En,
}

impl Lang {
    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    /// The other language, for the switch.
    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }

    /// Parses a tag: `id`, `id-ID`, `en`, `en-GB`…
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "id" | "in" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    /// The first supported language of an Accept-Language header, by quality; Indonesian
    /// when none is.
    pub fn negotiate(cookie: Option<&str>, accept_language: Option<&str>) -> Lang {
        if let Some(l) = cookie.and_then(Lang::parse) {
            return l;
        }
        let mut best: Option<(f32, Lang)> = None;
        for part in accept_language.unwrap_or("").split(',') {
            let mut it = part.split(';');
            let tag = it.next().unwrap_or("");
            let q = it
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if let Some(l) = Lang::parse(tag)
                && q > 0.0
                && best.is_none_or(|(bq, _)| q > bq)
            {
                best = Some((q, l));
            }
        }
        best.map_or(Lang::Id, |(_, l)| l)
    }
}

fn parse(text: &'static str) -> HashMap<&'static str, &'static str> {
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once(" = "))
        .map(|(k, v)| (k.trim(), v.trim()))
        .collect()
}

fn catalogue(lang: Lang) -> &'static HashMap<&'static str, &'static str> {
    static ID: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    static EN: OnceLock<HashMap<&str, &str>> = OnceLock::new();
    match lang {
        Lang::Id => ID.get_or_init(|| parse(include_str!("../messages/id.txt"))),
        Lang::En => EN.get_or_init(|| parse(include_str!("../messages/en.txt"))),
    }
}

/// A message; its key when the catalogue lacks it (a test keeps the catalogues complete).
pub fn t(lang: Lang, key: &str) -> String {
    catalogue(lang)
        .get(key)
        .map_or_else(|| key.to_owned(), |s| (*s).to_owned())
}

/// A message with `{name}` placeholders filled.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let mut s = t(lang, key);
    for (k, v) in args {
        s = s.replace(&format!("{{{k}}}"), v);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_catalogues_have_the_same_keys_and_every_enum_value() {
        let mut id: Vec<_> = catalogue(Lang::Id).keys().collect();
        let mut en: Vec<_> = catalogue(Lang::En).keys().collect();
        id.sort();
        en.sort();
        assert_eq!(id, en);
        use sinergi_domain::{Dimension, FinancingModel, ProjectStatus, Sector};
        let keys = Sector::ALL
            .iter()
            .map(|s| format!("sector.{s}"))
            .chain(Dimension::ALL.iter().map(|s| format!("dimension.{s}")))
            .chain(FinancingModel::ALL.iter().map(|s| format!("financing.{s}")))
            .chain(ProjectStatus::ALL.iter().map(|s| format!("status.{s}")));
        for k in keys {
            assert!(catalogue(Lang::En).contains_key(k.as_str()), "{k}");
        }
    }

    #[test]
    fn accept_language_picks_by_quality_and_the_cookie_wins() {
        assert_eq!(Lang::negotiate(None, Some("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(
            Lang::negotiate(None, Some("fr, en;q=0.5, id;q=0.8")),
            Lang::Id
        );
        assert_eq!(Lang::negotiate(None, None), Lang::Id);
        assert_eq!(Lang::negotiate(Some("en"), Some("id")), Lang::En);
    }
}
