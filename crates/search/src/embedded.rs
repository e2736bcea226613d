//! The embedded engine: a tantivy index under the data directory.
//!
//! Indexes live in generation directories (`<root>/g<n>`); `<root>/CURRENT` names the one in
//! use. A rebuild fills a new generation aside and then rewrites `CURRENT`, and a running
//! server switches to it on its next relay tick: no downtime, and a failed rebuild leaves the
//! index in use untouched.

use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use async_trait::async_trait;
use sinergi_domain::ProjectStatus;
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term,
    collector::{Collector, FilterCollector, TopDocs},
    query::{
        AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur,
        Query, RangeQuery, TermQuery,
    },
    schema::{
        FAST, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing,
        TextOptions, Value,
    },
    tokenizer::{AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer},
};
use uuid::Uuid;

use crate::{
    Error, FACETS, FacetCounts, Hit, ProjectDoc, Result, SearchIndex, SearchRequest, SearchResult,
    Sort,
    bitmaps::{self, BitsCache},
    tally::{self, Gather, KeyOrder, SortKey},
    text::{highlight, query_words, typos_allowed},
};

struct Fields {
    id: Field,
    city_id: Field,
    title: Field,
    summary: Field,
    all: Field,
    status: Field,
    province: Field,
    dimension: Field,
    sector: Field,
    financing: Field,
    capex_usd: Field,
    deadline: Field,
    created_at: Field,
    facet_bits: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    // Words with their frequencies (for ranking); no positions: highlights are computed by
    // our own matcher from the stored title and summary, which are not indexed themselves.
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("folded")
            .set_index_option(IndexRecordOption::WithFreqs),
    );
    let f = Fields {
        id: b.add_text_field("id", STRING | STORED),
        city_id: b.add_text_field("city_id", STRING),
        title: b.add_text_field("title", STORED),
        summary: b.add_text_field("summary", STORED),
        // Every searchable field together, for matching: a query word's typos and prefixes are
        // looked up in one dictionary instead of seven.
        all: b.add_text_field("all", words),
        status: b.add_text_field("status", STRING),
        province: b.add_text_field(tally::PROVINCE_FIELD, STRING | FAST),
        dimension: b.add_text_field("dimension", STRING),
        sector: b.add_text_field("sector", STRING),
        financing: b.add_text_field("financing", STRING),
        capex_usd: b.add_f64_field("capex_usd", INDEXED | FAST),
        deadline: b.add_i64_field("deadline", INDEXED | FAST),
        created_at: b.add_i64_field("created_at", INDEXED | FAST),
        facet_bits: b.add_u64_field(tally::BITS_FIELD, FAST),
    };
    (b.build(), f)
}

fn register(index: &Index) {
    let folded = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    index.tokenizers().register("folded", folded);
}

struct Generation {
    name: String,
    reader: IndexReader,
    writer: Mutex<IndexWriter>,
    fields: Fields,
    bits: BitsCache,
}

fn open_generation(root: &Path, name: &str) -> Result<Generation> {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir)?;
    let (schema, fields) = schema();
    let index = match Index::open_in_dir(&dir) {
        Ok(i) if i.schema() == schema => i,
        Ok(_) => return Err(Error::Outdated(dir.display().to_string())),
        Err(_) => Index::create_in_dir(&dir, schema)?,
    };
    register(&index);
    let writer = index.writer_with_num_threads(1, 50_000_000)?;
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .try_into()?;
    Ok(Generation {
        name: name.to_owned(),
        reader,
        writer: Mutex::new(writer),
        fields,
        bits: BitsCache::default(),
    })
}

fn current_name(root: &Path) -> Option<String> {
    std::fs::read_to_string(root.join("CURRENT"))
        .ok()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
}

fn set_current(root: &Path, name: &str) -> Result<()> {
    let tmp = root.join("CURRENT.tmp");
    std::fs::write(&tmp, name)?;
    std::fs::rename(tmp, root.join("CURRENT"))?;
    Ok(())
}

