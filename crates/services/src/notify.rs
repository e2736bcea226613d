//! Notifications: a change's event, written in the change's own transaction and fanned out
//! there to the inbox of every user of the scopes told and to one delivery row per matching
//! webhook endpoint. Delivering (signing, POSTing, retrying) is the server's worker's job, so
//! a mutation never waits for a receiver.
//!
//! A notice's `data` carries only what every scope it goes to may read: a city learns that a
//! sealed proposal arrived (its id, project and time), never its content.

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, Statement,
};
use serde_json::json;
use sinergi_domain::{
    Actor, DeliveryStatus, Error as Rule, NotificationType, ProposalStatus, Role,
};
use uuid::Uuid;

use crate::{
    Db, Dialect, Result, codec,
    entities::{
        notification_events as ne, notifications as nt, proposals, users, webhook_deliveries as wd,
        webhook_endpoints as we,
    },
};

/// Who is told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Target {
    City(Uuid),
    Organization(Uuid),
    Embassy(Uuid),
    Platform,
    /// One user (a saved search's owner): their inbox, and the endpoints of their own scope.
    User(Uuid),
}

impl Target {
    /// The scope's stored name.
    pub fn scope(self) -> String {
        match self {
            Self::City(c) => format!("city:{c}"),
            Self::Organization(o) => format!("organization:{o}"),
            Self::Embassy(e) => format!("embassy:{e}"),
            Self::Platform => "platform".into(),
            Self::User(u) => format!("user:{u}"),
        }
    }

    /// The scope a caller's endpoints belong to.
    pub fn of_actor(a: &Actor) -> Option<Self> {
        match a.role {
            Role::Admin => Some(Self::Platform),
            Role::CityOfficial => a.city_id.map(Self::City),
            Role::EmbassyLiaison => a.embassy_id.map(Self::Embassy),
            Role::Investor => a.organization_id.map(Self::Organization),
        }
    }

    /// The scope a stored user's endpoints belong to.
    fn of_user(u: &users::Model) -> Option<Self> {
        let id = |v: &Option<String>| v.as_deref().and_then(|s| Uuid::parse_str(s).ok());
        match Role::parse(&u.role)? {
            Role::Admin => Some(Self::Platform),
            Role::CityOfficial => id(&u.city_id).map(Self::City),
            Role::EmbassyLiaison => id(&u.embassy_id).map(Self::Embassy),
            Role::Investor => id(&u.organization_id).map(Self::Organization),
        }
    }
}

/// One change, to be told.
#[derive(Debug, Clone)]
pub struct Notice {
    pub kind: NotificationType,
    pub entity_type: &'static str,
    pub entity_id: Uuid,
    pub targets: Vec<Target>,
    /// A short line for a list.
    pub title: String,
    pub body: String,
    /// The webhook body's `data`: only what every target may read.
    pub data: serde_json::Value,
}

/// The exact body a webhook receives.
pub fn webhook_body(kind: NotificationType, at: DateTime<Utc>, data: &serde_json::Value) -> String {
    json!({"type": kind.dotted(), "timestamp": at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true), "data": data})
        .to_string()
}

/// Organisations with a proposal beyond DRAFT on a project: told of its changes.
pub async fn bidders<C: ConnectionTrait>(conn: &C, project_id: &str) -> Result<Vec<Uuid>> {
    let rows = proposals::Entity::find()
        .filter(proposals::Column::ProjectId.eq(project_id))
        .filter(proposals::Column::Status.is_not_in([
            ProposalStatus::Draft.as_str(),
            ProposalStatus::Withdrawn.as_str(),
        ]))
        .all(conn)
        .await?;
    let mut out: Vec<Uuid> = rows
        .iter()
        .map(|r| codec::id(&r.organization_id))
        .collect::<Result<_>>()?;
    out.sort();
    out.dedup();
    Ok(out)
}

