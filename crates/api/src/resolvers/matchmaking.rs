//! Smart City Business Match Making: events, registration, requests, the schedule, meetings.

use std::collections::HashSet;

use async_graphql::{Context, ID, InputObject, Object};
use chrono::{DateTime, Utc};
use sinergi_domain::{
    RequestStatus,
    event::{Event, SideId, side_of},
};
use sinergi_services::{events, meetings};

use crate::{
    error::{ApiError, Result},
    matchmaking::PairScorer,
    state::{actor, require, state},
    types::{
        enums::{MatchmakingEventStatus, MeetingOutcome, MeetingRequestStatus, RequestDirection},
        event::{
            EventParticipant, MatchmakingEvent, MatchmakingEventConnection, MatchmakingEventInput,
            Meeting, MeetingRequest, MeetingRequestConnection, MeetingSuggestion, ScheduleResult,
            UnscheduledRequest, paginate,
        },
        parse_id,
        project::Project,
    },
};

/// What a side registers with.
#[derive(InputObject, Clone)]
pub struct RegistrationInput {
    /// Indexes into the event's sessions the participant attends; at least one.
    pub available_sessions: Vec<i32>,
    /// 1..100; how many meetings the participant can take at this event.
    pub max_meetings: i32,
    /// IANA time zone the participant's agenda is shown in; defaults to the city's, or the event's for investors.
    pub time_zone: Option<String>,
}

async fn event(ctx: &Context<'_>, id: &ID, field: &str) -> Result<Event> {
    let id = parse_id(field, id)?;
    events::find(&state(ctx).db, actor(ctx), id)
        .await?
        .ok_or(ApiError::NotFound)
}

/// Reads of match-making events.
#[derive(Default)]
pub struct MatchmakingQuery;

#[Object]
impl MatchmakingQuery {
    /// Events anyone may see (OPEN, SCHEDULED, CLOSED), and DRAFT ones to their organisers; newest first.
    async fn matchmaking_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "How many, 1..100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
        #[graphql(desc = "Only events in this status.")] status: Option<MatchmakingEventStatus>,
    ) -> Result<MatchmakingEventConnection> {
        let list = events::list(&state(ctx).db, actor(ctx), status.map(Into::into)).await?;
        let items: Vec<MatchmakingEvent> = list.into_iter().map(MatchmakingEvent).collect();
        let (page, next, total) = paginate(
            ctx,
            "event",
            items,
            |e| (e.0.created_at, e.0.id),
            first,
            after,
        )?;
        Ok(MatchmakingEventConnection::new(page, next, Some(total)))
    }

    /// One event; null when it does not exist or the caller may not see it.
    async fn matchmaking_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's ID.")] id: ID,
    ) -> Result<Option<MatchmakingEvent>> {
        let id = parse_id("id", &id)?;
        Ok(events::find(&state(ctx).db, actor(ctx), id)
            .await?
            .map(MatchmakingEvent))
    }

    /// The caller's side's requests at an event (for an embassy liaison: their embassy's investors').
    async fn meeting_requests(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's ID.")] event_id: ID,
        #[graphql(
            default_with = "Some(RequestDirection::Incoming)",
            desc = "Received or sent."
        )]
        direction: Option<RequestDirection>,
        #[graphql(desc = "Only requests in this status.")] status: Option<MeetingRequestStatus>,
        #[graphql(default = 20, desc = "How many, 1..100.")] first: Option<i32>,
        #[graphql(desc = "A cursor from a previous page.")] after: Option<String>,
    ) -> Result<MeetingRequestConnection> {
        let e = event(ctx, &event_id, "eventId").await?;
        let incoming =
            direction.unwrap_or(RequestDirection::Incoming) == RequestDirection::Incoming;
        let list = meetings::requests_of_caller(
            &state(ctx).db,
            actor(ctx),
            e.id,
            incoming,
            status.map(Into::into),
        )
        .await?;
        let items: Vec<MeetingRequest> = list
            .into_iter()
            .map(|r| MeetingRequest(r, e.clone()))
            .collect();
        let (page, next, total) = paginate(
            ctx,
            "request",
            items,
            |r| (r.0.created_at, r.0.id),
            first,
            after,
        )?;
        Ok(MeetingRequestConnection::new(page, next, Some(total)))
    }
}

