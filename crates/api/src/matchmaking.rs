//! What match-making needs beyond the services: one score for a pair (used by the scheduler,
//! the suggestions and `Meeting.matchScore` alike), the calendar feeds' tokens and links, and
//! the iCalendar (RFC 5545) text of an agenda.
//!
//! The score of an organisation and a city is the recommendation score of the organisation for
//! the named project when it is open, else for the city's best-fitting open project, else
//! (a city without open projects) what the city's masterplan makes of the organisation's
//! dimensions alone: `100 × (½ × best weight ÷ top weight + ½ × summed weight)`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sinergi_domain::{
    EventMode, MeetingStatus,
    event::{Event, Meeting},
    model::{Masterplan, Organization},
};
use sinergi_matching::recommend::{self, OrgFeatures, ProjectFeatures};
use sinergi_services::{masterplans, organizations};
use uuid::Uuid;

use crate::{error::Result, recommend::Snapshot, state::ApiState};

/// Scores pairs of one event's organisations and cities.
pub struct PairScorer {
    snap: Arc<Snapshot>,
    orgs: HashMap<Uuid, (Organization, OrgFeatures)>,
    plans: HashMap<Uuid, Masterplan>,
    /// Open projects of each city, as positions in the snapshot.
    city_projects: HashMap<Uuid, Vec<usize>>,
    now: i64,
}

/// A pair's score and the project it was scored on.
#[derive(Debug, Clone, Copy)]
pub struct PairScore {
    pub score: f64,
    /// Position of the project in the snapshot.
    pub project: Option<usize>,
}

impl PairScorer {
    /// Loads what scoring these organisations against these cities needs.
    pub async fn new(state: &ApiState, org_ids: &[Uuid], city_ids: &[Uuid]) -> Result<Self> {
        Self::load(
            &state.recommendations,
            &state.db,
            &state.fx,
            org_ids,
            city_ids,
        )
        .await
    }

    /// The same, from a recommendation cache, a database and an FX table.
    pub async fn load(
        cache: &crate::recommend::Cache,
        db: &sinergi_services::Db,
        fx: &sinergi_domain::FxTable,
        org_ids: &[Uuid],
        city_ids: &[Uuid],
    ) -> Result<Self> {
        let snap = cache.get(db, fx).await?;
        let mut orgs = HashMap::new();
        for o in organizations::by_ids(
            db,
            sinergi_domain::permissions::OrganizationScope::All,
            org_ids,
        )
        .await?
        {
            // An organisation whose ticket range cannot be converted scores without it.
            let f = crate::recommend::org_features(&o, fx)
                .unwrap_or_else(|_| recommend::org_features(&o, None, None));
            orgs.insert(o.id, (o, f));
        }
        let plans = masterplans::active(db, city_ids)
            .await?
            .into_iter()
            .map(|m| (m.city_id, m))
            .collect();
        let wanted: std::collections::HashSet<Uuid> = city_ids.iter().copied().collect();
        let mut city_projects: HashMap<Uuid, Vec<usize>> = HashMap::new();
        for (i, p) in snap.projects.iter().enumerate() {
            if wanted.contains(&p.city_id) {
                city_projects.entry(p.city_id).or_default().push(i);
            }
        }
        Ok(Self {
            snap,
            orgs,
            plans,
            city_projects,
            now: db.now().timestamp(),
        })
    }

    fn features(&self, i: usize) -> &ProjectFeatures {
        &self.snap.project_index.features()[i]
    }

    /// The pair's score: on the named project when open, else the city's best open project,
    /// else the masterplan alone.
    pub fn score(&self, org: Uuid, city: Uuid, project: Option<Uuid>) -> PairScore {
        let Some((_, of)) = self.orgs.get(&org) else {
            return PairScore {
                score: 0.0,
                project: None,
            };
        };
        if let Some(i) = project.and_then(|p| self.snap.project_at.get(&p).copied()) {
            return PairScore {
                score: recommend::parts(self.features(i), of, self.now).total(),
                project: Some(i),
            };
        }
        let best = self.city_projects.get(&city).and_then(|list| {
            list.iter()
                .map(|&i| (i, recommend::parts(self.features(i), of, self.now).total()))
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        });
        match best {
            Some((i, score)) => PairScore {
                score,
                project: Some(i),
            },
            None => PairScore {
                score: self.plan_only(of, city),
                project: None,
            },
        }
    }

    fn plan_only(&self, of: &OrgFeatures, city: Uuid) -> f64 {
        let Some(plan) = self.plans.get(&city) else {
            return 0.0;
        };
        let mut weights = [0f32; 6];
        for p in &plan.content.priorities {
            weights[p.dimension.index()] = p.weight as f32;
        }
        let f = ProjectFeatures {
            sector: 0,
            dimensions: of.dimensions,
            plan: weights,
            capex_usd: 0.0,
            financing: 0,
            deadline: 0,
            city: 0,
        };
        100.0 * recommend::priority_value(&f)
    }

