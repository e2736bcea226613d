//! The demo's match-making: one upcoming event in Ambon, organised by the Dutch embassy, with
//! registrations and requests already made; and one past event in Semarang, organised by the
//! Japanese embassy, scheduled, held and closed with outcomes, so its numbers show. Made through
//! the same services as the API; the past one on a database handle whose clock runs weeks back.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Timelike, Utc};
use sinergi_domain::{
    Actor, Clock, EventMode, FxTable, MeetingOutcome,
    event::{EventContent, Session, SideId},
};
use sinergi_services::{Db, events, meetings, users};
use uuid::Uuid;

/// A clock `behind` the system's, moved forward by the demo as its past event unfolds.
#[derive(Debug)]
struct Behind(Mutex<Duration>);

impl Clock for Behind {
    fn now(&self) -> DateTime<Utc> {
        let behind = *self.0.lock().unwrap_or_else(|p| p.into_inner());
        sinergi_domain::SystemClock.now() - behind
    }
}

impl Behind {
    /// Moves the clock to `at` (in the past).
    fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = sinergi_domain::SystemClock.now() - at;
    }
}

fn err(e: sinergi_services::Error) -> anyhow::Error {
    anyhow::anyhow!("demo match-making failed: {e}")
}

async fn actor(db: &Db, email: &str) -> anyhow::Result<Actor> {
    let (u, _) = users::find_for_login(db, email)
        .await
        .map_err(err)?
        .ok_or_else(|| anyhow::anyhow!("{email} missing"))?;
    Ok(u.actor())
}

/// 09:00 in `offset_hours` local time, `days` from `now`, as UTC.
fn nine_local(now: DateTime<Utc>, days: i64, offset_hours: i64) -> DateTime<Utc> {
    let day = (now + Duration::days(days)).date_naive();
    let nine = day.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc();
    (nine - Duration::hours(offset_hours))
        .with_nanosecond(0)
        .unwrap_or(nine)
}

fn registration(sessions: &[i32], max: i32) -> events::Registration {
    events::Registration {
        available_sessions: sessions.to_vec(),
        max_meetings: max,
        time_zone: None,
    }
}

