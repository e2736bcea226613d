//! Recommendations both ways: projects for an investor organisation, organisations for a
//! project. Hard filters first, then a dense score over precomputed features, then a bounded
//! selection of the top k (never a full sort), then a re-ranking for variety.
//!
//! The match, 0..100, is `100 × Σ weightᵢ × valueᵢ` over six parts, each 0..1:
//!
//! | part | weight | value |
//! | --- | --- | --- |
//! | sector | 0.25 | 1 when the organisation invests in the project's sector |
//! | interest | 0.15 | the share of the project's dimensions the organisation works in |
//! | priority | 0.25 | what the city's masterplan makes of the project's dimensions: ½ × (weight of its best dimension ÷ the masterplan's top weight) + ½ × (their summed weight, at most 1) |
//! | ticket | 0.20 | on a log scale: 1 at the ticket range's geometric middle, 0.9 at its ends, then 0.9 / (1 + (distance in doublings)²) outside |
//! | financing | 0.10 | 0 when the organisation offers none of the models the project accepts, else ½ + ½ × the share of them it offers |
//! | time | 0.05 | 1 with a week or more left to bid, falling linearly to 0 at the deadline |
//!
//! Variety: of the k recommended projects, at most [`PER_CITY`] come from one city while
//! projects of other cities score within [`VARIETY_POINTS`] of the one it would displace
//! ([`diversify`]).

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

/// A project as recommendations see it. Only open projects (PUBLISHED, deadline ahead) belong in
/// the candidate list; `deadline` is still checked against `now`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProjectFeatures {
    /// Bit per sector (the enum's order).
    pub sector: u16,
    /// Bit per dimension of the project.
    pub dimensions: u8,
    /// The city's masterplan weight per dimension.
    pub plan: [f32; 6],
    pub capex_usd: f64,
    /// Bit per accepted financing model.
    pub financing: u8,
    /// Seconds since the epoch.
    pub deadline: i64,
    /// The project's city, as a small number the caller assigns (for variety).
    pub city: u32,
}

/// An investor organisation as recommendations see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrgFeatures {
    pub sectors: u16,
    pub dimensions: u8,
    /// 0 when the organisation names no minimum.
    pub ticket_min_usd: f64,
    /// `f64::INFINITY` when the organisation names no maximum.
    pub ticket_max_usd: f64,
    pub financing: u8,
    pub verified: bool,
}

/// The weights of the recommendation match; they sum to 1.
pub const SECTOR: f64 = 0.25;
pub const INTEREST: f64 = 0.15;
pub const PRIORITY: f64 = 0.25;
pub const TICKET: f64 = 0.20;
pub const FINANCING: f64 = 0.10;
pub const TIME: f64 = 0.05;

/// At most this many of a top list from one city, while other cities have candidates close by.
pub const PER_CITY: usize = 3;
/// "Close by": within this many points of the project a city's extra one would displace.
pub const VARIETY_POINTS: f64 = 10.0;

/// Days a bidder needs to prepare a proposal: a closer deadline lowers the match.
pub const PREPARE_DAYS: f64 = 7.0;
const DAY: f64 = 86_400.0;
/// The ticket fit at the ends of a closed range (1 at its geometric middle).
const TICKET_EDGE: f64 = 0.9;

/// The parts of a match, each 0..1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parts {
    pub sector: f64,
    pub interest: f64,
    pub priority: f64,
    pub ticket: f64,
    pub financing: f64,
    pub time: f64,
}

impl Parts {
    /// The match 0..100. Every bound in this module sums in this same order, so a bound with
    /// some parts raised to 1 is never below the real total (rounding is monotonic).
    #[inline]
    pub fn total(&self) -> f64 {
        100.0
            * (SECTOR * self.sector
                + INTEREST * self.interest
                + PRIORITY * self.priority
                + TICKET * self.ticket
                + FINANCING * self.financing
                + TIME * self.time)
    }
}

