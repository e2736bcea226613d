//! Saved-search alerts: which saved searches a newly published project matches, by the
//! engine's own rules (the same folding, the same typo tolerance, the last word as a prefix,
//! the same filters), without running each saved search against the index.
//!
//! The saved searches are held inverted. A text search is filed under one of its words (the
//! longest: the rarest, as a rule); a project's words find the filed words they match exactly,
//! within their typos (through the words' deletion neighbourhoods, as SymSpell does: two words
//! within `k` edits share a string made of each by at most `k` deletions, a transposition
//! included) or as a prefix. Only the searches filed under a matched word are checked in full.
//! A search without text is filed under one value of one of its filters (a sector, else a
//! dimension, a city, a province), or with the few that filter on nothing but capex.

use std::collections::{HashMap, HashSet};

use uuid::Uuid;

use crate::{
    Filter, ProjectDoc,
    text::{distance, query_words, typos_allowed},
};

/// A saved search as the matcher holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedQuery {
    pub id: Uuid,
    pub text: Option<String>,
    pub filter: Filter,
}

/// The words of a project as the engine indexes them (every searchable field), folded.
pub fn doc_words(d: &ProjectDoc) -> HashSet<String> {
    let mut out = HashSet::new();
    let fields = [
        &d.title,
        &d.summary,
        &d.city,
        &d.description,
        &d.province,
        &d.owner_agency,
    ];
    for text in fields.into_iter().chain(d.tags.iter()) {
        out.extend(query_words(text));
    }
    out
}

/// Whether a project passes a filter, as the engine's filters decide (values within one filter
/// OR-ed, filters AND-ed, capex bounds inclusive, provinces and cities exact).
pub fn filter_matches(f: &Filter, d: &ProjectDoc) -> bool {
    (f.city_ids.is_empty() || f.city_ids.contains(&d.city_id))
        && (f.provinces.is_empty() || f.provinces.contains(&d.province))
        && (f.dimensions.is_empty() || f.dimensions.iter().any(|x| d.dimensions.contains(x)))
        && (f.sectors.is_empty() || f.sectors.contains(&d.sector))
        && (f.financing.is_empty() || f.financing.iter().any(|x| d.financing.contains(x)))
        && f.min_capex_usd.is_none_or(|m| d.capex_usd >= m)
        && f.max_capex_usd.is_none_or(|m| d.capex_usd <= m)
        && f.deadline_after.is_none_or(|a| d.deadline > a.timestamp())
}

/// The reference: a saved search checked against a project word by word, the way the
/// engine's query reads. What [`AlertIndex`] must agree with, and the naive baseline.
pub fn naive_matches(q: &SavedQuery, words: &HashSet<String>, d: &ProjectDoc) -> bool {
    if !filter_matches(&q.filter, d) {
        return false;
    }
    let qw = q.text.as_deref().map(query_words).unwrap_or_default();
    qw.iter().enumerate().all(|(i, w)| {
        let last = i + 1 == qw.len();
        words.iter().any(|dw| crate::text::matches(dw, w, last))
    })
}

/// A word of a saved search, and whether it is its last (matched as a prefix too).
type Key = (u32, bool);

#[derive(Debug, Clone)]
struct Entry {
    id: Uuid,
    keys: Vec<Key>,
    filter: Filter,
}

/// Where a search without text is filed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Slot {
    Sector(sinergi_domain::Sector),
    Dimension(sinergi_domain::Dimension),
    City(Uuid),
    Province(String),
    Rest,
}

/// The saved searches with alerts, inverted for matching one project at a time.
#[derive(Debug, Default, Clone)]
pub struct AlertIndex {
    words: Vec<String>,
    word_ids: HashMap<String, u32>,
    /// Each word's deletion neighbourhood (within its typos, the word itself included).
    deletions: HashMap<String, Vec<u32>>,
    entries: Vec<Option<Entry>>,
    positions: HashMap<Uuid, usize>,
    by_key: HashMap<Key, Vec<usize>>,
    by_slot: HashMap<Slot, Vec<usize>>,
}

/// Every string made of `w` by deleting at most `k` characters (`w` included).
fn deletions(w: &str, k: u8, out: &mut HashSet<String>) {
    out.insert(w.to_owned());
    if k == 0 {
        return;
    }
    let chars: Vec<char> = w.chars().collect();
    for i in 0..chars.len() {
        let shorter: String = chars
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| c)
            .collect();
        if out.contains(&shorter) && k == 1 {
            continue;
        }
        deletions(&shorter, k - 1, out);
    }
}