/// The embedded engine.
#[derive(Clone)]
pub struct EmbeddedIndex {
    root: PathBuf,
    current: Arc<RwLock<Arc<Generation>>>,
}

impl std::fmt::Debug for EmbeddedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmbeddedIndex")
            .field("root", &self.root)
            .finish()
    }
}

fn lock_err<T>(_: T) -> Error {
    Error::Engine("index lock poisoned".into())
}

impl EmbeddedIndex {
    /// Opens the index in use under `root`, creating the first generation if there is none.
    pub fn open(root: &Path) -> Result<Self> {
        std::fs::create_dir_all(root)?;
        let name = match current_name(root) {
            Some(n) => n,
            None => {
                set_current(root, "g1")?;
                "g1".to_owned()
            }
        };
        let g = open_generation(root, &name)?;
        Ok(Self {
            root: root.to_path_buf(),
            current: Arc::new(RwLock::new(Arc::new(g))),
        })
    }

    /// Starts a new generation beside the one in use, for a rebuild.
    pub fn build_aside(root: &Path) -> Result<(Self, String)> {
        std::fs::create_dir_all(root)?;
        let name = format!("g{}", chrono::Utc::now().timestamp_micros());
        let g = open_generation(root, &name)?;
        Ok((
            Self {
                root: root.to_path_buf(),
                current: Arc::new(RwLock::new(Arc::new(g))),
            },
            name,
        ))
    }

    /// Makes a generation built aside the one in use, and removes the older ones.
    pub fn publish(&self, name: &str) -> Result<()> {
        set_current(&self.root, name)?;
        for entry in std::fs::read_dir(&self.root)?.flatten() {
            let n = entry.file_name().to_string_lossy().into_owned();
            if n.starts_with('g') && n != name && entry.path().is_dir() {
                // An older generation: a running server may still hold it open until it switches;
                // removing it then is harmless on Unix (open files stay readable).
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
        Ok(())
    }

    /// Switches to the generation `CURRENT` names, if another process rebuilt the index.
    pub fn follow_current(&self) -> Result<bool> {
        let Some(name) = current_name(&self.root) else {
            return Ok(false);
        };
        if self.current.read().map_err(lock_err)?.name == name {
            return Ok(false);
        }
        let g = open_generation(&self.root, &name)?;
        *self.current.write().map_err(lock_err)? = Arc::new(g);
        Ok(true)
    }

    fn generation(&self) -> Result<Arc<Generation>> {
        Ok(self.current.read().map_err(lock_err)?.clone())
    }
}

fn add_doc(g: &Generation, d: &ProjectDoc) -> TantivyDocument {
    let f = &g.fields;
    let mut doc = TantivyDocument::default();
    doc.add_text(f.id, d.id.to_string());
    doc.add_text(f.city_id, d.city_id.to_string());
    doc.add_text(f.title, &d.title);
    doc.add_text(f.summary, &d.summary);
    // The combined field weighs the fields by repeating them (a word's frequency counts in its
    // score): title three times, tags, summary and city twice, the rest once.
    let weighted = [
        (&d.title, 3),
        (&d.summary, 2),
        (&d.city, 2),
        (&d.description, 1),
        (&d.province, 1),
        (&d.owner_agency, 1),
    ];
    for (text, times) in weighted.into_iter().chain(d.tags.iter().map(|t| (t, 2))) {
        for _ in 0..times {
            doc.add_text(f.all, text);
        }
    }
    doc.add_text(f.status, d.status.as_str());
    doc.add_text(f.province, &d.province);
    doc.add_text(f.sector, d.sector.as_str());
    doc.add_f64(f.capex_usd, d.capex_usd);
    doc.add_i64(f.deadline, d.deadline);
    doc.add_i64(f.created_at, d.created_at);
    for x in &d.dimensions {
        doc.add_text(f.dimension, x.as_str());
    }
    for x in &d.financing {
        doc.add_text(f.financing, x.as_str());
    }
    doc.add_u64(
        f.facet_bits,
        tally::bits(&d.dimensions, d.sector, &d.financing, d.status),
    );
    doc
}

/// Documents with any of `values` in `field`, scoring nothing. A union of term postings rather
/// than a `TermSetQuery`: that one materialises every matching posting into a bit set on each
/// search (all 237,500 public projects for the visibility clause), while a union is walked
/// lazily and only where the other clauses of an intersection lead it.
fn terms(field: Field, values: impl IntoIterator<Item = String>) -> Box<dyn Query> {
    let any: Vec<(Occur, Box<dyn Query>)> = values
        .into_iter()
        .map(|v| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, &v),
                IndexRecordOption::Basic,
            ));
            (Occur::Should, q)
        })
        .collect();
    Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(any)), 0.0))
}

