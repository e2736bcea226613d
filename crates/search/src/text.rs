//! Query words, the typo rule, and highlighting: shared by every backend so they agree.

use sinergi_domain::text::fold;

/// The folded words of a query.
pub fn query_words(q: &str) -> Vec<String> {
    fold(q)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Typos allowed for a word, as Meilisearch does by default: one from 5 letters, two from 9.
pub fn typos_allowed(word: &str) -> u8 {
    match word.chars().count() {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// Damerau-Levenshtein distance (optimal string alignment), capped early at `max + 1`.
pub fn distance(a: &str, b: &str, max: u8) -> u8 {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > usize::from(max) {
        return max + 1;
    }
    let mut prev2 = vec![0usize; b.len() + 1];
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0usize; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                cur[j] = cur[j].min(prev2[j - 2] + 1);
            }
        }
        std::mem::swap(&mut prev2, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
    }
    u8::try_from(prev[b.len()]).unwrap_or(u8::MAX).min(max + 1)
}

/// Whether a word of a document matches a query word: within the typos allowed, or, for the
/// last query word, as a prefix (so results come while typing).
pub fn matches(doc_word: &str, query_word: &str, last: bool) -> bool {
    let max = typos_allowed(query_word);
    if distance(doc_word, query_word, max) <= max {
        return true;
    }
    last && doc_word.starts_with(query_word)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The text with words matching the query wrapped in `<em></em>` (the rest HTML-escaped).
pub fn highlight(text: &str, words: &[String]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        let folded = fold(word);
        let hit = words
            .iter()
            .enumerate()
            .any(|(i, q)| matches(&folded, q, i + 1 == words.len()));
        if hit {
            out.push_str("<em>");
            out.push_str(&escape(word));
            out.push_str("</em>");
        } else {
            out.push_str(&escape(word));
        }
        word.clear();
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push_str(&escape(&c.to_string()));
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_typo_rule_follows_word_length() {
        assert!(matches("ambon", "ambom", false), "one typo from 5 letters");
        assert!(
            matches("banjir", "banjri", false),
            "a transposition is one typo"
        );
        assert!(!matches("kota", "kita", false), "no typo below 5 letters");
        assert!(matches("semarang", "semarnag", false));
        assert!(matches("government", "goverment", false));
        assert!(
            matches("infrastructure", "infrastuctrue", false),
            "two typos from 9 letters"
        );
        assert!(
            matches("lighting", "ligh", true),
            "the last word is a prefix"
        );
    }

    #[test]
    fn highlighting_wraps_matched_words_and_escapes_the_rest() {
        let words = query_words("musik");
        assert_eq!(
            highlight("City of Music <hub>", &words),
            "City of <em>Music</em> &lt;hub&gt;"
        );
    }
}