/// Writes the notices' events, inbox rows and deliveries in the transaction.
pub(crate) async fn write<C: ConnectionTrait>(
    conn: &C,
    notices: &[Notice],
    now: DateTime<Utc>,
) -> Result<()> {
    for n in notices {
        let mut targets = n.targets.clone();
        targets.sort_by_key(|t| t.scope());
        targets.dedup();
        let scopes: Vec<String> = targets.iter().map(|t| t.scope()).collect();
        // A user's notice goes to the webhooks of that user's own scope.
        let singles: Vec<String> = targets
            .iter()
            .filter_map(|t| match t {
                Target::User(u) => Some(u.to_string()),
                _ => None,
            })
            .collect();
        let mut endpoint_scopes = scopes.clone();
        if !singles.is_empty() {
            for u in users::Entity::find()
                .filter(users::Column::Id.is_in(singles))
                .all(conn)
                .await?
            {
                endpoint_scopes.extend(Target::of_user(&u).map(Target::scope));
            }
        }
        let body = webhook_body(n.kind, now, &n.data);
        let event_id = Uuid::new_v4().to_string();
        ne::ActiveModel {
            id: Set(event_id.clone()),
            kind: Set(n.kind.as_str().into()),
            entity_type: Set(n.entity_type.into()),
            entity_id: Set(n.entity_id.to_string()),
            targets: Set(json!(scopes).to_string()),
            payload: Set(body.clone()),
            created_at: Set(now),
        }
        .insert(conn)
        .await?;
        // The inbox: every user of every scope told.
        let mut who = Condition::any();
        for t in &targets {
            who = who.add(match t {
                Target::City(c) => Condition::all()
                    .add(users::Column::Role.eq(Role::CityOfficial.as_str()))
                    .add(users::Column::CityId.eq(c.to_string())),
                Target::Organization(o) => Condition::all()
                    .add(users::Column::Role.eq(Role::Investor.as_str()))
                    .add(users::Column::OrganizationId.eq(o.to_string())),
                Target::Embassy(e) => Condition::all()
                    .add(users::Column::Role.eq(Role::EmbassyLiaison.as_str()))
                    .add(users::Column::EmbassyId.eq(e.to_string())),
                Target::Platform => {
                    Condition::all().add(users::Column::Role.eq(Role::Admin.as_str()))
                }
                Target::User(u) => Condition::all().add(users::Column::Id.eq(u.to_string())),
            });
        }
        if !targets.is_empty() {
            for u in users::Entity::find().filter(who).all(conn).await? {
                nt::ActiveModel {
                    id: Set(Uuid::new_v4().to_string()),
                    user_id: Set(u.id),
                    event_id: Set(event_id.clone()),
                    kind: Set(n.kind.as_str().into()),
                    title: Set(n.title.clone()),
                    body: Set(n.body.clone()),
                    entity_type: Set(n.entity_type.into()),
                    entity_id: Set(n.entity_id.to_string()),
                    created_at: Set(now),
                    read_at: Set(None),
                }
                .insert(conn)
                .await?;
            }
        }
        // Webhooks: every enabled endpoint of those scopes that takes this type.
        let endpoints = we::Entity::find()
            .filter(we::Column::Scope.is_in(endpoint_scopes))
            .filter(we::Column::Enabled.eq(true))
            .all(conn)
            .await?;
        for e in endpoints {
            let types: Vec<String> = serde_json::from_str(&e.event_types).unwrap_or_default();
            if !types.is_empty() && !types.iter().any(|t| t == n.kind.as_str()) {
                continue;
            }
            queue(conn, &e.id, Some(&event_id), n.kind, &body, now).await?;
        }
    }
    Ok(())
}

async fn queue<C: ConnectionTrait>(
    conn: &C,
    endpoint: &str,
    event: Option<&str>,
    kind: NotificationType,
    body: &str,
    now: DateTime<Utc>,
) -> Result<wd::Model> {
    Ok(wd::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        endpoint_id: Set(endpoint.to_owned()),
        event_id: Set(event.map(str::to_owned)),
        message_id: Set(format!("msg_{}", Uuid::new_v4().simple())),
        kind: Set(kind.as_str().into()),
        payload: Set(body.to_owned()),
        status: Set(DeliveryStatus::Pending.as_str().into()),
        attempts: Set(0),
        last_attempt_at: Set(None),
        last_response_status: Set(None),
        last_error: Set(None),
        next_attempt_at: Set(Some(now)),
        leased_until: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await?)
}

