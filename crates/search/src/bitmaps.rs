//! Searches without text, answered from bit sets cached per segment.
//!
//! Browsing or filtering by facets matches most of the catalogue (237,500 of 250,000 projects
//! for an anonymous browse), so walking the hits one by one — postings, facet columns, sort
//! keys — costs milliseconds. Segments never change once written (only their deletions do), so
//! for each one we keep: a bit set per facet value, the order of its documents under each sort,
//! and its live documents. Such a search is then a few ANDs and ORs of bit sets, a population
//! count per facet value, and a walk down the sort order until the page is full.
//!
//! Only searches whose every clause is a facet take this path (no text, no city, capex or
//! deadline bounds, no own-city visibility); the others go through the query engine. A unit
//! test holds the two paths to the same answers.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::{DocAddress, DocId, Searcher, SegmentReader, index::SegmentId};

use crate::{
    Error, Result, SearchRequest, Sort,
    tally::{
        self, BITS_FIELD, DIMENSION, FINANCING, N, PROVINCE_FIELD, SECTOR, STATUS, Tally,
        key_column,
    },
};

/// A fixed-size bit set over a segment's documents.
#[derive(Clone, Debug)]
struct Bits(Vec<u64>);

impl Bits {
    fn zeros(n: u32) -> Self {
        Bits(vec![0; (n as usize).div_ceil(64)])
    }

    fn set(&mut self, i: DocId) {
        self.0[i as usize / 64] |= 1 << (i % 64);
    }

    fn contains(&self, i: DocId) -> bool {
        self.0[i as usize / 64] & (1 << (i % 64)) != 0
    }

    fn and_with(&mut self, o: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a &= b;
        }
    }

    fn or_with(&mut self, o: &Bits) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a |= b;
        }
    }

    fn count(&self) -> u64 {
        self.0.iter().map(|w| u64::from(w.count_ones())).sum()
    }

    fn count_and(&self, o: &Bits) -> u64 {
        self.0
            .iter()
            .zip(&o.0)
            .map(|(a, b)| u64::from((a & b).count_ones()))
            .sum()
    }

    fn ones(&self) -> impl Iterator<Item = DocId> + '_ {
        self.0.iter().enumerate().flat_map(|(i, &w)| {
            let mut w = w;
            std::iter::from_fn(move || {
                (w != 0).then(|| {
                    let b = w.trailing_zeros();
                    w &= w - 1;
                    i as DocId * 64 + b
                })
            })
        })
    }
}

/// What is kept of one segment.
struct SegmentBits {
    max_doc: DocId,
    facets: Vec<Bits>,
    provinces: Vec<(String, Bits)>,
    created: Vec<u64>,
    deadline: Vec<u64>,
    capex: Vec<u64>,
    /// Documents best first under each sort but relevance.
    newest: Vec<DocId>,
    deadline_soonest: Vec<DocId>,
    capex_asc: Vec<DocId>,
    capex_desc: Vec<DocId>,
    /// Live documents, for a given number of deletions.
    alive: Mutex<Option<(DocId, Arc<Bits>)>>,
}

fn order(max_doc: DocId, key: impl Fn(DocId) -> u64) -> Vec<DocId> {
    let mut docs: Vec<DocId> = (0..max_doc).collect();
    docs.sort_by_key(|&d| (std::cmp::Reverse(key(d)), d));
    docs
}

impl SegmentBits {
    fn build(reader: &SegmentReader) -> Result<Self> {
        let max_doc = reader.max_doc();
        let fast = reader.fast_fields();
        let bits = fast.u64(BITS_FIELD)?;
        let mut facets = vec![Bits::zeros(max_doc); N];
        for doc in 0..max_doc {
            let mut b = bits.first(doc).unwrap_or(0);
            while b != 0 {
                if let Some(set) = facets.get_mut(b.trailing_zeros() as usize) {
                    set.set(doc);
                }
                b &= b - 1;
            }
        }
        let mut provinces = Vec::new();
        if let Some(col) = fast.str(PROVINCE_FIELD)? {
            let mut sets = vec![Bits::zeros(max_doc); col.dictionary().num_terms()];
            for doc in 0..max_doc {
                if let Some(set) = col.ords().first(doc).and_then(|o| sets.get_mut(o as usize)) {
                    set.set(doc);
                }
            }
            for (ord, set) in sets.into_iter().enumerate() {
                let mut name = String::new();
                if col.ord_to_str(ord as u64, &mut name)? {
                    provinces.push((name, set));
                }
            }
        }
        let keys = |field: &str, float: bool| -> Result<Vec<u64>> {
            let c = key_column(fast, field, float)?;
            Ok((0..max_doc).map(|d| c.first(d).unwrap_or(0)).collect())
        };
        let created = keys("created_at", false)?;
        let deadline = keys("deadline", false)?;
        let capex = keys("capex_usd", true)?;
        Ok(Self {
            max_doc,
            newest: order(max_doc, |d| created[d as usize]),
            deadline_soonest: order(max_doc, |d| !deadline[d as usize]),
            capex_asc: order(max_doc, |d| !capex[d as usize]),
            capex_desc: order(max_doc, |d| capex[d as usize]),
            facets,
            provinces,
            created,
            deadline,
            capex,
            alive: Mutex::new(None),
        })
    }

