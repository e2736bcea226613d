//! Match-making events and their registrations: organisers create, open, change, cancel and
//! close events; cities and investor organisations register. Reads apply the contract's
//! visibility (DRAFT events only to organisers; the directory only to organisers and
//! registered participants).

use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use serde_json::json;
use sha2::{Digest, Sha256};
use sinergi_domain::{
    Actor, Error as Rule, EventStatus, ParticipantKind, RequestStatus, VerificationStatus,
    event::{self as rules, Event, EventContent, Participant, Session, SideId},
};
use uuid::Uuid;

use crate::{
    Db, Error, Result, codec,
    entities::{
        cities, event_participants as ep, investor_organizations as org, matchmaking_events as ev,
        meeting_requests as mr,
    },
    tx::Mutation,
};

fn sessions_text(s: &[Session]) -> String {
    serde_json::Value::from(
        s.iter()
            .map(|s| json!([s.starts_at.to_rfc3339(), s.ends_at.to_rfc3339()]))
            .collect::<Vec<_>>(),
    )
    .to_string()
}

fn parse_sessions(text: &str) -> Result<Vec<Session>> {
    let raw: Vec<(String, String)> =
        serde_json::from_str(text).map_err(|e| Error::corrupt(format!("sessions: {e}")))?;
    let t = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|d| d.with_timezone(&Utc))
            .map_err(|e| Error::corrupt(format!("session time: {e}")))
    };
    raw.iter()
        .map(|(a, b)| {
            Ok(Session {
                starts_at: t(a)?,
                ends_at: t(b)?,
            })
        })
        .collect()
}

/// An event row as a domain event.
pub(crate) fn event_of(r: ev::Model) -> Result<Event> {
    Ok(Event {
        id: codec::id(&r.id)?,
        organizer: codec::opt_id(r.organizer_id.as_deref())?,
        content: EventContent {
            title: r.title,
            description: r.description,
            mode: codec::one(&r.mode, sinergi_domain::EventMode::parse, "mode")?,
            venue: r.venue,
            time_zone: r.time_zone,
            sessions: parse_sessions(&r.sessions)?,
            slot_minutes: r.slot_minutes,
            tables: r.tables_count,
            registration_deadline: r.registration_deadline,
        },
        status: codec::one(&r.status, EventStatus::parse, "status")?,
        created_at: r.created_at,
    })
}

/// A participant row as a domain participant.
pub(crate) fn participant_of(r: ep::Model) -> Result<Participant> {
    let side = match (r.city_id.as_deref(), r.organization_id.as_deref()) {
        (Some(c), None) => SideId::City(codec::id(c)?),
        (None, Some(o)) => SideId::Organization(codec::id(o)?),
        _ => return Err(Error::corrupt("a participant is a city or an organisation")),
    };
    Ok(Participant {
        id: codec::id(&r.id)?,
        event_id: codec::id(&r.event_id)?,
        side,
        available_sessions: serde_json::from_str(&r.available_sessions)
            .map_err(|e| Error::corrupt(format!("available sessions: {e}")))?,
        max_meetings: r.max_meetings,
        time_zone: r.time_zone,
        registered_at: r.registered_at,
    })
}

/// The hex SHA-256 of a calendar token: what the database keeps of it.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn apply(row: &mut ev::ActiveModel, c: &EventContent) {
    row.title = Set(c.title.clone());
    row.description = Set(c.description.clone());
    row.mode = Set(c.mode.as_str().into());
    row.venue = Set(c.venue.clone());
    row.time_zone = Set(c.time_zone.clone());
    row.sessions = Set(sessions_text(&c.sessions));
    row.slot_minutes = Set(c.slot_minutes);
    row.tables_count = Set(c.tables);
    row.registration_deadline = Set(c.registration_deadline);
}