fn statuses(field: Field, s: &[ProjectStatus]) -> Box<dyn Query> {
    terms(field, s.iter().map(|s| s.as_str().to_owned()))
}

/// The query of a request: text, filters, and the caller's visibility, all inside the engine.
/// `status_checked`: the collector checks the statuses visible everywhere (from the facet bits
/// column, a read per hit), so the query need not intersect with their postings.
fn build_query(f: &Fields, req: &SearchRequest, status_checked: bool) -> Box<dyn Query> {
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // Visibility.
    let v = &req.visibility;
    let mut visible: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if status_checked {
        if v.everywhere.is_empty() {
            return Box::new(EmptyQuery);
        }
    } else if !v.everywhere.is_empty() {
        visible.push((Occur::Should, statuses(f.status, &v.everywhere)));
    }
    if let Some((city, own)) = &v.own_city
        && !own.is_empty()
    {
        let here: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
            (
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_text(f.city_id, &city.to_string()),
                    IndexRecordOption::Basic,
                )),
            ),
            (Occur::Must, statuses(f.status, own)),
        ]));
        visible.push((Occur::Should, here));
    }
    if !status_checked {
        if visible.is_empty() {
            return Box::new(EmptyQuery);
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(visible))));
    }
    // Filters.
    let fl = &req.filter;
    if !fl.city_ids.is_empty() {
        must.push((
            Occur::Must,
            terms(f.city_id, fl.city_ids.iter().map(Uuid::to_string)),
        ));
    }
    if !fl.provinces.is_empty() {
        must.push((Occur::Must, terms(f.province, fl.provinces.iter().cloned())));
    }
    if !fl.dimensions.is_empty() {
        must.push((
            Occur::Must,
            terms(
                f.dimension,
                fl.dimensions.iter().map(|d| d.as_str().to_owned()),
            ),
        ));
    }
    if !fl.sectors.is_empty() {
        must.push((
            Occur::Must,
            terms(f.sector, fl.sectors.iter().map(|d| d.as_str().to_owned())),
        ));
    }
    if !fl.financing.is_empty() {
        must.push((
            Occur::Must,
            terms(
                f.financing,
                fl.financing.iter().map(|d| d.as_str().to_owned()),
            ),
        ));
    }
    if fl.min_capex_usd.is_some() || fl.max_capex_usd.is_some() {
        let lo = fl.min_capex_usd.map_or(Bound::Unbounded, |x| {
            Bound::Included(Term::from_field_f64(f.capex_usd, x))
        });
        let hi = fl.max_capex_usd.map_or(Bound::Unbounded, |x| {
            Bound::Included(Term::from_field_f64(f.capex_usd, x))
        });
        must.push((Occur::Must, Box::new(RangeQuery::new(lo, hi))));
    }
    if let Some(after) = fl.deadline_after {
        let lo = Bound::Excluded(Term::from_field_i64(f.deadline, after.timestamp()));
        must.push((Occur::Must, Box::new(RangeQuery::new(lo, Bound::Unbounded))));
    }
    // Text: every word must match the document within its typos (the last one also as a
    // prefix), looked up once in the combined field (which weighs the title, tags, summary and
    // city more); exact words weigh more than typos and prefixes.
    let words = req.text.as_deref().map(query_words).unwrap_or_default();
    for (i, w) in words.iter().enumerate() {
        let last = i + 1 == words.len();
        let term = Term::from_field_text(f.all, w);
        let exact: Box<dyn Query> = Box::new(BoostQuery::new(
            Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
            2.0,
        ));
        let typos = typos_allowed(w);
        if typos == 0 && !last {
            must.push((Occur::Must, exact));
            continue;
        }
        // What matches (the word within its typos, or as a prefix) is one constant-score
        // union of bit sets, walked first; the exact word's score is only looked up for those
        // documents. A union of scorers would score every posting of every alternative.
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        alternatives.push((
            Occur::Should,
            Box::new(FuzzyTermQuery::new(term.clone(), typos, true)),
        ));
        if last {
            alternatives.push((
                Occur::Should,
                Box::new(FuzzyTermQuery::new_prefix(term, 0, true)),
            ));
        }
        let matches = ConstScoreQuery::new(Box::new(BooleanQuery::new(alternatives)), 1.0);
        must.push((
            Occur::Must,
            Box::new(BooleanQuery::new(vec![
                (Occur::Must, Box::new(matches)),
                (Occur::Should, exact),
            ])),
        ));
    }
    if must.is_empty() {
        return Box::new(AllQuery);
    }
    Box::new(BooleanQuery::new(must))
}