/// Whether a pair can be recommended at all: a verified organisation, a project still open.
#[inline]
pub fn eligible(p: &ProjectFeatures, o: &OrgFeatures, now: i64) -> bool {
    o.verified && p.deadline > now
}

/// What the masterplan makes of a project's dimensions.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PriorityParts {
    /// The masterplan's weight on the project's most weighted dimension.
    pub best: f64,
    /// The masterplan's largest weight.
    pub top: f64,
    /// The masterplan's summed weight on the project's dimensions, at most 1.
    pub share: f64,
}

impl PriorityParts {
    pub fn of(p: &ProjectFeatures) -> Self {
        let (mut best, mut top, mut share) = (0.0f64, 0.0f64, 0.0f64);
        for i in 0..6 {
            let w = f64::from(p.plan[i]).max(0.0);
            top = top.max(w);
            if p.dimensions & (1 << i) != 0 {
                best = best.max(w);
                share += w;
            }
        }
        Self {
            best,
            top,
            share: share.min(1.0),
        }
    }

    /// `priority`, 0..1: the project's best dimension against the city's top priority, and how
    /// much of the masterplan its dimensions carry, half each. Raising the weight of one of the
    /// project's dimensions never lowers it (with or without the others scaled down to keep the
    /// sum).
    pub fn value(&self) -> f64 {
        if self.top <= 0.0 || self.best <= 0.0 {
            0.0
        } else {
            (0.5 * (self.best / self.top) + 0.5 * self.share).clamp(0.0, 1.0)
        }
    }
}

/// `priority` of a project, 0..1 (see [`PriorityParts::value`]).
#[inline]
pub fn priority_value(p: &ProjectFeatures) -> f64 {
    PriorityParts::of(p).value()
}

/// `interest`: the share of the project's dimensions the organisation works in.
#[inline]
pub fn interest_value(project_dimensions: u8, org_dimensions: u8) -> f64 {
    let all = project_dimensions.count_ones();
    if all == 0 {
        0.0
    } else {
        f64::from((project_dimensions & org_dimensions).count_ones()) / f64::from(all)
    }
}

/// `financing`: 0 without a common model, else ½ + ½ × the share of the project's models offered.
#[inline]
pub fn financing_value(project_financing: u8, org_financing: u8) -> f64 {
    let common = (project_financing & org_financing).count_ones();
    if common == 0 {
        0.0
    } else {
        0.5 + 0.5 * f64::from(common) / f64::from(project_financing.count_ones())
    }
}

/// `time`: 1 with [`PREPARE_DAYS`] or more to go, linearly down to 0 at the deadline.
#[inline]
pub fn time_value(deadline: i64, now: i64) -> f64 {
    ((deadline - now) as f64 / (PREPARE_DAYS * DAY)).clamp(0.0, 1.0)
}

/// A ticket range as natural logarithms of its ends, worked out once per organisation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LogRange {
    lo: Option<f64>,
    hi: Option<f64>,
}

impl LogRange {
    pub fn new(min_usd: f64, max_usd: f64) -> Self {
        Self {
            lo: (min_usd > 0.0 && min_usd.is_finite()).then(|| min_usd.ln()),
            hi: (max_usd > 0.0 && max_usd.is_finite()).then(|| max_usd.ln()),
        }
    }

    /// The fit of an amount, 0..1.
    #[inline]
    pub fn fit(&self, usd: f64) -> f64 {
        if usd.is_nan() || usd <= 0.0 {
            return 0.0;
        }
        let x = usd.ln();
        // Outside: falls off with the squared number of doublings past the end.
        let off = |d: f64| {
            let t = d / std::f64::consts::LN_2;
            1.0 / (1.0 + t * t)
        };
        match (self.lo, self.hi) {
            (Some(l), Some(h)) if h > l => {
                if x < l {
                    TICKET_EDGE * off(l - x)
                } else if x > h {
                    TICKET_EDGE * off(x - h)
                } else {
                    let t = (x - (l + h) / 2.0) / ((h - l) / 2.0);
                    1.0 - (1.0 - TICKET_EDGE) * t * t
                }
            }
            (Some(l), Some(h)) => {
                let (l, h) = (l.min(h), l.max(h));
                if x < l {
                    off(l - x)
                } else if x > h {
                    off(x - h)
                } else {
                    1.0
                }
            }
            (Some(l), None) if x < l => off(l - x),
            (None, Some(h)) if x > h => off(x - h),
            _ => 1.0,
        }
    }
}

