//! Match-making events: their content and its rules, their slots, who organises and who takes
//! part, and how an instant reads in a time zone.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use crate::{
    ConflictReason, Error, Result, Role,
    enums::{EventMode, EventStatus, MeetingOutcome, ParticipantKind},
    permissions::Actor,
    text,
};

/// Most sessions an event can have (a participant's sessions are a 64-bit set).
pub const MAX_SESSIONS: usize = 64;
/// Most slots an event can have over all its sessions.
pub const MAX_SLOTS: usize = 2_000;

/// One block of meeting time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Session {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// What an organiser writes of an event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventContent {
    pub title: String,
    pub description: String,
    pub mode: EventMode,
    pub venue: Option<String>,
    pub time_zone: String,
    pub sessions: Vec<Session>,
    pub slot_minutes: i32,
    pub tables: i32,
    pub registration_deadline: DateTime<Utc>,
}

/// One slot: which session, and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    pub session: usize,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

impl EventContent {
    /// Checks every field; `input.` prefixes the field names.
    pub fn validate(mut self) -> Result<Self> {
        self.title = text::required("input.title", &self.title, 200)?;
        self.description = text::required("input.description", &self.description, 10_000)?;
        self.time_zone = text::time_zone("input.timeZone", &self.time_zone)?;
        self.venue = match self.venue.as_deref().map(str::trim) {
            Some(v) if !v.is_empty() => Some(text::required("input.venue", v, 500)?),
            _ => None,
        };
        if self.mode != EventMode::Virtual && self.venue.is_none() {
            return Err(Error::validation(
                "input.venue",
                "an in-person or hybrid event needs a venue",
            ));
        }
        if !(10..=120).contains(&self.slot_minutes) {
            return Err(Error::validation(
                "input.slotMinutes",
                "between 10 and 120 minutes",
            ));
        }
        if !(1..=1000).contains(&self.tables) {
            return Err(Error::validation("input.tables", "between 1 and 1000"));
        }
        if self.sessions.is_empty() || self.sessions.len() > MAX_SESSIONS {
            return Err(Error::validation(
                "input.sessions",
                format!("between 1 and {MAX_SESSIONS} sessions"),
            ));
        }
        let slot = Duration::minutes(i64::from(self.slot_minutes));
        for (i, s) in self.sessions.iter().enumerate() {
            let field = format!("input.sessions.{i}");
            let length = s.ends_at - s.starts_at;
            if length < slot {
                return Err(Error::validation(
                    field,
                    "a session ends at least one slot after it starts",
                ));
            }
            if length.num_seconds() % slot.num_seconds() != 0 {
                return Err(Error::validation(
                    field,
                    "a session is a whole number of slots long",
                ));
            }
            if i > 0 && s.starts_at < self.sessions[i - 1].ends_at {
                return Err(Error::validation(
                    field,
                    "sessions are in time order and do not overlap",
                ));
            }
        }
        if self.slots().len() > MAX_SLOTS {
            return Err(Error::validation(
                "input.sessions",
                format!("at most {MAX_SLOTS} slots in all"),
            ));
        }
        if self.registration_deadline > self.sessions[0].starts_at {
            return Err(Error::validation(
                "input.registrationDeadline",
                "registration closes before the first session starts",
            ));
        }
        Ok(self)
    }

    /// Every slot, in time order: slot k of session s starts at `s.startsAt + k × slotMinutes`.
    pub fn slots(&self) -> Vec<Slot> {
        let len = Duration::minutes(i64::from(self.slot_minutes.max(1)));
        let mut out = Vec::new();
        for (i, s) in self.sessions.iter().enumerate() {
            let mut at = s.starts_at;
            while at + len <= s.ends_at && out.len() <= MAX_SLOTS {
                out.push(Slot {
                    session: i,
                    starts_at: at,
                    ends_at: at + len,
                });
                at += len;
            }
        }
        out
    }

    /// The slot that starts at `at`, if any.
    pub fn slot_at(&self, at: DateTime<Utc>) -> Option<(usize, Slot)> {
        self.slots()
            .into_iter()
            .enumerate()
            .find(|(_, s)| s.starts_at == at)
    }