/// One inbox entry.
#[derive(Debug, Clone)]
pub struct InboxItem {
    pub id: Uuid,
    pub kind: NotificationType,
    pub title: String,
    pub body: String,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

fn inbox_of(r: nt::Model) -> Result<InboxItem> {
    Ok(InboxItem {
        id: codec::id(&r.id)?,
        kind: codec::one(&r.kind, NotificationType::parse, "kind")?,
        title: r.title,
        body: r.body,
        entity_type: r.entity_type,
        entity_id: codec::id(&r.entity_id)?,
        created_at: r.created_at,
        read_at: r.read_at,
    })
}

/// The caller's inbox, newest first: a page after `after` (an id), its size and the unread count.
pub async fn inbox(db: &Db, actor: &Actor, unread_only: bool) -> Result<(Vec<InboxItem>, u64)> {
    let mine = nt::Entity::find().filter(nt::Column::UserId.eq(actor.user_id.to_string()));
    let unread = mine
        .clone()
        .filter(nt::Column::ReadAt.is_null())
        .count(db.conn())
        .await?;
    let mut q = mine
        .order_by_desc(nt::Column::CreatedAt)
        .order_by_desc(nt::Column::Id);
    if unread_only {
        q = q.filter(nt::Column::ReadAt.is_null());
    }
    let items = q
        .all(db.conn())
        .await?
        .into_iter()
        .map(inbox_of)
        .collect::<Result<_>>()?;
    Ok((items, unread))
}

/// Marks the caller's notifications read (all of them for `None`); how many changed.
pub async fn mark_read(db: &Db, actor: &Actor, ids: Option<&[Uuid]>) -> Result<u64> {
    let mut q = nt::Entity::update_many()
        .col_expr(
            nt::Column::ReadAt,
            sea_orm::sea_query::Expr::value(db.now()),
        )
        .filter(nt::Column::UserId.eq(actor.user_id.to_string()))
        .filter(nt::Column::ReadAt.is_null());
    if let Some(ids) = ids {
        q = q.filter(nt::Column::Id.is_in(ids.iter().map(Uuid::to_string)));
    }
    Ok(q.exec(db.conn()).await?.rows_affected)
}

/// A webhook endpoint as callers see it (never its secrets).
#[derive(Debug, Clone)]
pub struct Endpoint {
    pub id: Uuid,
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<NotificationType>,
    pub enabled: bool,
    pub failing_since: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

fn endpoint_of(r: &we::Model) -> Result<Endpoint> {
    let types: Vec<String> = serde_json::from_str(&r.event_types)
        .map_err(|e| crate::Error::corrupt(format!("event types: {e}")))?;
    Ok(Endpoint {
        id: codec::id(&r.id)?,
        url: r.url.clone(),
        description: r.description.clone(),
        event_types: types
            .iter()
            .filter_map(|t| NotificationType::parse(t))
            .collect(),
        enabled: r.enabled,
        failing_since: r.failing_since,
        created_at: r.created_at,
    })
}

/// What a caller writes of an endpoint; the URL already checked by the caller (SSRF).
#[derive(Debug, Clone)]
pub struct EndpointInput {
    pub url: String,
    pub description: Option<String>,
    pub event_types: Vec<NotificationType>,
    pub enabled: bool,
}

/// A new `whsec_` secret: 24 random bytes, base64.
pub fn new_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!(
        "whsec_{}",
        base64::engine::general_purpose::STANDARD.encode(bytes)
    )
}

fn scope_of(actor: &Actor) -> Result<String> {
    Ok(Target::of_actor(actor).ok_or(Rule::Forbidden)?.scope())
}

fn types_text(t: &[NotificationType]) -> String {
    json!(t.iter().map(|t| t.as_str()).collect::<Vec<_>>()).to_string()
}

/// Creates an endpoint for the caller's scope; returns it with its secret (shown once).
pub async fn create_endpoint(
    db: &Db,
    actor: &Actor,
    input: EndpointInput,
) -> Result<(Endpoint, String)> {
    let scope = scope_of(actor)?;
    let m = crate::tx::Mutation::begin(db).await?;
    let id = Uuid::new_v4();
    let secret = new_secret();
    let now = m.now();
    let row = we::ActiveModel {
        id: Set(id.to_string()),
        scope: Set(scope.clone()),
        url: Set(input.url),
        description: Set(input.description),
        event_types: Set(types_text(&input.event_types)),
        enabled: Set(input.enabled),
        secret: Set(secret.clone()),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
        failing_since: Set(None),
        created_by: Set(actor.user_id.to_string()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&m.txn)
    .await?;
    let e = endpoint_of(&row)?;
    m.commit(
        Some(actor.user_id),
        "webhook.created",
        "webhook_endpoint",
        id,
        json!({"scope": scope, "url": e.url}),
    )
    .await?;
    Ok((e, secret))
}

async fn load_own<C: ConnectionTrait>(conn: &C, actor: &Actor, id: Uuid) -> Result<we::Model> {
    let scope = scope_of(actor).map_err(|_| Rule::NotFound)?;
    we::Entity::find_by_id(id.to_string())
        .filter(we::Column::Scope.eq(scope))
        .one(conn)
        .await?
        .ok_or_else(|| Rule::NotFound.into())
}

/// The caller's scope's endpoints, oldest first.
pub async fn endpoints(db: &Db, actor: &Actor) -> Result<Vec<Endpoint>> {
    let Some(t) = Target::of_actor(actor) else {
        return Ok(Vec::new());
    };
    we::Entity::find()
        .filter(we::Column::Scope.eq(t.scope()))
        .order_by_asc(we::Column::CreatedAt)
        .order_by_asc(we::Column::Id)
        .all(db.conn())
        .await?
        .iter()
        .map(endpoint_of)
        .collect()
}

/// Changes an endpoint of the caller's scope; re-enabling clears `failingSince`.
pub async fn update_endpoint(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    input: EndpointInput,
) -> Result<Endpoint> {
    let m = crate::tx::Mutation::begin(db).await?;
    let row = load_own(&m.txn, actor, id).await?;
    let was_enabled = row.enabled;
    let mut am = row.into_active_model();
    am.url = Set(input.url);
    am.description = Set(input.description);
    am.event_types = Set(types_text(&input.event_types));
    am.enabled = Set(input.enabled);
    if input.enabled && !was_enabled {
        am.failing_since = Set(None);
    }
    am.updated_at = Set(m.now());
    let e = endpoint_of(&am.update(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "webhook.updated",
        "webhook_endpoint",
        id,
        json!({"url": e.url, "enabled": e.enabled}),
    )
    .await?;
    Ok(e)
}

/// Deletes an endpoint and its delivery log.
pub async fn delete_endpoint(db: &Db, actor: &Actor, id: Uuid) -> Result<bool> {
    let m = crate::tx::Mutation::begin(db).await?;
    let row = load_own(&m.txn, actor, id).await?;
    wd::Entity::delete_many()
        .filter(wd::Column::EndpointId.eq(row.id.clone()))
        .exec(&m.txn)
        .await?;
    we::Entity::delete_by_id(row.id).exec(&m.txn).await?;
    m.commit(
        Some(actor.user_id),
        "webhook.deleted",
        "webhook_endpoint",
        id,
        json!({}),
    )
    .await?;
    Ok(true)
}

/// How long the old secret still signs after a rotation.
pub fn rotation_overlap() -> Duration {
    Duration::hours(24)
}

/// A new secret; the old one keeps signing for [`rotation_overlap`].
pub async fn rotate_secret(db: &Db, actor: &Actor, id: Uuid) -> Result<(Endpoint, String)> {
    let m = crate::tx::Mutation::begin(db).await?;
    let row = load_own(&m.txn, actor, id).await?;
    let secret = new_secret();
    let old = row.secret.clone();
    let mut am = row.into_active_model();
    am.previous_secret = Set(Some(old));
    am.previous_secret_until = Set(Some(m.now() + rotation_overlap()));
    am.secret = Set(secret.clone());
    am.updated_at = Set(m.now());
    let e = endpoint_of(&am.update(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "webhook.secret_rotated",
        "webhook_endpoint",
        id,
        json!({}),
    )
    .await?;
    Ok((e, secret))
}

/// A delivery as its log shows it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub id: Uuid,
    pub endpoint_id: Uuid,
    pub message_id: String,
    pub kind: NotificationType,
    pub status: DeliveryStatus,
    pub attempts: i32,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_response_status: Option<i32>,
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub payload: String,
}

fn delivery_of(r: wd::Model) -> Result<Delivery> {
    Ok(Delivery {
        id: codec::id(&r.id)?,
        endpoint_id: codec::id(&r.endpoint_id)?,
        message_id: r.message_id,
        kind: codec::one(&r.kind, NotificationType::parse, "kind")?,
        status: codec::one(&r.status, DeliveryStatus::parse, "status")?,
        attempts: r.attempts,
        last_attempt_at: r.last_attempt_at,
        last_response_status: r.last_response_status,
        last_error: r.last_error,
        next_attempt_at: r.next_attempt_at,
        created_at: r.created_at,
        payload: r.payload,
    })
}

/// Queues a WEBHOOK_TEST delivery to an endpoint of the caller's scope.
pub async fn send_test(db: &Db, actor: &Actor, id: Uuid) -> Result<Delivery> {
    let m = crate::tx::Mutation::begin(db).await?;
    let row = load_own(&m.txn, actor, id).await?;
    let now = m.now();
    let body = webhook_body(
        NotificationType::WebhookTest,
        now,
        &json!({"endpointId": row.id, "message": "A test event from Sinergi."}),
    );
    let d = queue(
        &m.txn,
        &row.id,
        None,
        NotificationType::WebhookTest,
        &body,
        now,
    )
    .await?;
    m.commit(
        Some(actor.user_id),
        "webhook.test_sent",
        "webhook_endpoint",
        id,
        json!({}),
    )
    .await?;
    delivery_of(d)
}

/// Queues a delivery again, with the same message id.
pub async fn redeliver(db: &Db, actor: &Actor, delivery_id: Uuid) -> Result<Delivery> {
    let m = crate::tx::Mutation::begin(db).await?;
    let d = wd::Entity::find_by_id(delivery_id.to_string())
        .one(&m.txn)
        .await?
        .ok_or(Rule::NotFound)?;
    load_own(&m.txn, actor, codec::id(&d.endpoint_id)?).await?;
    let mut am = d.into_active_model();
    am.status = Set(DeliveryStatus::Pending.as_str().into());
    am.next_attempt_at = Set(Some(m.now()));
    am.leased_until = Set(None);
    let d = delivery_of(am.update(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "webhook.redelivered",
        "webhook_delivery",
        delivery_id,
        json!({"messageId": d.message_id}),
    )
    .await?;
    Ok(d)
}

/// An endpoint's deliveries, newest first.
pub async fn deliveries(
    db: &Db,
    endpoint: Uuid,
    status: Option<DeliveryStatus>,
) -> Result<Vec<Delivery>> {
    let mut q = wd::Entity::find()
        .filter(wd::Column::EndpointId.eq(endpoint.to_string()))
        .order_by_desc(wd::Column::CreatedAt)
        .order_by_desc(wd::Column::Id);
    if let Some(s) = status {
        q = q.filter(wd::Column::Status.eq(s.as_str()));
    }
    q.all(db.conn())
        .await?
        .into_iter()
        .map(delivery_of)
        .collect()
}

/// A delivery leased for sending, with what signing and sending it needs.
#[derive(Debug, Clone)]
pub struct Due {
    pub id: String,
    pub message_id: String,
    pub payload: String,
    pub attempts: i32,
    pub created_at: DateTime<Utc>,
    pub url: String,
    /// The live secrets: the current one, and the previous during its overlap.
    pub secrets: Vec<String>,
    pub endpoint_id: String,
    pub enabled: bool,
    pub failing_since: Option<DateTime<Utc>>,
}

/// Leases up to `n` due deliveries for `lease_for` (`FOR UPDATE SKIP LOCKED` on PostgreSQL:
/// replicas never send the same row at once).
pub async fn lease_due(db: &Db, n: u64, lease_for: Duration) -> Result<Vec<Due>> {
    let now = db.now();
    let until = now + lease_for;
    let (sql, values): (&str, Vec<sea_orm::Value>) = match db.dialect() {
        Dialect::Postgres => (
            "UPDATE webhook_deliveries SET leased_until = $1 WHERE id IN (
               SELECT id FROM webhook_deliveries WHERE status = 'PENDING' AND next_attempt_at <= $2
                 AND (leased_until IS NULL OR leased_until < $2)
               ORDER BY next_attempt_at LIMIT $3 FOR UPDATE SKIP LOCKED)
             RETURNING id",
            vec![until.into(), now.into(), (n as i64).into()],
        ),
        Dialect::Sqlite => (
            "UPDATE webhook_deliveries SET leased_until = ? WHERE id IN (
               SELECT id FROM webhook_deliveries WHERE status = 'PENDING' AND next_attempt_at <= ?
                 AND (leased_until IS NULL OR leased_until < ?)
               ORDER BY next_attempt_at LIMIT ?)
             RETURNING id",
            vec![until.into(), now.into(), now.into(), (n as i64).into()],
        ),
    };
    let rows = db
        .conn()
        .query_all_raw(Statement::from_sql_and_values(
            db.conn().get_database_backend(),
            sql,
            values,
        ))
        .await?;
    let ids: Vec<String> = rows
        .iter()
        .map(|r| r.try_get::<String>("", "id"))
        .collect::<std::result::Result<_, _>>()?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let ds = wd::Entity::find()
        .filter(wd::Column::Id.is_in(ids))
        .all(db.conn())
        .await?;
    let mut eps: Vec<String> = ds.iter().map(|d| d.endpoint_id.clone()).collect();
    eps.sort();
    eps.dedup();
    let eps: std::collections::HashMap<String, we::Model> = we::Entity::find()
        .filter(we::Column::Id.is_in(eps))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| (e.id.clone(), e))
        .collect();
    let mut out = Vec::new();
    for d in ds {
        let Some(e) = eps.get(&d.endpoint_id) else {
            continue;
        };
        let mut secrets = vec![e.secret.clone()];
        if let (Some(p), Some(until)) = (&e.previous_secret, e.previous_secret_until)
            && until > now
        {
            secrets.push(p.clone());
        }
        out.push(Due {
            id: d.id,
            message_id: d.message_id,
            payload: d.payload,
            attempts: d.attempts,
            created_at: d.created_at,
            url: e.url.clone(),
            secrets,
            endpoint_id: e.id.clone(),
            enabled: e.enabled,
            failing_since: e.failing_since,
        });
    }
    out.sort_by_key(|d| d.created_at);
    Ok(out)
}

/// What one attempt came to.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub at: DateTime<Utc>,
    pub response_status: Option<i32>,
    /// None on success.
    pub error: Option<String>,
    /// When to try again; None to give up.
    pub retry_at: Option<DateTime<Utc>>,
    /// Disable the endpoint (it has failed for too long).
    pub disable: bool,
}