/// `ticket`: how well an amount sits in a ticket range, on a log scale (see the module's table).
pub fn ticket_value(capex_usd: f64, min_usd: f64, max_usd: f64) -> f64 {
    LogRange::new(min_usd, max_usd).fit(capex_usd)
}

/// How well an organisation fits a project.
#[inline]
pub fn parts(p: &ProjectFeatures, o: &OrgFeatures, now: i64) -> Parts {
    parts_with(
        p,
        priority_value(p),
        o,
        &LogRange::new(o.ticket_min_usd, o.ticket_max_usd),
        now,
    )
}

#[inline]
fn parts_with(
    p: &ProjectFeatures,
    priority: f64,
    o: &OrgFeatures,
    range: &LogRange,
    now: i64,
) -> Parts {
    Parts {
        sector: f64::from(u8::from(p.sector & o.sectors != 0)),
        interest: interest_value(p.dimensions, o.dimensions),
        priority,
        ticket: range.fit(p.capex_usd),
        financing: financing_value(p.financing, o.financing),
        time: time_value(p.deadline, now),
    }
}

/// A candidate and its score, ordered best first (higher score, then lower index).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub index: usize,
    pub score: f64,
}

impl Eq for Scored {}

impl Ord for Scored {
    /// "Greater" is better: a higher score, then a lower index.
    fn cmp(&self, other: &Self) -> Ordering {
        self.score
            .total_cmp(&other.score)
            .then_with(|| other.index.cmp(&self.index))
    }
}

impl PartialOrd for Scored {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The best `k` of a stream, in a min-heap of size k: O(n log k).
struct TopK {
    k: usize,
    heap: BinaryHeap<std::cmp::Reverse<Scored>>,
}

impl TopK {
    fn new(k: usize) -> Self {
        Self {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
        }
    }

    /// The worst score kept, once k are kept: a candidate must reach it to enter.
    fn bar(&self) -> Option<f64> {
        (self.heap.len() == self.k)
            .then(|| self.heap.peek().map(|w| w.0.score))
            .flatten()
    }

    fn offer(&mut self, s: Scored) {
        if self.heap.len() < self.k {
            self.heap.push(std::cmp::Reverse(s));
        } else if let Some(worst) = self.heap.peek()
            && s > worst.0
        {
            self.heap.pop();
            self.heap.push(std::cmp::Reverse(s));
        }
    }

