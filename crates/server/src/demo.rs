//! The demo data set: real cities of the programme with their masterplans, embassies, investors,
//! projects and bids, and one account per role (listed in the README). Loaded only into an
//! empty database, through the same services the API uses, so the audit chain covers it.

use std::str::FromStr;

use chrono::Duration;
use rust_decimal::Decimal;
use sinergi_domain::{
    Actor, Dimension as D, FinancingModel as F, Money, Role, Sector as S, VerificationStatus,
    masterplan::{MasterplanContent, Priority},
    model::OrganizationProfile,
    project::ProjectContent,
    proposal::ProposalContent,
};
use sinergi_services::{
    Db, invitations, masterplans, match_scores::Scoring, organizations, places, projects,
    proposals, users,
};
use uuid::Uuid;

/// What seeding did.
#[derive(Debug)]
pub enum Outcome {
    Seeded(String),
    AlreadyThere,
}

/// The demo accounts: e-mail, password, name, role, and the city/embassy/organisation they belong to.
pub const ACCOUNTS: &[(&str, &str, &str)] = &[
    ("admin@sinergi.demo", "sinergi-admin-demo", "Admin Sinergi"),
    (
        "walikota@ambon.demo",
        "ambon-city-demo",
        "Bodewin Wattimena",
    ),
    (
        "bappeda@semarang.demo",
        "semarang-city-demo",
        "Dinas Bappeda Semarang",
    ),
    (
        "liaison@nl-embassy.demo",
        "embassy-nl-demo",
        "Sanne de Vries",
    ),
    ("liaison@jp-embassy.demo", "embassy-jp-demo", "Haruto Sato"),
    (
        "investor@deltawater.demo",
        "investor-nl-demo",
        "Pieter Bakker",
    ),
    ("investor@kyotosound.demo", "investor-jp-demo", "Yui Tanaka"),
];