    /// When the first session starts.
    pub fn first_start(&self) -> DateTime<Utc> {
        self.sessions[0].starts_at
    }

    /// When the last session ends.
    pub fn last_end(&self) -> DateTime<Utc> {
        self.sessions
            .last()
            .map_or(self.registration_deadline, |s| s.ends_at)
    }
}

/// A side of the meetings: a city, or an investor organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SideId {
    City(Uuid),
    Organization(Uuid),
}

impl SideId {
    /// Which kind of participant this side is.
    pub fn kind(self) -> ParticipantKind {
        match self {
            Self::City(_) => ParticipantKind::City,
            Self::Organization(_) => ParticipantKind::Investor,
        }
    }
}

/// The side a caller acts for: a city official's city, an investor's organisation.
pub fn side_of(actor: &Actor) -> Option<SideId> {
    match (actor.role, actor.city_id, actor.organization_id) {
        (Role::CityOfficial, Some(c), _) => Some(SideId::City(c)),
        (Role::Investor, _, Some(o)) => Some(SideId::Organization(o)),
        _ => None,
    }
}

/// Whether the caller organises an event of this organiser (None: a platform event): the
/// organising embassy's liaisons, and admins for every event.
pub fn organises(actor: Option<&Actor>, organizer: Option<Uuid>) -> bool {
    match actor {
        Some(a) if a.role == Role::Admin => true,
        Some(a) if a.role == Role::EmbassyLiaison => {
            organizer.is_some() && a.embassy_id == organizer
        }
        _ => false,
    }
}

/// Who creates an event: a liaison for their embassy, an admin for the platform.
pub fn organizer_for_new_event(actor: &Actor) -> Result<Option<Uuid>> {
    match (actor.role, actor.embassy_id) {
        (Role::Admin, _) => Ok(None),
        (Role::EmbassyLiaison, Some(e)) => Ok(Some(e)),
        _ => Err(Error::Forbidden),
    }
}

/// Whether anyone may see an event in this status (DRAFT ones only organisers).
pub fn publicly_visible(status: EventStatus) -> bool {
    status != EventStatus::Draft
}

/// Which events a caller may read: the services turn it into SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventScope {
    /// Every event but drafts.
    Public,
    /// Those, and this embassy's drafts (its liaisons organise them).
    PublicAndEmbassy(Uuid),
    /// Everything (admins).
    All,
}

/// The events a caller may read: [`publicly_visible`] ones, and drafts to their organisers.
pub fn event_scope(actor: Option<&Actor>) -> EventScope {
    match actor {
        Some(a) if a.role == Role::Admin => EventScope::All,
        Some(Actor {
            role: Role::EmbassyLiaison,
            embassy_id: Some(e),
            ..
        }) => EventScope::PublicAndEmbassy(*e),
        _ => EventScope::Public,
    }
}

/// Whether a liaison vouches for the investor side of a meeting or request: liaisons see
/// their own embassy's investors' requests and meetings.
pub fn liaison_of(actor: Option<&Actor>, investor_embassy: Uuid) -> bool {
    matches!(actor, Some(a) if a.role == Role::EmbassyLiaison && a.embassy_id == Some(investor_embassy))
}

/// Organisers change an event while DRAFT or OPEN.
pub fn check_editable(status: EventStatus) -> Result<()> {
    match status {
        EventStatus::Draft | EventStatus::Open => Ok(()),
        _ => Err(Error::conflict(
            ConflictReason::InvalidTransition,
            format!("a {status} event can no longer be changed"),
        )),
    }
}

/// DRAFT → OPEN, while registration is still ahead.
pub fn check_open(status: EventStatus, c: &EventContent, now: DateTime<Utc>) -> Result<()> {
    if status != EventStatus::Draft {
        return Err(Error::conflict(
            ConflictReason::InvalidTransition,
            format!("only a DRAFT event opens, not a {status} one"),
        ));
    }
    if c.registration_deadline <= now {
        return Err(Error::conflict(
            ConflictReason::DeadlinePassed,
            "the registration deadline has passed: move it first",
        ));
    }
    Ok(())
}

