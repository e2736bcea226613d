//! Meeting requests, the schedule and its meetings, outcomes and an event's numbers.
//!
//! Who asked whom and who meets whom is visible to the two sides, the event's organisers
//! (admins among them) and the liaisons of the investor's embassy; to anybody else a request or
//! a meeting does not exist (NOT_FOUND, or missing from a list).

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde_json::json;
use sinergi_domain::{
    Actor, ConflictReason, Error as Rule, EventStatus, MeetingOutcome, MeetingStatus,
    ParticipantKind, ProjectStatus, ProposalStatus, RequestStatus,
    event::{self as rules, Event, EventContent, Meeting, MeetingRequest, Participant, SideId},
};
use sinergi_matching::schedule::{self as sched, Placement};
use uuid::Uuid;

use crate::{
    Db, Error, Result, codec,
    entities::{
        event_participants as ep, investor_organizations as org, meeting_requests as mr,
        meetings as mt, projects as pj, proposals,
    },
    events::{self, participant_of},
    tx::Mutation,
};

fn request_of(r: mr::Model) -> Result<MeetingRequest> {
    Ok(MeetingRequest {
        id: codec::id(&r.id)?,
        event_id: codec::id(&r.event_id)?,
        from: codec::id(&r.from_participant_id)?,
        to: codec::id(&r.to_participant_id)?,
        project_id: codec::opt_id(r.project_id.as_deref())?,
        message: r.message,
        priority: r.priority,
        status: codec::one(&r.status, RequestStatus::parse, "status")?,
        created_at: r.created_at,
        responded_at: r.responded_at,
    })
}

fn meeting_of(r: mt::Model) -> Result<Meeting> {
    let outcome = |o: Option<String>| {
        o.map(|o| codec::one(&o, MeetingOutcome::parse, "outcome"))
            .transpose()
    };
    Ok(Meeting {
        id: codec::id(&r.id)?,
        event_id: codec::id(&r.event_id)?,
        request_id: codec::id(&r.request_id)?,
        city_participant: codec::id(&r.city_participant_id)?,
        investor_participant: codec::id(&r.investor_participant_id)?,
        city_id: codec::id(&r.city_id)?,
        organization_id: codec::id(&r.organization_id)?,
        project_id: codec::opt_id(r.project_id.as_deref())?,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        table: r.table_number,
        status: codec::one(&r.status, MeetingStatus::parse, "status")?,
        pinned: r.pinned,
        match_score: r.match_score,
        sequence: r.sequence,
        city_outcome: outcome(r.city_outcome)?,
        investor_outcome: outcome(r.investor_outcome)?,
        updated_at: r.updated_at,
    })
}

/// The embassy of an organisation.
async fn embassy_of<C: ConnectionTrait>(conn: &C, organization: Uuid) -> Result<Option<Uuid>> {
    let row = org::Entity::find_by_id(organization.to_string())
        .one(conn)
        .await?;
    row.map(|r| codec::id(&r.embassy_id)).transpose()
}