    /// Sentences on why a pair matches.
    pub fn reasons(&self, org: Uuid, city_name: &str, s: &PairScore) -> Vec<String> {
        let Some((o, of)) = self.orgs.get(&org) else {
            return Vec::new();
        };
        match s.project {
            Some(i) => {
                let p = &self.snap.projects[i];
                let mut out = vec![format!(
                    "{}'s best fit in {city_name} is '{}' ({:.0} of 100).",
                    o.profile.name, p.content.title, s.score
                )];
                out.extend(recommend::reasons(p, self.features(i), o, of, self.now));
                out
            }
            None => vec![format!(
                "{city_name} has no open project now; its masterplan's priorities match {}'s dimensions at {:.0} of 100.",
                o.profile.name, s.score
            )],
        }
    }

    /// The project at a position of the snapshot.
    pub fn project(&self, i: usize) -> &sinergi_domain::model::Project {
        &self.snap.projects[i]
    }
}

type HmacSha256 = Hmac<Sha256>;

fn keyed(key: &[u8], what: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = HmacSha256::new_from_slice(key).unwrap_or_else(|_| {
        HmacSha256::new_from_slice(b"sinergi").unwrap_or_else(|_| unreachable!())
    });
    mac.update(what.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// A participant's calendar token: 32 bytes (64 hex digits) derived from the server's secret,
/// so the link can be shown again while the database keeps only its hash.
pub fn calendar_token(key: &[u8], participant: Uuid) -> String {
    keyed(key, &format!("calendar-feed:v1:{participant}"))
}

/// The feed's address.
pub fn calendar_url(base: &str, token: &str) -> String {
    format!("{}/calendar/{token}.ics", base.trim_end_matches('/'))
}

/// A virtual meeting's own link: under the venue when it is a web address (the platform), else
/// under the server's rooms; the room name is keyed, not guessable from the meeting id.
pub fn join_url(key: &[u8], base: &str, e: &Event, meeting: Uuid) -> Option<String> {
    if e.content.mode == EventMode::InPerson {
        return None;
    }
    let room = &keyed(key, &format!("room:v1:{meeting}"))[..20];
    let venue = e.content.venue.as_deref().unwrap_or("");
    let base = if venue.starts_with("https://") || venue.starts_with("http://") {
        venue.trim_end_matches('/').to_owned()
    } else {
        format!("{}/rooms", base.trim_end_matches('/'))
    };
    Some(format!("{base}/sinergi-{room}"))
}

/// RFC 5545 TEXT escaping.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded at 75 octets (never inside a UTF-8 character), ending in CRLF.
fn line(out: &mut String, text: &str) {
    let mut width = 0;
    for c in text.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%SZ").to_string()
}

/// One meeting of a feed, as its owner's side sees it.
pub struct FeedItem {
    pub meeting: Meeting,
    /// The other side's name.
    pub counterpart: String,
    pub project: Option<String>,
    pub join_url: Option<String>,
}

/// The iCalendar text of a participant's agenda: a VEVENT per meeting (cancelled ones with
/// STATUS:CANCELLED), UID the meeting id, times in UTC, SEQUENCE from the meeting.
pub fn ics(e: &Event, items: &[FeedItem], now: DateTime<Utc>) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(
        &mut out,
        "PRODID:-//Sinergi//Smart City Business Match Making//EN",
    );
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(
        &mut out,
        &format!("X-WR-CALNAME:{}", escape(&e.content.title)),
    );
    for it in items {
        let m = &it.meeting;
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}@sinergi", m.id));
        line(&mut out, &format!("DTSTAMP:{}", stamp(now)));
        line(&mut out, &format!("DTSTART:{}", stamp(m.starts_at)));
        line(&mut out, &format!("DTEND:{}", stamp(m.ends_at)));
        line(&mut out, &format!("LAST-MODIFIED:{}", stamp(m.updated_at)));
        line(&mut out, &format!("SEQUENCE:{}", m.sequence));
        line(
            &mut out,
            &format!(
                "STATUS:{}",
                if m.status == MeetingStatus::Cancelled {
                    "CANCELLED"
                } else {
                    "CONFIRMED"
                }
            ),
        );
        let mut summary = format!("Meeting with {}", it.counterpart);
        if let Some(p) = &it.project {
            let _ = write!(summary, " on {p}");
        }
        line(&mut out, &format!("SUMMARY:{}", escape(&summary)));
        let mut location = String::new();
        if let Some(v) = &e.content.venue
            && e.content.mode != EventMode::Virtual
        {
            let _ = write!(location, "{v}, table {}", m.table);
        }
        if let Some(u) = &it.join_url {
            if !location.is_empty() {
                location.push_str(" / ");
            }
            location.push_str(u);
            line(&mut out, &format!("URL:{u}"));
        }
        if !location.is_empty() {
            line(&mut out, &format!("LOCATION:{}", escape(&location)));
        }
        line(
            &mut out,
            &format!(
                "DESCRIPTION:{}",
                escape(&format!("{}\n{}", e.content.title, summary))
            ),
        );
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}
