//! Saved-search alerts at design scale: which of 100,000 saved searches one newly published
//! project matches, by the inverted matcher, beside the naive baseline measured in the same
//! run (every saved search checked against the project in turn, by the same rules). Both must
//! find the same saved searches; the bench checks that before it measures.
//!
//! `cargo bench -p sinergi-search --bench alerts` (`SINERGI_BENCH_SAVED` sets the count)

use std::collections::HashSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use sinergi_domain::{Dimension, FinancingModel, ProjectStatus, Sector};
use sinergi_search::{
    Filter, ProjectDoc,
    alerts::{AlertIndex, SavedQuery, doc_words, naive_matches},
};
use uuid::Uuid;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "flood",
    "early",
    "warning",
    "system",
    "smart",
    "street",
    "lighting",
    "government",
    "service",
    "portal",
    "music",
    "creative",
    "hub",
    "waste",
    "energy",
    "plant",
    "bus",
    "rapid",
    "transit",
    "corridor",
    "clean",
    "water",
    "network",
    "fish",
    "market",
    "cold",
    "chain",
    "parking",
    "sensor",
    "drainage",
    "solar",
    "harbour",
    "ferry",
    "tourism",
    "heritage",
    "school",
    "hospital",
    "digital",
    "fibre",
    "broadband",
    "kota",
    "air",
    "bersih",
    "pesisir",
    "sampah",
    "listrik",
    "jalan",
    "pintar",
    "pasar",
    "ikan",
    "banjir",
    "infrastructure",
    "desalination",
    "wastewater",
    "monitoring",
    "emergency",
    "library",
    "stadium",
    "bridge",
];
const PROVINCES: &[&str] = &["Maluku", "Jawa Tengah", "Bali", "Papua", "Sulawesi Selatan"];

/// A word of the vocabulary, or an invented one (most saved searches look for rarer words than
/// a project has), sometimes with a typo.
fn word(r: &mut Rng) -> String {
    let mut w = if r.below(3) == 0 {
        WORDS[r.below(WORDS.len())].to_owned()
    } else {
        let n = 4 + r.below(7);
        (0..n).map(|_| (b'a' + r.below(26) as u8) as char).collect()
    };
    if w.len() >= 5 && r.below(4) == 0 {
        let i = r.below(w.len() - 1);
        let mut b = w.into_bytes();
        b.swap(i, i + 1);
        w = String::from_utf8(b).expect("ascii");
    }
    w
}

fn saved(n: usize) -> Vec<SavedQuery> {
    let mut r = Rng(0x5eed_a1e7);
    (0..n)
        .map(|i| {
            let text = (r.below(10) < 7).then(|| {
                let k = 1 + r.below(3);
                (0..k).map(|_| word(&mut r)).collect::<Vec<_>>().join(" ")
            });
            let mut f = Filter::default();
            if r.below(3) == 0 {
                f.sectors = vec![Sector::ALL[r.below(Sector::ALL.len())]];
            }
            if r.below(4) == 0 {
                f.provinces = vec![PROVINCES[r.below(PROVINCES.len())].to_owned()];
            }
            if r.below(4) == 0 {
                f.dimensions = vec![Dimension::ALL[r.below(6)], Dimension::ALL[r.below(6)]];
            }
            if r.below(10) == 0 {
                f.city_ids = vec![Uuid::from_u128(1 + r.below(514) as u128)];
            }
            if r.below(5) == 0 {
                f.min_capex_usd = Some((r.below(50) * 1_000_000) as f64);
            }
            SavedQuery {
                id: Uuid::from_u128(i as u128 + 1),
                text,
                filter: f,
            }
        })
        .collect()
}

/// A project as long as a real one: 120 words of description.
fn project() -> ProjectDoc {
    let mut r = Rng(0xd0c);
    let description = (0..120)
        .map(|_| WORDS[r.below(WORDS.len())])
        .collect::<Vec<_>>()
        .join(" ");
    ProjectDoc {
        id: Uuid::new_v4(),
        city_id: Uuid::from_u128(7),
        title: "Smart Flood Early Warning System".into(),
        summary: "Sensors and sirens along the rivers of Ambon, with a public portal.".into(),
        description,
        tags: vec!["banjir".into(), "sensor".into()],
        city: "Ambon".into(),
        province: "Maluku".into(),
        owner_agency: "Dinas Pekerjaan Umum".into(),
        status: ProjectStatus::Published,
        dimensions: vec![Dimension::Environment, Dimension::Governance],
        sector: Sector::PublicSafety,
        financing: vec![FinancingModel::Ppp, FinancingModel::Grant],
        capex_usd: 12_500_000.0,
        deadline: 0,
        created_at: 0,
    }
}

fn bench(c: &mut Criterion) {
    let n: usize = std::env::var("SINERGI_BENCH_SAVED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let queries = saved(n);
    let d = project();
    let started = std::time::Instant::now();
    let mut index = AlertIndex::new();
    for q in &queries {
        index.insert(q.clone());
    }
    println!(
        "built the matcher of {n} saved searches in {:.0?}",
        started.elapsed()
    );
    let naive = |d: &ProjectDoc| -> Vec<Uuid> {
        let words = doc_words(d);
        queries
            .iter()
            .filter(|q| naive_matches(q, &words, d))
            .map(|q| q.id)
            .collect()
    };
    let fast: HashSet<Uuid> = index.matching(&d).into_iter().collect();
    let slow: HashSet<Uuid> = naive(&d).into_iter().collect();
    assert_eq!(fast, slow, "the matcher and the baseline disagree");
    println!("the project matches {} of {n} saved searches", fast.len());
    let mut g = c.benchmark_group(format!("alerts/{n}"));
    g.sample_size(20);
    g.bench_function("inverted matcher", |b| {
        b.iter(|| black_box(index.matching(black_box(&d))))
    });
    g.bench_function("naive baseline", |b| {
        b.iter(|| black_box(naive(black_box(&d))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