/// Whether the caller may see what passes between these two participants of this event.
async fn may_see_pair<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    e: &Event,
    a: &Participant,
    b: &Participant,
) -> Result<bool> {
    if rules::organises(actor, e.organizer) {
        return Ok(true);
    }
    let Some(actor) = actor else { return Ok(false) };
    if let Some(side) = rules::side_of(actor) {
        return Ok(side == a.side || side == b.side);
    }
    for p in [a, b] {
        if let SideId::Organization(o) = p.side
            && let Some(emb) = embassy_of(conn, o).await?
            && rules::liaison_of(Some(actor), emb)
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Who hears of a pair's request or meeting: both sides, the investor's embassy, the platform.
async fn pair_targets<C: ConnectionTrait>(
    conn: &C,
    a: &Participant,
    b: &Participant,
) -> Result<Vec<crate::notify::Target>> {
    use crate::notify::Target;
    let mut out = vec![Target::Platform];
    for p in [a, b] {
        match p.side {
            SideId::City(c) => out.push(Target::City(c)),
            SideId::Organization(o) => {
                out.push(Target::Organization(o));
                if let Some(e) = embassy_of(conn, o).await? {
                    out.push(Target::Embassy(e));
                }
            }
        }
    }
    Ok(out)
}

fn pair_notice(
    kind: sinergi_domain::NotificationType,
    entity_type: &'static str,
    entity_id: Uuid,
    targets: Vec<crate::notify::Target>,
    title: String,
    data: serde_json::Value,
) -> crate::notify::Notice {
    crate::notify::Notice {
        kind,
        entity_type,
        entity_id,
        targets,
        body: title.clone(),
        title,
        data,
    }
}

async fn participant<C: ConnectionTrait>(conn: &C, id: Uuid) -> Result<Option<Participant>> {
    ep::Entity::find_by_id(id.to_string())
        .one(conn)
        .await?
        .map(participant_of)
        .transpose()
}

/// Sends a request from the caller's side to a participant of the other side.
pub async fn request(
    db: &Db,
    actor: &Actor,
    event_id: Uuid,
    to: Uuid,
    project_id: Option<Uuid>,
    message: &str,
    priority: i32,
) -> Result<MeetingRequest> {
    let message = sinergi_domain::text::required("message", message, 2000)?;
    if !(1..=5).contains(&priority) {
        return Err(Rule::validation("priority", "between 1 and 5").into());
    }
    let mut m = Mutation::begin(db).await?;
    let e = events::get(&m.txn, Some(actor), event_id)
        .await?
        .ok_or(Rule::NotFound)?;
    let me = events::own_on(&m.txn, Some(actor), event_id)
        .await?
        .ok_or(Rule::Forbidden)?;
    if e.status != EventStatus::Open {
        return Err(Rule::conflict(
            ConflictReason::EventNotOpen,
            "requests are open while the event is OPEN",
        )
        .into());
    }
    let other = ep::Entity::find_by_id(to.to_string())
        .filter(ep::Column::EventId.eq(event_id.to_string()))
        .filter(ep::Column::WithdrawnAt.is_null())
        .one(&m.txn)
        .await?
        .map(participant_of)
        .transpose()?
        .ok_or(Rule::NotFound)?;
    if other.side.kind() == me.side.kind() {
        return Err(Rule::validation(
            "toParticipantId",
            "meetings are between a city and an investor organisation",
        )
        .into());
    }
    let city = match (me.side, other.side) {
        (SideId::City(c), _) | (_, SideId::City(c)) => c,
        _ => return Err(Rule::NotFound.into()),
    };
    if let Some(p) = project_id {
        let ok = pj::Entity::find_by_id(p.to_string())
            .filter(pj::Column::CityId.eq(city.to_string()))
            .filter(pj::Column::Status.eq(ProjectStatus::Published.as_str()))
            .count(&m.txn)
            .await?
            > 0;
        if !ok {
            return Err(
                Rule::validation("projectId", "a PUBLISHED project of the city side").into(),
            );
        }
    }
    let (a, b) = (me.id.to_string(), other.id.to_string());
    let open = mr::Entity::find()
        .filter(mr::Column::Status.is_in([
            RequestStatus::Pending.as_str(),
            RequestStatus::Accepted.as_str(),
        ]))
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(mr::Column::FromParticipantId.eq(a.clone()))
                        .add(mr::Column::ToParticipantId.eq(b.clone())),
                )
                .add(
                    Condition::all()
                        .add(mr::Column::FromParticipantId.eq(b.clone()))
                        .add(mr::Column::ToParticipantId.eq(a.clone())),
                ),
        )
        .count(&m.txn)
        .await?;
    if open > 0 {
        return Err(Rule::conflict(
            ConflictReason::Duplicate,
            "these two already have an open request",
        )
        .into());
    }
    let id = Uuid::new_v4();
    let row = mr::ActiveModel {
        id: Set(id.to_string()),
        event_id: Set(event_id.to_string()),
        from_participant_id: Set(a),
        to_participant_id: Set(b),
        project_id: Set(project_id.map(|p| p.to_string())),
        message: Set(message),
        priority: Set(priority),
        status: Set(RequestStatus::Pending.as_str().into()),
        created_at: Set(m.now()),
        responded_at: Set(None),
    }
    .insert(&m.txn)
    .await?;
    let r = request_of(row)?;
    let targets = pair_targets(&m.txn, &me, &other).await?;
    m.notify(pair_notice(
        sinergi_domain::NotificationType::MeetingRequested,
        "meeting_request",
        id,
        targets,
        format!("A meeting is requested at '{}'", e.content.title),
        json!({"eventId": event_id, "requestId": id, "from": me.id, "to": other.id}),
    ));
    m.commit(
        Some(actor.user_id),
        "meeting_request.created",
        "meeting_request",
        id,
        json!({"event": event_id, "priority": priority}),
    )
    .await?;
    Ok(r)
}

/// The event and the two participants of a request or meeting, NOT_FOUND unless the caller
/// may see what passes between them.
async fn visible_pair<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    event_id: &str,
    a: &str,
    b: &str,
) -> Result<(Event, Participant, Participant)> {
    let e = events::get(conn, actor, codec::id(event_id)?)
        .await?
        .ok_or(Rule::NotFound)?;
    let a = participant(conn, codec::id(a)?)
        .await?
        .ok_or(Rule::NotFound)?;
    let b = participant(conn, codec::id(b)?)
        .await?
        .ok_or(Rule::NotFound)?;
    if !may_see_pair(conn, actor, &e, &a, &b).await? {
        return Err(Rule::NotFound.into());
    }
    Ok((e, a, b))
}