impl AlertIndex {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many saved searches it holds.
    pub fn len(&self) -> usize {
        self.positions.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.positions.is_empty()
    }

    /// Whether it holds this saved search.
    pub fn contains(&self, id: Uuid) -> bool {
        self.positions.contains_key(&id)
    }

    fn word(&mut self, w: &str) -> u32 {
        if let Some(id) = self.word_ids.get(w) {
            return *id;
        }
        let id = u32::try_from(self.words.len()).unwrap_or(u32::MAX);
        self.words.push(w.to_owned());
        self.word_ids.insert(w.to_owned(), id);
        let mut near = HashSet::new();
        deletions(w, typos_allowed(w), &mut near);
        for s in near {
            self.deletions.entry(s).or_default().push(id);
        }
        id
    }

    /// Adds (or replaces) a saved search.
    pub fn insert(&mut self, q: SavedQuery) {
        self.remove(q.id);
        let words = q.text.as_deref().map(query_words).unwrap_or_default();
        let keys: Vec<Key> = words
            .iter()
            .enumerate()
            .map(|(i, w)| (self.word(w), i + 1 == words.len()))
            .collect();
        let pos = self.entries.len();
        // Filed under its longest word (the last one's prefix matches make it a poorer pick
        // at equal length).
        let anchor = keys
            .iter()
            .copied()
            .max_by_key(|(w, last)| (self.words[*w as usize].chars().count(), !*last));
        match anchor {
            Some(k) => self.by_key.entry(k).or_default().push(pos),
            None => {
                let f = &q.filter;
                let slots: Vec<Slot> = if !f.sectors.is_empty() {
                    f.sectors.iter().copied().map(Slot::Sector).collect()
                } else if !f.dimensions.is_empty() {
                    f.dimensions.iter().copied().map(Slot::Dimension).collect()
                } else if !f.city_ids.is_empty() {
                    f.city_ids.iter().copied().map(Slot::City).collect()
                } else if !f.provinces.is_empty() {
                    f.provinces.iter().cloned().map(Slot::Province).collect()
                } else {
                    vec![Slot::Rest]
                };
                let mut slots = slots;
                slots.dedup();
                for s in slots {
                    self.by_slot.entry(s).or_default().push(pos);
                }
            }
        }
        self.entries.push(Some(Entry {
            id: q.id,
            keys,
            filter: q.filter,
        }));
        self.positions.insert(q.id, pos);
    }

    /// Removes a saved search (its slot is left empty until the index is rebuilt).
    pub fn remove(&mut self, id: Uuid) {
        if let Some(pos) = self.positions.remove(&id) {
            self.entries[pos] = None;
        }
    }