/// Changes to match-making events.
#[derive(Default)]
pub struct MatchmakingMutation;

#[Object]
impl MatchmakingMutation {
    /// Embassy liaisons (organizer = their embassy) and admins (organizer = null); created as DRAFT.
    async fn create_matchmaking_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event.")] input: MatchmakingEventInput,
    ) -> Result<MatchmakingEvent> {
        let a = require(ctx)?;
        Ok(MatchmakingEvent(
            events::create(&state(ctx).db, a, input.content()).await?,
        ))
    }

    /// Organisers, while DRAFT or OPEN; sessions can't shrink below scheduled meetings.
    async fn update_matchmaking_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's ID.")] id: ID,
        #[graphql(desc = "The event's new content.")] input: MatchmakingEventInput,
    ) -> Result<MatchmakingEvent> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(MatchmakingEvent(
            events::update(&state(ctx).db, a, id, input.content()).await?,
        ))
    }

    /// DRAFT -> OPEN: registration and requests begin.
    async fn open_matchmaking_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's ID.")] id: ID,
    ) -> Result<MatchmakingEvent> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(MatchmakingEvent(events::open(&state(ctx).db, a, id).await?))
    }

    /// Organisers call an event off; its meetings are cancelled.
    async fn cancel_matchmaking_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's ID.")] id: ID,
        #[graphql(desc = "Why, for the participants.")] reason: String,
    ) -> Result<MatchmakingEvent> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(MatchmakingEvent(
            events::cancel(&state(ctx).db, a, id, &reason).await?,
        ))
    }

    /// OPEN -> CLOSED once the last session has ended (CONFLICT, reason EVENT_NOT_OVER, before).
    async fn close_matchmaking_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's ID.")] id: ID,
    ) -> Result<MatchmakingEvent> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        Ok(MatchmakingEvent(
            events::close(&state(ctx).db, a, id).await?,
        ))
    }

    /// A city official registers their city, an investor their VERIFIED organisation; while OPEN and before registrationDeadline. Registering again updates the registration.
    async fn register_for_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's ID.")] event_id: ID,
        #[graphql(desc = "Sessions, capacity and time zone.")] input: RegistrationInput,
    ) -> Result<EventParticipant> {
        let a = require(ctx)?;
        let s = state(ctx);
        let id = parse_id("eventId", &event_id)?;
        let key = s.cursor_key.clone();
        let p = events::register(
            &s.db,
            a,
            id,
            events::Registration {
                available_sessions: input.available_sessions,
                max_meetings: input.max_meetings,
                time_zone: input.time_zone,
            },
            move |pid| crate::matchmaking::calendar_token(&key, pid),
        )
        .await?;
        let e = events::find(&s.db, Some(a), id)
            .await?
            .ok_or(ApiError::NotFound)?;
        Ok(EventParticipant(p, e))
    }

    /// Withdraws the caller's side and its pending requests; before the schedule is out.
    async fn withdraw_from_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's ID.")] event_id: ID,
    ) -> Result<bool> {
        let a = require(ctx)?;
        let id = parse_id("eventId", &event_id)?;
        Ok(events::withdraw(&state(ctx).db, a, id).await?)
    }

    /// From the caller's side to a participant of the other side (investor <-> city); one open request per pair (CONFLICT, reason DUPLICATE).
    async fn request_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's ID.")] event_id: ID,
        #[graphql(desc = "The participant asked.")] to_participant_id: ID,
        #[graphql(desc = "A PUBLISHED project of the city side the meeting is about.")]
        project_id: Option<ID>,
        #[graphql(desc = "Why meet, 1..2000 characters.")] message: String,
        #[graphql(default = 3, desc = "1 (most wanted) .. 5.")] priority: Option<i32>,
    ) -> Result<MeetingRequest> {
        let a = require(ctx)?;
        let s = state(ctx);
        let eid = parse_id("eventId", &event_id)?;
        let to = parse_id("toParticipantId", &to_participant_id)?;
        let project = project_id
            .as_ref()
            .map(|p| parse_id("projectId", p))
            .transpose()?;
        let r =
            meetings::request(&s.db, a, eid, to, project, &message, priority.unwrap_or(3)).await?;
        let e = event(ctx, &event_id, "eventId").await?;
        Ok(MeetingRequest(r, e))
    }

    /// The receiving side accepts or declines a PENDING request.
    async fn respond_to_meeting_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's ID.")] id: ID,
        #[graphql(desc = "true to accept, false to decline.")] accept: bool,
    ) -> Result<MeetingRequest> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        let r = meetings::respond(&state(ctx).db, a, id, accept).await?;
        with_event(ctx, r).await
    }

    /// The requesting side takes a PENDING or ACCEPTED request back; its meeting is cancelled.
    async fn withdraw_meeting_request(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The request's ID.")] id: ID,
    ) -> Result<MeetingRequest> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        let r = meetings::withdraw_request(&state(ctx).db, a, id).await?;
        with_event(ctx, r).await
    }

    /// Organisers: places every ACCEPTED request into a slot and a table, honouring sessions, maxMeetings and tables, no participant in two meetings at once, maximising the sum of match scores (requester priority breaking ties); deterministic. Pinned meetings stay. Allowed after registrationDeadline and before the first session starts; OPEN -> SCHEDULED, and re-running replaces the unpinned meetings.
    async fn schedule_event(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's ID.")] event_id: ID,
    ) -> Result<ScheduleResult> {
        let a = require(ctx)?;
        let s = state(ctx);
        let e = event(ctx, &event_id, "eventId").await?;
        let parts = events::participants(&s.db, e.id, None).await?;
        let (mut orgs, mut cities) = (Vec::new(), Vec::new());
        for p in &parts {
            match p.side {
                SideId::City(c) => cities.push(c),
                SideId::Organization(o) => orgs.push(o),
            }
        }
        let scorer = PairScorer::new(s, &orgs, &cities).await?;
        let run = meetings::schedule(&s.db, a, e.id, |pairs| {
            pairs
                .iter()
                .map(|&(o, c, p)| scorer.score(o, c, p).score)
                .collect()
        })
        .await?;
        let event = run.event.clone();
        Ok(ScheduleResult {
            event: MatchmakingEvent(run.event),
            scheduled: run.scheduled as i32,
            unscheduled: run.unscheduled.len() as i32,
            total_score: run.total_score,
            unscheduled_requests: run
                .unscheduled
                .into_iter()
                .map(|(r, why)| UnscheduledRequest {
                    request: MeetingRequest(r, event.clone()),
                    reason: why.to_owned(),
                })
                .collect(),
            duration_ms: i32::try_from(run.duration_ms).unwrap_or(i32::MAX),
        })
    }

    /// Organisers move a meeting (it becomes pinned); CONFLICT with reason PARTICIPANT_BUSY or TABLE_TAKEN or OUTSIDE_SESSIONS when it can't go there.
    async fn move_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting's ID.")] id: ID,
        #[graphql(desc = "The start of the slot it moves to.")] starts_at: DateTime<Utc>,
        #[graphql(desc = "The table; the first free one when null.")] table: Option<i32>,
    ) -> Result<Meeting> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        let m = meetings::move_meeting(&state(ctx).db, a, id, starts_at, table).await?;
        meeting_with_event(ctx, m).await
    }

    /// Organisers, or either side of the meeting.
    async fn cancel_meeting(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting's ID.")] id: ID,
        #[graphql(desc = "Why, for the other side.")] reason: String,
    ) -> Result<Meeting> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        let m = meetings::cancel_meeting(&state(ctx).db, a, id, &reason).await?;
        meeting_with_event(ctx, m).await
    }

    /// Either side, once the meeting has started.
    async fn record_meeting_outcome(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The meeting's ID.")] id: ID,
        #[graphql(desc = "What came of it.")] outcome: MeetingOutcome,
        #[graphql(desc = "A note for the side's own records.")] note: Option<String>,
    ) -> Result<Meeting> {
        let a = require(ctx)?;
        let id = parse_id("id", &id)?;
        let m = meetings::record_outcome(&state(ctx).db, a, id, outcome.into(), note.as_deref())
            .await?;
        meeting_with_event(ctx, m).await
    }
}

