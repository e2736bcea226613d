//! Matching benchmarks, each beside a naive baseline measured in the same run.
//!
//! - scoring: the explained score (strings, text folding) against the dense score over
//!   precomputed inputs, proposals per second on one core;
//! - one organisation's 10 recommended projects of 250,000: scoring all, a full sort and the
//!   variety re-ranking of the whole list, against the project index (bounded top, re-ranked);
//! - building the project index (once per recommendation snapshot);
//! - every organisation's top 10: 100 organisations naive on one core against 2,000 through the
//!   index on one and two threads, then one timed pass over all 20,000 printed for the README.
//!
//! `cargo bench -p sinergi-matching`

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use sinergi_domain::{
    Dimension, FinancingModel, VerificationStatus,
    masterplan::{MasterplanContent, Priority},
};
use sinergi_matching::{
    ProjectTerms, ProposalTerms, Weights,
    fast::{ScoreInputs, total},
    focus_areas_for, focus_value, plan_weights,
    recommend::{
        OrgFeatures, ProjectFeatures, ProjectIndex, brute_force_projects, diversify,
        recommend_for_all,
    },
    score, strengths,
};

/// A small deterministic generator (xorshift), so every run scores the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn plan(r: &mut Rng) -> MasterplanContent {
    let raw: Vec<f64> = (0..6).map(|_| 0.05 + r.unit()).collect();
    let sum: f64 = raw.iter().sum();
    MasterplanContent {
        period_start_year: 2025,
        period_end_year: 2029,
        vision: "v".into(),
        priorities: Dimension::ALL
            .iter()
            .zip(raw)
            .map(|(d, w)| Priority {
                dimension: *d,
                weight: w / sum,
                focus_areas: vec!["flood early warning".into(), "city of music".into()],
            })
            .collect(),
    }
}

fn proposals(n: usize) -> Vec<(MasterplanContent, ProjectTerms, ProposalTerms)> {
    let mut r = Rng(0x5eed);
    (0..n)
        .map(|i| {
            let p = plan(&mut r);
            let project = ProjectTerms {
                dimensions: vec![Dimension::ALL[i % 6]],
                capex_usd: 1e6 + r.unit() * 5e7,
                accepted_financing: vec![FinancingModel::Ppp, FinancingModel::ALL[i % 7]],
                timeline_months: 12 + (i % 36) as i32,
            };
            let proposal = ProposalTerms {
                amount_usd: project.capex_usd * (0.5 + r.unit()),
                financing_model: FinancingModel::ALL[(i / 7) % 7],
                timeline_months: 6 + (i % 48) as i32,
                approach: "We deliver a flood early warning network with local partners".into(),
                contributions: vec![
                    (Dimension::ALL[i % 6], r.unit()),
                    (Dimension::ALL[(i + 1) % 6], r.unit()),
                ],
                local_content_percent: r.unit() * 100.0,
                verification: VerificationStatus::Verified,
            };
            (p, project, proposal)
        })
        .collect()
}

fn inputs(all: &[(MasterplanContent, ProjectTerms, ProposalTerms)]) -> Vec<ScoreInputs> {
    all.iter()
        .map(|(plan, pr, p)| ScoreInputs {
            plan: plan_weights(plan),
            capex_usd: pr.capex_usd,
            accepted_financing: pr
                .accepted_financing
                .iter()
                .fold(0, |m, f| m | (1 << f.index())),
            planned_months: f64::from(pr.timeline_months),
            amount_usd: p.amount_usd,
            financing: p.financing_model.index() as u8,
            months: f64::from(p.timeline_months),
            strengths: strengths(&p.contributions),
            local_content_percent: p.local_content_percent,
            verified: true,
            focus: focus_value(&focus_areas_for(plan, &pr.dimensions), &p.approach),
        })
        .collect()
}

fn projects(n: usize) -> Vec<ProjectFeatures> {
    let mut r = Rng(0xc17e5);
    (0..n)
        .map(|_| {
            let w: Vec<f32> = (0..6).map(|_| r.unit() as f32).collect();
            ProjectFeatures {
                sector: 1 << (r.next() % 13),
                dimensions: (1 << (r.next() % 6)) | (1 << (r.next() % 6)),
                plan: [w[0], w[1], w[2], w[3], w[4], w[5]],
                capex_usd: 1e5 * (1.0 + r.unit() * 1000.0),
                financing: (r.next() % 127) as u8 + 1,
                deadline: 1_000 + (r.next() % 10_000_000) as i64,
                city: (r.next() % 5_000) as u32,
            }
        })
        .collect()
}