/// Runs `collector` over the request's hits. For callers who see only the statuses visible
/// everywhere, the status is checked per hit from the facet-bits column: cheaper than
/// intersecting the query with the postings of nearly the whole catalogue.
fn run<C>(
    searcher: &tantivy::Searcher,
    f: &Fields,
    req: &SearchRequest,
    collector: C,
) -> Result<C::Fruit>
where
    C: Collector + Send + Sync,
{
    Ok(match req.visibility.own_city {
        None => {
            let mask = tally::status_mask(&req.visibility.everywhere);
            searcher.search(
                &build_query(f, req, true),
                &FilterCollector::new(
                    tally::BITS_FIELD.to_owned(),
                    move |bits: u64| bits & mask != 0,
                    collector,
                ),
            )?
        }
        Some(_) => searcher.search(&build_query(f, req, false), &collector)?,
    })
}

fn search_blocking(g: &Generation, req: &SearchRequest) -> Result<SearchResult> {
    search_with(g, req, true)
}

/// A search; `bitmaps`: whether searches of facets alone may be answered from the cached bit
/// sets (tests compare both ways).
fn search_with(g: &Generation, req: &SearchRequest, bitmaps: bool) -> Result<SearchResult> {
    let started = Instant::now();
    let searcher = g.reader.searcher();
    let f = &g.fields;
    let limit = req.limit.max(1);
    let key = |field: &'static str, order: KeyOrder| Some(SortKey { field, order });
    let key = match req.sort {
        Sort::Relevance => None,
        Sort::Newest => key("created_at", KeyOrder::I64Desc),
        Sort::DeadlineSoonest => key("deadline", KeyOrder::I64Asc),
        Sort::CapexAsc => key("capex_usd", KeyOrder::F64Asc),
        Sort::CapexDesc => key("capex_usd", KeyOrder::F64Desc),
    };
    let paged = |best: Vec<DocAddress>| -> Vec<(Option<f64>, DocAddress)> {
        best.into_iter()
            .skip(req.offset)
            .map(|a| (None, a))
            .collect()
    };
    // One pass over the hits: count and facets, and the page itself when sorting by a field.
    let (addrs, tally) = match key {
        _ if bitmaps && bitmaps::answers(req) => {
            let (tally, best) = g.bits.search(&searcher, req, req.offset + limit)?;
            (paged(best), tally)
        }
        None => {
            let top = TopDocs::with_limit(limit)
                .and_offset(req.offset)
                .order_by_score();
            let gather = Gather { key: None, keep: 1 };
            let (docs, (tally, _)) = run(&searcher, f, req, (top, gather))?;
            let docs = docs
                .into_iter()
                .map(|(s, a)| (Some(f64::from(s)), a))
                .collect();
            (docs, tally)
        }
        Some(key) => {
            let gather = Gather {
                key: Some(key),
                keep: req.offset + limit,
            };
            let (tally, best) = run(&searcher, f, req, gather)?;
            (paged(best), tally)
        }
    };
    let words = req.text.as_deref().map(query_words).unwrap_or_default();
    let mut hits = Vec::with_capacity(addrs.len());
    for (score, addr) in addrs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let text = |field: Field| {
            doc.get_first(field)
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default()
        };
        let Ok(id) = Uuid::parse_str(&text(f.id)) else {
            continue;
        };
        hits.push(Hit {
            id,
            relevance: if words.is_empty() {
                None
            } else {
                score.map(|s| s / (s + 1.0))
            },
            highlighted_title: highlight(&text(f.title), &words),
            highlighted_summary: highlight(&text(f.summary), &words),
        });
    }
    let facets = FACETS
        .iter()
        .map(|name| {
            let mut values = tally.values(name);
            values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            FacetCounts {
                field: name,
                values,
            }
        })
        .collect();
    Ok(SearchResult {
        hits,
        total_hits: tally.hits,
        facets,
        processing_time_ms: started.elapsed().as_millis() as u64,
    })
}

