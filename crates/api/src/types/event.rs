//! Match-making events, their participants, requests and meetings.

use async_graphql::{Context, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use sinergi_domain::{
    event::{self as rules, Event, EventContent, Participant, Session, SideId},
    model,
};
use sinergi_services::{events, meetings, organizations, places};
use uuid::Uuid;

use super::{
    enums::{
        EventMode, MatchmakingEventStatus, MeetingOutcome, MeetingRequestStatus, MeetingStatus,
        ParticipantKind,
    },
    org::InvestorOrganization,
    place::{City, Embassy},
    project::Project,
};
use crate::{
    error::{ApiError, Result},
    matchmaking,
    state::{actor, state},
};

/// A page: the items with their cursors, whether more follow, and the list's length.
pub type InMemoryPage<T> = (Vec<(super::common::Cursor, T)>, bool, u64);

/// Pages a list in memory (an event's lists are small): `first` items after the one whose
/// cursor is `after`.
pub fn paginate<T>(
    ctx: &Context<'_>,
    kind: &str,
    items: Vec<T>,
    key: impl Fn(&T) -> (DateTime<Utc>, Uuid),
    first: Option<i32>,
    after: Option<String>,
) -> Result<InMemoryPage<T>> {
    let (after, n) = super::page_args(ctx, kind, first, after.as_deref())?;
    let total = items.len() as u64;
    let start = match after {
        Some(k) => items
            .iter()
            .position(|t| {
                let (at, id) = key(t);
                at == k.at && id.to_string() == k.id
            })
            .map_or(items.len(), |i| i + 1),
        None => 0,
    };
    let rest: Vec<T> = items.into_iter().skip(start).collect();
    let has_next = rest.len() as u64 > n;
    let page = rest
        .into_iter()
        .take(n as usize)
        .map(|t| {
            let (at, id) = key(&t);
            (super::cursor_of(ctx, kind, at, id), t)
        })
        .collect();
    Ok((page, has_next, total))
}

/// A block of meeting time.
#[derive(SimpleObject, Clone)]
pub struct EventSession {
    /// When the session's first slot starts.
    pub starts_at: DateTime<Utc>,
    /// When its last slot ends.
    pub ends_at: DateTime<Utc>,
}

/// A block of meeting time, as input.
#[derive(InputObject, Clone)]
pub struct EventSessionInput {
    /// When the session's first slot starts.
    pub starts_at: DateTime<Utc>,
    /// When its last slot ends: a whole number of slots later.
    pub ends_at: DateTime<Utc>,
}

/// What an organiser writes of an event.
#[derive(InputObject, Clone)]
pub struct MatchmakingEventInput {
    /// 1..200 characters.
    pub title: String,
    /// What the event is for, who comes.
    pub description: String,
    /// In person, virtual or hybrid.
    pub mode: EventMode,
    /// Address or platform; required for IN_PERSON and HYBRID.
    pub venue: Option<String>,
    /// IANA time zone the event is held in, e.g. Asia/Jayapura for Ambon.
    pub time_zone: String,
    /// One or more non-overlapping blocks of meeting time, each a whole number of slots long.
    pub sessions: Vec<EventSessionInput>,
    /// Length of one meeting, 10..120 minutes.
    pub slot_minutes: i32,
    /// How many meetings can run at the same time (tables, or virtual rooms), 1..1000.
    pub tables: i32,
    /// Before the first session starts.
    pub registration_deadline: DateTime<Utc>,
}

impl MatchmakingEventInput {
    /// The domain's content (checked by the services).
    pub fn content(self) -> EventContent {
        EventContent {
            title: self.title,
            description: self.description,
            mode: self.mode.into(),
            venue: self.venue,
            time_zone: self.time_zone,
            sessions: self
                .sessions
                .into_iter()
                .map(|s| Session {
                    starts_at: s.starts_at,
                    ends_at: s.ends_at,
                })
                .collect(),
            slot_minutes: self.slot_minutes,
            tables: self.tables,
            registration_deadline: self.registration_deadline,
        }
    }
}

/// A Smart City Business Match Making event.
#[derive(Clone)]
pub struct MatchmakingEvent(pub Event);

super::common::connection!(
    MatchmakingEventConnection,
    MatchmakingEventEdge,
    MatchmakingEvent
);
super::common::connection!(
    EventParticipantConnection,
    EventParticipantEdge,
    EventParticipant
);
super::common::connection!(MeetingRequestConnection, MeetingRequestEdge, MeetingRequest);
super::common::connection!(MeetingConnection, MeetingEdge, Meeting);

fn organises(ctx: &Context<'_>, e: &Event) -> bool {
    rules::organises(actor(ctx), e.organizer)
}

/// A Smart City Business Match Making event: an embassy (or the platform) brings investors to meet mayors in short one-to-one meetings.
#[Object]
impl MatchmakingEvent {
    /// Stable identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The event's name.
    async fn title(&self) -> &str {
        &self.0.content.title
    }
    /// What the event is for, who comes.
    async fn description(&self) -> &str {
        &self.0.content.description
    }
    /// The organising embassy; null for platform events run by admins.
    async fn organizer(&self, ctx: &Context<'_>) -> Result<Option<Embassy>> {
        let Some(e) = self.0.organizer else {
            return Ok(None);
        };
        Ok(crate::loaders::get(ctx)
            .embassies
            .load_one(e)
            .await?
            .map(Embassy))
    }
    /// In person, virtual or hybrid.
    async fn mode(&self) -> EventMode {
        self.0.content.mode.into()
    }
    /// Address or platform.
    async fn venue(&self) -> Option<&str> {
        self.0.content.venue.as_deref()
    }
    /// IANA time zone the event is held in.
    async fn time_zone(&self) -> &str {
        &self.0.content.time_zone
    }
    /// The blocks of meeting time, in time order; slot k of a session starts k × slotMinutes after it.
    async fn sessions(&self) -> Vec<EventSession> {
        self.0
            .content
            .sessions
            .iter()
            .map(|s| EventSession {
                starts_at: s.starts_at,
                ends_at: s.ends_at,
            })
            .collect()
    }
    /// Length of one meeting in minutes.
    async fn slot_minutes(&self) -> i32 {
        self.0.content.slot_minutes
    }
    /// How many meetings run at the same time.
    async fn tables(&self) -> i32 {
        self.0.content.tables
    }
    /// Registration closes then.
    async fn registration_deadline(&self) -> DateTime<Utc> {
        self.0.content.registration_deadline
    }
    /// Where the event is in its life.
    async fn status(&self) -> MatchmakingEventStatus {
        self.0.status.into()
    }
    /// When the event was created.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// Registered participants: for organisers, admins and registered participants; others get an empty connection.
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many, 1..100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
        #[graphql(desc = "Only cities, or only investors.")] kind: Option<ParticipantKind>,
    ) -> Result<EventParticipantConnection> {
        let s = state(ctx);
        let list = if events::sees_directory(&s.db, actor(ctx), &self.0).await? {
            events::participants(&s.db, self.0.id, kind.map(Into::into)).await?
        } else {
            Vec::new()
        };
        let items: Vec<EventParticipant> = list
            .into_iter()
            .map(|p| EventParticipant(p, self.0.clone()))
            .collect();
        let (page, next, total) = paginate(
            ctx,
            "participant",
            items,
            |p| (p.0.registered_at, p.0.id),
            first,
            after,
        )?;
        Ok(EventParticipantConnection::new(page, next, Some(total)))
    }
    /// The caller's own registration (their city's or their organisation's), if any.
    async fn my_participation(&self, ctx: &Context<'_>) -> Result<Option<EventParticipant>> {
        let s = state(ctx);
        Ok(events::own(&s.db, actor(ctx), self.0.id)
            .await?
            .map(|p| EventParticipant(p, self.0.clone())))
    }
    /// The caller's side's scheduled meetings at this event, in time order (for an embassy liaison: their embassy's investors').
    async fn my_agenda(&self, ctx: &Context<'_>) -> Result<Vec<Meeting>> {
        let s = state(ctx);
        // A side's own agenda; for a liaison, their embassy's investors' agendas.
        let sides = match events::own(&s.db, actor(ctx), self.0.id).await? {
            Some(p) => vec![p],
            None => meetings::liaison_participants(&s.db, actor(ctx), self.0.id).await?,
        };
        let mut out = Vec::new();
        for p in &sides {
            out.extend(meetings::agenda(&s.db, p, false).await?);
        }
        out.sort_by_key(|m| (m.starts_at, m.table));
        Ok(out
            .into_iter()
            .map(|m| Meeting(m, self.0.clone()))
            .collect())
    }
    /// Every meeting of the event: organisers and admins only (FORBIDDEN for others).
    async fn meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 50, desc = "How many, 1..100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
    ) -> Result<MeetingConnection> {
        let list = meetings::of_event(&state(ctx).db, actor(ctx), &self.0).await?;
        let items: Vec<Meeting> = list
            .into_iter()
            .map(|m| Meeting(m, self.0.clone()))
            .collect();
        let (page, next, total) = paginate(
            ctx,
            "meeting",
            items,
            |m| (m.0.starts_at, m.0.id),
            first,
            after,
        )?;
        Ok(MeetingConnection::new(page, next, Some(total)))
    }
    /// Counterparts worth meeting, best first, from match scores: cities (with their best-fitting open project) for an investor, investors for a city. Registered participants only; excludes those already asked.
    async fn suggested_meetings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10, desc = "How many, 1..100.")] first: Option<i32>,
    ) -> Result<Vec<MeetingSuggestion>> {
        let n = crate::cursor::first(first, 10)? as usize;
        crate::resolvers::matchmaking::suggestions(ctx, &self.0, n).await
    }
    /// Organisers and admins; null for others.
    async fn stats(&self, ctx: &Context<'_>) -> Result<Option<EventStats>> {
        if !organises(ctx, &self.0) {
            return Ok(None);
        }
        let s = meetings::stats(&state(ctx).db, &self.0).await?;
        let n = |x: u64| i32::try_from(x).unwrap_or(i32::MAX);
        Ok(Some(EventStats {
            cities: n(s.cities),
            investors: n(s.investors),
            requests_pending: n(s.pending),
            requests_accepted: n(s.accepted),
            requests_declined: n(s.declined),
            meetings_scheduled: n(s.meetings),
            follow_ups: n(s.follow_ups),
            proposals_after_meetings: n(s.proposals_after),
        }))
    }
}