/// Records an attempt on the delivery and its endpoint.
pub async fn record_attempt(db: &Db, due: &Due, a: Attempt) -> Result<()> {
    let status = match (&a.error, a.retry_at) {
        (None, _) => DeliveryStatus::Succeeded,
        (Some(_), Some(_)) => DeliveryStatus::Pending,
        (Some(_), None) => DeliveryStatus::Failed,
    };
    let txn = db.begin_write().await?;
    wd::Entity::update_many()
        .col_expr(wd::Column::Status, status.as_str().into())
        .col_expr(wd::Column::Attempts, (due.attempts + 1).into())
        .col_expr(wd::Column::LastAttemptAt, Some(a.at).into())
        .col_expr(wd::Column::LastResponseStatus, a.response_status.into())
        .col_expr(wd::Column::LastError, a.error.clone().into())
        .col_expr(wd::Column::NextAttemptAt, a.retry_at.into())
        .col_expr(
            wd::Column::LeasedUntil,
            Option::<DateTime<Utc>>::None.into(),
        )
        .filter(wd::Column::Id.eq(due.id.clone()))
        .exec(&txn)
        .await?;
    let failing: Option<DateTime<Utc>> = if a.error.is_none() {
        None
    } else {
        Some(due.failing_since.unwrap_or(a.at))
    };
    let mut upd = we::Entity::update_many()
        .col_expr(we::Column::FailingSince, failing.into())
        .filter(we::Column::Id.eq(due.endpoint_id.clone()));
    if a.disable {
        upd = upd.col_expr(we::Column::Enabled, false.into());
    }
    upd.exec(&txn).await?;
    if a.disable {
        // What waits for a disabled endpoint fails with it.
        wd::Entity::update_many()
            .col_expr(wd::Column::Status, DeliveryStatus::Failed.as_str().into())
            .col_expr(
                wd::Column::LastError,
                Some("the endpoint was disabled after 5 days of failures".to_owned()).into(),
            )
            .filter(wd::Column::EndpointId.eq(due.endpoint_id.clone()))
            .filter(wd::Column::Status.eq(DeliveryStatus::Pending.as_str()))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(())
}

/// Deliveries waiting to be sent.
pub async fn backlog(db: &Db) -> Result<u64> {
    Ok(wd::Entity::find()
        .filter(wd::Column::Status.eq(DeliveryStatus::Pending.as_str()))
        .count(db.conn())
        .await?)
}

/// Queues every FAILED delivery of enabled endpoints again (`sinergi webhooks retry-failed`).
pub async fn retry_failed(db: &Db) -> Result<u64> {
    let enabled: Vec<String> = we::Entity::find()
        .filter(we::Column::Enabled.eq(true))
        .all(db.conn())
        .await?
        .into_iter()
        .map(|e| e.id)
        .collect();
    Ok(wd::Entity::update_many()
        .col_expr(wd::Column::Status, DeliveryStatus::Pending.as_str().into())
        .col_expr(wd::Column::NextAttemptAt, Some(db.now()).into())
        .filter(wd::Column::Status.eq(DeliveryStatus::Failed.as_str()))
        .filter(wd::Column::EndpointId.is_in(enabled))
        .exec(db.conn())
        .await?
        .rows_affected)
}

/// An event as live subscriptions learn of it.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveEvent {
    pub id: Uuid,
    pub kind: NotificationType,
    pub entity_type: String,
    pub entity_id: Uuid,
    pub created_at: DateTime<Utc>,
}

/// Events written at or after `since`, oldest first (at most 1,000).
pub async fn events_since(db: &Db, since: DateTime<Utc>) -> Result<Vec<LiveEvent>> {
    use sea_orm::QuerySelect;
    ne::Entity::find()
        .filter(ne::Column::CreatedAt.gte(since))
        .order_by_asc(ne::Column::CreatedAt)
        .order_by_asc(ne::Column::Id)
        .limit(1000)
        .all(db.conn())
        .await?
        .into_iter()
        .map(|r| {
            Ok(LiveEvent {
                id: codec::id(&r.id)?,
                kind: codec::one(&r.kind, NotificationType::parse, "kind")?,
                entity_type: r.entity_type,
                entity_id: codec::id(&r.entity_id)?,
                created_at: r.created_at,
            })
        })
        .collect()
}

/// The caller's inbox entry for an event, if the event told them.
pub async fn inbox_entry(db: &Db, actor: &Actor, event: Uuid) -> Result<Option<InboxItem>> {
    nt::Entity::find()
        .filter(nt::Column::UserId.eq(actor.user_id.to_string()))
        .filter(nt::Column::EventId.eq(event.to_string()))
        .one(db.conn())
        .await?
        .map(inbox_of)
        .transpose()
}