impl EmbeddedIndex {
    fn write(&self, docs: Vec<ProjectDoc>, deletes: Vec<Uuid>) -> Result<()> {
        let g = self.generation()?;
        let mut w = g.writer.lock().map_err(lock_err)?;
        for id in deletes.iter().chain(docs.iter().map(|d| &d.id)) {
            w.delete_term(Term::from_field_text(g.fields.id, &id.to_string()));
        }
        for d in &docs {
            w.add_document(add_doc(&g, d))?;
        }
        w.commit()?;
        drop(w);
        refresh(&g)
    }

    /// Writes documents without waiting for readers (bulk rebuilds commit once at the end).
    pub fn add_bulk(&self, docs: &[ProjectDoc]) -> Result<()> {
        let g = self.generation()?;
        let w = g.writer.lock().map_err(lock_err)?;
        for d in docs {
            w.add_document(add_doc(&g, d))?;
        }
        Ok(())
    }

    /// Commits what [`Self::add_bulk`] wrote.
    pub fn commit(&self) -> Result<()> {
        let g = self.generation()?;
        g.writer.lock().map_err(lock_err)?.commit()?;
        refresh(&g)
    }
}

/// After a commit: searches see it, and the new segments' bit sets are built now, on the
/// writer's thread and outside the writer's lock, rather than in a search (a failure here only
/// leaves that work to the next search).
fn refresh(g: &Generation) -> Result<()> {
    g.reader.reload()?;
    if let Err(e) = g.bits.warm(&g.reader.searcher()) {
        tracing::warn!(error = %e, "could not prepare the search bit sets");
    }
    Ok(())
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Engine(e.to_string()))?
}

#[async_trait]
impl SearchIndex for EmbeddedIndex {
    async fn upsert(&self, docs: Vec<ProjectDoc>) -> Result<()> {
        let me = self.clone();
        blocking(move || me.write(docs, vec![])).await
    }

    async fn delete(&self, ids: Vec<Uuid>) -> Result<()> {
        let me = self.clone();
        blocking(move || me.write(vec![], ids)).await
    }

    async fn search(&self, req: &SearchRequest) -> Result<SearchResult> {
        let g = self.generation()?;
        let req = req.clone();
        blocking(move || search_blocking(&g, &req)).await
    }

    async fn count(&self) -> Result<u64> {
        let g = self.generation()?;
        Ok(g.reader.searcher().num_docs())
    }
}

#[cfg(test)]
mod tests {
    use sinergi_domain::{Dimension, FinancingModel, Sector, permissions::SearchVisibility};

    use super::*;
    use crate::Filter;