/// An event's numbers: the evidence that the programme works.
#[derive(SimpleObject, Clone)]
pub struct EventStats {
    /// Registered cities.
    pub cities: i32,
    /// Registered investor organisations.
    pub investors: i32,
    /// Requests waiting for an answer.
    pub requests_pending: i32,
    /// Requests accepted.
    pub requests_accepted: i32,
    /// Requests declined.
    pub requests_declined: i32,
    /// Meetings in the agenda.
    pub meetings_scheduled: i32,
    /// Meetings with an outcome of FOLLOW_UP from either side.
    pub follow_ups: i32,
    /// Proposals that investor participants submitted, after meeting a city at this event, to that city's projects.
    pub proposals_after_meetings: i32,
}

/// A registered side of an event.
#[derive(Clone)]
pub struct EventParticipant(pub Participant, pub Event);

async fn city_of(ctx: &Context<'_>, id: Uuid) -> Result<City> {
    crate::loaders::get(ctx)
        .cities
        .load_one(id)
        .await?
        .map(City)
        .ok_or(ApiError::NotFound)
}

/// An organisation of a match-making event: those who may see the event's participants,
/// requests or meetings see the organisations in them, whatever their usual scope.
async fn organization_of(ctx: &Context<'_>, id: Uuid) -> Result<InvestorOrganization> {
    organizations::by_ids(
        &state(ctx).db,
        sinergi_domain::permissions::OrganizationScope::All,
        &[id],
    )
    .await?
    .pop()
    .map(InvestorOrganization)
    .ok_or(ApiError::NotFound)
}