    /// Best first.
    fn into_sorted(self) -> Vec<Scored> {
        let mut out: Vec<Scored> = self.heap.into_iter().map(|r| r.0).collect();
        out.sort_by(|a, b| b.cmp(a));
        out
    }
}

/// What the search loop reads of a project, packed in 32 bytes and stored in visiting order, so
/// a group is read front to back rather than by jumps across the feature array.
#[derive(Debug, Clone, Copy)]
struct Slot {
    priority: f64,
    capex_usd: f64,
    deadline: i64,
    index: u32,
    dimensions: u8,
    financing: u8,
}

/// Projects with one sector mask: a run of slots in descending `priority` (then ascending index).
#[derive(Debug)]
struct Group {
    sector: u16,
    slots: std::ops::Range<usize>,
}

/// Open projects arranged for recommendation: grouped by sector, each group in descending
/// `priority`, the one part that depends on the project alone. An organisation's search visits
/// its own sectors' groups first, so k good candidates are found early; after that a group is
/// left as soon as its next project's best case (priority known, every other part taken as 1)
/// falls below the worst kept, and the rest of the group with it. Built once per snapshot.
#[derive(Debug)]
pub struct ProjectIndex {
    features: Vec<ProjectFeatures>,
    slots: Vec<Slot>,
    groups: Vec<Group>,
}

impl ProjectIndex {
    pub fn new(features: Vec<ProjectFeatures>) -> Self {
        let mut order: Vec<(u16, f64, u32)> = features
            .iter()
            .enumerate()
            .map(|(i, p)| (p.sector, priority_value(p), i as u32))
            .collect();
        order.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)).then(a.2.cmp(&b.2)));
        let slots: Vec<Slot> = order
            .iter()
            .map(|&(_, priority, i)| {
                let p = &features[i as usize];
                Slot {
                    priority,
                    capex_usd: p.capex_usd,
                    deadline: p.deadline,
                    index: i,
                    dimensions: p.dimensions,
                    financing: p.financing,
                }
            })
            .collect();
        let mut groups: Vec<Group> = Vec::new();
        for (at, &(sector, _, _)) in order.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if g.sector == sector => g.slots.end = at + 1,
                _ => groups.push(Group {
                    sector,
                    slots: at..at + 1,
                }),
            }
        }
        Self {
            features,
            slots,
            groups,
        }
    }

    pub fn features(&self) -> &[ProjectFeatures] {
        &self.features
    }

    /// The best `m` open projects for an organisation by score alone, best first, skipping
    /// those `exclude` names. Exact: equal to [`brute_force_projects`] (a property test).
    pub fn top(
        &self,
        o: &OrgFeatures,
        m: usize,
        now: i64,
        exclude: &dyn Fn(usize) -> bool,
    ) -> Vec<Scored> {
        if !o.verified || m == 0 {
            return Vec::new();
        }
        let range = LogRange::new(o.ticket_min_usd, o.ticket_max_usd);
        let mut top = TopK::new(m);
        let ours = self.groups.iter().filter(|g| g.sector & o.sectors != 0);
        let others = self.groups.iter().filter(|g| g.sector & o.sectors == 0);
        for g in ours.chain(others) {
            let sector = f64::from(u8::from(g.sector & o.sectors != 0));
            for p in &self.slots[g.slots.clone()] {
                let bar = top.bar();
                if let Some(bar) = bar {
                    // The group's best case from here on: its members only get worse.
                    let group_best = Parts {
                        sector,
                        interest: 1.0,
                        priority: p.priority,
                        ticket: 1.0,
                        financing: 1.0,
                        time: 1.0,
                    };
                    // Strictly below: a tie could still win on a lower index.
                    if group_best.total() < bar {
                        break;
                    }
                }
                if p.deadline <= now {
                    continue;
                }
                let mut parts = Parts {
                    sector,
                    interest: interest_value(p.dimensions, o.dimensions),
                    priority: p.priority,
                    // Everything known but the ticket, which costs a logarithm.
                    ticket: 1.0,
                    financing: financing_value(p.financing, o.financing),
                    time: time_value(p.deadline, now),
                };
                if let Some(bar) = bar
                    && parts.total() < bar
                {
                    continue;
                }
                let index = p.index as usize;
                if exclude(index) {
                    continue;
                }
                parts.ticket = range.fit(p.capex_usd);
                top.offer(Scored {
                    index,
                    score: parts.total(),
                });
            }
        }
        top.into_sorted()
    }

    /// The `k` projects recommended to an organisation: the bounded top by score, re-ranked for
    /// variety ([`diversify`]). The bounded top starts at 2k and grows only when one city holds
    /// so many of it that the re-ranking runs out of candidates from other cities.
    pub fn recommend(
        &self,
        o: &OrgFeatures,
        k: usize,
        now: i64,
        exclude: &dyn Fn(usize) -> bool,
    ) -> Vec<Scored> {
        let mut m = (2 * k).max(k + PER_CITY);
        loop {
            let stream = self.top(o, m, now, exclude);
            let complete = stream.len() < m;
            if let Some(out) = diversify(&stream, k, complete, |i| self.features[i].city) {
                return out;
            }
            m = m.saturating_mul(4);
        }
    }
}