    fn doc(i: u32) -> ProjectDoc {
        ProjectDoc {
            id: Uuid::from_u128(u128::from(i) + 1),
            city_id: Uuid::from_u128(7),
            title: format!("project {i}"),
            summary: "a project".into(),
            description: String::new(),
            tags: vec![],
            city: "Ambon".into(),
            province: ["Maluku", "Bali", "Jawa Barat"][i as usize % 3].into(),
            owner_agency: "Dinas".into(),
            status: if i % 10 == 9 {
                ProjectStatus::Draft
            } else {
                ProjectStatus::Published
            },
            dimensions: vec![Dimension::ALL[i as usize % 6]],
            sector: Sector::ALL[i as usize % 13],
            financing: vec![FinancingModel::ALL[i as usize % 7], FinancingModel::Grant],
            // Many ties, and negative values, to exercise the order of equal keys.
            capex_usd: f64::from(i % 7) * 1000.0 - 2500.0,
            deadline: i64::from(i % 11),
            created_at: i64::from(i % 50),
        }
    }

    /// 300 documents written in three commits, so in three segments.
    async fn three_segments() -> (tempfile::TempDir, EmbeddedIndex) {
        let dir = tempfile::tempdir().expect("dir");
        let index = EmbeddedIndex::open(dir.path()).expect("open");
        for part in 0..3u32 {
            let docs = (part * 100..part * 100 + 100).map(doc).collect();
            index.upsert(docs).await.expect("upsert");
        }
        (dir, index)
    }

    /// Paging through a sort by a field visits every visible hit exactly once, in order, over
    /// several segments and ties; counts and facets cover every hit.
    #[tokio::test]
    async fn sorted_pages_cover_every_hit_once_in_order() {
        let (_dir, index) = three_segments().await;
        let visible: Vec<ProjectDoc> = (0..300)
            .map(doc)
            .filter(|d| d.status == ProjectStatus::Published)
            .collect();
        type Rank = fn(&ProjectDoc) -> f64;
        let orders: [(Sort, Rank); 4] = [
            (Sort::Newest, |d| -(d.created_at as f64)),
            (Sort::DeadlineSoonest, |d| d.deadline as f64),
            (Sort::CapexAsc, |d| d.capex_usd),
            (Sort::CapexDesc, |d| -d.capex_usd),
        ];
        for (sort, rank) in orders {
            let mut seen = Vec::new();
            let mut offset = 0;
            loop {
                let r = index
                    .search(&SearchRequest {
                        text: None,
                        filter: Filter::default(),
                        visibility: SearchVisibility {
                            everywhere: vec![ProjectStatus::Published],
                            own_city: None,
                        },
                        sort,
                        offset,
                        limit: 17,
                    })
                    .await
                    .expect("search");
                assert_eq!(r.total_hits, visible.len() as u64);
                let status = r
                    .facets
                    .iter()
                    .find(|f| f.field == "status")
                    .expect("status");
                assert_eq!(status.values, [("PUBLISHED".to_owned(), 270)]);
                let provinces: u64 = r
                    .facets
                    .iter()
                    .find(|f| f.field == "province")
                    .expect("province")
                    .values
                    .iter()
                    .map(|v| v.1)
                    .sum();
                assert_eq!(provinces, 270);
                if r.hits.is_empty() {
                    break;
                }
                seen.extend(r.hits.iter().map(|h| h.id));
                offset += 17;
            }
            let mut unique = seen.clone();
            unique.sort();
            unique.dedup();
            assert_eq!(unique.len(), visible.len(), "{sort:?}: every hit once");
            assert_eq!(seen.len(), visible.len(), "{sort:?}: no hit twice");
            let ranks: Vec<f64> = seen
                .iter()
                .map(|id| rank(visible.iter().find(|d| d.id == *id).expect("visible")))
                .collect();
            assert!(ranks.is_sorted(), "{sort:?}: in order");
        }
    }

