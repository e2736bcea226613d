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
    DocAddress, Index, IndexReader, IndexWriter, Order, ReloadPolicy, TantivyDocument, Term,
    collector::{Count, FacetCollector, TopDocs},
    query::{
        AllQuery, BooleanQuery, BoostQuery, EmptyQuery, FuzzyTermQuery, Occur, Query, RangeQuery,
        TermQuery, TermSetQuery,
    },
    schema::{
        FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema,
        TextFieldIndexing, TextOptions, Value,
    },
    tokenizer::{AsciiFoldingFilter, LowerCaser, SimpleTokenizer, TextAnalyzer},
};
use uuid::Uuid;

use crate::{
    Error, FACETS, FacetCounts, Hit, ProjectDoc, Result, SearchIndex, SearchRequest, SearchResult,
    Sort,
    text::{highlight, query_words, typos_allowed},
};

struct Fields {
    id: Field,
    city_id: Field,
    title: Field,
    summary: Field,
    description: Field,
    tags: Field,
    city: Field,
    province_text: Field,
    owner_agency: Field,
    status: Field,
    province: Field,
    dimension: Field,
    sector: Field,
    financing: Field,
    capex_usd: Field,
    deadline: Field,
    created_at: Field,
    facets: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default().set_stored().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer("folded")
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    let keyword = STRING | STORED;
    let f = Fields {
        id: b.add_text_field("id", keyword.clone()),
        city_id: b.add_text_field("city_id", STRING),
        title: b.add_text_field("title", text.clone()),
        summary: b.add_text_field("summary", text.clone()),
        description: b.add_text_field("description", text.clone()),
        tags: b.add_text_field("tags", text.clone()),
        city: b.add_text_field("city", text.clone()),
        province_text: b.add_text_field("province_text", text.clone()),
        owner_agency: b.add_text_field("owner_agency", text),
        status: b.add_text_field("status", STRING),
        province: b.add_text_field("province", STRING),
        dimension: b.add_text_field("dimension", STRING),
        sector: b.add_text_field("sector", STRING),
        financing: b.add_text_field("financing", STRING),
        capex_usd: b.add_f64_field("capex_usd", INDEXED | FAST),
        deadline: b.add_i64_field("deadline", INDEXED | FAST),
        created_at: b.add_i64_field("created_at", INDEXED | FAST),
        facets: b.add_facet_field("facets", FacetOptions::default()),
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
}

fn open_generation(root: &Path, name: &str) -> Result<Generation> {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir)?;
    let (schema, fields) = schema();
    let index = match Index::open_in_dir(&dir) {
        Ok(i) => i,
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
    doc.add_text(f.description, &d.description);
    for t in &d.tags {
        doc.add_text(f.tags, t);
    }
    doc.add_text(f.city, &d.city);
    doc.add_text(f.province_text, &d.province);
    doc.add_text(f.owner_agency, &d.owner_agency);
    doc.add_text(f.status, d.status.as_str());
    doc.add_text(f.province, &d.province);
    doc.add_text(f.sector, d.sector.as_str());
    doc.add_f64(f.capex_usd, d.capex_usd);
    doc.add_i64(f.deadline, d.deadline);
    doc.add_i64(f.created_at, d.created_at);
    let facet = |doc: &mut TantivyDocument, field: &str, value: &str| {
        doc.add_facet(f.facets, tantivy::schema::Facet::from_path([field, value]));
    };
    for x in &d.dimensions {
        doc.add_text(f.dimension, x.as_str());
        facet(&mut doc, "dimension", x.as_str());
    }
    for x in &d.financing {
        doc.add_text(f.financing, x.as_str());
        facet(&mut doc, "financing", x.as_str());
    }
    facet(&mut doc, "sector", d.sector.as_str());
    facet(&mut doc, "province", &d.province);
    facet(&mut doc, "status", d.status.as_str());
    doc
}

fn terms(field: Field, values: impl IntoIterator<Item = String>) -> Box<dyn Query> {
    Box::new(TermSetQuery::new(
        values.into_iter().map(|v| Term::from_field_text(field, &v)),
    ))
}

fn statuses(field: Field, s: &[ProjectStatus]) -> Box<dyn Query> {
    terms(field, s.iter().map(|s| s.as_str().to_owned()))
}

/// The query of a request: text, filters, and the caller's visibility, all inside the engine.
fn build_query(f: &Fields, req: &SearchRequest) -> Box<dyn Query> {
    let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    // Visibility.
    let v = &req.visibility;
    let mut visible: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !v.everywhere.is_empty() {
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
    if visible.is_empty() {
        return Box::new(EmptyQuery);
    }
    must.push((Occur::Must, Box::new(BooleanQuery::new(visible))));
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
    // Text: every word must match some field, within its typos (the last one also as a prefix);
    // exact words and titles weigh more.
    let words = req.text.as_deref().map(query_words).unwrap_or_default();
    let fields = [
        (f.title, 3.0),
        (f.tags, 2.0),
        (f.summary, 1.5),
        (f.city, 1.5),
        (f.province_text, 1.0),
        (f.owner_agency, 1.0),
        (f.description, 1.0),
    ];
    for (i, w) in words.iter().enumerate() {
        let last = i + 1 == words.len();
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (field, boost) in fields {
            let term = Term::from_field_text(field, w);
            let exact: Box<dyn Query> =
                Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs));
            any.push((Occur::Should, Box::new(BoostQuery::new(exact, boost * 2.0))));
            let typos = typos_allowed(w);
            if typos > 0 {
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(
                        Box::new(FuzzyTermQuery::new(term.clone(), typos, true)),
                        boost,
                    )),
                ));
            }
            if last {
                let prefix = FuzzyTermQuery::new_prefix(term, 0, true);
                any.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(prefix), boost * 0.5)),
                ));
            }
        }
        must.push((Occur::Must, Box::new(BooleanQuery::new(any))));
    }
    if must.is_empty() {
        return Box::new(AllQuery);
    }
    Box::new(BooleanQuery::new(must))
}