/// Re-ranks a best-first list for variety: walking it in order, a project from a city that
/// already has [`PER_CITY`] in the result waits while projects of other cities within
/// [`VARIETY_POINTS`] of it come first; it goes in once the next other-city candidate is further
/// below (or none is left). `complete` says `ranked` holds every candidate; when it does not and
/// the answer depends on what lies beyond it, the answer is `None` (ask again with more).
pub fn diversify(
    ranked: &[Scored],
    k: usize,
    complete: bool,
    city: impl Fn(usize) -> u32,
) -> Option<Vec<Scored>> {
    let mut out = Vec::with_capacity(k);
    let mut count: HashMap<u32, usize> = HashMap::new();
    let mut waiting: std::collections::VecDeque<Scored> = std::collections::VecDeque::new();
    for s in ranked {
        if out.len() == k {
            return Some(out);
        }
        let c = city(s.index);
        if count.get(&c).copied().unwrap_or(0) >= PER_CITY {
            waiting.push_back(*s);
            continue;
        }
        while let Some(w) = waiting.front()
            && w.score - s.score > VARIETY_POINTS
            && out.len() < k
        {
            out.push(*w);
            waiting.pop_front();
        }
        if out.len() == k {
            return Some(out);
        }
        *count.entry(c).or_default() += 1;
        out.push(*s);
    }
    // Past the end of the list: nothing unseen scores above its last entry.
    let floor = ranked.last().map_or(f64::NEG_INFINITY, |s| s.score);
    while out.len() < k
        && let Some(w) = waiting.front()
    {
        if !complete && w.score - floor <= VARIETY_POINTS {
            return None;
        }
        out.push(*w);
        waiting.pop_front();
    }
    (out.len() == k || complete).then_some(out)
}

/// The best `k` organisations for a project, skipping those `exclude` names.
pub fn top_orgs(
    p: &ProjectFeatures,
    orgs: &[OrgFeatures],
    k: usize,
    now: i64,
    exclude: &dyn Fn(usize) -> bool,
) -> Vec<Scored> {
    if p.deadline <= now {
        return Vec::new();
    }
    let priority = priority_value(p);
    let mut top = TopK::new(k);
    for (index, o) in orgs.iter().enumerate() {
        if !o.verified || exclude(index) {
            continue;
        }
        let range = LogRange::new(o.ticket_min_usd, o.ticket_max_usd);
        top.offer(Scored {
            index,
            score: parts_with(p, priority, o, &range, now).total(),
        });
    }
    top.into_sorted()
}

/// Every organisation's `k` recommended projects, spread over `threads` threads.
pub fn recommend_for_all(
    orgs: &[OrgFeatures],
    index: &ProjectIndex,
    k: usize,
    now: i64,
    threads: usize,
) -> std::thread::Result<Vec<Vec<Scored>>> {
    let threads = threads.max(1);
    let chunk = orgs.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = orgs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|o| index.recommend(o, k, now, &|_| false))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let mut out = Vec::with_capacity(orgs.len());
        for h in handles {
            out.extend(h.join()?);
        }
        Ok(out)
    })
}

/// The reference: score everything eligible and sort it all. For tests and benchmarks.
pub fn brute_force_projects(
    o: &OrgFeatures,
    projects: &[ProjectFeatures],
    k: usize,
    now: i64,
) -> Vec<Scored> {
    let mut all: Vec<Scored> = projects
        .iter()
        .enumerate()
        .filter(|(_, p)| eligible(p, o, now))
        .map(|(index, p)| Scored {
            index,
            score: parts(p, o, now).total(),
        })
        .collect();
    all.sort_by(|a, b| b.cmp(a));
    all.truncate(k);
    all
}