/// A registered side of an event: a city or an investor organisation.
#[Object]
impl EventParticipant {
    /// Stable identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The event.
    async fn event(&self) -> MatchmakingEvent {
        MatchmakingEvent(self.1.clone())
    }
    /// A city or an investor organisation.
    async fn kind(&self) -> ParticipantKind {
        self.0.side.kind().into()
    }
    /// Set for CITY participants.
    async fn city(&self, ctx: &Context<'_>) -> Result<Option<City>> {
        match self.0.side {
            SideId::City(c) => Ok(Some(city_of(ctx, c).await?)),
            SideId::Organization(_) => Ok(None),
        }
    }
    /// Set for INVESTOR participants.
    async fn organization(&self, ctx: &Context<'_>) -> Result<Option<InvestorOrganization>> {
        match self.0.side {
            SideId::Organization(o) => Ok(Some(organization_of(ctx, o).await?)),
            SideId::City(_) => Ok(None),
        }
    }
    /// Indexes into the event's sessions the participant attends.
    async fn available_sessions(&self) -> &[i32] {
        &self.0.available_sessions
    }
    /// How many meetings the participant can take at this event.
    async fn max_meetings(&self) -> i32 {
        self.0.max_meetings
    }
    /// IANA time zone the participant's agenda is shown in.
    async fn time_zone(&self) -> &str {
        &self.0.time_zone
    }
    /// When the side registered.
    async fn registered_at(&self) -> DateTime<Utc> {
        self.0.registered_at
    }
    /// A private iCalendar (RFC 5545) feed of this participant's agenda, for calendar apps. Only for the participant's own side; null for anyone else.
    async fn calendar_url(&self, ctx: &Context<'_>) -> Option<String> {
        let own = actor(ctx).and_then(rules::side_of) == Some(self.0.side);
        own.then(|| {
            let s = state(ctx);
            matchmaking::calendar_url(
                s.base_url(),
                &matchmaking::calendar_token(&s.cursor_key, self.0.id),
            )
        })
    }
}

