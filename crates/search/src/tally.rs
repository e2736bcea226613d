//! One pass over the hits of the embedded engine: their count, their facet counts, and, for
//! the sorts by a field, the top of the page — all from fast fields.
//!
//! The enumerated facets (dimension, sector, financing, status) of a document are packed into
//! one `u64` fast field, a bit per value; provinces are a dictionary-encoded fast column. Counting
//! a hit is then one or two column reads and a few increments, with no per-hit allocation or
//! term lookup — tantivy's general `FacetCollector` walks a hierarchy of facet paths per hit,
//! which made browsing every public project eight times slower than Meilisearch.

use std::collections::HashMap;

use sinergi_domain::{Dimension, FinancingModel, ProjectStatus, Sector};
use tantivy::{
    DocAddress, DocId, Score, SegmentOrdinal, SegmentReader,
    collector::{Collector, SegmentCollector},
    columnar::{Column, StrColumn},
};

/// The fast field holding a document's facet bits.
pub(crate) const BITS_FIELD: &str = "facet_bits";
/// The fast field holding a document's province.
pub(crate) const PROVINCE_FIELD: &str = "province";

pub(crate) const DIMENSION: u32 = 0;
pub(crate) const SECTOR: u32 = DIMENSION + Dimension::ALL.len() as u32;
pub(crate) const FINANCING: u32 = SECTOR + Sector::ALL.len() as u32;
pub(crate) const STATUS: u32 = FINANCING + FinancingModel::ALL.len() as u32;
const END: u32 = STATUS + ProjectStatus::ALL.len() as u32;
pub(crate) const N: usize = END as usize;
const _: () = assert!(
    N <= 32,
    "the facet bits must fit in a u64 (and a defaultable array)"
);

/// The bits of a document's enumerated facets.
pub(crate) fn bits(
    dimensions: &[Dimension],
    sector: Sector,
    financing: &[FinancingModel],
    status: ProjectStatus,
) -> u64 {
    let mut b = 1u64 << (SECTOR + sector.index() as u32);
    b |= 1 << (STATUS + status.index() as u32);
    for d in dimensions {
        b |= 1 << (DIMENSION + d.index() as u32);
    }
    for f in financing {
        b |= 1 << (FINANCING + f.index() as u32);
    }
    b
}

/// The bits of a set of statuses.
pub(crate) fn status_mask(statuses: &[ProjectStatus]) -> u64 {
    statuses
        .iter()
        .fold(0, |m, s| m | 1 << (STATUS + s.index() as u32))
}

/// The facet and value of a bit.
fn name_of(bit: u32) -> (&'static str, &'static str) {
    let i = |from: u32| (bit - from) as usize;
    match bit {
        b if b < SECTOR => ("dimension", Dimension::ALL[i(DIMENSION)].as_str()),
        b if b < FINANCING => ("sector", Sector::ALL[i(SECTOR)].as_str()),
        b if b < STATUS => ("financing", FinancingModel::ALL[i(FINANCING)].as_str()),
        _ => ("status", ProjectStatus::ALL[i(STATUS)].as_str()),
    }
}

/// What a search counted: hits per facet value.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub bits: [u64; N],
    pub provinces: HashMap<String, u64>,
    /// How many hits there were.
    pub hits: u64,
}

impl Tally {
    /// The non-zero counts of `facet`, as (value, count).
    pub(crate) fn values(&self, facet: &str) -> Vec<(String, u64)> {
        if facet == "province" {
            return self
                .provinces
                .iter()
                .map(|(k, v)| (k.clone(), *v))
                .collect();
        }
        (0..END)
            .filter(|&b| self.bits[b as usize] > 0)
            .map(|b| (name_of(b), self.bits[b as usize]))
            .filter(|((f, _), _)| *f == facet)
            .map(|((_, v), n)| (v.to_owned(), n))
            .collect()
    }

    pub(crate) fn add(&mut self, other: Tally) {
        self.hits += other.hits;
        for (a, b) in self.bits.iter_mut().zip(other.bits) {
            *a += b;
        }
        for (k, v) in other.provinces {
            *self.provinces.entry(k).or_default() += v;
        }
    }
}