/// Features of a project record, with its city's masterplan, its capex in USD and the number
/// the caller gave its city.
pub fn project_features(
    p: &sinergi_domain::model::Project,
    plan: Option<&sinergi_domain::model::Masterplan>,
    capex_usd: f64,
    city: u32,
) -> ProjectFeatures {
    let mut weights = [0f32; 6];
    if let Some(plan) = plan {
        for pr in &plan.content.priorities {
            weights[pr.dimension.index()] = pr.weight as f32;
        }
    }
    ProjectFeatures {
        sector: 1 << p.content.sector.index(),
        dimensions: p
            .content
            .dimensions
            .iter()
            .fold(0, |m, d| m | (1 << d.index())),
        plan: weights,
        capex_usd,
        financing: p
            .content
            .accepted_financing
            .iter()
            .fold(0, |m, f| m | (1 << f.index())),
        deadline: p.content.proposal_deadline.timestamp(),
        city,
    }
}

/// Features of an organisation record, with its ticket range in USD.
pub fn org_features(
    o: &sinergi_domain::model::Organization,
    min_usd: Option<f64>,
    max_usd: Option<f64>,
) -> OrgFeatures {
    OrgFeatures {
        sectors: o
            .profile
            .sectors
            .iter()
            .fold(0, |m, s| m | (1 << s.index())),
        dimensions: o
            .profile
            .dimensions
            .iter()
            .fold(0, |m, d| m | (1 << d.index())),
        ticket_min_usd: min_usd.unwrap_or(0.0),
        ticket_max_usd: max_usd.unwrap_or(f64::INFINITY),
        financing: o
            .profile
            .financing_models
            .iter()
            .fold(0, |m, f| m | (1 << f.index())),
        verified: o.verification == sinergi_domain::VerificationStatus::Verified,
    }
}

fn usd(x: f64) -> String {
    if x >= 1e9 {
        format!("USD {:.1}B", x / 1e9)
    } else if x >= 1e6 {
        format!("USD {:.1}M", x / 1e6)
    } else {
        format!("USD {:.0}K", x / 1e3)
    }
}