async fn with_event(
    ctx: &Context<'_>,
    r: sinergi_domain::event::MeetingRequest,
) -> Result<MeetingRequest> {
    let e = events::find(&state(ctx).db, actor(ctx), r.event_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(MeetingRequest(r, e))
}

async fn meeting_with_event(
    ctx: &Context<'_>,
    m: sinergi_domain::event::Meeting,
) -> Result<Meeting> {
    let e = events::find(&state(ctx).db, actor(ctx), m.event_id)
        .await?
        .ok_or(ApiError::NotFound)?;
    Ok(Meeting(m, e))
}

/// Counterparts for the caller's side, best first, leaving out those a request already joins.
pub async fn suggestions(ctx: &Context<'_>, e: &Event, n: usize) -> Result<Vec<MeetingSuggestion>> {
    let s = state(ctx);
    let Some(me) = events::own(&s.db, actor(ctx), e.id).await? else {
        return Ok(Vec::new());
    };
    let Some(side) = actor(ctx).and_then(side_of) else {
        return Ok(Vec::new());
    };
    let asked: HashSet<uuid::Uuid> = meetings::requests_of_event(&s.db, e.id)
        .await?
        .into_iter()
        .filter(|r| r.status != RequestStatus::Withdrawn)
        .filter_map(|r| {
            if r.from == me.id {
                Some(r.to)
            } else if r.to == me.id {
                Some(r.from)
            } else {
                None
            }
        })
        .collect();
    let others: Vec<_> = events::participants(&s.db, e.id, None)
        .await?
        .into_iter()
        .filter(|p| p.side.kind() != side.kind() && !asked.contains(&p.id))
        .collect();
    let (mut orgs, mut cities) = (Vec::new(), Vec::new());
    for p in others.iter().map(|p| p.side).chain([side]) {
        match p {
            SideId::City(c) => cities.push(c),
            SideId::Organization(o) => orgs.push(o),
        }
    }
    let scorer = PairScorer::new(s, &orgs, &cities).await?;
    let city_names: std::collections::HashMap<uuid::Uuid, String> =
        sinergi_services::places::cities_by_id(&s.db, &cities)
            .await?
            .into_iter()
            .map(|c| (c.id, c.name))
            .collect();
    let mut out: Vec<(f64, MeetingSuggestion)> = Vec::new();
    for p in others {
        let (o, c) = match (side, p.side) {
            (SideId::Organization(o), SideId::City(c))
            | (SideId::City(c), SideId::Organization(o)) => (o, c),
            _ => continue,
        };
        let score = scorer.score(o, c, None);
        let reasons = scorer.reasons(
            o,
            city_names.get(&c).map_or("The city", String::as_str),
            &score,
        );
        let project = score
            .project
            .map(|i| Project::from(scorer.project(i).clone()));
        out.push((
            score.score,
            MeetingSuggestion {
                participant: EventParticipant(p, e.clone()),
                project,
                score: score.score,
                reasons,
            },
        ));
    }
    out.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(out.into_iter().take(n).map(|(_, s)| s).collect())
}

/// The iCalendar feed behind a token, or None for a token that is not (or no longer) valid.
pub async fn calendar_feed(state: &crate::ApiState, token: &str) -> Result<Option<String>> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let Some((p, e)) = events::by_calendar_token(&state.db, token).await? else {
        return Ok(None);
    };
    let list = meetings::agenda(&state.db, &p, true).await?;
    let mut items = Vec::with_capacity(list.len());
    for m in list {
        let counterpart = match p.side {
            SideId::City(_) => sinergi_services::organizations::by_ids(
                &state.db,
                sinergi_domain::permissions::OrganizationScope::All,
                &[m.organization_id],
            )
            .await?
            .pop()
            .map_or_else(String::new, |o| o.profile.name),
            SideId::Organization(_) => crate::types::event::city_name(&state.db, m.city_id).await?,
        };
        let project = match m.project_id {
            Some(pid) => sinergi_services::projects::get(
                &state.db,
                sinergi_domain::permissions::ProjectScope::Public,
                pid,
            )
            .await?
            .map(|p| p.content.title),
            None => None,
        };
        let join_url = crate::matchmaking::join_url(&state.cursor_key, state.base_url(), &e, m.id);
        items.push(crate::matchmaking::FeedItem {
            meeting: m,
            counterpart,
            project,
            join_url,
        });
    }
    Ok(Some(crate::matchmaking::ics(&e, &items, state.now())))
}