/// The order of a sort by a field; a larger key is better.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KeyOrder {
    I64Asc,
    I64Desc,
    F64Asc,
    F64Desc,
}

/// A sort by a fast field.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SortKey {
    pub field: &'static str,
    pub order: KeyOrder,
}

/// A sort column as order-preserving `u64`s, and whether larger is better.
type KeyColumn = (Column<u64>, bool);

/// A column of sort keys, mapped to `u64` in the same order (larger is later).
pub(crate) fn key_column(
    fast: &tantivy::fastfield::FastFieldReaders,
    field: &str,
    float: bool,
) -> tantivy::Result<Column<u64>> {
    Ok(if float {
        fast.f64(field)?.to_u64_monotonic()
    } else {
        fast.i64(field)?.to_u64_monotonic()
    })
}

/// The hits' count and facets, and the best `keep` hits by `key` when there is one.
pub(crate) struct Gather {
    pub key: Option<SortKey>,
    pub keep: usize,
}

/// What a [`Gather`] found: the tally, and the best hits by key (best first).
pub(crate) type Gathered = (Tally, Vec<DocAddress>);

pub(crate) struct SegmentGather {
    segment: SegmentOrdinal,
    bits: Column<u64>,
    province: Option<StrColumn>,
    counts: [u64; N],
    province_counts: Vec<u64>,
    hits: u64,
    key: Option<KeyColumn>,
    keep: usize,
    best: Vec<(u64, DocId)>,
    threshold: Option<u64>,
    bits_buf: Vec<Option<u64>>,
    ords_buf: Vec<Option<u64>>,
    key_buf: Vec<Option<u64>>,
}

/// The best `keep` of every segment's best: larger key first, then the earlier segment and
/// document (so equal keys always come in the same order and pages stay stable).
pub(crate) fn merge_best(mut best: Vec<(u64, DocAddress)>, keep: usize) -> Vec<DocAddress> {
    best.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then(a.1.segment_ord.cmp(&b.1.segment_ord))
            .then(a.1.doc_id.cmp(&b.1.doc_id))
    });
    best.truncate(keep.max(1));
    best.into_iter().map(|(_, a)| a).collect()
}

/// Best first: larger key, then the earlier document.
fn better(a: &(u64, DocId), b: &(u64, DocId)) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1))
}

impl SegmentGather {
    fn offer(&mut self, key: u64, doc: DocId) {
        if self.threshold.is_some_and(|t| key <= t) {
            return;
        }
        self.best.push((key, doc));
        if self.best.len() >= 2 * self.keep {
            self.best.select_nth_unstable_by(self.keep - 1, better);
            self.best.truncate(self.keep);
            self.threshold = self.best.iter().map(|b| b.0).min();
        }
    }

    fn tally_block(&mut self, docs: &[DocId]) {
        self.hits += docs.len() as u64;
        self.bits_buf.clear();
        self.bits_buf.resize(docs.len(), None);
        self.bits.first_vals(docs, &mut self.bits_buf);
        for b in &self.bits_buf {
            let mut b = b.unwrap_or(0);
            while b != 0 {
                if let Some(n) = self.counts.get_mut(b.trailing_zeros() as usize) {
                    *n += 1;
                }
                b &= b - 1;
            }
        }
        if let Some(p) = &self.province {
            self.ords_buf.clear();
            self.ords_buf.resize(docs.len(), None);
            p.ords().first_vals(docs, &mut self.ords_buf);
            for ord in self.ords_buf.iter().flatten() {
                if let Some(n) = self.province_counts.get_mut(*ord as usize) {
                    *n += 1;
                }
            }
        }
    }

    fn key_block(&mut self, docs: &[DocId]) {
        let Some((col, desc)) = self.key.take() else {
            return;
        };
        let mut keys = std::mem::take(&mut self.key_buf);
        keys.clear();
        keys.resize(docs.len(), None);
        col.first_vals(docs, &mut keys);
        for (&doc, k) in docs.iter().zip(&keys) {
            if let Some(k) = *k {
                self.offer(if desc { k } else { !k }, doc);
            }
        }
        self.key_buf = keys;
        self.key = Some((col, desc));
    }
}