    /// The saved searches a project matches, each once.
    pub fn matching(&self, d: &ProjectDoc) -> Vec<Uuid> {
        let words = doc_words(d);
        // Words of saved searches the project has, within their typos, and as prefixes: flags
        // by word id (a few hundred kilobytes at design scale, cheaper than hashing each look).
        let mut near = vec![false; self.words.len()];
        let mut prefixed = vec![false; self.words.len()];
        let mut found: Vec<u32> = Vec::new();
        let mut variants = HashSet::new();
        for dw in &words {
            let n = dw.chars().count();
            // A word within one typo of a saved one has 4 letters or more, within two 7 or more.
            let k = match n {
                0..=3 => 0,
                4..=6 => 1,
                _ => 2,
            };
            variants.clear();
            deletions(dw, k, &mut variants);
            for v in &variants {
                for &w in self.deletions.get(v).into_iter().flatten() {
                    if near[w as usize] {
                        continue;
                    }
                    let q = &self.words[w as usize];
                    let max = typos_allowed(q);
                    if distance(dw, q, max) <= max {
                        near[w as usize] = true;
                        found.push(w);
                    }
                }
            }
            let ends = dw.char_indices().skip(1).map(|(i, _)| i).chain([dw.len()]);
            for i in ends {
                if let Some(&w) = self.word_ids.get(&dw[..i])
                    && !prefixed[w as usize]
                {
                    prefixed[w as usize] = true;
                    found.push(w);
                }
            }
        }
        let has = |(w, last): Key| near[w as usize] || (last && prefixed[w as usize]);
        // Each saved search is checked once, though it may be met twice (a word both near and
        // a prefix, a search filed under two dimensions the project has).
        let mut checked = vec![false; self.entries.len()];
        let mut out = Vec::new();
        let mut check = |pos: usize, out: &mut Vec<Uuid>| {
            if std::mem::replace(&mut checked[pos], true) {
                return;
            }
            if let Some(e) = &self.entries[pos]
                && e.keys.iter().all(|k| has(*k))
                && filter_matches(&e.filter, d)
            {
                out.push(e.id);
            }
        };
        for &w in &found {
            for last in [false, true] {
                if !last && !near[w as usize] {
                    continue;
                }
                for &pos in self.by_key.get(&(w, last)).into_iter().flatten() {
                    check(pos, &mut out);
                }
            }
        }
        let mut slots = vec![Slot::Sector(d.sector), Slot::City(d.city_id), Slot::Rest];
        slots.extend(d.dimensions.iter().copied().map(Slot::Dimension));
        slots.push(Slot::Province(d.province.clone()));
        for s in &slots {
            for &pos in self.by_slot.get(s).into_iter().flatten() {
                check(pos, &mut out);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sinergi_domain::{Dimension, FinancingModel, ProjectStatus, Sector};

    fn doc(title: &str) -> ProjectDoc {
        ProjectDoc {
            id: Uuid::new_v4(),
            city_id: Uuid::new_v4(),
            title: title.into(),
            summary: "Lampu jalan pintar untuk Kota Ambon".into(),
            description: String::new(),
            tags: vec!["lighting".into()],
            city: "Ambon".into(),
            province: "Maluku".into(),
            owner_agency: String::new(),
            status: ProjectStatus::Published,
            dimensions: vec![Dimension::Living, Dimension::Environment],
            sector: Sector::Energy,
            financing: vec![FinancingModel::Ppp],
            capex_usd: 2_000_000.0,
            deadline: 0,
            created_at: 0,
        }
    }

    fn q(text: Option<&str>, filter: Filter) -> SavedQuery {
        SavedQuery {
            id: Uuid::new_v4(),
            text: text.map(str::to_owned),
            filter,
        }
    }

    #[test]
    fn deletion_neighbourhoods_hold_every_shorter_string() {
        let mut out = HashSet::new();
        deletions("abcd", 2, &mut out);
        for s in [
            "abcd", "bcd", "acd", "abd", "abc", "ab", "ac", "ad", "bc", "bd", "cd",
        ] {
            assert!(out.contains(s), "{s}");
        }
        assert_eq!(out.len(), 11);
    }

    #[test]
    fn the_index_agrees_with_the_word_by_word_reference() {
        let d = doc("Smart Street Lighting Rollout");
        let energy = Filter {
            sectors: vec![Sector::Energy],
            ..Filter::default()
        };
        let water = Filter {
            sectors: vec![Sector::Water],
            ..Filter::default()
        };
        let cases = [
            (q(Some("street lightning"), Filter::default()), true),
            (q(Some("stret"), Filter::default()), true),
            (q(Some("ligh"), Filter::default()), true),
            (q(Some("ligh rollout"), Filter::default()), false),
            (q(Some("ÁMBON"), energy.clone()), true),
            (q(Some("ambon"), water.clone()), false),
            (q(None, energy), true),
            (q(None, water), false),
            (
                q(
                    None,
                    Filter {
                        dimensions: vec![Dimension::Living, Dimension::Environment],
                        ..Filter::default()
                    },
                ),
                true,
            ),
            (
                q(
                    Some("jalan"),
                    Filter {
                        max_capex_usd: Some(1_000_000.0),
                        ..Filter::default()
                    },
                ),
                false,
            ),
            (q(Some("kota"), Filter::default()), true),
            (q(Some("kita lampu"), Filter::default()), false),
            (q(Some("infrastructure"), Filter::default()), false),
        ];
        let mut index = AlertIndex::new();
        for (s, _) in &cases {
            index.insert(s.clone());
        }
        let found = index.matching(&d);
        let words = doc_words(&d);
        for (s, expected) in &cases {
            assert_eq!(naive_matches(s, &words, &d), *expected, "{:?}", s.text);
            assert_eq!(found.contains(&s.id), *expected, "{:?}", s.text);
        }
        index.remove(cases[0].0.id);
        assert!(!index.matching(&d).contains(&cases[0].0.id));
        assert_eq!(index.len(), cases.len() - 1);
    }
}