/// Liaisons create events for their embassy, admins platform events; as DRAFT.
pub async fn create(db: &Db, actor: &Actor, content: EventContent) -> Result<Event> {
    let organizer = rules::organizer_for_new_event(actor)?;
    let content = content.validate()?;
    if content.registration_deadline <= db.now() {
        return Err(Rule::validation(
            "input.registrationDeadline",
            "the registration deadline is in the future",
        )
        .into());
    }
    let m = Mutation::begin(db).await?;
    let id = Uuid::new_v4();
    let now = m.now();
    let mut row = ev::ActiveModel {
        id: Set(id.to_string()),
        organizer_id: Set(organizer.map(|e| e.to_string())),
        status: Set(EventStatus::Draft.as_str().into()),
        cancel_reason: Set(None),
        created_by: Set(actor.user_id.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(&mut row, &content);
    let event = event_of(row.insert(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "event.created",
        "matchmaking_event",
        id,
        json!({"title": event.content.title}),
    )
    .await?;
    Ok(event)
}

/// The event if the caller may see it.
pub async fn find(db: &Db, actor: Option<&Actor>, id: Uuid) -> Result<Option<Event>> {
    get(db.conn(), actor, id).await
}

/// The event if the caller may see it, read through `conn`.
pub(crate) async fn get<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    id: Uuid,
) -> Result<Option<Event>> {
    ev::Entity::find_by_id(id.to_string())
        .filter(scope_condition(rules::event_scope(actor)))
        .one(conn)
        .await?
        .map(event_of)
        .transpose()
}

/// The SQL condition of an event scope: drafts only to their organisers.
fn scope_condition(scope: rules::EventScope) -> sea_orm::Condition {
    let public = ev::Column::Status.ne(EventStatus::Draft.as_str());
    match scope {
        rules::EventScope::All => sea_orm::Condition::all(),
        rules::EventScope::Public => sea_orm::Condition::all().add(public),
        rules::EventScope::PublicAndEmbassy(e) => sea_orm::Condition::any()
            .add(public)
            .add(ev::Column::OrganizerId.eq(e.to_string())),
    }
}

/// Events the caller may see, newest first, optionally of one status.
pub async fn list(
    db: &Db,
    actor: Option<&Actor>,
    status: Option<EventStatus>,
) -> Result<Vec<Event>> {
    let mut q = ev::Entity::find()
        .filter(scope_condition(rules::event_scope(actor)))
        .order_by_desc(ev::Column::CreatedAt)
        .order_by_desc(ev::Column::Id);
    if let Some(s) = status {
        q = q.filter(ev::Column::Status.eq(s.as_str()));
    }
    q.all(db.conn()).await?.into_iter().map(event_of).collect()
}

/// Loads an event for an organiser's change: NOT_FOUND unless visible, FORBIDDEN unless the
/// caller organises it.
pub(crate) async fn load_organised(
    m: &Mutation<'_>,
    actor: &Actor,
    id: Uuid,
) -> Result<(ev::Model, Event)> {
    let row = ev::Entity::find_by_id(id.to_string())
        .one(&m.txn)
        .await?
        .ok_or(Rule::NotFound)?;
    let e = event_of(row.clone())?;
    let organiser = rules::organises(Some(actor), e.organizer);
    if !organiser {
        return Err(if rules::publicly_visible(e.status) {
            Rule::Forbidden
        } else {
            Rule::NotFound
        }
        .into());
    }
    Ok((row, e))
}

async fn set_status(
    m: Mutation<'_>,
    actor: &Actor,
    row: ev::Model,
    status: EventStatus,
    action: &str,
    payload: serde_json::Value,
    extra: impl FnOnce(&mut ev::ActiveModel),
) -> Result<Event> {
    let id = codec::id(&row.id)?;
    let mut am = row.into_active_model();
    am.status = Set(status.as_str().into());
    am.updated_at = Set(m.now());
    extra(&mut am);
    let e = event_of(am.update(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        action,
        "matchmaking_event",
        id,
        payload,
    )
    .await?;
    Ok(e)
}

/// Organisers change a DRAFT or OPEN event; scheduled meetings must still fit.
pub async fn update(db: &Db, actor: &Actor, id: Uuid, content: EventContent) -> Result<Event> {
    let content = content.validate()?;
    let m = Mutation::begin(db).await?;
    let (row, e) = load_organised(&m, actor, id).await?;
    rules::check_editable(e.status)?;
    crate::meetings::check_meetings_fit(&m.txn, id, &content).await?;
    let mut am = row.into_active_model();
    apply(&mut am, &content);
    am.updated_at = Set(m.now());
    let e = event_of(am.update(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "event.updated",
        "matchmaking_event",
        id,
        json!({"title": e.content.title}),
    )
    .await?;
    Ok(e)
}

/// DRAFT → OPEN.
pub async fn open(db: &Db, actor: &Actor, id: Uuid) -> Result<Event> {
    let m = Mutation::begin(db).await?;
    let (row, e) = load_organised(&m, actor, id).await?;
    rules::check_open(e.status, &e.content, m.now())?;
    set_status(
        m,
        actor,
        row,
        EventStatus::Open,
        "event.opened",
        json!({}),
        |_| {},
    )
    .await
}

/// Cancels an event that is not over.
pub async fn cancel(db: &Db, actor: &Actor, id: Uuid, reason: &str) -> Result<Event> {
    let reason = sinergi_domain::text::required("reason", reason, 2000)?;
    let m = Mutation::begin(db).await?;
    let (row, e) = load_organised(&m, actor, id).await?;
    rules::check_cancel(e.status)?;
    crate::meetings::cancel_all(&m.txn, id, &reason, m.now()).await?;
    let r = reason.clone();
    set_status(
        m,
        actor,
        row,
        EventStatus::Cancelled,
        "event.cancelled",
        json!({"reason": reason}),
        |am| am.cancel_reason = Set(Some(r)),
    )
    .await
}

/// OPEN or SCHEDULED → CLOSED once the last session has ended.
pub async fn close(db: &Db, actor: &Actor, id: Uuid) -> Result<Event> {
    let m = Mutation::begin(db).await?;
    let (row, e) = load_organised(&m, actor, id).await?;
    rules::check_close(e.status, &e.content, m.now())?;
    set_status(
        m,
        actor,
        row,
        EventStatus::Closed,
        "event.closed",
        json!({}),
        |_| {},
    )
    .await
}

/// What a side registers with.
#[derive(Debug, Clone)]
pub struct Registration {
    pub available_sessions: Vec<i32>,
    pub max_meetings: i32,
    pub time_zone: Option<String>,
}

/// The caller's side's live registration at an event.
pub async fn own(db: &Db, actor: Option<&Actor>, event_id: Uuid) -> Result<Option<Participant>> {
    own_on(db.conn(), actor, event_id).await
}

/// The caller's side's live registration, read through `conn`.
pub(crate) async fn own_on<C: ConnectionTrait>(
    conn: &C,
    actor: Option<&Actor>,
    event_id: Uuid,
) -> Result<Option<Participant>> {
    let Some(side) = actor.and_then(rules::side_of) else {
        return Ok(None);
    };
    let row = side_filter(
        ep::Entity::find().filter(ep::Column::EventId.eq(event_id.to_string())),
        side,
    )
    .filter(ep::Column::WithdrawnAt.is_null())
    .one(conn)
    .await?;
    row.map(participant_of).transpose()
}

fn side_filter(q: sea_orm::Select<ep::Entity>, side: SideId) -> sea_orm::Select<ep::Entity> {
    match side {
        SideId::City(c) => q.filter(ep::Column::CityId.eq(c.to_string())),
        SideId::Organization(o) => q.filter(ep::Column::OrganizationId.eq(o.to_string())),
    }
}

/// A city official registers their city, an investor their VERIFIED organisation; again, it
/// updates the registration. `token` is the participant's calendar token, made by the caller
/// from the participant id it is given.
pub async fn register(
    db: &Db,
    actor: &Actor,
    event_id: Uuid,
    input: Registration,
    token_for: impl Fn(Uuid) -> String,
) -> Result<Participant> {
    let m = Mutation::begin(db).await?;
    let e = get(&m.txn, Some(actor), event_id)
        .await?
        .ok_or(Rule::NotFound)?;
    let side = rules::side_of(actor).ok_or(Rule::Forbidden)?;
    rules::check_registration(e.status, &e.content, m.now())?;
    rules::check_registration_input(
        e.content.sessions.len(),
        &input.available_sessions,
        input.max_meetings,
    )?;
    let default_zone = match side {
        SideId::City(c) => {
            cities::Entity::find_by_id(c.to_string())
                .one(&m.txn)
                .await?
                .ok_or(Rule::NotFound)?
                .time_zone
        }
        SideId::Organization(o) => {
            let row = org::Entity::find_by_id(o.to_string())
                .one(&m.txn)
                .await?
                .ok_or(Rule::NotFound)?;
            if row.verification != VerificationStatus::Verified.as_str() {
                return Err(Rule::conflict(
                    sinergi_domain::ConflictReason::NotVerified,
                    "only VERIFIED organisations take part in match-making",
                )
                .into());
            }
            e.content.time_zone.clone()
        }
    };
    let zone = match input.time_zone.as_deref() {
        Some(z) => sinergi_domain::text::time_zone("input.timeZone", z)?,
        None => default_zone,
    };
    let mut sessions = input.available_sessions.clone();
    sessions.sort_unstable();
    sessions.dedup();
    let now = m.now();
    let existing = side_filter(
        ep::Entity::find().filter(ep::Column::EventId.eq(event_id.to_string())),
        side,
    )
    .one(&m.txn)
    .await?;
    let (row, action) = match existing {
        Some(r) => {
            let mut am = r.into_active_model();
            am.available_sessions = Set(json!(sessions).to_string());
            am.max_meetings = Set(input.max_meetings);
            am.time_zone = Set(zone);
            am.withdrawn_at = Set(None);
            am.updated_at = Set(now);
            (am.update(&m.txn).await?, "event.registration_updated")
        }
        None => {
            let id = Uuid::new_v4();
            let (city, organization) = match side {
                SideId::City(c) => (Some(c.to_string()), None),
                SideId::Organization(o) => (None, Some(o.to_string())),
            };
            let am = ep::ActiveModel {
                id: Set(id.to_string()),
                event_id: Set(event_id.to_string()),
                kind: Set(side.kind().as_str().into()),
                city_id: Set(city),
                organization_id: Set(organization),
                available_sessions: Set(json!(sessions).to_string()),
                max_meetings: Set(input.max_meetings),
                time_zone: Set(zone),
                calendar_token_hash: Set(token_hash(&token_for(id))),
                registered_at: Set(now),
                withdrawn_at: Set(None),
                updated_at: Set(now),
            };
            (am.insert(&m.txn).await?, "event.registered")
        }
    };
    let p = participant_of(row)?;
    m.commit(
        Some(actor.user_id),
        action,
        "event_participant",
        p.id,
        json!({"event": event_id, "kind": side.kind().as_str(), "maxMeetings": p.max_meetings}),
    )
    .await?;
    Ok(p)
}

/// Withdraws the caller's side and its pending requests, before the schedule is out.
pub async fn withdraw(db: &Db, actor: &Actor, event_id: Uuid) -> Result<bool> {
    let m = Mutation::begin(db).await?;
    let e = get(&m.txn, Some(actor), event_id)
        .await?
        .ok_or(Rule::NotFound)?;
    let Some(p) = own_on(&m.txn, Some(actor), event_id).await? else {
        return Err(Rule::NotFound.into());
    };
    if e.status != EventStatus::Open {
        return Err(Rule::conflict(
            sinergi_domain::ConflictReason::EventNotOpen,
            "withdrawing is possible until the schedule is out",
        )
        .into());
    }
    let now = m.now();
    let id = p.id.to_string();
    mr::Entity::update_many()
        .col_expr(
            mr::Column::Status,
            sea_orm::sea_query::Expr::value(RequestStatus::Withdrawn.as_str()),
        )
        .filter(mr::Column::Status.eq(RequestStatus::Pending.as_str()))
        .filter(
            sea_orm::Condition::any()
                .add(mr::Column::FromParticipantId.eq(id.clone()))
                .add(mr::Column::ToParticipantId.eq(id.clone())),
        )
        .exec(&m.txn)
        .await?;
    ep::Entity::update_many()
        .col_expr(
            ep::Column::WithdrawnAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(ep::Column::Id.eq(id))
        .exec(&m.txn)
        .await?;
    m.commit(
        Some(actor.user_id),
        "event.withdrawn",
        "event_participant",
        p.id,
        json!({"event": event_id}),
    )
    .await?;
    Ok(true)
}

/// Whether the caller may see an event's directory: organisers and registered participants.
pub async fn sees_directory(db: &Db, actor: Option<&Actor>, e: &Event) -> Result<bool> {
    if rules::organises(actor, e.organizer) {
        return Ok(true);
    }
    Ok(own(db, actor, e.id).await?.is_some())
}

/// The event's live participants, in registration order, optionally of one kind.
pub async fn participants(
    db: &Db,
    event_id: Uuid,
    kind: Option<ParticipantKind>,
) -> Result<Vec<Participant>> {
    let mut q = ep::Entity::find()
        .filter(ep::Column::EventId.eq(event_id.to_string()))
        .filter(ep::Column::WithdrawnAt.is_null())
        .order_by_asc(ep::Column::RegisteredAt)
        .order_by_asc(ep::Column::Id);
    if let Some(k) = kind {
        q = q.filter(ep::Column::Kind.eq(k.as_str()));
    }
    q.all(db.conn())
        .await?
        .into_iter()
        .map(participant_of)
        .collect()
}

/// Participants by id, withdrawn ones too (requests keep pointing at them).
pub async fn participants_by_id(db: &Db, ids: &[Uuid]) -> Result<Vec<Participant>> {
    let rows = ep::Entity::find()
        .filter(ep::Column::Id.is_in(ids.iter().map(Uuid::to_string)))
        .all(db.conn())
        .await?;
    rows.into_iter().map(participant_of).collect()
}

/// The participant a calendar token belongs to, with its event.
pub async fn by_calendar_token(db: &Db, token: &str) -> Result<Option<(Participant, Event)>> {
    let Some(row) = ep::Entity::find()
        .filter(ep::Column::CalendarTokenHash.eq(token_hash(token)))
        .filter(ep::Column::WithdrawnAt.is_null())
        .one(db.conn())
        .await?
    else {
        return Ok(None);
    };
    let p = participant_of(row)?;
    let e = ev::Entity::find_by_id(p.event_id.to_string())
        .one(db.conn())
        .await?
        .ok_or_else(|| Error::corrupt("a participant without its event"))?;
    Ok(Some((p, event_of(e)?)))
}
