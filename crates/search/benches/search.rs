//! Search benchmarks at design scale (250,000 projects; `SINERGI_BENCH_DOCS` to change it):
//! bulk indexing rate and search latency (p50, p99) for a fixed set of queries, on the embedded
//! engine and, when a Meilisearch server is available (`SINERGI_BENCH_MEILI_URL`, or a
//! `meilisearch` binary on PATH, started on a free port), on Meilisearch — each beside the raw
//! Meilisearch figures for the same documents and queries, measured in the same run.
//!
//! `cargo bench -p sinergi-search --bench search` (`SINERGI_BENCH_QUERY=<part of a name>` runs
//! only the matching queries, `SINERGI_BENCH_RUNS` sets the runs per query, 200 by default)

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use meilisearch_sdk::client::Client;
use sinergi_domain::{
    Dimension, FinancingModel, ProjectStatus, Sector, permissions::SearchVisibility,
};
use sinergi_search::{
    EmbeddedIndex, Filter, MeiliIndex, ProjectDoc, SearchIndex, SearchRequest, Sort,
};
use uuid::Uuid;

const TOPICS: &[(&str, Sector, Dimension)] = &[
    (
        "flood early warning system",
        Sector::PublicSafety,
        Dimension::Environment,
    ),
    ("smart street lighting", Sector::Energy, Dimension::Living),
    (
        "e-government service portal",
        Sector::GovernmentServices,
        Dimension::Governance,
    ),
    (
        "city of music creative hub",
        Sector::Tourism,
        Dimension::Branding,
    ),
    (
        "waste to energy plant",
        Sector::Waste,
        Dimension::Environment,
    ),
    (
        "bus rapid transit corridor",
        Sector::Transport,
        Dimension::Living,
    ),
    ("clean water network", Sector::Water, Dimension::Living),
    (
        "fish market cold chain",
        Sector::AgricultureFisheries,
        Dimension::Economy,
    ),
];
const CITIES: &[(&str, &str)] = &[
    ("Ambon", "Maluku"),
    ("Semarang", "Jawa Tengah"),
    ("Makassar", "Sulawesi Selatan"),
    ("Bandung", "Jawa Barat"),
    ("Denpasar", "Bali"),
];

fn docs(n: usize) -> Vec<ProjectDoc> {
    let mut x: u64 = 0x9e37_79b9;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let t = TOPICS[(next() % TOPICS.len() as u64) as usize];
            let (city, province) = CITIES[i % CITIES.len()];
            ProjectDoc {
                id: Uuid::from_u128(i as u128 + 1),
                city_id: Uuid::from_u128(1_000_000 + (i % 514) as u128),
                title: format!("{city} {} {}", i / CITIES.len(), t.0),
                summary: format!("A {} for {city}.", t.0),
                description: format!(
                    "{city} proposes a {} under its masterplan, project {i}.",
                    t.0
                ),
                tags: vec![t.0.split(' ').next().unwrap_or("smart").into()],
                city: city.into(),
                province: province.into(),
                owner_agency: format!("Dinas {} {city}", t.1),
                status: if i % 20 == 19 {
                    ProjectStatus::Draft
                } else {
                    ProjectStatus::Published
                },
                dimensions: vec![t.2],
                sector: t.1,
                financing: vec![FinancingModel::Ppp],
                capex_usd: 200_000.0 + (next() % 50_000_000) as f64,
                deadline: 1_900_000_000 + (next() % 10_000_000) as i64,
                created_at: i as i64,
            }
        })
        .collect()
}