type Weights = [f64; 6];
struct CityDef {
    name: &'static str,
    province: &'static str,
    tz: &'static str,
    at: (f64, f64),
    population: i32,
    vision: &'static str,
    weights: Weights,
    focus: &'static [(D, &'static [&'static str])],
}

const CITIES: &[CityDef] = &[
    CityDef {
        name: "Ambon",
        province: "Maluku",
        tz: "Asia/Jayapura",
        at: (-3.6954, 128.1814),
        population: 347_288,
        vision: "Ambon City of Music: a creative, resilient island city",
        weights: [0.15, 0.30, 0.15, 0.15, 0.10, 0.15],
        focus: &[
            (
                D::Branding,
                &["city of music", "creative economy", "pariwisata budaya"],
            ),
            (
                D::Environment,
                &["flood early warning", "coastal resilience"],
            ),
            (D::Governance, &["e-government"]),
            (D::Living, &["smart street lighting"]),
        ],
    },
    CityDef {
        name: "Semarang",
        province: "Jawa Tengah",
        tz: "Asia/Jakarta",
        at: (-6.9667, 110.4167),
        population: 1_653_524,
        vision: "Semarang Hebat: a flood-safe, well-governed port city",
        weights: [0.20, 0.10, 0.20, 0.15, 0.10, 0.25],
        focus: &[
            (D::Environment, &["flood early warning", "tidal flood"]),
            (D::Governance, &["e-government service portal", "open data"]),
            (D::Living, &["bus rapid transit"]),
        ],
    },
    CityDef {
        name: "Makassar",
        province: "Sulawesi Selatan",
        tz: "Asia/Makassar",
        at: (-5.1477, 119.4327),
        population: 1_427_619,
        vision: "Makassar Sombere' and Smart City: a liveable gateway to eastern Indonesia",
        weights: [0.20, 0.10, 0.20, 0.25, 0.15, 0.10],
        focus: &[
            (D::Living, &["smart street lighting", "clean water"]),
            (D::Economy, &["port logistics"]),
        ],
    },
    CityDef {
        name: "Banyuwangi",
        province: "Jawa Timur",
        tz: "Asia/Jakarta",
        at: (-8.2192, 114.3691),
        population: 1_708_114,
        vision: "Smart Kampung: digital villages and sustainable tourism",
        weights: [0.20, 0.25, 0.20, 0.10, 0.15, 0.10],
        focus: &[
            (D::Branding, &["ecotourism", "festival"]),
            (D::Society, &["smart kampung"]),
        ],
    },
    CityDef {
        name: "Denpasar",
        province: "Bali",
        tz: "Asia/Makassar",
        at: (-8.65, 115.2167),
        population: 725_314,
        vision: "Denpasar Kota Kreatif: culture-based smart city",
        weights: [0.15, 0.25, 0.15, 0.15, 0.10, 0.20],
        focus: &[
            (D::Environment, &["waste to energy", "river cleanup"]),
            (D::Branding, &["cultural heritage"]),
        ],
    },
    CityDef {
        name: "Bandung",
        province: "Jawa Barat",
        tz: "Asia/Jakarta",
        at: (-6.9175, 107.6191),
        population: 2_452_943,
        vision: "Bandung Unggul: a creative, digital and green capital",
        weights: [0.20, 0.15, 0.20, 0.20, 0.10, 0.15],
        focus: &[
            (D::Governance, &["command center"]),
            (D::Living, &["public transport"]),
        ],
    },
    CityDef {
        name: "Manado",
        province: "Sulawesi Utara",
        tz: "Asia/Makassar",
        at: (1.4748, 124.8421),
        population: 451_916,
        vision: "Manado: a marine tourism city resilient to disasters",
        weights: [0.15, 0.20, 0.15, 0.15, 0.10, 0.25],
        focus: &[(
            D::Environment,
            &["landslide early warning", "coastal resilience"],
        )],
    },
    CityDef {
        name: "Pekanbaru",
        province: "Riau",
        tz: "Asia/Jakarta",
        at: (0.5071, 101.4478),
        population: 983_356,
        vision: "Pekanbaru Smart City Madani",
        weights: [0.25, 0.10, 0.25, 0.15, 0.10, 0.15],
        focus: &[
            (D::Environment, &["haze monitoring"]),
            (D::Economy, &["msme marketplace"]),
        ],
    },
];

const EMBASSIES: &[(&str, &str)] = &[
    ("NL", "Embassy of the Kingdom of the Netherlands in Jakarta"),
    ("JP", "Embassy of Japan in Indonesia"),
    ("KR", "Embassy of the Republic of Korea in Indonesia"),
    ("SG", "Embassy of the Republic of Singapore in Jakarta"),
    ("AU", "Australian Embassy Jakarta"),
    (
        "DE",
        "Embassy of the Federal Republic of Germany in Jakarta",
    ),
];

struct OrgDef {
    embassy: usize,
    name: &'static str,
    status: VerificationStatus,
    sectors: &'static [S],
    dims: &'static [D],
    financing: &'static [F],
    ticket: (&'static str, &'static str, &'static str),
    about: &'static str,
}

const ORGS: &[OrgDef] = &[
    OrgDef {
        embassy: 0,
        name: "Delta Water Partners B.V.",
        status: VerificationStatus::Verified,
        sectors: &[S::Water, S::PublicSafety],
        dims: &[D::Environment, D::Living],
        financing: &[F::Ppp, F::Loan],
        ticket: ("2000000", "40000000", "USD"),
        about: "Dutch water management and flood defence consortium.",
    },
    OrgDef {
        embassy: 0,
        name: "Rotterdam Port Digital",
        status: VerificationStatus::Pending,
        sectors: &[S::Transport, S::DigitalInfrastructure],
        dims: &[D::Economy],
        financing: &[F::Equity, F::Ppp],
        ticket: ("1000000", "25000000", "EUR"),
        about: "Port community systems and logistics data platforms.",
    },
    OrgDef {
        embassy: 1,
        name: "Nusantara Smart Mobility KK",
        status: VerificationStatus::Verified,
        sectors: &[S::Transport, S::Energy],
        dims: &[D::Living, D::Environment],
        financing: &[F::BuildOperateTransfer, F::Loan],
        ticket: ("5000000", "100000000", "USD"),
        about: "Japanese rail, BRT and e-bus operators investing in Indonesian cities.",
    },
    OrgDef {
        embassy: 1,
        name: "Kyoto Sound & Culture Fund",
        status: VerificationStatus::Verified,
        sectors: &[S::Tourism, S::Education],
        dims: &[D::Branding, D::Society],
        financing: &[F::Grant, F::Csr, F::Equity],
        ticket: ("200000", "5000000", "USD"),
        about: "A cultural fund backing UNESCO creative cities, music schools and festivals.",
    },
    OrgDef {
        embassy: 2,
        name: "Hanbit GovTech Co.",
        status: VerificationStatus::Verified,
        sectors: &[S::GovernmentServices, S::DigitalInfrastructure],
        dims: &[D::Governance],
        financing: &[F::VendorFinancing, F::Ppp],
        ticket: ("500000", "20000000", "USD"),
        about: "Korean e-government platforms, from service portals to city command centres.",
    },
    OrgDef {
        embassy: 3,
        name: "Lion City Urban Infrastructure Pte. Ltd.",
        status: VerificationStatus::Verified,
        sectors: &[S::Energy, S::Waste, S::Housing],
        dims: &[D::Environment, D::Living, D::Economy],
        financing: &[F::Ppp, F::Equity, F::BuildOperateTransfer],
        ticket: ("3000000", "80000000", "USD"),
        about: "Singaporean infrastructure investor in waste-to-energy and affordable housing.",
    },
    OrgDef {
        embassy: 4,
        name: "Southern Cross Renewables",
        status: VerificationStatus::Suspended,
        sectors: &[S::Energy],
        dims: &[D::Environment],
        financing: &[F::Equity],
        ticket: ("1000000", "30000000", "AUD"),
        about: "Solar and battery developer (suspended pending document review).",
    },
    OrgDef {
        embassy: 5,
        name: "Rhein Energie Effizienz GmbH",
        status: VerificationStatus::Verified,
        sectors: &[S::Energy, S::PublicSafety],
        dims: &[D::Environment, D::Living],
        financing: &[F::Loan, F::VendorFinancing],
        ticket: ("1000000", "30000000", "EUR"),
        about: "German energy-efficiency contractor: LED street lighting and building retrofits.",
    },
];

struct ProjectDef {
    city: usize,
    title: &'static str,
    summary: &'static str,
    agency: &'static str,
    dims: &'static [D],
    sector: S,
    capex: (&'static str, &'static str),
    financing: &'static [F],
    months: i32,
    tags: &'static [&'static str],
}

macro_rules! p {
    ($city:expr, $title:expr, $summary:expr, $agency:expr, [$($d:ident),+], $sector:ident, $amount:expr, $cur:expr, [$($f:ident),+], $months:expr, [$($t:expr),*]) => {
        ProjectDef { city: $city, title: $title, summary: $summary, agency: $agency, dims: &[$(D::$d),+], sector: S::$sector, capex: ($amount, $cur), financing: &[$(F::$f),+], months: $months, tags: &[$($t),*] }
    };
}

const PROJECTS: &[ProjectDef] = &[
    p!(
        0,
        "Ambon City of Music creative hub",
        "A music hall, recording studios and a school for Ambon's UNESCO City of Music title.",
        "Dinas Pariwisata Kota Ambon",
        [Branding, Economy],
        Tourism,
        "64000000000",
        "IDR",
        [Ppp, Grant, Csr],
        24,
        ["city of music", "unesco", "creative economy"]
    ),
    p!(
        0,
        "Flood early warning system for Wai Batu Merah",
        "River level sensors, rain gauges and SMS/WhatsApp alerts for flood-prone neighbourhoods.",
        "BPBD Kota Ambon",
        [Environment, Living],
        PublicSafety,
        "1800000",
        "USD",
        [Grant, Loan, Ppp],
        12,
        ["flood", "early warning", "iot"]
    ),
    p!(
        0,
        "Smart street lighting along the Ambon bay",
        "8,000 LED street lights with remote dimming and fault reporting.",
        "Dinas PUPR Kota Ambon",
        [Living, Environment],
        Energy,
        "52000000000",
        "IDR",
        [Ppp, VendorFinancing, Loan],
        18,
        ["street lighting", "led", "energy efficiency"]
    ),
    p!(
        0,
        "Ambon e-government service portal",
        "One portal for permits, civil registry and complaints, with a mobile app.",
        "Dinas Kominfo dan Persandian Kota Ambon",
        [Governance],
        GovernmentServices,
        "900000",
        "USD",
        [VendorFinancing, Grant],
        10,
        ["e-government", "portal", "permits"]
    ),
    p!(
        0,
        "Pasar Mardika fish market cold chain",
        "Ice plants, cold storage and a digital auction for the fishing port market.",
        "Dinas Perikanan Kota Ambon",
        [Economy],
        AgricultureFisheries,
        "3500000",
        "USD",
        [Ppp, Equity],
        20,
        ["fisheries", "cold chain"]
    ),
    p!(
        1,
        "Semarang tidal flood (rob) early warning",
        "Tide and land-subsidence sensors with a public dashboard and alerts for the northern coast.",
        "BPBD Kota Semarang",
        [Environment, Governance],
        PublicSafety,
        "2500000",
        "USD",
        [Grant, Loan],
        14,
        ["flood", "rob", "early warning"]
    ),
    p!(
        1,
        "Semarang e-government service portal 2.0",
        "Upgrade of the city's one-stop service portal with open data and digital signatures.",
        "Diskominfo Kota Semarang",
        [Governance],
        GovernmentServices,
        "24000000000",
        "IDR",
        [VendorFinancing, Ppp],
        12,
        ["e-government", "open data"]
    ),
    p!(
        1,
        "Trans Semarang electric bus fleet",
        "120 electric buses and depot charging for the BRT corridors.",
        "Dinas Perhubungan Kota Semarang",
        [Living, Environment],
        Transport,
        "45000000",
        "USD",
        [BuildOperateTransfer, Loan, Ppp],
        36,
        ["brt", "e-bus", "transport"]
    ),
    p!(
        1,
        "Kota Lama heritage district smart tourism",
        "Wi-Fi, AR guides and visitor analytics for the old town district.",
        "Dinas Kebudayaan dan Pariwisata Kota Semarang",
        [Branding, Economy],
        Tourism,
        "1200000",
        "USD",
        [Ppp, Csr],
        12,
        ["heritage", "tourism"]
    ),
    p!(
        1,
        "Banjir Kanal Barat pumping station upgrade",
        "Automated pumps and SCADA for the western flood canal.",
        "Dinas Pekerjaan Umum Kota Semarang",
        [Environment],
        Water,
        "18000000",
        "USD",
        [Loan, Ppp],
        30,
        ["flood", "pumps", "scada"]
    ),
    p!(
        2,
        "Makassar smart street lighting",
        "LED retrofit of 25,000 street lights with a central management system.",
        "Dinas Perhubungan Kota Makassar",
        [Living, Environment],
        Energy,
        "9000000",
        "USD",
        [Ppp, VendorFinancing],
        18,
        ["street lighting", "led"]
    ),
    p!(
        2,
        "Losari waterfront clean water network",
        "Piped water and smart meters for 40,000 households near the waterfront.",
        "PDAM Kota Makassar",
        [Living],
        Water,
        "30000000",
        "USD",
        [Ppp, Loan, BuildOperateTransfer],
        36,
        ["clean water", "smart meter"]
    ),
    p!(
        2,
        "Makassar New Port logistics data platform",
        "A port community system linking shippers, customs and truckers.",
        "Dinas Perhubungan Kota Makassar",
        [Economy, Governance],
        DigitalInfrastructure,
        "4000000",
        "USD",
        [Equity, Ppp],
        18,
        ["logistics", "port"]
    ),
    p!(
        2,
        "Lorong Garden urban farming",
        "Neighbourhood alley gardens with drip irrigation and a produce marketplace.",
        "Dinas Ketahanan Pangan Kota Makassar",
        [Society, Environment],
        AgricultureFisheries,
        "600000",
        "USD",
        [Csr, Grant],
        12,
        ["urban farming"]
    ),
    p!(
        3,
        "Banyuwangi Smart Kampung broadband",
        "Fibre and public Wi-Fi for 189 villages' service centres.",
        "Diskominfo Kabupaten Banyuwangi",
        [Society, Governance],
        DigitalInfrastructure,
        "7000000",
        "USD",
        [Ppp, VendorFinancing],
        24,
        ["smart kampung", "broadband"]
    ),
    p!(
        3,
        "Ijen geopark ecotourism visitor centre",
        "Visitor centre, e-ticketing and crowd management for Ijen crater.",
        "Dinas Kebudayaan dan Pariwisata Banyuwangi",
        [Branding, Economy],
        Tourism,
        "3000000",
        "USD",
        [Ppp, Equity, Csr],
        18,
        ["ecotourism", "geopark"]
    ),
    p!(
        3,
        "Banyuwangi Festival digital ticketing",
        "Ticketing, cashless payments and analytics for the annual festival calendar.",
        "Dinas Pariwisata Banyuwangi",
        [Branding],
        Tourism,
        "400000",
        "USD",
        [VendorFinancing, Csr],
        8,
        ["festival", "ticketing"]
    ),
    p!(
        4,
        "Denpasar waste-to-energy plant",
        "A 1,000 t/day waste-to-energy facility at Suwung.",
        "Dinas Lingkungan Hidup dan Kebersihan Kota Denpasar",
        [Environment, Living],
        Waste,
        "120000000",
        "USD",
        [BuildOperateTransfer, Ppp],
        48,
        ["waste to energy", "landfill"]
    ),
    p!(
        4,
        "Tukad Badung river cleanup and monitoring",
        "Trash barriers, water-quality sensors and a riverside park.",
        "Dinas PUPR Kota Denpasar",
        [Environment, Branding],
        Water,
        "2200000",
        "USD",
        [Grant, Csr, Ppp],
        16,
        ["river cleanup", "water quality"]
    ),
    p!(
        4,
        "Denpasar cultural heritage digital archive",
        "Digitising lontar manuscripts and temple records with public access.",
        "Dinas Kebudayaan Kota Denpasar",
        [Branding, Society],
        Education,
        "350000",
        "USD",
        [Grant, Csr],
        12,
        ["cultural heritage", "archive"]
    ),
    p!(
        5,
        "Bandung Command Center 2.0",
        "Integrated CCTV, traffic and emergency dispatch with analytics.",
        "Diskominfo Kota Bandung",
        [Governance, Living],
        GovernmentServices,
        "6000000",
        "USD",
        [VendorFinancing, Ppp],
        18,
        ["command center", "cctv"]
    ),
    p!(
        5,
        "Bandung LRT feasibility and first line",
        "Design and first 10 km of a light rail line.",
        "Dinas Perhubungan Kota Bandung",
        [Living, Economy],
        Transport,
        "350000000",
        "USD",
        [BuildOperateTransfer, Loan, Ppp],
        60,
        ["lrt", "public transport"]
    ),
    p!(
        5,
        "Creative economy co-working network",
        "Five co-working and maker spaces for Bandung's creative start-ups.",
        "Dinas Koperasi dan UMKM Kota Bandung",
        [Economy, Branding],
        Other,
        "1500000",
        "USD",
        [Equity, Ppp],
        12,
        ["creative economy", "start-ups"]
    ),
    p!(
        5,
        "Citarum tributaries flood early warning",
        "Sensors and alerts for flash floods in southern Bandung.",
        "BPBD Kota Bandung",
        [Environment],
        PublicSafety,
        "1100000",
        "USD",
        [Grant, Loan],
        12,
        ["flood", "early warning"]
    ),
    p!(
        6,
        "Manado landslide early warning",
        "Slope sensors and alerting for hillside neighbourhoods.",
        "BPBD Kota Manado",
        [Environment, Living],
        PublicSafety,
        "900000",
        "USD",
        [Grant, Loan],
        12,
        ["landslide", "early warning"]
    ),
    p!(
        6,
        "Bunaken marine tourism smart pier",
        "A floating pier, e-ticketing and reef monitoring for Bunaken.",
        "Dinas Pariwisata Kota Manado",
        [Branding, Environment],
        Tourism,
        "2800000",
        "USD",
        [Ppp, Csr],
        18,
        ["marine tourism", "reef"]
    ),
    p!(
        6,
        "Manado coastal resilience seawall",
        "A 3 km seawall with a public promenade.",
        "Dinas PUPR Kota Manado",
        [Environment],
        Water,
        "25000000",
        "USD",
        [Loan, Ppp],
        30,
        ["coastal resilience"]
    ),
    p!(
        7,
        "Pekanbaru haze monitoring network",
        "Air-quality sensors and health alerts across the city.",
        "Dinas Lingkungan Hidup Kota Pekanbaru",
        [Environment, Society],
        PublicSafety,
        "700000",
        "USD",
        [Grant, Csr],
        10,
        ["haze", "air quality"]
    ),
    p!(
        7,
        "Pekanbaru MSME marketplace",
        "An online marketplace and logistics for the city's small businesses.",
        "Dinas Koperasi dan UMKM Kota Pekanbaru",
        [Economy],
        DigitalInfrastructure,
        "800000",
        "USD",
        [Equity, VendorFinancing],
        12,
        ["msme", "marketplace"]
    ),
    p!(
        7,
        "Pekanbaru solar rooftops for public buildings",
        "5 MWp of rooftop solar on schools and offices.",
        "Dinas PUPR Kota Pekanbaru",
        [Environment, Economy],
        Energy,
        "4500000",
        "USD",
        [Ppp, Loan, VendorFinancing],
        14,
        ["solar", "energy"]
    ),
    p!(
        7,
        "Integrated health records for puskesmas",
        "Electronic health records for 21 community health centres.",
        "Dinas Kesehatan Kota Pekanbaru",
        [Society, Governance],
        Health,
        "1300000",
        "USD",
        [VendorFinancing, Grant],
        12,
        ["health", "records"]
    ),
    p!(
        3,
        "Banyuwangi affordable housing pilot",
        "600 affordable homes with solar water heaters.",
        "Dinas Perumahan Banyuwangi",
        [Living],
        Housing,
        "15000000",
        "USD",
        [Ppp, BuildOperateTransfer],
        30,
        ["housing"]
    ),
];

/// A demo bid: bidder, project index, amount, currency, financing, months, approach,
/// contributions, local content.
type Bid<'a> = (
    &'a Actor,
    usize,
    &'a str,
    &'a str,
    F,
    i32,
    &'a str,
    &'a [(D, f64)],
    &'a str,
);