    /// Searches of facets alone, answered from the cached bit sets, give exactly what the query
    /// engine gives: hits in the same order, totals and facet counts — over several segments,
    /// replaced and deleted documents.
    #[tokio::test]
    async fn bit_sets_answer_as_the_query_engine_does() {
        let (_dir, index) = three_segments().await;
        // Replace some documents (a delete and an add) and delete others.
        let mut moved: Vec<ProjectDoc> = (0..300).step_by(13).map(doc).collect();
        for d in &mut moved {
            d.status = ProjectStatus::Awarded;
            d.created_at += 1000;
        }
        index.upsert(moved).await.expect("replace");
        let gone = (0..300)
            .step_by(17)
            .map(|i| Uuid::from_u128(i + 1))
            .collect();
        index.delete(gone).await.expect("delete");

        let g = index.generation().expect("generation");
        let public = SearchVisibility {
            everywhere: vec![ProjectStatus::Published, ProjectStatus::Awarded],
            own_city: None,
        };
        let filters = [
            Filter::default(),
            Filter {
                sectors: vec![Sector::Water, Sector::Energy],
                provinces: vec!["Maluku".into(), "Nowhere".into()],
                ..Filter::default()
            },
            Filter {
                dimensions: vec![Dimension::Living],
                financing: vec![FinancingModel::Loan],
                ..Filter::default()
            },
            Filter {
                provinces: vec!["Nowhere".into()],
                ..Filter::default()
            },
        ];
        let sorts = [
            Sort::Relevance,
            Sort::Newest,
            Sort::DeadlineSoonest,
            Sort::CapexAsc,
            Sort::CapexDesc,
        ];
        let visibilities = [
            public.clone(),
            SearchVisibility {
                everywhere: ProjectStatus::ALL.to_vec(),
                own_city: None,
            },
            SearchVisibility {
                everywhere: vec![],
                own_city: None,
            },
        ];
        let mut compared = 0;
        for filter in &filters {
            for sort in sorts {
                for visibility in &visibilities {
                    for (offset, limit) in [(0, 20), (20, 7), (250, 20)] {
                        let req = SearchRequest {
                            text: None,
                            filter: filter.clone(),
                            visibility: visibility.clone(),
                            sort,
                            offset,
                            limit,
                        };
                        assert!(bitmaps::answers(&req));
                        let mut engine = search_with(&g, &req, false).expect("engine");
                        let mut bits = search_with(&g, &req, true).expect("bits");
                        engine.processing_time_ms = 0;
                        bits.processing_time_ms = 0;
                        assert_eq!(bits, engine, "{req:?}");
                        compared += usize::from(!engine.hits.is_empty());
                    }
                }
            }
        }
        assert!(compared > 40, "most requests have hits: {compared}");
    }

    /// Relevance: an exact word ranks above a typo of it, and a word in the title above the
    /// same word in the description only.
    #[tokio::test]
    async fn exact_words_and_titles_rank_first() {
        let dir = tempfile::tempdir().expect("dir");
        let index = EmbeddedIndex::open(dir.path()).expect("open");
        let with = |i: u32, title: &str, description: &str| ProjectDoc {
            title: title.into(),
            description: description.into(),
            status: ProjectStatus::Published,
            ..doc(i)
        };
        index
            .upsert(vec![
                with(1, "Street lightning upgrade", "poles"),
                with(2, "Street lighting upgrade", "poles"),
                with(3, "Harbour works", "clean water for the harbour"),
                with(4, "Clean water network", "pipes"),
            ])
            .await
            .expect("upsert");
        let ask = |text: &str| SearchRequest {
            text: Some(text.into()),
            filter: Filter::default(),
            visibility: SearchVisibility {
                everywhere: vec![ProjectStatus::Published],
                own_city: None,
            },
            sort: Sort::Relevance,
            offset: 0,
            limit: 10,
        };
        let ids = |r: SearchResult| r.hits.iter().map(|h| h.id).collect::<Vec<_>>();
        let r = index.search(&ask("lighting")).await.expect("search");
        assert_eq!(ids(r), [doc(2).id, doc(1).id], "exact before typo");
        let r = index.search(&ask("water")).await.expect("search");
        assert_eq!(ids(r), [doc(4).id, doc(3).id], "title before description");
    }
}
