//! Recommendations both ways: projects for an investor organisation, organisations for a
//! project. Hard filters first, then a dense score over precomputed features, then a bounded
//! selection of the top k (never a full sort).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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
}

/// An investor organisation as recommendations see it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OrgFeatures {
    pub sectors: u16,
    pub dimensions: u8,
    pub ticket_min_usd: f64,
    /// `f64::INFINITY` when the organisation names no maximum.
    pub ticket_max_usd: f64,
    pub financing: u8,
    pub verified: bool,
}

/// The weights of the recommendation match.
pub const SECTOR: f64 = 0.30;
pub const DIMENSIONS: f64 = 0.30;
pub const TICKET: f64 = 0.20;
pub const FINANCING: f64 = 0.15;
pub const TIME: f64 = 0.05;

const WEEK: f64 = 7.0 * 24.0 * 3600.0;

/// The parts of a match, each 0..1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Parts {
    pub sector: f64,
    pub dimensions: f64,
    pub ticket: f64,
    pub financing: f64,
    pub time: f64,
}

impl Parts {
    /// The match 0..100.
    pub fn total(&self) -> f64 {
        100.0
            * (SECTOR * self.sector
                + DIMENSIONS * self.dimensions
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

/// How well an organisation fits a project.
#[inline]
pub fn parts(p: &ProjectFeatures, o: &OrgFeatures, now: i64) -> Parts {
    let sector = f64::from(u8::from(p.sector & o.sectors != 0));
    // The city's weight on the dimensions both care about, over its weight on the project's.
    let (mut shared, mut all) = (0.0f32, 0.0f32);
    for i in 0..6 {
        if p.dimensions & (1 << i) != 0 {
            all += p.plan[i];
            if o.dimensions & (1 << i) != 0 {
                shared += p.plan[i];
            }
        }
    }
    let dimensions = if all > 0.0 {
        f64::from(shared / all)
    } else {
        0.0
    };
    let ticket = if p.capex_usd < o.ticket_min_usd {
        (p.capex_usd / o.ticket_min_usd).clamp(0.0, 1.0)
    } else if p.capex_usd > o.ticket_max_usd {
        (o.ticket_max_usd / p.capex_usd).clamp(0.0, 1.0)
    } else {
        1.0
    };
    let financing = f64::from(u8::from(p.financing & o.financing != 0));
    let time = ((p.deadline - now) as f64 / (2.0 * WEEK)).clamp(0.0, 1.0);
    Parts {
        sector,
        dimensions,
        ticket,
        financing,
        time,
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

    /// The worst score kept, once k are kept: a candidate must beat it to enter.
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

/// The best `k` projects for an organisation.
pub fn top_projects(
    o: &OrgFeatures,
    projects: &[ProjectFeatures],
    k: usize,
    now: i64,
) -> Vec<Scored> {
    if !o.verified || k == 0 {
        return Vec::new();
    }
    // Pruning: once k are kept, a project whose best possible score (its sector and financing
    // known, every other part taken as 1) cannot beat the worst kept is skipped before its
    // dimensions and ticket are worked out. Exact: floating-point rounding is monotonic, so
    // the bound is never below the real total, and a project tying the worst kept comes later
    // (a higher index) and so would lose the tie.
    let mut top = TopK::new(k);
    for (index, p) in projects.iter().enumerate() {
        if p.deadline <= now {
            continue;
        }
        if let Some(bar) = top.bar() {
            let best_case = Parts {
                sector: f64::from(u8::from(p.sector & o.sectors != 0)),
                dimensions: 1.0,
                ticket: 1.0,
                financing: f64::from(u8::from(p.financing & o.financing != 0)),
                time: 1.0,
            };
            if best_case.total() <= bar {
                continue;
            }
        }
        top.offer(Scored {
            index,
            score: parts(p, o, now).total(),
        });
    }
    top.into_sorted()
}

/// The best `k` organisations for a project.
pub fn top_orgs(p: &ProjectFeatures, orgs: &[OrgFeatures], k: usize, now: i64) -> Vec<Scored> {
    if p.deadline <= now {
        return Vec::new();
    }
    let mut top = TopK::new(k);
    for (index, o) in orgs.iter().enumerate().filter(|(_, o)| o.verified) {
        top.offer(Scored {
            index,
            score: parts(p, o, now).total(),
        });
    }
    top.into_sorted()
}

/// Every organisation's best `k` projects, spread over `threads` threads.
pub fn top_projects_for_all(
    orgs: &[OrgFeatures],
    projects: &[ProjectFeatures],
    k: usize,
    now: i64,
    threads: usize,
) -> Vec<Vec<Scored>> {
    let threads = threads.max(1);
    let chunk = orgs.len().div_ceil(threads).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = orgs
            .chunks(chunk)
            .map(|part| {
                s.spawn(move || {
                    part.iter()
                        .map(|o| top_projects(o, projects, k, now))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
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

/// Features of a project record, with its city's masterplan and its capex in USD.
pub fn project_features(
    p: &sinergi_domain::model::Project,
    plan: Option<&sinergi_domain::model::Masterplan>,
    capex_usd: f64,
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
    if x >= 1e6 {
        format!("USD {:.1}M", x / 1e6)
    } else {
        format!("USD {:.0}K", x / 1e3)
    }
}

/// Sentences a person can read on why a pair matches (or where it falls short).
pub fn reasons(
    p: &sinergi_domain::model::Project,
    pf: &ProjectFeatures,
    o: &sinergi_domain::model::Organization,
    of: &OrgFeatures,
    now: i64,
) -> Vec<String> {
    let parts = parts(pf, of, now);
    let sector = p.content.sector;
    let mut out = Vec::new();
    out.push(if parts.sector > 0.0 {
        format!(
            "{} invests in {sector}, the project's sector.",
            o.profile.name
        )
    } else {
        format!("{sector} is not among {}'s sectors.", o.profile.name)
    });
    let shared: Vec<String> = p
        .content
        .dimensions
        .iter()
        .filter(|d| o.profile.dimensions.contains(d))
        .map(|d| format!("{d} ({:.0}% of the masterplan)", pf.plan[d.index()] * 100.0))
        .collect();
    out.push(if shared.is_empty() {
        "Shares none of the project's masterplan dimensions.".to_owned()
    } else {
        format!("Shares the city's priorities: {}.", shared.join(", "))
    });
    out.push(if parts.ticket >= 1.0 {
        format!("Capex {} is within the ticket range.", usd(pf.capex_usd))
    } else if pf.capex_usd < of.ticket_min_usd {
        format!(
            "Capex {} is below the minimum ticket of {}.",
            usd(pf.capex_usd),
            usd(of.ticket_min_usd)
        )
    } else {
        format!(
            "Capex {} is above the maximum ticket of {}.",
            usd(pf.capex_usd),
            usd(of.ticket_max_usd)
        )
    });
    let models: Vec<&str> = p
        .content
        .accepted_financing
        .iter()
        .filter(|f| o.profile.financing_models.contains(f))
        .map(|f| f.as_str())
        .collect();
    out.push(if models.is_empty() {
        "Offers none of the financing models the project accepts.".to_owned()
    } else {
        format!("Financing the project accepts: {}.", models.join(", "))
    });
    let days = (pf.deadline - now) / 86_400;
    out.push(format!("Proposals are due in {days} days."));
    out
}