impl Collector for Gather {
    type Fruit = Gathered;
    type Child = SegmentGather;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<Self::Child> {
        let fast = reader.fast_fields();
        let province = fast.str(PROVINCE_FIELD)?;
        let key = match self.key {
            None => None,
            Some(SortKey { field, order }) => Some(match order {
                KeyOrder::I64Asc => (key_column(fast, field, false)?, false),
                KeyOrder::I64Desc => (key_column(fast, field, false)?, true),
                KeyOrder::F64Asc => (key_column(fast, field, true)?, false),
                KeyOrder::F64Desc => (key_column(fast, field, true)?, true),
            }),
        };
        Ok(SegmentGather {
            segment,
            bits: fast.u64(BITS_FIELD)?,
            province_counts: vec![0; province.as_ref().map_or(0, |p| p.dictionary().num_terms())],
            province,
            counts: [0; N],
            hits: 0,
            key,
            keep: self.keep.max(1),
            best: Vec::new(),
            threshold: None,
            bits_buf: Vec::new(),
            ords_buf: Vec::new(),
            key_buf: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        fruits: Vec<(Tally, Vec<(u64, DocAddress)>)>,
    ) -> tantivy::Result<Gathered> {
        let mut all = Tally::default();
        let mut best = Vec::new();
        for (t, b) in fruits {
            all.add(t);
            best.extend(b);
        }
        Ok((all, merge_best(best, self.keep)))
    }
}

impl SegmentCollector for SegmentGather {
    type Fruit = (Tally, Vec<(u64, DocAddress)>);

    fn collect(&mut self, doc: DocId, _: Score) {
        // One hit at a time (beside a scoring collector): read the columns directly.
        self.hits += 1;
        let mut b = self.bits.first(doc).unwrap_or(0);
        while b != 0 {
            if let Some(n) = self.counts.get_mut(b.trailing_zeros() as usize) {
                *n += 1;
            }
            b &= b - 1;
        }
        if let Some(p) = &self.province
            && let Some(ord) = p.ords().first(doc)
            && let Some(n) = self.province_counts.get_mut(ord as usize)
        {
            *n += 1;
        }
        if self.key.is_some() {
            self.key_block(&[doc]);
        }
    }

    fn collect_block(&mut self, docs: &[DocId]) {
        self.tally_block(docs);
        self.key_block(docs);
    }

    fn harvest(mut self) -> Self::Fruit {
        let mut provinces = HashMap::new();
        if let Some(p) = &self.province {
            let mut name = String::new();
            for (ord, &n) in self.province_counts.iter().enumerate() {
                if n > 0 && p.ord_to_str(ord as u64, &mut name).unwrap_or(false) {
                    provinces.insert(std::mem::take(&mut name), n);
                }
            }
        }
        self.best.sort_by(better);
        self.best.truncate(self.keep);
        let segment = self.segment;
        (
            Tally {
                bits: self.counts,
                provinces,
                hits: self.hits,
            },
            self.best
                .into_iter()
                .map(|(k, doc)| (k, DocAddress::new(segment, doc)))
                .collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_bit_names_its_facet_and_value() {
        let mut seen = std::collections::HashSet::new();
        for b in 0..END {
            assert!(seen.insert(name_of(b)), "bit {b} repeats {:?}", name_of(b));
        }
        let b = bits(
            &[Dimension::Environment],
            Sector::Water,
            &[FinancingModel::Ppp, FinancingModel::Grant],
            ProjectStatus::Awarded,
        );
        let named: Vec<_> = (0..64).filter(|i| b & (1 << i) != 0).map(name_of).collect();
        assert_eq!(
            named,
            [
                ("dimension", "ENVIRONMENT"),
                ("sector", "WATER"),
                ("financing", "PPP"),
                ("financing", "GRANT"),
                ("status", "AWARDED"),
            ]
        );
    }
}
