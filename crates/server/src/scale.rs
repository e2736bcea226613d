//! `sinergi seed --scale N`: a deterministic national-scale data set. N = 1 is today's programme
//! (514 cities, 25,000 projects, 2,000 organisations, 100,000 proposals); N = 10 is the design
//! scale. Loaded in bulk, then indexed with `reindex`.

use crate::progress::Phase;
use std::str::FromStr;

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sinergi_domain::{
    Dimension, FinancingModel, Money, ProjectStatus, ProposalStatus, Sector, VerificationStatus,
    commitment::commitment,
    masterplan::{MasterplanContent, Priority},
    model::{City, Embassy, Masterplan, Organization, OrganizationProfile, Project, Proposal},
    project::ProjectContent,
    proposal::ProposalContent,
};
use sinergi_services::{Db, bulk, match_scores::Scoring};
use uuid::Uuid;

/// xorshift64*: the same numbers for the same seed on every machine.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

fn id(kind: u128, n: usize) -> Uuid {
    Uuid::from_u128((kind << 96) | n as u128)
}

const PROVINCES: &[&str] = &[
    "Aceh",
    "Sumatera Utara",
    "Sumatera Barat",
    "Riau",
    "Jambi",
    "Sumatera Selatan",
    "Bengkulu",
    "Lampung",
    "Kepulauan Bangka Belitung",
    "Kepulauan Riau",
    "DKI Jakarta",
    "Jawa Barat",
    "Jawa Tengah",
    "DI Yogyakarta",
    "Jawa Timur",
    "Banten",
    "Bali",
    "Nusa Tenggara Barat",
    "Nusa Tenggara Timur",
    "Kalimantan Barat",
    "Kalimantan Tengah",
    "Kalimantan Selatan",
    "Kalimantan Timur",
    "Kalimantan Utara",
    "Sulawesi Utara",
    "Sulawesi Tengah",
    "Sulawesi Selatan",
    "Sulawesi Tenggara",
    "Gorontalo",
    "Sulawesi Barat",
    "Maluku",
    "Maluku Utara",
    "Papua",
    "Papua Barat",
    "Papua Selatan",
    "Papua Tengah",
    "Papua Pegunungan",
    "Papua Barat Daya",
];
const NAMES: &[&str] = &[
    "Ambon",
    "Semarang",
    "Makassar",
    "Banyuwangi",
    "Denpasar",
    "Bandung",
    "Manado",
    "Pekanbaru",
    "Surabaya",
    "Medan",
    "Palembang",
    "Balikpapan",
    "Pontianak",
    "Kupang",
    "Jayapura",
    "Mataram",
    "Padang",
    "Malang",
    "Bogor",
    "Tangerang",
];
const COUNTRIES: &[&str] = &[
    "NL", "JP", "KR", "SG", "AU", "DE", "FR", "GB", "US", "CN", "AE", "SA", "MY", "TH", "IN", "CA",
    "NZ", "CH", "SE", "DK",
];
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
    (
        "smart kampung broadband",
        Sector::DigitalInfrastructure,
        Dimension::Society,
    ),
    (
        "puskesmas health records",
        Sector::Health,
        Dimension::Society,
    ),
    ("affordable housing", Sector::Housing, Dimension::Living),
    (
        "digital school network",
        Sector::Education,
        Dimension::Society,
    ),
];

fn usd(amount: u64) -> Money {
    Money::new(Decimal::from(amount), "USD", "amount").unwrap_or_else(|_| unreachable_money())
}

fn unreachable_money() -> Money {
    // USD with a non-negative integer amount always validates.
    Money::from_stored("0", "USD").unwrap_or_else(|_| panic!("USD is a currency"))
}