/// Seeds both events; `ambon_projects` are Ambon's City of Music hub and flood warning.
pub async fn seed(
    db: &Db,
    fx: &FxTable,
    calendar_key: &[u8],
    ambon_projects: (Uuid, Uuid),
    semarang_project: Uuid,
) -> anyhow::Result<()> {
    let key = calendar_key.to_vec();
    let token = move |p: Uuid| sinergi_api::matchmaking::calendar_token(&key, p);
    let nl = actor(db, "liaison@nl-embassy.demo").await?;
    let jp = actor(db, "liaison@jp-embassy.demo").await?;
    let ambon = actor(db, "walikota@ambon.demo").await?;
    let semarang = actor(db, "bappeda@semarang.demo").await?;
    let delta = actor(db, "investor@deltawater.demo").await?;
    let kyoto = actor(db, "investor@kyotosound.demo").await?;

    // Upcoming: Ambon, in three weeks, two mornings, registration open for two.
    let now = db.now();
    let d1 = nine_local(now, 21, 9);
    let d2 = d1 + Duration::days(1);
    let upcoming = events::create(
        db,
        &nl,
        EventContent {
            title: "Ambon City of Music & Water Business Match Making".into(),
            description: "The Embassy of the Netherlands brings Dutch water, culture and port investors to meet the mayors of Maluku and Central Java: 20-minute one-to-one meetings at the Balai Kota, or online.".into(),
            mode: EventMode::Hybrid,
            venue: Some("Balai Kota Ambon, Jl. Sultan Hairun No. 1".into()),
            time_zone: "Asia/Jayapura".into(),
            sessions: vec![
                Session { starts_at: d1, ends_at: d1 + Duration::hours(3) },
                Session { starts_at: d2, ends_at: d2 + Duration::hours(2) },
            ],
            slot_minutes: 20,
            tables: 6,
            registration_deadline: d1 - Duration::days(7),
        },
    )
    .await
    .map_err(err)?;
    events::open(db, &nl, upcoming.id).await.map_err(err)?;
    let p_ambon = events::register(db, &ambon, upcoming.id, registration(&[0, 1], 12), &token)
        .await
        .map_err(err)?;
    let p_semarang = events::register(db, &semarang, upcoming.id, registration(&[0], 6), &token)
        .await
        .map_err(err)?;
    let p_delta = events::register(db, &delta, upcoming.id, registration(&[0, 1], 8), &token)
        .await
        .map_err(err)?;
    let p_kyoto = events::register(db, &kyoto, upcoming.id, registration(&[1], 4), &token)
        .await
        .map_err(err)?;
    let r = meetings::request(
        db,
        &delta,
        upcoming.id,
        p_ambon.id,
        Some(ambon_projects.1),
        "We build river sensor networks and community alerts: we would like to walk you through our flood early warning proposal.",
        1,
    )
    .await
    .map_err(err)?;
    meetings::respond(db, &ambon, r.id, true)
        .await
        .map_err(err)?;
    meetings::request(
        db,
        &kyoto,
        upcoming.id,
        p_ambon.id,
        Some(ambon_projects.0),
        "Kyoto Sound & Culture Fund would love to hear the plans for the City of Music hub.",
        1,
    )
    .await
    .map_err(err)?;
    meetings::request(
        db,
        &semarang,
        upcoming.id,
        p_delta.id,
        None,
        "Semarang's northern coast floods with every spring tide; can we talk about tidal sensors?",
        2,
    )
    .await
    .map_err(err)?;
    let _ = (p_semarang, p_kyoto);

    // Past: Semarang, a month ago, one morning; held, with outcomes, then closed.
    let clock = Arc::new(Behind(Mutex::new(Duration::days(40))));
    let past_db = db.clone().with_clock(clock.clone());
    let then = past_db.now();
    let s = nine_local(then, 10, 7);
    let past = events::create(
        &past_db,
        &jp,
        EventContent {
            title: "Semarang Smart Mobility & Culture Match Making".into(),
            description: "The Embassy of Japan's investors met the city of Semarang on mobility, culture and coastal resilience.".into(),
            mode: EventMode::InPerson,
            venue: Some("Balaikota Semarang, Jl. Pemuda 148".into()),
            time_zone: "Asia/Jakarta".into(),
            sessions: vec![Session { starts_at: s, ends_at: s + Duration::hours(2) }],
            slot_minutes: 30,
            tables: 3,
            registration_deadline: s - Duration::days(3),
        },
    )
    .await
    .map_err(err)?;
    events::open(&past_db, &jp, past.id).await.map_err(err)?;
    let ps = events::register(&past_db, &semarang, past.id, registration(&[0], 4), &token)
        .await
        .map_err(err)?;
    let pk = events::register(&past_db, &kyoto, past.id, registration(&[0], 4), &token)
        .await
        .map_err(err)?;
    let pd = events::register(&past_db, &delta, past.id, registration(&[0], 4), &token)
        .await
        .map_err(err)?;
    let mut accepted = Vec::new();
    for (who, to, project) in [
        (&kyoto, ps.id, None),
        (&delta, ps.id, Some(semarang_project)),
    ] {
        let r = meetings::request(
            &past_db,
            who,
            past.id,
            to,
            project,
            "We would like to meet the city's team.",
            1,
        )
        .await
        .map_err(err)?;
        meetings::respond(&past_db, &semarang, r.id, true)
            .await
            .map_err(err)?;
        accepted.push(r.id);
    }
    clock.set(s - Duration::days(2));
    let orgs: Vec<Uuid> = [pk.side, pd.side]
        .iter()
        .filter_map(|s| match s {
            SideId::Organization(o) => Some(*o),
            SideId::City(_) => None,
        })
        .collect();
    let cities: Vec<Uuid> = match ps.side {
        SideId::City(c) => vec![c],
        SideId::Organization(_) => vec![],
    };
    let cache = sinergi_api::recommend::Cache::default();
    let scorer = sinergi_api::matchmaking::PairScorer::load(&cache, db, fx, &orgs, &cities)
        .await
        .map_err(|e| anyhow::anyhow!("demo scores: {e:?}"))?;
    meetings::schedule(&past_db, &jp, past.id, |pairs| {
        pairs
            .iter()
            .map(|&(o, c, p)| scorer.score(o, c, p).score)
            .collect()
    })
    .await
    .map_err(err)?;
    // The morning of the meetings, then the afternoon after.
    clock.set(s + Duration::hours(2) + Duration::minutes(5));
    for m in meetings::agenda(&past_db, &ps, false).await.map_err(err)? {
        let (investor, outcome) = if m.organization_id == org_of(&kyoto) {
            (&kyoto, MeetingOutcome::FollowUp)
        } else {
            (&delta, MeetingOutcome::NotAFit)
        };
        meetings::record_outcome(&past_db, investor, m.id, outcome, None)
            .await
            .map_err(err)?;
        meetings::record_outcome(&past_db, &semarang, m.id, outcome, None)
            .await
            .map_err(err)?;
    }
    events::close(&past_db, &jp, past.id).await.map_err(err)?;
    Ok(())
}

fn org_of(a: &Actor) -> Uuid {
    a.organization_id.unwrap_or_default()
}