/// Registration: while OPEN and before the deadline.
pub fn check_registration(status: EventStatus, c: &EventContent, now: DateTime<Utc>) -> Result<()> {
    if status != EventStatus::Open {
        return Err(Error::conflict(
            ConflictReason::EventNotOpen,
            format!("the event is {status}, not OPEN"),
        ));
    }
    if now >= c.registration_deadline {
        return Err(Error::conflict(
            ConflictReason::RegistrationClosed,
            "registration closed at the registration deadline",
        ));
    }
    Ok(())
}

/// The scheduler runs after the registration deadline and before the first session.
pub fn check_schedule(status: EventStatus, c: &EventContent, now: DateTime<Utc>) -> Result<()> {
    if !matches!(status, EventStatus::Open | EventStatus::Scheduled) {
        return Err(Error::conflict(
            ConflictReason::InvalidTransition,
            format!("a {status} event is not scheduled"),
        ));
    }
    if now < c.registration_deadline {
        return Err(Error::conflict(
            ConflictReason::DeadlineNotPassed,
            "scheduling starts once registration has closed",
        ));
    }
    if now >= c.first_start() {
        return Err(Error::conflict(
            ConflictReason::SessionsStarted,
            "the first session has started",
        ));
    }
    Ok(())
}

/// OPEN or SCHEDULED → CLOSED once the last session has ended.
pub fn check_close(status: EventStatus, c: &EventContent, now: DateTime<Utc>) -> Result<()> {
    if !matches!(status, EventStatus::Open | EventStatus::Scheduled) {
        return Err(Error::conflict(
            ConflictReason::InvalidTransition,
            format!("a {status} event does not close"),
        ));
    }
    if now < c.last_end() {
        return Err(Error::conflict(
            ConflictReason::EventNotOver,
            "the last session has not ended",
        ));
    }
    Ok(())
}

/// Any event not yet over can be cancelled.
pub fn check_cancel(status: EventStatus) -> Result<()> {
    if matches!(status, EventStatus::Closed | EventStatus::Cancelled) {
        return Err(Error::conflict(
            ConflictReason::InvalidTransition,
            format!("a {status} event is not cancelled"),
        ));
    }
    Ok(())
}

/// A registration's own fields.
pub fn check_registration_input(
    sessions: usize,
    available: &[i32],
    max_meetings: i32,
) -> Result<u64> {
    if available.is_empty() {
        return Err(Error::validation(
            "input.availableSessions",
            "at least one session",
        ));
    }
    let mut mask = 0u64;
    for (i, &s) in available.iter().enumerate() {
        if s < 0 || s as usize >= sessions {
            return Err(Error::validation(
                format!("input.availableSessions.{i}"),
                format!("the event has sessions 0..{}", sessions - 1),
            ));
        }
        mask |= 1 << s;
    }
    if !(1..=100).contains(&max_meetings) {
        return Err(Error::validation("input.maxMeetings", "between 1 and 100"));
    }
    Ok(mask)
}

/// An outcome is recorded once the meeting has started.
pub fn check_outcome(starts_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<()> {
    if now < starts_at {
        return Err(Error::conflict(
            ConflictReason::MeetingNotStarted,
            "outcomes are recorded once the meeting has started",
        ));
    }
    Ok(())
}

/// Whether an outcome counts as a follow-up.
pub fn follows_up(o: Option<MeetingOutcome>) -> bool {
    o == Some(MeetingOutcome::FollowUp)
}

/// An instant as local time with its offset in an IANA zone: `2027-03-02T10:00:00+09:00`.
pub fn local_time(at: DateTime<Utc>, zone: &str, field: &str) -> Result<String> {
    let tz: chrono_tz::Tz = zone
        .trim()
        .parse()
        .map_err(|_| Error::validation(field, "not an IANA time zone"))?;
    Ok(at
        .with_timezone(&tz)
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string())
}

/// A match-making event.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: Uuid,
    /// The organising embassy; None for platform events.
    pub organizer: Option<Uuid>,
    pub content: EventContent,
    pub status: EventStatus,
    pub created_at: DateTime<Utc>,
}

/// A registered side of an event.
#[derive(Debug, Clone, PartialEq)]
pub struct Participant {
    pub id: Uuid,
    pub event_id: Uuid,
    pub side: SideId,
    pub available_sessions: Vec<i32>,
    pub max_meetings: i32,
    pub time_zone: String,
    pub registered_at: DateTime<Utc>,
}