type Collected = (
    Vec<(Option<f64>, DocAddress)>,
    usize,
    tantivy::collector::FacetCounts,
);

fn no_score<K>(_: K) -> Option<f64> {
    None
}

/// Runs one ordering of the top hits together with the count and the facets.
fn collect<K, C>(
    searcher: &tantivy::Searcher,
    query: &dyn Query,
    top: C,
    facets: FacetCollector,
    score: impl Fn(K) -> Option<f64>,
) -> Result<Collected>
where
    C: tantivy::collector::Collector<Fruit = Vec<(K, DocAddress)>>,
{
    let (docs, total, fc) = searcher.search(query, &(top, Count, facets))?;
    Ok((
        docs.into_iter().map(|(k, a)| (score(k), a)).collect(),
        total,
        fc,
    ))
}

fn search_blocking(g: &Generation, req: &SearchRequest) -> Result<SearchResult> {
    let started = Instant::now();
    let searcher = g.reader.searcher();
    let f = &g.fields;
    let query = build_query(f, req);
    let mut facets = FacetCollector::for_field("facets");
    for name in FACETS {
        facets.add_facet(format!("/{name}").as_str());
    }
    let limit = req.limit.max(1);
    let top = TopDocs::with_limit(limit).and_offset(req.offset);
    let (addrs, total, facet_counts) = match req.sort {
        Sort::Relevance => collect(&searcher, &query, top.order_by_score(), facets, |s| {
            Some(f64::from(s))
        })?,
        Sort::Newest => collect(
            &searcher,
            &query,
            top.order_by_fast_field::<i64>("created_at", Order::Desc),
            facets,
            no_score,
        )?,
        Sort::DeadlineSoonest => collect(
            &searcher,
            &query,
            top.order_by_fast_field::<i64>("deadline", Order::Asc),
            facets,
            no_score,
        )?,
        Sort::CapexAsc => collect(
            &searcher,
            &query,
            top.order_by_fast_field::<f64>("capex_usd", Order::Asc),
            facets,
            no_score,
        )?,
        Sort::CapexDesc => collect(
            &searcher,
            &query,
            top.order_by_fast_field::<f64>("capex_usd", Order::Desc),
            facets,
            no_score,
        )?,
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
            let mut values: Vec<(String, u64)> = facet_counts
                .get(format!("/{name}").as_str())
                .map(|(facet, count)| {
                    let path = facet.to_path();
                    (
                        path.last().map(|s| (*s).to_owned()).unwrap_or_default(),
                        count,
                    )
                })
                .collect();
            values.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            FacetCounts {
                field: name,
                values,
            }
        })
        .collect();
    Ok(SearchResult {
        hits,
        total_hits: total as u64,
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
        g.reader.reload()?;
        Ok(())
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
        g.reader.reload()?;
        Ok(())
    }
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