fn percent(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn list<T: std::fmt::Display>(items: &[T]) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Sentences a person can read on why a pair matches (or where it falls short): one per part,
/// in the order of [`Parts`], each with its numbers.
pub fn reasons(
    p: &sinergi_domain::model::Project,
    pf: &ProjectFeatures,
    o: &sinergi_domain::model::Organization,
    of: &OrgFeatures,
    now: i64,
) -> Vec<String> {
    use sinergi_domain::Dimension;
    let parts = parts(pf, of, now);
    let name = &o.profile.name;
    let sector = p.content.sector;
    let mut out = Vec::with_capacity(6);
    out.push(if parts.sector > 0.0 {
        format!("{name} invests in {sector}, the project's sector.")
    } else {
        format!("{sector} is not among {name}'s sectors.")
    });

    let dims = &p.content.dimensions;
    let shared: Vec<Dimension> = dims
        .iter()
        .copied()
        .filter(|d| o.profile.dimensions.contains(d))
        .collect();
    out.push(if shared.is_empty() {
        format!(
            "{name} works in none of the project's dimensions ({}).",
            list(dims)
        )
    } else if dims.len() == 1 {
        format!(
            "{name} works in {}, the project's dimension.",
            list(&shared)
        )
    } else {
        format!(
            "{name} works in {} of the project's {} dimensions: {}.",
            shared.len(),
            dims.len(),
            list(&shared)
        )
    });

    let pr = PriorityParts::of(pf);
    let weight = |d: &Dimension| f64::from(pf.plan[d.index()]);
    let best = dims.iter().max_by(|a, b| weight(a).total_cmp(&weight(b)));
    let top = Dimension::ALL
        .iter()
        .max_by(|a, b| weight(a).total_cmp(&weight(b)).then(b.cmp(a)));
    out.push(match (best, top) {
        (Some(b), Some(t)) if pr.top > 0.0 && pr.best > 0.0 => {
            let carried = if dims.len() > 1 {
                format!(
                    "; its dimensions carry {} of the masterplan",
                    percent(pr.share)
                )
            } else {
                String::new()
            };
            if pr.best >= pr.top {
                format!(
                    "Serves {b}, the city's top priority at {} of the masterplan{carried} (priority fit {}).",
                    percent(pr.best),
                    percent(parts.priority)
                )
            } else {
                format!(
                    "Serves {b} at {} of the masterplan, below the city's top priority {t} at {}{carried} (priority fit {}).",
                    percent(pr.best),
                    percent(pr.top),
                    percent(parts.priority)
                )
            }
        }
        _ => "The city's masterplan gives the project's dimensions no weight.".to_owned(),
    });

    let fit = percent(parts.ticket);
    let (lo, hi) = (of.ticket_min_usd, of.ticket_max_usd);
    let capex = usd(pf.capex_usd);
    out.push(if pf.capex_usd <= 0.0 {
        "The project has no capex estimate to compare with the ticket range.".to_owned()
    } else if lo > 0.0 && pf.capex_usd < lo {
        format!(
            "Capex {capex} is {:.1}× below the minimum ticket of {} (ticket fit {fit}).",
            lo / pf.capex_usd,
            usd(lo)
        )
    } else if hi.is_finite() && pf.capex_usd > hi {
        format!(
            "Capex {capex} is {:.1}× above the maximum ticket of {} (ticket fit {fit}).",
            pf.capex_usd / hi,
            usd(hi)
        )
    } else if lo > 0.0 && hi.is_finite() {
        format!(
            "Capex {capex} is within the ticket range {}–{} (ticket fit {fit}, best at its middle).",
            usd(lo),
            usd(hi)
        )
    } else {
        format!("Capex {capex} is within the ticket range (ticket fit {fit}).")
    });

    let accepted = &p.content.accepted_financing;
    let models: Vec<&str> = accepted
        .iter()
        .filter(|f| o.profile.financing_models.contains(f))
        .map(|f| f.as_str())
        .collect();
    out.push(if models.is_empty() {
        format!(
            "Offers none of the {} financing models the project accepts.",
            accepted.len()
        )
    } else {
        format!(
            "Offers {}: {} of the {} financing models the project accepts.",
            models.join(", "),
            models.len(),
            accepted.len()
        )
    });

    // To the nearest day: a deadline set 20 days ahead reads "20 days" a second later too.
    let days = (pf.deadline - now + 43_200).div_euclid(86_400);
    out.push(if parts.time < 1.0 {
        format!(
            "Proposals are due in {days} days: under a week to prepare a bid (time fit {}).",
            percent(parts.time)
        )
    } else {
        format!("Proposals are due in {days} days.")
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(city: u32, dims: u8, plan: [f32; 6]) -> ProjectFeatures {
        ProjectFeatures {
            sector: 1,
            dimensions: dims,
            plan,
            capex_usd: 10e6,
            financing: 1,
            deadline: 100 * DAY as i64,
            city,
        }
    }

    const ORG: OrgFeatures = OrgFeatures {
        sectors: 1,
        dimensions: 0b11_1111,
        ticket_min_usd: 1e6,
        ticket_max_usd: 100e6,
        financing: 1,
        verified: true,
    };

    #[test]
    fn the_top_priority_outranks_a_minor_one_in_the_same_city() {
        let plan = [0.40, 0.25, 0.15, 0.10, 0.05, 0.05];
        let top = parts(&project(0, 0b1, plan), &ORG, 0).total();
        let minor = parts(&project(0, 0b10, plan), &ORG, 0).total();
        assert!(top > minor, "{top} !> {minor}");
        // And a 25% top priority of a flat plan scores below a 40% one.
        let flat = [0.25, 0.25, 0.2, 0.1, 0.1, 0.1];
        assert!(parts(&project(0, 0b1, flat), &ORG, 0).total() < top);
    }

    #[test]
    fn the_ticket_is_best_at_the_middle_and_falls_off_outside() {
        let r = LogRange::new(1e6, 100e6);
        assert!((r.fit(10e6) - 1.0).abs() < 1e-12);
        assert!((r.fit(1e6) - 0.9).abs() < 1e-12);
        assert!((r.fit(100e6) - 0.9).abs() < 1e-12);
        // One doubling past an end halves the edge value; two: a fifth.
        assert!((r.fit(0.5e6) - 0.45).abs() < 1e-12);
        assert!((r.fit(400e6) - 0.18).abs() < 1e-12);
        assert!(r.fit(3e6) > r.fit(1.5e6) && r.fit(1.5e6) > r.fit(0.9e6));
        assert_eq!(LogRange::new(0.0, f64::INFINITY).fit(5.0), 1.0);
        assert_eq!(r.fit(0.0), 0.0);
    }

    #[test]
    fn financing_counts_the_models_offered_and_time_only_penalises_the_last_week() {
        assert_eq!(financing_value(0b0110, 0b1000), 0.0);
        assert_eq!(financing_value(0b0110, 0b0010), 0.75);
        assert_eq!(financing_value(0b0110, 0b0110), 1.0);
        let now = 0;
        assert_eq!(time_value(30 * DAY as i64, now), 1.0);
        assert_eq!(time_value(7 * DAY as i64, now), 1.0);
        assert!((time_value((3.5 * DAY) as i64, now) - 0.5).abs() < 1e-12);
    }

    fn s(index: usize, score: f64) -> Scored {
        Scored { index, score }
    }

    #[test]
    fn a_fourth_project_of_a_city_waits_for_close_candidates_of_other_cities() {
        // Indices 0..5 in city 0, then 10 and 11 in cities 1 and 2.
        let city = |i: usize| if i < 10 { 0 } else { i as u32 };
        let ranked = [
            s(0, 95.0),
            s(1, 94.0),
            s(2, 93.0),
            s(3, 92.0),
            s(4, 91.0),
            s(10, 85.0),
            s(11, 70.0),
        ];
        let got: Vec<usize> = diversify(&ranked, 6, true, city)
            .expect("complete")
            .iter()
            .map(|s| s.index)
            .collect();
        // 10 is within 10 points of 3 and goes first; 11 is 22 points below 3, so 3 and 4 do.
        assert_eq!(got, [0, 1, 2, 10, 3, 4]);
        // A list cut before the other cities: the answer needs more of it.
        assert_eq!(diversify(&ranked[..5], 4, false, city), None);
        // A cut far enough below: decided.
        let cut = [s(0, 95.0), s(1, 94.0), s(2, 93.0), s(3, 92.0), s(11, 70.0)];
        assert_eq!(diversify(&cut, 4, false, city).map(|v| v.len()), Some(4));
    }

    #[test]
    fn recommend_widens_its_window_when_one_city_dominates() {
        // 40 projects of city 0 score above one of city 1, within 10 points.
        let mut features: Vec<ProjectFeatures> = (0..40)
            .map(|i| ProjectFeatures {
                capex_usd: 10e6 + f64::from(i) * 1e4,
                ..project(0, 0b1, [0.4, 0.2, 0.1, 0.1, 0.1, 0.1])
            })
            .collect();
        features.push(ProjectFeatures {
            capex_usd: 50e6,
            ..project(1, 0b1, [0.4, 0.2, 0.1, 0.1, 0.1, 0.1])
        });
        let index = ProjectIndex::new(features);
        let got = index.recommend(&ORG, 10, 0, &|_| false);
        assert_eq!(got.len(), 10);
        assert!(got[..4].iter().any(|s| s.index == 40), "{got:?}");
        assert_eq!(got.iter().filter(|s| s.index < 40).count(), 9);
    }
}