/// A query, and the same query written by hand for Meilisearch's own API (the raw baseline).
fn queries() -> Vec<(&'static str, SearchRequest, &'static str)> {
    let public = SearchVisibility {
        everywhere: vec![ProjectStatus::Published, ProjectStatus::Awarded],
        own_city: None,
    };
    let req = |text: Option<&str>, filter: Filter, sort: Sort| SearchRequest {
        text: text.map(str::to_owned),
        filter,
        visibility: public.clone(),
        sort,
        offset: 0,
        limit: 20,
    };
    vec![
        (
            "flood warning",
            req(Some("flood warning"), Filter::default(), Sort::Relevance),
            "",
        ),
        (
            "typo: musik",
            req(Some("musik"), Filter::default(), Sort::Relevance),
            "",
        ),
        (
            "prefix: street ligh",
            req(Some("street ligh"), Filter::default(), Sort::Relevance),
            "",
        ),
        (
            "filter: water in Maluku",
            req(
                None,
                Filter {
                    sectors: vec![Sector::Water],
                    provinces: vec!["Maluku".into()],
                    ..Filter::default()
                },
                Sort::Relevance,
            ),
            " AND sector IN [\"WATER\"] AND province IN [\"Maluku\"]",
        ),
        (
            "text + capex sort",
            req(
                Some("portal"),
                Filter {
                    min_capex_usd: Some(1e6),
                    ..Filter::default()
                },
                Sort::CapexDesc,
            ),
            " AND capex_usd >= 1000000",
        ),
        (
            "browse newest",
            req(None, Filter::default(), Sort::Newest),
            "",
        ),
    ]
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn latency(
    index: &dyn SearchIndex,
    req: &SearchRequest,
    runs: usize,
) -> (Duration, Duration, u64) {
    let mut times = Vec::with_capacity(runs);
    let mut total = 0;
    for _ in 0..runs {
        let t = Instant::now();
        let r = index.search(req).await.expect("search");
        times.push(t.elapsed());
        total = r.total_hits;
    }
    times.sort();
    (percentile(&times, 0.5), percentile(&times, 0.99), total)
}

struct Server(Option<Child>, #[allow(dead_code)] Option<tempfile::TempDir>);
impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

async fn meili() -> Option<(String, Option<String>, Server)> {
    if let Ok(url) = std::env::var("SINERGI_BENCH_MEILI_URL") {
        return Some((
            url,
            std::env::var("SINERGI_BENCH_MEILI_KEY").ok(),
            Server(None, None),
        ));
    }
    let dir = tempfile::tempdir().ok()?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .ok()?
        .local_addr()
        .ok()?
        .port();
    let child = Command::new("meilisearch")
        .args([
            "--http-addr",
            &format!("127.0.0.1:{port}"),
            "--no-analytics",
            "--env",
            "development",
        ])
        .arg("--db-path")
        .arg(dir.path().join("db"))
        .arg("--dump-dir")
        .arg(dir.path().join("dumps"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let url = format!("http://127.0.0.1:{port}");
    let server = Server(Some(child), Some(dir));
    for _ in 0..200 {
        if Client::new(&url, Option::<String>::None)
            .ok()?
            .health()
            .await
            .is_ok()
        {
            return Some((url, None, server));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    None
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

#[tokio::main]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("SINERGI_BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(250_000);
    let all = docs(n);
    println!("search benchmark over {n} projects");

    let dir = tempfile::tempdir().expect("dir");
    let embedded = EmbeddedIndex::open(dir.path()).expect("index");
    let t = Instant::now();
    for chunk in all.chunks(10_000) {
        embedded.add_bulk(chunk).expect("add");
    }
    embedded.commit().expect("commit");
    let embedded_rate = n as f64 / t.elapsed().as_secs_f64();
    println!("embedded bulk indexing: {embedded_rate:.0} docs/s");
    let browse = queries().pop().expect("browse").1;
    let t = Instant::now();
    embedded.search(&browse).await.expect("first search");
    println!(
        "embedded first search without text after a commit (builds the segments' bit sets): {}",
        ms(t.elapsed())
    );

    let meili = meili().await;
    let mut raw_rate = None;
    let mut ours_rate = None;
    let mut meili_index = None;
    if let Some((url, key, _)) = &meili {
        // Raw: the documents straight to Meilisearch with the same settings, batch by batch.
        let raw = MeiliIndex::connect(url, key.as_deref(), "bench_raw")
            .await
            .expect("raw");
        let client = Client::new(url, key.clone()).expect("client");
        let t = Instant::now();
        for chunk in all.chunks(10_000) {
            let body: Vec<serde_json::Value> = chunk
                .iter()
                .map(|d| serde_json::json!({"id": d.id.to_string(), "city_id": d.city_id.to_string(), "title": d.title,
                    "summary": d.summary, "description": d.description, "tags": d.tags, "city": d.city, "province": d.province,
                    "owner_agency": d.owner_agency, "status": d.status.as_str(), "dimension": d.dimensions.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
                    "sector": d.sector.as_str(), "financing": d.financing.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
                    "capex_usd": d.capex_usd, "deadline": d.deadline, "created_at": d.created_at}))
                .collect();
            let task = client
                .index("bench_raw")
                .add_or_replace(&body, Some("id"))
                .await
                .expect("add");
            task.wait_for_completion(
                &client,
                Some(Duration::from_millis(20)),
                Some(Duration::from_secs(600)),
            )
            .await
            .expect("wait");
        }
        raw_rate = Some(n as f64 / t.elapsed().as_secs_f64());
        let ours = MeiliIndex::connect(url, key.as_deref(), "bench_ours")
            .await
            .expect("ours");
        let t = Instant::now();
        for chunk in all.chunks(10_000) {
            ours.upsert(chunk.to_vec()).await.expect("upsert");
        }
        ours_rate = Some(n as f64 / t.elapsed().as_secs_f64());
        println!(
            "meilisearch raw ingest: {:.0} docs/s; through Sinergi: {:.0} docs/s ({:.0}%)",
            raw_rate.unwrap_or(0.0),
            ours_rate.unwrap_or(0.0),
            100.0 * ours_rate.unwrap_or(0.0) / raw_rate.unwrap_or(1.0)
        );
        meili_index = Some((raw, ours));
        let _ = &meili_index;
    } else {
        println!(
            "meilisearch: not available (set SINERGI_BENCH_MEILI_URL or put meilisearch on PATH); embedded figures only"
        );
    }

    println!(
        "\n| query | embedded p50 | embedded p99 | meili raw p50 | meili raw p99 | via Sinergi p50 | via Sinergi p99 | hits |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    let only = std::env::var("SINERGI_BENCH_QUERY").unwrap_or_default();
    let runs: usize = std::env::var("SINERGI_BENCH_RUNS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(200);
    for (name, req, extra) in queries() {
        if !name.contains(&only) {
            continue;
        }
        let (e50, e99, hits) = latency(&embedded, &req, runs).await;
        let meili_cols = match &meili_index {
            Some((_, ours)) => {
                let (url, key, _) = meili.as_ref().expect("meili");
                let client = Client::new(url, key.clone()).expect("client");
                let index = client.index("bench_raw");
                let filter = format!("(status IN [\"PUBLISHED\", \"AWARDED\"]){extra}");
                let sort: &[&str] = match req.sort {
                    Sort::CapexDesc => &["capex_usd:desc"],
                    Sort::Newest => &["created_at:desc"],
                    _ => &[],
                };
                let text = req.text.clone().unwrap_or_default();
                let facets = ["dimension", "sector", "province", "financing", "status"];
                let mut times = Vec::new();
                for _ in 0..200 {
                    let mut q = index.search();
                    q.with_query(&text)
                        .with_filter(&filter)
                        .with_page(1)
                        .with_hits_per_page(20)
                        .with_facets(meilisearch_sdk::search::Selectors::Some(&facets));
                    if !sort.is_empty() {
                        q.with_sort(sort);
                    }
                    let t = Instant::now();
                    let _ = q.execute::<serde_json::Value>().await.expect("raw search");
                    times.push(t.elapsed());
                }
                times.sort();
                let (r50, r99) = (percentile(&times, 0.5), percentile(&times, 0.99));
                let (o50, o99, _) = latency(ours, &req, 200).await;
                format!("{} | {} | {} | {}", ms(r50), ms(r99), ms(o50), ms(o99))
            }
            None => "– | – | – | –".into(),
        };
        println!(
            "| {name} | {} | {} | {meili_cols} | {hits} |",
            ms(e50),
            ms(e99)
        );
    }
    let _ = (raw_rate, ours_rate);
}