    fn alive(&self, reader: &SegmentReader) -> Arc<Bits> {
        let deleted = reader.num_deleted_docs();
        let mut cached = self.alive.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((n, bits)) = &*cached
            && *n == deleted
        {
            return bits.clone();
        }
        let mut bits = Bits::zeros(self.max_doc);
        for doc in 0..self.max_doc {
            if reader.alive_bitset().is_none_or(|a| a.is_alive(doc)) {
                bits.set(doc);
            }
        }
        let bits = Arc::new(bits);
        *cached = Some((deleted, bits.clone()));
        bits
    }

    fn any_of(&self, bits: impl IntoIterator<Item = u32>) -> Bits {
        let mut out = Bits::zeros(self.max_doc);
        for b in bits {
            if let Some(set) = self.facets.get(b as usize) {
                out.or_with(set);
            }
        }
        out
    }
}

/// The bit sets of a generation's segments, built on first use and dropped with the segment.
#[derive(Default)]
pub(crate) struct BitsCache(Mutex<HashMap<SegmentId, Arc<SegmentBits>>>);

/// Whether every clause of a request is a facet, so that [`BitsCache::search`] can answer it.
pub(crate) fn answers(req: &SearchRequest) -> bool {
    let f = &req.filter;
    req.text
        .as_deref()
        .is_none_or(|t| crate::text::query_words(t).is_empty())
        && f.city_ids.is_empty()
        && f.min_capex_usd.is_none()
        && f.max_capex_usd.is_none()
        && f.deadline_after.is_none()
        && req.visibility.own_city.is_none()
}

impl BitsCache {
    /// Builds what is missing for a searcher's segments, and forgets the segments gone.
    pub(crate) fn warm(&self, searcher: &Searcher) -> Result<()> {
        self.segments(searcher).map(drop)
    }

    fn segments(&self, searcher: &Searcher) -> Result<Vec<Arc<SegmentBits>>> {
        let readers = searcher.segment_readers();
        let mut out = Vec::with_capacity(readers.len());
        for reader in readers {
            let id = reader.segment_id();
            let known = self.lock()?.get(&id).cloned();
            let bits = match known {
                Some(b) => b,
                None => {
                    // Built outside the lock: other searches go on meanwhile.
                    let b = Arc::new(SegmentBits::build(reader)?);
                    self.lock()?.insert(id, b.clone());
                    b
                }
            };
            out.push(bits);
        }
        let live: Vec<SegmentId> = readers.iter().map(SegmentReader::segment_id).collect();
        self.lock()?.retain(|id, _| live.contains(id));
        Ok(out)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentBits>>>> {
        self.0
            .lock()
            .map_err(|_| Error::Engine("bit set cache lock poisoned".into()))
    }

    /// Answers a request for which [`answers`] holds: the tally, and the best `keep` hits.
    pub(crate) fn search(
        &self,
        searcher: &Searcher,
        req: &SearchRequest,
        keep: usize,
    ) -> Result<(Tally, Vec<DocAddress>)> {
        let keep = keep.max(1);
        let f = &req.filter;
        let mut tally = Tally::default();
        let mut best = Vec::new();
        let segments = self.segments(searcher)?;
        for (ord, (seg, reader)) in segments.iter().zip(searcher.segment_readers()).enumerate() {
            let mut hits = (*seg.alive(reader)).clone();
            let statuses = req.visibility.everywhere.iter();
            hits.and_with(&seg.any_of(statuses.map(|s| STATUS + s.index() as u32)));
            if !f.dimensions.is_empty() {
                let bits = f.dimensions.iter().map(|d| DIMENSION + d.index() as u32);
                hits.and_with(&seg.any_of(bits));
            }
            if !f.sectors.is_empty() {
                let bits = f.sectors.iter().map(|s| SECTOR + s.index() as u32);
                hits.and_with(&seg.any_of(bits));
            }
            if !f.financing.is_empty() {
                let bits = f.financing.iter().map(|x| FINANCING + x.index() as u32);
                hits.and_with(&seg.any_of(bits));
            }
            if !f.provinces.is_empty() {
                let mut any = Bits::zeros(seg.max_doc);
                for (name, set) in &seg.provinces {
                    if f.provinces.contains(name) {
                        any.or_with(set);
                    }
                }
                hits.and_with(&any);
            }
            tally.hits += hits.count();
            for (n, set) in tally.bits.iter_mut().zip(&seg.facets) {
                *n += hits.count_and(set);
            }
            for (name, set) in &seg.provinces {
                let n = hits.count_and(set);
                if n > 0 {
                    *tally.provinces.entry(name.clone()).or_default() += n;
                }
            }
            let segment = ord as u32;
            let page = |docs: &mut dyn Iterator<Item = (u64, DocId)>| -> Vec<(u64, DocAddress)> {
                docs.take(keep)
                    .map(|(k, d)| (k, DocAddress::new(segment, d)))
                    .collect()
            };
            let walk = |order: &[DocId], key: &dyn Fn(DocId) -> u64| {
                page(
                    &mut order
                        .iter()
                        .filter(|&&d| hits.contains(d))
                        .map(|&d| (key(d), d)),
                )
            };
            best.extend(match req.sort {
                // Without text every hit scores the same: document order.
                Sort::Relevance => page(&mut hits.ones().map(|d| (0, d))),
                Sort::Newest => walk(&seg.newest, &|d| seg.created[d as usize]),
                Sort::DeadlineSoonest => {
                    walk(&seg.deadline_soonest, &|d| !seg.deadline[d as usize])
                }
                Sort::CapexAsc => walk(&seg.capex_asc, &|d| !seg.capex[d as usize]),
                Sort::CapexDesc => walk(&seg.capex_desc, &|d| seg.capex[d as usize]),
            });
        }
        Ok((tally, tally::merge_best(best, keep)))
    }
}