/// Loads a request with its event and sides, NOT_FOUND unless the caller may see it.
async fn load_request<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: Uuid,
) -> Result<(mr::Model, Event, Participant, Participant)> {
    let row = mr::Entity::find_by_id(id.to_string())
        .one(conn)
        .await?
        .ok_or(Rule::NotFound)?;
    let (e, from, to) = visible_pair(
        conn,
        actor,
        &row.event_id,
        &row.from_participant_id,
        &row.to_participant_id,
    )
    .await?;
    Ok((row, e, from, to))
}

/// The receiving side accepts or declines a PENDING request.
pub async fn respond(db: &Db, actor: &Actor, id: Uuid, accept: bool) -> Result<MeetingRequest> {
    let mut m = Mutation::begin(db).await?;
    let (row, e, from, to) = load_request(&m.txn, Some(actor), id).await?;
    if rules::side_of(actor) != Some(to.side) {
        return Err(Rule::Forbidden.into());
    }
    if row.status != RequestStatus::Pending.as_str() || e.status != EventStatus::Open {
        return Err(Rule::conflict(
            ConflictReason::InvalidTransition,
            "only a PENDING request of an OPEN event is answered",
        )
        .into());
    }
    let status = if accept {
        RequestStatus::Accepted
    } else {
        RequestStatus::Declined
    };
    let mut am = row.into_active_model();
    am.status = Set(status.as_str().into());
    am.responded_at = Set(Some(m.now()));
    let r = request_of(am.update(&m.txn).await?)?;
    let targets = pair_targets(&m.txn, &from, &to).await?;
    m.notify(pair_notice(
        sinergi_domain::NotificationType::MeetingRequestAnswered,
        "meeting_request",
        id,
        targets,
        format!(
            "A meeting request at '{}' was {}",
            e.content.title,
            if accept { "accepted" } else { "declined" }
        ),
        json!({"eventId": e.id, "requestId": id, "status": status.as_str()}),
    ));
    m.commit(
        Some(actor.user_id),
        if accept {
            "meeting_request.accepted"
        } else {
            "meeting_request.declined"
        },
        "meeting_request",
        id,
        json!({}),
    )
    .await?;
    Ok(r)
}