/// A request from one side to the other.
#[derive(Clone)]
pub struct MeetingRequest(pub model_request::Request, pub Event);

/// The domain's request, named for this module.
pub mod model_request {
    pub use sinergi_domain::event::MeetingRequest as Request;
}

async fn participant_of(ctx: &Context<'_>, e: &Event, id: Uuid) -> Result<EventParticipant> {
    events::participants_by_id(&state(ctx).db, &[id])
        .await?
        .pop()
        .map(|p| EventParticipant(p, e.clone()))
        .ok_or(ApiError::NotFound)
}

async fn project_of(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<Project>> {
    let Some(id) = id else { return Ok(None) };
    Ok(crate::loaders::get(ctx)
        .projects
        .load_one(id)
        .await?
        .map(Project::from))
}

/// A request from one side to meet the other, optionally about one of the city's projects.
#[Object]
impl MeetingRequest {
    /// Stable identifier.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The event.
    async fn event(&self) -> MatchmakingEvent {
        MatchmakingEvent(self.1.clone())
    }
    /// The requesting side.
    async fn from(&self, ctx: &Context<'_>) -> Result<EventParticipant> {
        participant_of(ctx, &self.1, self.0.from).await
    }
    /// The side asked.
    async fn to(&self, ctx: &Context<'_>) -> Result<EventParticipant> {
        participant_of(ctx, &self.1, self.0.to).await
    }
    /// What the meeting is about: a PUBLISHED project of the city side, if any.
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
    /// The requester's message.
    async fn message(&self) -> &str {
        &self.0.message
    }
    /// 1 (most wanted) .. 5, the requester's own priority.
    async fn priority(&self) -> i32 {
        self.0.priority
    }
    /// Where the request is in its life.
    async fn status(&self) -> MeetingRequestStatus {
        self.0.status.into()
    }
    /// When it was sent.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    /// When the other side answered.
    async fn responded_at(&self) -> Option<DateTime<Utc>> {
        self.0.responded_at
    }
}

/// A placed meeting.
#[derive(Clone)]
pub struct Meeting(pub sinergi_domain::event::Meeting, pub Event);

/// A placed one-to-one meeting: a slot and a table (or room).
#[Object]
impl Meeting {
    /// Stable identifier; also the UID of its calendar entries.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// The event.
    async fn event(&self) -> MatchmakingEvent {
        MatchmakingEvent(self.1.clone())
    }
    /// The accepted request it comes from.
    async fn request(&self, ctx: &Context<'_>) -> Result<MeetingRequest> {
        meetings::request_by_id(&state(ctx).db, actor(ctx), self.0.request_id)
            .await?
            .map(|r| MeetingRequest(r, self.1.clone()))
            .ok_or(ApiError::NotFound)
    }
    /// The city side.
    async fn city(&self, ctx: &Context<'_>) -> Result<City> {
        city_of(ctx, self.0.city_id).await
    }
    /// The investor side.
    async fn organization(&self, ctx: &Context<'_>) -> Result<InvestorOrganization> {
        organization_of(ctx, self.0.organization_id).await
    }
    /// The project the request named, if any.
    async fn project(&self, ctx: &Context<'_>) -> Result<Option<Project>> {
        project_of(ctx, self.0.project_id).await
    }
    /// When it starts.
    async fn starts_at(&self) -> DateTime<Utc> {
        self.0.starts_at
    }
    /// When it ends.
    async fn ends_at(&self) -> DateTime<Utc> {
        self.0.ends_at
    }
    /// The start as local time with its offset in the given IANA zone, e.g. '2027-03-02T10:00:00+09:00' for Asia/Jayapura (VALIDATION for an unknown zone).
    async fn starts_at_in(
        &self,
        #[graphql(desc = "An IANA time zone, e.g. Asia/Jayapura.")] time_zone: String,
    ) -> Result<String> {
        Ok(rules::local_time(self.0.starts_at, &time_zone, "timeZone")?)
    }
    /// Table (in person) or room (virtual) number, from 1.
    async fn table(&self) -> i32 {
        self.0.table
    }
    /// For VIRTUAL and HYBRID events: the meeting's own link.
    async fn join_url(&self, ctx: &Context<'_>) -> Option<String> {
        let s = state(ctx);
        matchmaking::join_url(&s.cursor_key, s.base_url(), &self.1, self.0.id)
    }
    /// Whether it is on.
    async fn status(&self) -> MeetingStatus {
        self.0.status.into()
    }
    /// Set when an organiser moved the meeting by hand; rescheduling keeps pinned meetings where they are.
    async fn pinned(&self) -> bool {
        self.0.pinned
    }
    /// The match score (0..100) between the organisation and the city (its project, when the request names one) that the scheduler weighed.
    async fn match_score(&self) -> f64 {
        self.0.match_score
    }
    /// The caller's side's recorded outcome, if any.
    async fn my_outcome(&self, ctx: &Context<'_>) -> Option<MeetingOutcome> {
        match actor(ctx).and_then(rules::side_of) {
            Some(SideId::City(c)) if c == self.0.city_id => self.0.city_outcome.map(Into::into),
            Some(SideId::Organization(o)) if o == self.0.organization_id => {
                self.0.investor_outcome.map(Into::into)
            }
            _ => None,
        }
    }
}

/// A counterpart worth meeting.
#[derive(SimpleObject, Clone)]
pub struct MeetingSuggestion {
    /// The other side.
    pub participant: EventParticipant,
    /// For an investor: the city's open project that fits best; for a city: its project that fits the investor best.
    pub project: Option<Project>,
    /// 0..100
    pub score: f64,
    /// Sentences on why.
    pub reasons: Vec<String>,
}

/// A request the scheduler could not place.
#[derive(SimpleObject, Clone)]
pub struct UnscheduledRequest {
    /// The request.
    pub request: MeetingRequest,
    /// NO_COMMON_SESSION (the two attend no session in common), PARTICIPANT_FULL (one side reached maxMeetings), or NO_FREE_SLOT (every common slot was taken).
    pub reason: String,
}

/// What a scheduling run did.
#[derive(SimpleObject, Clone)]
pub struct ScheduleResult {
    /// The event, now SCHEDULED.
    pub event: MatchmakingEvent,
    /// ACCEPTED requests now in the agenda.
    pub scheduled: i32,
    /// ACCEPTED requests left out.
    pub unscheduled: i32,
    /// Sum of the scheduled meetings' match scores.
    pub total_score: f64,
    /// The requests left out, with why.
    pub unscheduled_requests: Vec<UnscheduledRequest>,
    /// How long the scheduler ran.
    pub duration_ms: i32,
}

/// A city, for names in feeds.
pub async fn city_name(db: &sinergi_services::Db, id: Uuid) -> Result<String> {
    Ok(places::cities_by_id(db, &[id])
        .await?
        .pop()
        .map_or_else(String::new, |c: model::City| c.name))
}
