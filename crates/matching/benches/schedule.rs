//! The match-making scheduler at national scale, beside its own greedy phase (the baseline)
//! measured in the same run: 2,000 investor organisations, 500 cities, 20,000 accepted
//! requests, 2 days of 16 slots, 200 tables. Prints the schedule's size, score and the peak
//! resident memory of the process.
//!
//! `cargo bench -p sinergi-matching --bench schedule`

use std::hint::black_box;
use std::time::Instant;

use criterion::{Criterion, criterion_group, criterion_main};
use sinergi_matching::schedule::{Placement, Problem, Request, Side, greedy, schedule};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Cities 0..500, organisations after them; each side attends one day or both, takes 4..16
/// meetings; requests join distinct pairs with scores 0..100.
fn national() -> Problem {
    let mut r = Rng(0x5eed_cafe);
    let (cities, orgs) = (500usize, 2000usize);
    let sides = (0..cities + orgs)
        .map(|_| Side {
            sessions: 1 + r.below(3),
            max_meetings: 4 + r.below(13) as u32,
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    let mut requests = Vec::with_capacity(20_000);
    while requests.len() < 20_000 {
        let c = r.below(cities as u64) as usize;
        let o = cities + r.below(orgs as u64) as usize;
        if !seen.insert((c, o)) {
            continue;
        }
        let (from, to) = if r.below(2) == 0 { (c, o) } else { (o, c) };
        requests.push(Request {
            from,
            to,
            score: r.below(10_000) as f64 / 100.0,
            priority: 1 + r.below(5) as u8,
            pinned: None,
        });
    }
    Problem {
        slot_session: (0..32).map(|s| (s / 16) as u8).collect(),
        tables: 200,
        sides,
        requests,
    }
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn bench(c: &mut Criterion) {
    let p = national();
    let before = peak_rss_mb();
    let t = Instant::now();
    let s = schedule(&p);
    let full = t.elapsed();
    let t = Instant::now();
    let g = greedy(&p);
    let base = t.elapsed();
    let placed = |x: &sinergi_matching::schedule::Schedule| {
        x.placements
            .iter()
            .filter(|p| matches!(p, Placement::At(..)))
            .count()
    };
    println!(
        "national: scheduler {} meetings, score {:.0} in {:?}; greedy {} meetings, score {:.0} in {:?} \
         ({:.1}x its time, {:.2}% more score); peak RSS {:.0} MB (before scheduling {:.0} MB)",
        placed(&s),
        s.total_score,
        full,
        placed(&g),
        g.total_score,
        base,
        full.as_secs_f64() / base.as_secs_f64(),
        100.0 * (s.total_score / g.total_score - 1.0),
        peak_rss_mb(),
        before,
    );
    let mut group = c.benchmark_group("schedule national");
    group.sample_size(10);
    group.bench_function("greedy baseline", |b| b.iter(|| greedy(black_box(&p))));
    group.bench_function("scheduler", |b| b.iter(|| schedule(black_box(&p))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