/// The sending side withdraws a PENDING or ACCEPTED request; its meeting, if any, is cancelled.
pub async fn withdraw_request(db: &Db, actor: &Actor, id: Uuid) -> Result<MeetingRequest> {
    let m = Mutation::begin(db).await?;
    let (row, _, from, _) = load_request(&m.txn, Some(actor), id).await?;
    if rules::side_of(actor) != Some(from.side) {
        return Err(Rule::Forbidden.into());
    }
    if ![
        RequestStatus::Pending.as_str(),
        RequestStatus::Accepted.as_str(),
    ]
    .contains(&row.status.as_str())
    {
        return Err(Rule::conflict(
            ConflictReason::InvalidTransition,
            "only a PENDING or ACCEPTED request is withdrawn",
        )
        .into());
    }
    let now = m.now();
    if let Some(meeting) = mt::Entity::find()
        .filter(mt::Column::RequestId.eq(row.id.clone()))
        .filter(mt::Column::Status.eq(MeetingStatus::Scheduled.as_str()))
        .one(&m.txn)
        .await?
    {
        cancel_row(&m.txn, meeting, "the request was withdrawn", now).await?;
    }
    let mut am = row.into_active_model();
    am.status = Set(RequestStatus::Withdrawn.as_str().into());
    let r = request_of(am.update(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "meeting_request.withdrawn",
        "meeting_request",
        id,
        json!({}),
    )
    .await?;
    Ok(r)
}

/// The caller's side's requests at an event: received (`incoming`) or sent, oldest first.
pub async fn requests_of_caller(
    db: &Db,
    actor: Option<&Actor>,
    event_id: Uuid,
    incoming: bool,
    status: Option<RequestStatus>,
) -> Result<Vec<MeetingRequest>> {
    let mine: Vec<String> = match events::own(db, actor, event_id).await? {
        Some(me) => vec![me.id.to_string()],
        None => liaison_participants(db, actor, event_id)
            .await?
            .into_iter()
            .map(|p| p.id.to_string())
            .collect(),
    };
    if mine.is_empty() {
        return Ok(Vec::new());
    }
    let col = if incoming {
        mr::Column::ToParticipantId
    } else {
        mr::Column::FromParticipantId
    };
    let mut q = mr::Entity::find()
        .filter(col.is_in(mine))
        .order_by_asc(mr::Column::CreatedAt)
        .order_by_asc(mr::Column::Id);
    if let Some(s) = status {
        q = q.filter(mr::Column::Status.eq(s.as_str()));
    }
    q.all(db.conn())
        .await?
        .into_iter()
        .map(request_of)
        .collect()
}

/// For an embassy liaison: the event's participants that are their embassy's organisations.
pub async fn liaison_participants(
    db: &Db,
    actor: Option<&Actor>,
    event_id: Uuid,
) -> Result<Vec<Participant>> {
    let Some(embassy) = actor
        .filter(|a| a.role == sinergi_domain::Role::EmbassyLiaison)
        .and_then(|a| a.embassy_id)
    else {
        return Ok(Vec::new());
    };
    let ours: std::collections::HashSet<String> = org::Entity::find()
        .filter(org::Column::EmbassyId.eq(embassy.to_string()))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    Ok(
        events::participants(db, event_id, Some(ParticipantKind::Investor))
            .await?
            .into_iter()
            .filter(|p| matches!(p.side, SideId::Organization(o) if ours.contains(&o.to_string())))
            .collect(),
    )
}

/// Requests by id, as far as the caller may see them.
pub async fn request_by_id(
    db: &Db,
    actor: Option<&Actor>,
    id: Uuid,
) -> Result<Option<MeetingRequest>> {
    match load_request(db.conn(), actor, id).await {
        Ok((row, ..)) => Ok(Some(request_of(row)?)),
        Err(Error::Domain(Rule::NotFound)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Every request of an event (for scoring suggestions and schedules).
pub async fn requests_of_event(db: &Db, event_id: Uuid) -> Result<Vec<MeetingRequest>> {
    mr::Entity::find()
        .filter(mr::Column::EventId.eq(event_id.to_string()))
        .order_by_asc(mr::Column::CreatedAt)
        .order_by_asc(mr::Column::Id)
        .all(db.conn())
        .await?
        .into_iter()
        .map(request_of)
        .collect()
}

/// A pair to be scored: (organisation, city, the named project).
pub type Pair = (Uuid, Uuid, Option<Uuid>);

/// What a scheduling run did.
#[derive(Debug, Clone)]
pub struct ScheduleRun {
    pub event: Event,
    pub scheduled: usize,
    pub unscheduled: Vec<(MeetingRequest, &'static str)>,
    pub total_score: f64,
    pub duration_ms: u64,
}

fn sides_of(
    r: &MeetingRequest,
    by_id: &HashMap<Uuid, Participant>,
) -> Result<(Participant, Participant)> {
    let a = by_id.get(&r.from).cloned();
    let b = by_id.get(&r.to).cloned();
    let (Some(a), Some(b)) = (a, b) else {
        return Err(Error::corrupt("a request without its participants"));
    };
    Ok(match a.side.kind() {
        ParticipantKind::City => (a, b),
        ParticipantKind::Investor => (b, a),
    })
}

fn org_and_city(city: &Participant, investor: &Participant) -> Result<(Uuid, Uuid)> {
    match (city.side, investor.side) {
        (SideId::City(c), SideId::Organization(o)) => Ok((o, c)),
        _ => Err(Error::corrupt(
            "a request not between a city and an organisation",
        )),
    }
}

/// Organisers place every ACCEPTED request; pinned meetings stay; `score` rates each pair.
pub async fn schedule(
    db: &Db,
    actor: &Actor,
    event_id: Uuid,
    score: impl Fn(&[Pair]) -> Vec<f64>,
) -> Result<ScheduleRun> {
    let mut m = Mutation::begin(db).await?;
    let (row, e) = events::load_organised(&m, actor, event_id).await?;
    let now = m.now();
    rules::check_schedule(e.status, &e.content, now)?;
    let started = std::time::Instant::now();
    let parts: Vec<Participant> = ep::Entity::find()
        .filter(ep::Column::EventId.eq(event_id.to_string()))
        .all(&m.txn)
        .await?
        .into_iter()
        .map(participant_of)
        .collect::<Result<_>>()?;
    let by_id: HashMap<Uuid, Participant> = parts.iter().map(|p| (p.id, p.clone())).collect();
    let side_index: HashMap<Uuid, usize> =
        parts.iter().enumerate().map(|(i, p)| (p.id, i)).collect();
    let accepted: Vec<MeetingRequest> = mr::Entity::find()
        .filter(mr::Column::EventId.eq(event_id.to_string()))
        .filter(mr::Column::Status.eq(RequestStatus::Accepted.as_str()))
        .order_by_asc(mr::Column::Id)
        .all(&m.txn)
        .await?
        .into_iter()
        .map(request_of)
        .collect::<Result<_>>()?;
    let existing: HashMap<String, mt::Model> = mt::Entity::find()
        .filter(mt::Column::EventId.eq(event_id.to_string()))
        .all(&m.txn)
        .await?
        .into_iter()
        .map(|r| (r.request_id.clone(), r))
        .collect();
    let slots = e.content.slots();
    let mut pairs = Vec::with_capacity(accepted.len());
    let mut problem = sched::Problem {
        slot_session: slots.iter().map(|s| s.session as u8).collect(),
        tables: e.content.tables as u32,
        sides: parts
            .iter()
            .map(|p| sched::Side {
                sessions: p.session_mask(),
                max_meetings: p.max_meetings as u32,
            })
            .collect(),
        requests: Vec::with_capacity(accepted.len()),
    };
    for r in &accepted {
        let (city, investor) = sides_of(r, &by_id)?;
        let (o, c) = org_and_city(&city, &investor)?;
        pairs.push((o, c, r.project_id));
        let pinned = existing
            .get(&r.id.to_string())
            .filter(|m| m.pinned && m.status == MeetingStatus::Scheduled.as_str())
            .and_then(|m| {
                let slot = slots.iter().position(|s| s.starts_at == m.starts_at)?;
                Some((slot, m.table_number as u32))
            });
        problem.requests.push(sched::Request {
            from: side_index[&r.from],
            to: side_index[&r.to],
            score: 0.0,
            priority: r.priority.clamp(1, 5) as u8,
            pinned,
        });
    }
    let scores = score(&pairs);
    for (q, s) in problem.requests.iter_mut().zip(&scores) {
        q.score = *s;
    }
    let result = sched::schedule(&problem);
    let mut unscheduled = Vec::new();
    let mut scheduled = 0;
    for (i, r) in accepted.iter().enumerate() {
        let (city, investor) = sides_of(r, &by_id)?;
        let (o, c) = org_and_city(&city, &investor)?;
        let old = existing.get(&r.id.to_string()).cloned();
        match result.placements[i] {
            Placement::At(slot, table) => {
                scheduled += 1;
                let (s, t) = (slots[slot], table as i32);
                match old {
                    Some(old) => {
                        let same = old.starts_at == s.starts_at
                            && old.table_number == t
                            && old.status == MeetingStatus::Scheduled.as_str();
                        if !same {
                            let seq = old.sequence + 1;
                            let mut am = old.into_active_model();
                            am.starts_at = Set(s.starts_at);
                            am.ends_at = Set(s.ends_at);
                            am.table_number = Set(t);
                            am.status = Set(MeetingStatus::Scheduled.as_str().into());
                            am.cancel_reason = Set(None);
                            am.match_score = Set(scores[i]);
                            am.sequence = Set(seq);
                            am.updated_at = Set(now);
                            am.update(&m.txn).await?;
                        }
                    }
                    None => {
                        let mid = Uuid::new_v4();
                        let targets = pair_targets(&m.txn, &city, &investor).await?;
                        m.notify(pair_notice(
                            sinergi_domain::NotificationType::MeetingScheduled,
                            "meeting",
                            mid,
                            targets,
                            format!("A meeting at '{}' is scheduled", e.content.title),
                            json!({"eventId": event_id, "meetingId": mid, "startsAt": s.starts_at.to_rfc3339(), "table": t}),
                        ));
                        mt::ActiveModel {
                            id: Set(mid.to_string()),
                            event_id: Set(event_id.to_string()),
                            request_id: Set(r.id.to_string()),
                            city_participant_id: Set(city.id.to_string()),
                            investor_participant_id: Set(investor.id.to_string()),
                            city_id: Set(c.to_string()),
                            organization_id: Set(o.to_string()),
                            project_id: Set(r.project_id.map(|p| p.to_string())),
                            starts_at: Set(s.starts_at),
                            ends_at: Set(s.ends_at),
                            table_number: Set(t),
                            status: Set(MeetingStatus::Scheduled.as_str().into()),
                            pinned: Set(false),
                            match_score: Set(scores[i]),
                            sequence: Set(0),
                            cancel_reason: Set(None),
                            city_outcome: Set(None),
                            city_note: Set(None),
                            investor_outcome: Set(None),
                            investor_note: Set(None),
                            created_at: Set(now),
                            updated_at: Set(now),
                        }
                        .insert(&m.txn)
                        .await?;
                    }
                }
            }
            Placement::Left(why) => {
                if let Some(old) = old
                    && old.status == MeetingStatus::Scheduled.as_str()
                {
                    cancel_row(&m.txn, old, "no longer in the schedule", now).await?;
                }
                unscheduled.push((r.clone(), why.as_str()));
            }
        }
    }
    let duration_ms = started.elapsed().as_millis() as u64;
    let mut am = row.into_active_model();
    am.status = Set(EventStatus::Scheduled.as_str().into());
    am.updated_at = Set(now);
    let event = events::event_of(am.update(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "event.scheduled",
        "matchmaking_event",
        event_id,
        json!({"scheduled": scheduled, "unscheduled": unscheduled.len(), "totalScore": result.total_score}),
    )
    .await?;
    Ok(ScheduleRun {
        event,
        scheduled,
        unscheduled,
        total_score: result.total_score,
        duration_ms,
    })
}

async fn cancel_row<C: ConnectionTrait>(
    conn: &C,
    row: mt::Model,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Meeting> {
    let seq = row.sequence + 1;
    let mut am = row.into_active_model();
    am.status = Set(MeetingStatus::Cancelled.as_str().into());
    am.cancel_reason = Set(Some(reason.to_owned()));
    am.sequence = Set(seq);
    am.updated_at = Set(now);
    meeting_of(am.update(conn).await?)
}

/// Cancels every meeting of an event (the event is cancelled).
pub(crate) async fn cancel_all<C: ConnectionTrait>(
    conn: &C,
    event_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let rows = mt::Entity::find()
        .filter(mt::Column::EventId.eq(event_id.to_string()))
        .filter(mt::Column::Status.eq(MeetingStatus::Scheduled.as_str()))
        .all(conn)
        .await?;
    for r in rows {
        cancel_row(conn, r, reason, now).await?;
    }
    Ok(())
}

/// An event's new content must still hold its scheduled meetings.
pub(crate) async fn check_meetings_fit<C: ConnectionTrait>(
    conn: &C,
    event_id: Uuid,
    c: &EventContent,
) -> Result<()> {
    let rows = mt::Entity::find()
        .filter(mt::Column::EventId.eq(event_id.to_string()))
        .filter(mt::Column::Status.eq(MeetingStatus::Scheduled.as_str()))
        .all(conn)
        .await?;
    for r in rows {
        if c.slot_at(r.starts_at).is_none() || r.table_number > c.tables {
            return Err(Rule::conflict(
                ConflictReason::OutsideSessions,
                "scheduled meetings would fall outside the new sessions or tables",
            )
            .into());
        }
    }
    Ok(())
}

/// Loads a meeting with its event, NOT_FOUND unless the caller may see it.
async fn load_meeting<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: Uuid,
) -> Result<(mt::Model, Event, Participant, Participant)> {
    let row = mt::Entity::find_by_id(id.to_string())
        .one(conn)
        .await?
        .ok_or(Rule::NotFound)?;
    let (e, city, inv) = visible_pair(
        conn,
        actor,
        &row.event_id,
        &row.city_participant_id,
        &row.investor_participant_id,
    )
    .await?;
    Ok((row, e, city, inv))
}

/// Organisers move a meeting to another slot (and table); it becomes pinned.
pub async fn move_meeting(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    starts_at: DateTime<Utc>,
    table: Option<i32>,
) -> Result<Meeting> {
    let mut m = Mutation::begin(db).await?;
    let (row, e, city, inv) = load_meeting(&m.txn, Some(actor), id).await?;
    if !rules::organises(Some(actor), e.organizer) {
        return Err(Rule::Forbidden.into());
    }
    if row.status != MeetingStatus::Scheduled.as_str()
        || !matches!(e.status, EventStatus::Open | EventStatus::Scheduled)
    {
        return Err(Rule::conflict(
            ConflictReason::InvalidTransition,
            "only a scheduled meeting of an event not over moves",
        )
        .into());
    }
    let Some((_, slot)) = e.content.slot_at(starts_at) else {
        return Err(Rule::conflict(ConflictReason::OutsideSessions, "no slot starts then").into());
    };
    for p in [&city, &inv] {
        if !p.available_sessions.contains(&(slot.session as i32)) {
            return Err(Rule::conflict(
                ConflictReason::OutsideSessions,
                "a side does not attend that session",
            )
            .into());
        }
    }
    if let Some(t) = table
        && !(1..=e.content.tables).contains(&t)
    {
        return Err(Rule::validation("table", format!("1..{}", e.content.tables)).into());
    }
    let there: Vec<mt::Model> = mt::Entity::find()
        .filter(mt::Column::EventId.eq(row.event_id.clone()))
        .filter(mt::Column::StartsAt.eq(starts_at))
        .filter(mt::Column::Status.eq(MeetingStatus::Scheduled.as_str()))
        .filter(mt::Column::Id.ne(row.id.clone()))
        .all(&m.txn)
        .await?;
    if there.iter().any(|o| {
        o.city_participant_id == row.city_participant_id
            || o.investor_participant_id == row.investor_participant_id
    }) {
        return Err(Rule::conflict(
            ConflictReason::ParticipantBusy,
            "a side already meets someone then",
        )
        .into());
    }
    let taken: Vec<i32> = there.iter().map(|o| o.table_number).collect();
    let table = match table {
        Some(t) if taken.contains(&t) => {
            return Err(Rule::conflict(ConflictReason::TableTaken, "that table is taken").into());
        }
        Some(t) => t,
        None => (1..=e.content.tables)
            .find(|t| !taken.contains(t))
            .ok_or_else(|| Rule::conflict(ConflictReason::TableTaken, "every table is taken"))?,
    };
    let seq = row.sequence + 1;
    let mut am = row.into_active_model();
    am.starts_at = Set(slot.starts_at);
    am.ends_at = Set(slot.ends_at);
    am.table_number = Set(table);
    am.pinned = Set(true);
    am.sequence = Set(seq);
    am.updated_at = Set(m.now());
    let meeting = meeting_of(am.update(&m.txn).await?)?;
    let targets = pair_targets(&m.txn, &city, &inv).await?;
    m.notify(pair_notice(
        sinergi_domain::NotificationType::MeetingChanged,
        "meeting",
        id,
        targets,
        format!("A meeting at '{}' moved", e.content.title),
        json!({"eventId": e.id, "meetingId": id, "startsAt": meeting.starts_at.to_rfc3339(), "table": table, "status": "SCHEDULED"}),
    ));
    m.commit(
        Some(actor.user_id),
        "meeting.moved",
        "meeting",
        id,
        json!({"startsAt": starts_at.to_rfc3339(), "table": table}),
    )
    .await?;
    Ok(meeting)
}

/// Organisers, or either side, cancel a meeting.
pub async fn cancel_meeting(db: &Db, actor: &Actor, id: Uuid, reason: &str) -> Result<Meeting> {
    let reason = sinergi_domain::text::required("reason", reason, 2000)?;
    let mut m = Mutation::begin(db).await?;
    let (row, e, city, inv) = load_meeting(&m.txn, Some(actor), id).await?;
    let side = rules::side_of(actor);
    if !rules::organises(Some(actor), e.organizer)
        && side != Some(city.side)
        && side != Some(inv.side)
    {
        return Err(Rule::Forbidden.into());
    }
    if row.status != MeetingStatus::Scheduled.as_str() {
        return Err(Rule::conflict(
            ConflictReason::InvalidTransition,
            "the meeting is already cancelled",
        )
        .into());
    }
    let meeting = cancel_row(&m.txn, row, &reason, m.now()).await?;
    let targets = pair_targets(&m.txn, &city, &inv).await?;
    m.notify(pair_notice(
        sinergi_domain::NotificationType::MeetingChanged,
        "meeting",
        id,
        targets,
        format!("A meeting at '{}' was cancelled", e.content.title),
        json!({"eventId": e.id, "meetingId": id, "status": "CANCELLED"}),
    ));
    m.commit(
        Some(actor.user_id),
        "meeting.cancelled",
        "meeting",
        id,
        json!({"reason": reason}),
    )
    .await?;
    Ok(meeting)
}

/// Either side records its outcome once the meeting has started.
pub async fn record_outcome(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    outcome: MeetingOutcome,
    note: Option<&str>,
) -> Result<Meeting> {
    let note = note
        .map(|n| sinergi_domain::text::required("note", n, 2000))
        .transpose()?;
    let m = Mutation::begin(db).await?;
    let (row, _, city, inv) = load_meeting(&m.txn, Some(actor), id).await?;
    let side = rules::side_of(actor);
    let is_city = side == Some(city.side);
    if !is_city && side != Some(inv.side) {
        return Err(Rule::Forbidden.into());
    }
    if row.status != MeetingStatus::Scheduled.as_str() {
        return Err(Rule::conflict(
            ConflictReason::InvalidTransition,
            "the meeting was cancelled",
        )
        .into());
    }
    rules::check_outcome(row.starts_at, m.now())?;
    let mut am = row.into_active_model();
    if is_city {
        am.city_outcome = Set(Some(outcome.as_str().into()));
        am.city_note = Set(note);
    } else {
        am.investor_outcome = Set(Some(outcome.as_str().into()));
        am.investor_note = Set(note);
    }
    am.updated_at = Set(m.now());
    let meeting = meeting_of(am.update(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "meeting.outcome_recorded",
        "meeting",
        id,
        json!({"outcome": outcome.as_str(), "side": if is_city { "CITY" } else { "INVESTOR" }}),
    )
    .await?;
    Ok(meeting)
}

/// A participant's scheduled meetings, in time order (cancelled ones too with `cancelled`,
/// for calendar feeds).
pub async fn agenda(db: &Db, participant: &Participant, cancelled: bool) -> Result<Vec<Meeting>> {
    let col = match participant.side.kind() {
        ParticipantKind::City => mt::Column::CityParticipantId,
        ParticipantKind::Investor => mt::Column::InvestorParticipantId,
    };
    let mut q = mt::Entity::find()
        .filter(col.eq(participant.id.to_string()))
        .order_by_asc(mt::Column::StartsAt)
        .order_by_asc(mt::Column::TableNumber);
    if !cancelled {
        q = q.filter(mt::Column::Status.eq(MeetingStatus::Scheduled.as_str()));
    }
    q.all(db.conn())
        .await?
        .into_iter()
        .map(meeting_of)
        .collect()
}

/// Every meeting of an event in time order: organisers only (FORBIDDEN for others).
pub async fn of_event(db: &Db, actor: Option<&Actor>, e: &Event) -> Result<Vec<Meeting>> {
    if !rules::organises(actor, e.organizer) {
        return Err(Rule::Forbidden.into());
    }
    mt::Entity::find()
        .filter(mt::Column::EventId.eq(e.id.to_string()))
        .order_by_asc(mt::Column::StartsAt)
        .order_by_asc(mt::Column::TableNumber)
        .all(db.conn())
        .await?
        .into_iter()
        .map(meeting_of)
        .collect()
}

/// A meeting by id, if the caller may see it.
pub async fn meeting_by_id(db: &Db, actor: Option<&Actor>, id: Uuid) -> Result<Option<Meeting>> {
    match load_meeting(db.conn(), actor, id).await {
        Ok((row, ..)) => Ok(Some(meeting_of(row)?)),
        Err(Error::Domain(Rule::NotFound)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// An event's numbers, for its organisers.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub cities: u64,
    pub investors: u64,
    pub pending: u64,
    pub accepted: u64,
    pub declined: u64,
    pub meetings: u64,
    pub follow_ups: u64,
    pub proposals_after: u64,
}

/// Counts an event's participants, requests, meetings, follow-ups and the proposals investors
/// submitted to a city's projects after meeting that city here.
pub async fn stats(db: &Db, e: &Event) -> Result<Stats> {
    let mut s = Stats::default();
    for p in events::participants(db, e.id, None).await? {
        match p.side.kind() {
            ParticipantKind::City => s.cities += 1,
            ParticipantKind::Investor => s.investors += 1,
        }
    }
    for r in requests_of_event(db, e.id).await? {
        match r.status {
            RequestStatus::Pending => s.pending += 1,
            RequestStatus::Accepted => s.accepted += 1,
            RequestStatus::Declined => s.declined += 1,
            RequestStatus::Withdrawn => {}
        }
    }
    let meetings: Vec<mt::Model> = mt::Entity::find()
        .filter(mt::Column::EventId.eq(e.id.to_string()))
        .filter(mt::Column::Status.eq(MeetingStatus::Scheduled.as_str()))
        .all(db.conn())
        .await?;
    s.meetings = meetings.len() as u64;
    let outcome = |o: &Option<String>| o.as_deref().and_then(MeetingOutcome::parse);
    s.follow_ups = meetings
        .iter()
        .filter(|m| {
            rules::follows_up(outcome(&m.city_outcome))
                || rules::follows_up(outcome(&m.investor_outcome))
        })
        .count() as u64;
    // Two statements whatever the number of meetings: the met cities' projects, and the met
    // organisations' proposals to them.
    let mut cities: Vec<String> = meetings.iter().map(|m| m.city_id.clone()).collect();
    let mut orgs: Vec<String> = meetings.iter().map(|m| m.organization_id.clone()).collect();
    cities.sort();
    cities.dedup();
    orgs.sort();
    orgs.dedup();
    let city_of: HashMap<String, String> = pj::Entity::find()
        .select_only()
        .column(pj::Column::Id)
        .column(pj::Column::CityId)
        .filter(pj::Column::CityId.is_in(cities))
        .into_tuple::<(String, String)>()
        .all(db.conn())
        .await?
        .into_iter()
        .collect();
    let submitted: Vec<proposals::Model> = proposals::Entity::find()
        .filter(proposals::Column::OrganizationId.is_in(orgs))
        .filter(proposals::Column::ProjectId.is_in(city_of.keys().cloned()))
        .filter(proposals::Column::Status.is_not_in([
            ProposalStatus::Draft.as_str(),
            ProposalStatus::Withdrawn.as_str(),
        ]))
        .all(db.conn())
        .await?;
    let proposals_seen: Vec<&proposals::Model> = submitted
        .iter()
        .filter(|p| {
            let (Some(at), Some(city)) = (p.submitted_at, city_of.get(&p.project_id)) else {
                return false;
            };
            meetings.iter().any(|m| {
                m.organization_id == p.organization_id && &m.city_id == city && at >= m.starts_at
            })
        })
        .collect();
    s.proposals_after = proposals_seen.len() as u64;
    Ok(s)
}