fn actor(u: &sinergi_domain::model::User) -> Actor {
    u.actor()
}

async fn hash(pw: &str) -> anyhow::Result<String> {
    sinergi_api::auth::hash_password(pw.to_owned())
        .await
        .map_err(|_| anyhow::anyhow!("password hashing failed"))
}

fn dec(s: &str) -> anyhow::Result<Decimal> {
    Ok(Decimal::from_str(s)?)
}

fn err(e: sinergi_services::Error) -> anyhow::Error {
    anyhow::anyhow!("demo seed failed: {e}")
}

/// Seeds the demo data into an empty database; does nothing to one that holds data.
/// `calendar_key` is the server's (`app::cursor_key`): the demo participants' calendar feeds
/// open on the server that uses it.
pub async fn seed(db: &Db, scoring: Scoring<'_>, calendar_key: &[u8]) -> anyhow::Result<Outcome> {
    let fx = scoring.fx;
    let any_user = users::count(db).await.map_err(err)? > 0;
    let any_city = !places::list_cities(db, None, None, 1, false)
        .await
        .map_err(err)?
        .items
        .is_empty();
    if any_user || any_city {
        return Ok(Outcome::AlreadyThere);
    }
    let (admin, _) =
        users::ensure_admin(db, ACCOUNTS[0].0, ACCOUNTS[0].2, hash(ACCOUNTS[0].1).await?)
            .await
            .map_err(err)?;
    let admin = actor(&admin);
    let mut city_ids = Vec::new();
    for c in CITIES {
        let city = places::create_city(
            db,
            &admin,
            places::NewCity {
                name: c.name.into(),
                province: c.province.into(),
                country: "ID".into(),
                time_zone: c.tz.into(),
                location: Some(c.at),
                population: Some(c.population),
            },
        )
        .await
        .map_err(err)?;
        let priorities = sinergi_domain::Dimension::ALL
            .iter()
            .zip(c.weights)
            .map(|(d, w)| Priority {
                dimension: *d,
                weight: w,
                focus_areas: c
                    .focus
                    .iter()
                    .filter(|(fd, _)| fd == d)
                    .flat_map(|(_, f)| f.iter().map(|s| (*s).to_owned()))
                    .collect(),
            })
            .collect();
        let plan = MasterplanContent {
            period_start_year: 2025,
            period_end_year: 2029,
            vision: c.vision.into(),
            priorities,
        };
        masterplans::set(db, &admin, scoring, city.id, plan)
            .await
            .map_err(err)?;
        city_ids.push(city.id);
    }
    let mut embassy_ids = Vec::new();
    for (country, name) in EMBASSIES {
        embassy_ids.push(
            places::create_embassy(db, &admin, country, name)
                .await
                .map_err(err)?
                .id,
        );
    }
    let mk_user = |email: &'static str,
                   pw: &'static str,
                   name: &'static str,
                   role: Role,
                   city: Option<Uuid>,
                   embassy: Option<Uuid>| async move {
        let u = users::NewUser {
            email: email.into(),
            name: name.into(),
            role,
            password_hash: hash(pw).await?,
            city_id: city,
            embassy_id: embassy,
            organization_id: None,
        };
        anyhow::Ok(u)
    };
    let a = ACCOUNTS;
    users::create(
        db,
        &admin,
        mk_user(
            a[1].0,
            a[1].1,
            a[1].2,
            Role::CityOfficial,
            Some(city_ids[0]),
            None,
        )
        .await?,
    )
    .await
    .map_err(err)?;
    users::create(
        db,
        &admin,
        mk_user(
            a[2].0,
            a[2].1,
            a[2].2,
            Role::CityOfficial,
            Some(city_ids[1]),
            None,
        )
        .await?,
    )
    .await
    .map_err(err)?;
    let nl = users::create(
        db,
        &admin,
        mk_user(
            a[3].0,
            a[3].1,
            a[3].2,
            Role::EmbassyLiaison,
            None,
            Some(embassy_ids[0]),
        )
        .await?,
    )
    .await
    .map_err(err)?;
    let jp = users::create(
        db,
        &admin,
        mk_user(
            a[4].0,
            a[4].1,
            a[4].2,
            Role::EmbassyLiaison,
            None,
            Some(embassy_ids[1]),
        )
        .await?,
    )
    .await
    .map_err(err)?;

    // Organisations, through a liaison of their embassy (admins stand in where no demo liaison exists).
    let mut org_ids = Vec::new();
    for (i, o) in ORGS.iter().enumerate() {
        let liaison = match o.embassy {
            0 => actor(&nl),
            1 => actor(&jp),
            e => Actor {
                role: Role::EmbassyLiaison,
                embassy_id: Some(embassy_ids[e]),
                ..admin.clone()
            },
        };
        let (lo, hi, cur) = o.ticket;
        let profile = OrganizationProfile {
            name: o.name.into(),
            country: EMBASSIES[o.embassy].0.into(),
            description: o.about.into(),
            website: None,
            sectors: o.sectors.to_vec(),
            dimensions: o.dims.to_vec(),
            financing_models: o.financing.to_vec(),
            ticket_min: Some(Money::new(dec(lo)?, cur, "ticketMin")?),
            ticket_max: Some(Money::new(dec(hi)?, cur, "ticketMax")?),
        };
        let org = organizations::create(db, &liaison, fx, profile)
            .await
            .map_err(err)?;
        if o.status != VerificationStatus::Pending {
            let reason =
                (o.status == VerificationStatus::Suspended).then_some("documents under review");
            organizations::set_verification(db, &liaison, scoring, org.id, o.status, reason)
                .await
                .map_err(err)?;
        }
        // The demo investors join their organisation through an invitation, like real ones.
        let invited = match i {
            0 => Some((actor(&nl), a[5])),
            3 => Some((actor(&jp), a[6])),
            _ => None,
        };
        if let Some((liaison, (email, pw, name))) = invited {
            let code = sinergi_api::auth::random_token();
            let code_hash = sinergi_api::auth::token_hash(&code);
            invitations::invite(db, &liaison, org.id, email, code_hash.clone())
                .await
                .map_err(err)?;
            invitations::accept(db, &code_hash, name, hash(pw).await?, db.now())
                .await
                .map_err(err)?;
        }
        org_ids.push(org.id);
    }

    let now = db.now();
    let mut project_ids = Vec::new();
    for (i, p) in PROJECTS.iter().enumerate() {
        let content = ProjectContent {
            title: p.title.into(),
            summary: p.summary.into(),
            description: format!(
                "{} The project is part of the city's smart city masterplan (Gerakan Menuju 100 Smart City) and is offered to investors through the Smart City Business Match Making.",
                p.summary
            ),
            owner_agency: Some(p.agency.into()),
            dimensions: p.dims.to_vec(),
            sector: p.sector,
            capex: Money::new(dec(p.capex.0)?, p.capex.1, "capex")?,
            accepted_financing: p.financing.to_vec(),
            timeline_months: p.months,
            proposal_deadline: now + Duration::days(21 + (i as i64 * 3) % 90),
            sealed_bids: i % 7 != 3,
            location: Some(CITIES[p.city].at),
            tags: p.tags.iter().map(|t| (*t).to_owned()).collect(),
        };
        let project = projects::create(db, &admin, fx, city_ids[p.city], content)
            .await
            .map_err(err)?;
        // A few stay drafts, so city officials see their pipeline.
        if i % 11 != 10 {
            projects::publish(db, &admin, project.id, now)
                .await
                .map_err(err)?;
        }
        project_ids.push(project.id);
    }

    // Bids: Delta Water on the flood projects, Kyoto Sound on the City of Music hub.
    let investor = |email: &'static str| async move {
        let (u, _) = users::find_for_login(db, email)
            .await
            .map_err(err)?
            .ok_or_else(|| anyhow::anyhow!("{email} missing"))?;
        anyhow::Ok(actor(&u))
    };
    let delta = investor(a[5].0).await?;
    let kyoto = investor(a[6].0).await?;
    let bids: [Bid<'_>; 3] = [
        (
            &kyoto,
            0,
            "4400000",
            "USD",
            F::Ppp,
            24,
            "Ambon becomes a City of Music with a concert hall, a creative economy incubator and pariwisata budaya festivals.",
            &[(D::Branding, 0.8), (D::Economy, 0.2)],
            "35",
        ),
        (
            &delta,
            1,
            "1750000",
            "USD",
            F::Loan,
            11,
            "A flood early warning network of river sensors with community alerts, and coastal resilience training.",
            &[(D::Environment, 0.9), (D::Living, 0.1)],
            "40",
        ),
        (
            &delta,
            5,
            "2600000",
            "USD",
            F::Grant,
            14,
            "Tidal flood sensors and a flood early warning dashboard for the northern coast.",
            &[(D::Environment, 0.7), (D::Governance, 0.3)],
            "55",
        ),
    ];
    let mut n_bids = 0;
    for (who, project, amount, cur, fin, months, approach, contrib, local) in bids {
        let content = ProposalContent {
            amount: Money::new(dec(amount)?, cur, "amount")?,
            financing_model: fin,
            timeline_months: months,
            approach: approach.into(),
            contributions: contrib.to_vec(),
            local_content_percent: dec(local)?,
        };
        let p = proposals::save(db, who, scoring, project_ids[project], content, now)
            .await
            .map_err(err)?;
        proposals::submit(db, who, scoring, p.id, now)
            .await
            .map_err(err)?;
        n_bids += 1;
    }
    crate::demo_events::seed(
        db,
        fx,
        calendar_key,
        (project_ids[0], project_ids[1]),
        project_ids[5],
    )
    .await?;
    Ok(Outcome::Seeded(format!(
        "{} cities with masterplans, {} embassies, {} investor organisations, {} projects, {} proposals, {} accounts, an upcoming match-making event in Ambon and a past one in Semarang",
        CITIES.len(),
        EMBASSIES.len(),
        ORGS.len(),
        PROJECTS.len(),
        n_bids,
        ACCOUNTS.len()
    )))
}