impl Participant {
    /// The sessions as a set of bits.
    pub fn session_mask(&self) -> u64 {
        self.available_sessions
            .iter()
            .filter(|&&s| (0..64).contains(&s))
            .fold(0, |m, &s| m | (1 << s))
    }
}

/// A request from one side to the other.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetingRequest {
    pub id: Uuid,
    pub event_id: Uuid,
    pub from: Uuid,
    pub to: Uuid,
    pub project_id: Option<Uuid>,
    pub message: String,
    pub priority: i32,
    pub status: crate::RequestStatus,
    pub created_at: DateTime<Utc>,
    pub responded_at: Option<DateTime<Utc>>,
}

/// A placed meeting.
#[derive(Debug, Clone, PartialEq)]
pub struct Meeting {
    pub id: Uuid,
    pub event_id: Uuid,
    pub request_id: Uuid,
    pub city_participant: Uuid,
    pub investor_participant: Uuid,
    pub city_id: Uuid,
    pub organization_id: Uuid,
    pub project_id: Option<Uuid>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub table: i32,
    pub status: crate::MeetingStatus,
    pub pinned: bool,
    pub match_score: f64,
    pub sequence: i32,
    pub city_outcome: Option<MeetingOutcome>,
    pub investor_outcome: Option<MeetingOutcome>,
    pub updated_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s)
            .expect("time")
            .with_timezone(&Utc)
    }

    fn content() -> EventContent {
        EventContent {
            title: "Ambon".into(),
            description: "d".into(),
            mode: EventMode::Hybrid,
            venue: Some("Balai Kota".into()),
            time_zone: "Asia/Jayapura".into(),
            sessions: vec![
                Session {
                    starts_at: t("2027-03-02T01:00:00Z"),
                    ends_at: t("2027-03-02T03:00:00Z"),
                },
                Session {
                    starts_at: t("2027-03-03T01:00:00Z"),
                    ends_at: t("2027-03-03T02:00:00Z"),
                },
            ],
            slot_minutes: 30,
            tables: 5,
            registration_deadline: t("2027-03-01T00:00:00Z"),
        }
    }

    #[test]
    fn slots_follow_the_sessions_in_slot_steps() {
        let c = content().validate().expect("valid");
        let slots = c.slots();
        assert_eq!(slots.len(), 6);
        assert_eq!(slots[3].starts_at, t("2027-03-02T02:30:00Z"));
        assert_eq!(slots[4].session, 1);
        assert_eq!(slots[4].starts_at, t("2027-03-03T01:00:00Z"));
    }

    #[test]
    fn sessions_must_be_whole_slots_in_order_and_zones_real() {
        let mut c = content();
        c.sessions[1].ends_at = t("2027-03-03T01:45:00Z");
        assert!(
            matches!(c.validate(), Err(Error::Validation { field, .. }) if field == "input.sessions.1")
        );
        let mut c = content();
        c.sessions.swap(0, 1);
        assert!(c.validate().is_err());
        let mut c = content();
        c.time_zone = "Asia/Atlantis".into();
        assert!(
            matches!(c.validate(), Err(Error::Validation { field, .. }) if field == "input.timeZone")
        );
        let mut c = content();
        c.registration_deadline = t("2027-03-02T02:00:00Z");
        assert!(c.validate().is_err());
        let mut c = content();
        c.mode = EventMode::InPerson;
        c.venue = None;
        assert!(c.validate().is_err());
    }

    #[test]
    fn local_time_carries_the_zone_offset() {
        let at = t("2027-03-02T01:00:00Z");
        assert_eq!(
            local_time(at, "Asia/Jayapura", "z").expect("zone"),
            "2027-03-02T10:00:00+09:00"
        );
        assert_eq!(
            local_time(at, "Asia/Jakarta", "z").expect("zone"),
            "2027-03-02T08:00:00+07:00"
        );
        assert_eq!(
            local_time(at, "Europe/Amsterdam", "z").expect("zone"),
            "2027-03-02T02:00:00+01:00"
        );
        assert!(local_time(at, "Mars/Olympus", "z").is_err());
    }
}