/// Seeds `n` times the programme's size into an empty database.
pub async fn seed(db: &Db, scoring: Scoring<'_>, n: usize) -> anyhow::Result<String> {
    if !sinergi_services::places::list_cities(db, None, None, 1, false)
        .await?
        .items
        .is_empty()
    {
        anyhow::bail!("the database is not empty: seed --scale loads into an empty database");
    }
    let mut r = Rng(0x5151_0001 ^ n as u64);
    let now: DateTime<Utc> = db.now();
    let (n_cities, n_projects, n_orgs, n_proposals) = (514 * n, 25_000 * n, 2_000 * n, 100_000 * n);

    let embassies: Vec<Embassy> = COUNTRIES
        .iter()
        .enumerate()
        .map(|(i, c)| Embassy {
            id: id(1, i),
            country: (*c).into(),
            name: format!("Embassy of {c} in Jakarta"),
        })
        .collect();
    let mut cities = Vec::with_capacity(n_cities);
    let mut plans = Vec::with_capacity(n_cities);
    for i in 0..n_cities {
        let name = format!("{} {}", NAMES[i % NAMES.len()], i / NAMES.len() + 1);
        let city = City {
            id: id(2, i),
            name,
            province: PROVINCES[i % PROVINCES.len()].into(),
            country: "ID".into(),
            time_zone: "Asia/Jakarta".into(),
            location: Some((-10.0 + r.unit() * 16.0, 95.0 + r.unit() * 46.0)),
            population: Some(50_000 + r.below(2_000_000) as i32),
            created_at: now,
        };
        let raw: Vec<f64> = (0..6).map(|_| 0.05 + r.unit()).collect();
        let sum: f64 = raw.iter().sum();
        let mut weights: Vec<f64> = raw
            .iter()
            .map(|w| (w / sum * 1000.0).round() / 1000.0)
            .collect();
        let drift: f64 = 1.0 - weights.iter().sum::<f64>();
        weights[0] += drift;
        let priorities = Dimension::ALL
            .iter()
            .zip(weights)
            .map(|(d, w)| Priority {
                dimension: *d,
                weight: w,
                focus_areas: TOPICS
                    .iter()
                    .filter(|t| t.2 == *d)
                    .take(1)
                    .map(|t| t.0.to_owned())
                    .collect(),
            })
            .collect();
        plans.push(Masterplan {
            id: id(3, i),
            city_id: city.id,
            version: 1,
            content: MasterplanContent {
                period_start_year: 2025,
                period_end_year: 2029,
                vision: format!("{} smart city", city.name),
                priorities,
            },
            updated_at: now,
        });
        cities.push(city);
    }
    bulk::places(db, &cities, &embassies, &plans).await?;
    let phase = Phase::start("cities", n_cities as u64);
    phase.advance(n_cities as u64);
    phase.finish();

    let mut orgs = Vec::with_capacity(n_orgs);
    for i in 0..n_orgs {
        let e = &embassies[i % embassies.len()];
        let lo = 100_000 * (1 + r.below(100) as u64);
        let topic = TOPICS[r.below(TOPICS.len())];
        orgs.push(Organization {
            id: id(4, i),
            embassy_id: e.id,
            verification: if i % 10 == 9 {
                VerificationStatus::Pending
            } else {
                VerificationStatus::Verified
            },
            profile: OrganizationProfile {
                name: format!("{} Infrastructure Partners {i}", e.country),
                country: e.country.clone(),
                description: format!("Invests in {} and related infrastructure.", topic.0),
                website: None,
                sectors: vec![topic.1, TOPICS[r.below(TOPICS.len())].1],
                dimensions: vec![topic.2],
                financing_models: vec![FinancingModel::ALL[r.below(7)], FinancingModel::Ppp],
                ticket_min: Some(usd(lo)),
                ticket_max: Some(usd(lo * (5 + r.below(50) as u64))),
            },
            created_at: now,
        });
    }
    let phase = Phase::start("organisations", n_orgs as u64);
    for chunk in orgs.chunks(5_000) {
        bulk::organizations(db, chunk).await?;
        phase.advance(chunk.len() as u64);
    }
    phase.finish();

    let mut projects = Vec::with_capacity(n_projects);
    for i in 0..n_projects {
        let city = &cities[i % n_cities];
        let topic = TOPICS[r.below(TOPICS.len())];
        let capex = 200_000 + 10_000 * r.below(5_000) as u64;
        let status = if i % 20 == 19 {
            ProjectStatus::Draft
        } else {
            ProjectStatus::Published
        };
        let content = ProjectContent {
            title: format!("{} {}", city.name, topic.0),
            summary: format!("A {} for {} in {}.", topic.0, city.name, city.province),
            description: format!(
                "{} proposes a {} under its smart city masterplan.",
                city.name, topic.0
            ),
            owner_agency: Some(format!("Dinas {} {}", topic.1, city.name)),
            dimensions: vec![topic.2],
            sector: topic.1,
            capex: usd(capex),
            accepted_financing: vec![FinancingModel::Ppp, FinancingModel::ALL[r.below(7)]],
            timeline_months: 6 + r.below(48) as i32,
            proposal_deadline: now + Duration::days(7 + r.below(180) as i64),
            sealed_bids: true,
            location: city.location,
            tags: vec![topic.0.split(' ').next().unwrap_or("smart").to_owned()],
        };
        let created = now - Duration::minutes(r.below(500_000) as i64);
        projects.push(Project {
            id: id(5, i),
            city_id: city.id,
            content,
            status,
            published_at: (status == ProjectStatus::Published).then_some(created),
            created_at: created,
            updated_at: created,
        });
    }
    let phase = Phase::start("projects", n_projects as u64);
    for chunk in projects.chunks(5_000) {
        let rows: Vec<(Project, String)> = chunk
            .iter()
            .map(|p| {
                let usd = scoring.fx.to_usd(&p.content.capex).ok_or_else(|| {
                    anyhow::anyhow!("the generated capex of {} cannot be converted", p.id)
                })?;
                Ok((p.clone(), usd.to_string()))
            })
            .collect::<anyhow::Result<_>>()?;
        bulk::projects(db, &rows).await?;
        phase.advance(chunk.len() as u64);
    }
    phase.finish();

    // Proposals: four per published project on average, each pair (project, organisation) once.
    let published: Vec<&Project> = projects
        .iter()
        .filter(|p| p.status == ProjectStatus::Published)
        .collect();
    let plan_of: std::collections::HashMap<Uuid, &Masterplan> =
        plans.iter().map(|m| (m.city_id, m)).collect();
    let stride = 7919 % n_orgs.max(1);
    let mut batch = Vec::with_capacity(5_000);
    let phase = Phase::start("proposals", n_proposals as u64);
    for k in 0..n_proposals {
        let project = published[k % published.len()];
        let round = k / published.len();
        let org = &orgs[(round * stride.max(1) + k % published.len()) % n_orgs];
        let Some(plan) = plan_of.get(&project.city_id) else {
            continue;
        };
        let capex = project.content.capex.amount();
        let factor = Decimal::from_str(&format!("{:.2}", 0.6 + r.unit())).unwrap_or(Decimal::ONE);
        let content = ProposalContent {
            amount: Money::new((capex * factor).round_dp(0), "USD", "amount")?,
            financing_model: project.content.accepted_financing
                [r.below(project.content.accepted_financing.len())],
            timeline_months: project.content.timeline_months + r.below(12) as i32 - 6,
            approach: format!(
                "We deliver the {} with local partners.",
                project.content.title
            ),
            contributions: vec![(
                project.content.dimensions[0],
                (r.unit() * 10_000.0).round() / 10_000.0,
            )],
            local_content_percent: Decimal::from(r.below(100) as u64),
        };
        let salt = format!(
            "{:016x}{:016x}{:016x}{:016x}",
            r.next(),
            r.next(),
            r.next(),
            r.next()
        );
        let p = Proposal {
            id: id(6, k),
            project_id: project.id,
            organization_id: org.id,
            status: ProposalStatus::Submitted,
            commitment: Some(commitment(&salt, &content)),
            commitment_salt: Some(salt),
            content,
            submitted_at: Some(now),
            created_at: now,
            updated_at: now,
        };
        let score = sinergi_services::match_scores::compute(
            scoring,
            plan,
            project,
            &p,
            org.verification,
            now,
        )?;
        batch.push((p, score));
        if batch.len() == 5_000 || k + 1 == n_proposals {
            bulk::proposals(db, &batch).await?;
            phase.advance(batch.len() as u64);
            batch.clear();
        }
    }
    phase.finish();
    let summary = format!(
        "{n_cities} cities, {} embassies, {n_orgs} organisations, {n_projects} projects, {n_proposals} proposals",
        embassies.len()
    );
    // The scores were computed with this FX table: record it, so the first start does not
    // rescore a million proposals.
    sinergi_services::match_scores::record_fx(db, scoring.fx).await?;
    // Fresh statistics, or SQLite's planner reads 20 projects by id through the status index.
    db.analyze().await?;
    bulk::record(db, serde_json::json!({"scale": n, "summary": summary})).await?;
    Ok(summary)
}