fn orgs(n: usize) -> Vec<OrgFeatures> {
    let mut r = Rng(0x0f9);
    (0..n)
        .map(|_| {
            let lo = 1e5 * (1.0 + r.unit() * 100.0);
            OrgFeatures {
                sectors: (1 << (r.next() % 13)) | (1 << (r.next() % 13)),
                dimensions: (1 << (r.next() % 6)) | (1 << (r.next() % 6)),
                ticket_min_usd: lo,
                ticket_max_usd: lo * (2.0 + r.unit() * 50.0),
                financing: (r.next() % 127) as u8 + 1,
                verified: !r.next().is_multiple_of(10),
            }
        })
        .collect()
}

fn scoring(c: &mut Criterion) {
    let all = proposals(10_000);
    let dense = inputs(&all);
    let w = Weights::default();
    let mut g = c.benchmark_group("score_proposals");
    g.throughput(Throughput::Elements(all.len() as u64));
    g.bench_function("naive_explained", |b| {
        b.iter(|| {
            all.iter()
                .map(|(plan, pr, p)| score(&w, plan, pr, p).total)
                .sum::<f64>()
        })
    });
    g.bench_function("dense_precomputed", |b| {
        b.iter(|| dense.iter().map(|x| total(&w, black_box(x))).sum::<f64>())
    });
    g.finish();
}

/// The naive recommendation: score every project, sort them all, re-rank the full list.
fn naive(o: &OrgFeatures, ps: &[ProjectFeatures], k: usize, now: i64) -> usize {
    let all = brute_force_projects(o, ps, ps.len(), now);
    diversify(&all, k, true, |i| ps[i].city).map_or(0, |v| v.len())
}

fn one_org(c: &mut Criterion) {
    let ps = projects(250_000);
    let o = orgs(1)[0];
    let o = OrgFeatures {
        verified: true,
        ..o
    };
    let start = Instant::now();
    let index = ProjectIndex::new(ps.clone());
    eprintln!(
        "project index over 250,000 projects built in {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    let mut g = c.benchmark_group("one_org_top10_of_250k");
    g.bench_function("naive_full_sort", |b| {
        b.iter(|| naive(black_box(&o), &ps, 10, 500))
    });
    g.bench_function("index", |b| {
        b.iter(|| index.recommend(black_box(&o), 10, 500, &|_| false))
    });
    g.finish();
    let mut g = c.benchmark_group("project_index_build_250k");
    g.sample_size(10);
    g.bench_function("build", |b| b.iter(|| ProjectIndex::new(ps.clone())));
    g.finish();
}

fn all_orgs(c: &mut Criterion) {
    let ps = projects(250_000);
    let os = orgs(20_000);
    let index = ProjectIndex::new(ps.clone());
    // Both measured per organisation (throughput); the naive one on fewer, since it is slow.
    let mut g = c.benchmark_group("all_orgs_top10_of_250k");
    g.sample_size(10);
    let few = &os[..100];
    g.throughput(Throughput::Elements(few.len() as u64));
    g.bench_function("naive_full_sort_1_thread", |b| {
        b.iter(|| few.iter().map(|o| naive(o, &ps, 10, 500)).sum::<usize>())
    });
    let more = &os[..2_000];
    g.throughput(Throughput::Elements(more.len() as u64));
    g.bench_function("index_1_thread", |b| {
        b.iter(|| recommend_for_all(more, &index, 10, 500, 1).map_or(0, |v| v.len()))
    });
    g.bench_function("index_2_threads", |b| {
        b.iter(|| recommend_for_all(more, &index, 10, 500, 2).map_or(0, |v| v.len()))
    });
    g.finish();
    for threads in [1, 2] {
        let start = Instant::now();
        let out = recommend_for_all(&os, &index, 10, 500, threads).map_or(0, |v| v.len());
        eprintln!(
            "all 20,000 organisations' top 10 over 250,000 projects on {threads} thread(s): {:.2} s ({out} lists)",
            start.elapsed().as_secs_f64(),
        );
    }
}

criterion_group!(benches, scoring, one_org, all_orgs);
criterion_main!(benches);
