//! Proposals through their lifecycle: sealed, committed, revised, judged and awarded.

use chrono::{DateTime, Utc};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, EntityTrait, IntoActiveModel, QueryFilter, QuerySelect,
    sea_query::{Expr, Query},
};
use serde_json::json;
use sinergi_domain::{
    Actor, Error as Rule, ProjectStatus, ProposalStatus, VerificationStatus,
    commitment::commitment,
    model::Proposal,
    permissions::{ProposalScope, project_scope, proposal_scope},
    proposal::{self as rules, Decision, ProjectState, ProposalContent, SaveEffect},
};
use uuid::Uuid;

use crate::{
    Db, Result, codec,
    convert::contributions_text,
    entities::{
        investor_organizations as org, projects, proposal_revisions as rev, proposals as pr,
    },
    match_scores::{self, Scoring},
    outbox,
    page::{self, Key, Page},
    projects::scope_condition as project_condition,
    tx::Mutation,
};

/// The SQL condition of a proposal scope.
pub fn scope_condition(scope: ProposalScope) -> Condition {
    match scope {
        // A draft is the bidder's alone: nobody has been offered anything yet.
        ProposalScope::All => {
            Condition::all().add(pr::Column::Status.ne(ProposalStatus::Draft.as_str()))
        }
        ProposalScope::None => Condition::all().add(pr::Column::Id.is_null()), // ids are never null: nothing
        ProposalScope::Organization(o) => {
            Condition::all().add(pr::Column::OrganizationId.eq(o.to_string()))
        }
        ProposalScope::City(c) => Condition::all()
            .add(pr::Column::Status.ne(ProposalStatus::Draft.as_str()))
            .add(
                pr::Column::ProjectId.in_subquery(
                    Query::select()
                        .column(projects::Column::Id)
                        .from(projects::Entity)
                        .and_where(projects::Column::CityId.eq(c.to_string()))
                        .to_owned(),
                ),
            ),
    }
}

/// Proposals by id, as far as the scope lets the caller see them.
pub async fn by_ids(db: &Db, scope: ProposalScope, ids: &[Uuid]) -> Result<Vec<Proposal>> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let rows = pr::Entity::find()
        .filter(pr::Column::Id.is_in(ids))
        .filter(scope_condition(scope))
        .all(db.conn())
        .await?;
    crate::convert::all(rows)
}

/// One proposal the caller may see.
pub async fn get(db: &Db, scope: ProposalScope, id: Uuid) -> Result<Option<Proposal>> {
    Ok(by_ids(db, scope, &[id]).await?.pop())
}

/// An organisation's proposal to each of these projects.
pub async fn of_organization_for(
    db: &Db,
    org_id: Uuid,
    project_ids: &[Uuid],
) -> Result<Vec<Proposal>> {
    let ids: Vec<String> = project_ids.iter().map(Uuid::to_string).collect();
    let rows = pr::Entity::find()
        .filter(pr::Column::OrganizationId.eq(org_id.to_string()))
        .filter(pr::Column::ProjectId.is_in(ids))
        .all(db.conn())
        .await?;
    crate::convert::all(rows)
}

/// A page of an organisation's proposals.
pub async fn list_for_organization(
    db: &Db,
    org_id: Uuid,
    status: Option<ProposalStatus>,
    after: Option<&Key>,
    first: u64,
    count: bool,
) -> Result<Page<Proposal>> {
    let mut q = pr::Entity::find().filter(pr::Column::OrganizationId.eq(org_id.to_string()));
    if let Some(s) = status {
        q = q.filter(pr::Column::Status.eq(s.as_str()));
    }
    page::fetch(
        db.conn(),
        q,
        pr::Column::CreatedAt,
        pr::Column::Id,
        after,
        first,
        count,
    )
    .await?
    .try_map(Proposal::try_from)
}

/// A project's bids: its proposals past DRAFT and not WITHDRAWN, the ones its city may know.
fn bids_on(project_id: Uuid) -> sea_orm::Select<pr::Entity> {
    pr::Entity::find()
        .filter(pr::Column::ProjectId.eq(project_id.to_string()))
        .filter(pr::Column::Status.is_not_in([
            ProposalStatus::Draft.as_str(),
            ProposalStatus::Withdrawn.as_str(),
        ]))
}

/// The proposals of a project that were submitted (any status past DRAFT but WITHDRAWN).
pub async fn submitted_for_project(db: &Db, project_id: Uuid) -> Result<Vec<Proposal>> {
    crate::convert::all(bids_on(project_id).all(db.conn()).await?)
}

/// The projects an organisation has a proposal on, in any status (drafts and withdrawn ones
/// too: the organisation sees them all in its own list).
pub async fn project_ids_of_organization(db: &Db, org_id: Uuid) -> Result<Vec<Uuid>> {
    let rows: Vec<String> = pr::Entity::find()
        .select_only()
        .column(pr::Column::ProjectId)
        .filter(pr::Column::OrganizationId.eq(org_id.to_string()))
        .into_tuple()
        .all(db.conn())
        .await?;
    rows.iter().map(|id| codec::id(id)).collect()
}

/// The organisations that bid on a project (a draft is the bidder's alone: not counted).
pub async fn bidders_of(db: &Db, project_id: Uuid) -> Result<Vec<Uuid>> {
    let rows: Vec<String> = bids_on(project_id)
        .select_only()
        .column(pr::Column::OrganizationId)
        .into_tuple()
        .all(db.conn())
        .await?;
    rows.iter().map(|id| codec::id(id)).collect()
}

fn state(p: &projects::Model) -> Result<ProjectState> {
    Ok(ProjectState {
        status: codec::one(&p.status, ProjectStatus::parse, "status")?,
        deadline: p.proposal_deadline,
    })
}

fn new_salt() -> String {
    let mut salt = [0u8; 32];
    rand::rng().fill_bytes(&mut salt);
    hex::encode(salt)
}

fn write_content(am: &mut pr::ActiveModel, c: &ProposalContent) {
    am.amount = Set(c.amount.plain_amount());
    am.currency = Set(c.amount.currency().to_string());
    am.financing_model = Set(c.financing_model.as_str().into());
    am.timeline_months = Set(c.timeline_months);
    am.approach = Set(c.approach.clone());
    am.contributions = Set(contributions_text(&c.contributions));
    am.local_content_percent = Set(format!("{:.2}", c.local_content_percent));
}

/// Seals the current content: a fresh salt, its commitment, and a kept revision.
async fn seal(
    m: &Mutation<'_>,
    am: &mut pr::ActiveModel,
    id: Uuid,
    revision: i32,
    c: &ProposalContent,
) -> Result<String> {
    let salt = new_salt();
    let commit = commitment(&salt, c);
    am.commitment = Set(Some(commit.clone()));
    am.commitment_salt = Set(Some(salt.clone()));
    am.revision = Set(revision);
    let content = json!({
        "amount": c.amount.plain_amount(),
        "currency": c.amount.currency().to_string(),
        "financingModel": c.financing_model.as_str(),
        "timelineMonths": c.timeline_months,
        "approach": c.approach,
        "contributions": contributions_text(&c.contributions),
        "localContentPercent": format!("{:.2}", c.local_content_percent),
    });
    rev::ActiveModel {
        id: Set(Uuid::new_v4().to_string()),
        proposal_id: Set(id.to_string()),
        revision: Set(revision),
        content: Set(content.to_string()),
        commitment: Set(commit.clone()),
        commitment_salt: Set(salt),
        created_at: Set(m.now()),
    }
    .insert(&m.txn)
    .await?;
    Ok(commit)
}

/// Creates or updates the caller's organisation's proposal to a project.
pub async fn save(
    db: &Db,
    actor: &Actor,
    scoring: Scoring<'_>,
    project_id: Uuid,
    content: ProposalContent,
    now: DateTime<Utc>,
) -> Result<Proposal> {
    let org_id = actor.require_investor()?;
    let content = content.validate()?;
    scoring.fx.usd(&content.amount, "input.amount")?;
    let m = Mutation::begin(db).await?;
    let project = projects::Entity::find_by_id(project_id.to_string())
        .filter(project_condition(project_scope(Some(actor))))
        .one(&m.txn)
        .await?
        .ok_or_else(|| Rule::validation("input.projectId", "no such project"))?;
    let existing = pr::Entity::find()
        .filter(pr::Column::ProjectId.eq(project_id.to_string()))
        .filter(pr::Column::OrganizationId.eq(org_id.to_string()))
        .one(&m.txn)
        .await?;
    let current = existing
        .as_ref()
        .map(|e| codec::one(&e.status, ProposalStatus::parse, "status"))
        .transpose()?;
    let effect = rules::check_save(current, state(&project)?, now)?;
    let now_db = db.now();
    let (row, action) = match (effect, existing) {
        (SaveEffect::Create, _) => {
            let mut am = pr::ActiveModel {
                id: Set(Uuid::new_v4().to_string()),
                project_id: Set(project_id.to_string()),
                organization_id: Set(org_id.to_string()),
                status: Set(ProposalStatus::Draft.as_str().into()),
                commitment: Set(None),
                commitment_salt: Set(None),
                revision: Set(0),
                decision_reason: Set(None),
                submitted_at: Set(None),
                created_at: Set(now_db),
                updated_at: Set(now_db),
                ..Default::default()
            };
            write_content(&mut am, &content);
            (am.insert(&m.txn).await?, "proposal.created")
        }
        (effect, Some(e)) => {
            let id = codec::id(&e.id)?;
            let revision = e.revision;
            let mut am = e.into_active_model();
            write_content(&mut am, &content);
            am.updated_at = Set(now_db);
            let action = match effect {
                SaveEffect::Revise => {
                    seal(&m, &mut am, id, revision + 1, &content).await?;
                    "proposal.revised"
                }
                SaveEffect::Reopen => {
                    am.status = Set(ProposalStatus::Draft.as_str().into());
                    am.commitment = Set(None);
                    am.commitment_salt = Set(None);
                    "proposal.reopened"
                }
                _ => "proposal.updated",
            };
            (am.update(&m.txn).await?, action)
        }
        (_, None) => return Err(Rule::NotFound.into()),
    };
    if effect == SaveEffect::Revise {
        match_scores::rescore(&m.txn, scoring, std::slice::from_ref(&row.id), m.now()).await?;
    }
    let proposal = Proposal::try_from(row)?;
    m.commit(
        Some(actor.user_id),
        action,
        "proposal",
        proposal.id,
        json!({"project": project_id, "commitment": proposal.commitment}),
    )
    .await?;
    Ok(proposal)
}

async fn load_own(
    m: &Mutation<'_>,
    actor: &Actor,
    id: Uuid,
) -> Result<(pr::Model, projects::Model)> {
    actor.require_investor()?;
    load_visible(m, actor, id).await
}

/// Loads a proposal the caller may see, and its project (NOT_FOUND otherwise).
async fn load_visible(
    m: &Mutation<'_>,
    actor: &Actor,
    id: Uuid,
) -> Result<(pr::Model, projects::Model)> {
    let row = pr::Entity::find_by_id(id.to_string())
        .filter(scope_condition(proposal_scope(Some(actor))))
        .one(&m.txn)
        .await?
        .ok_or(Rule::NotFound)?;
    let project = projects::Entity::find_by_id(row.project_id.clone())
        .one(&m.txn)
        .await?
        .ok_or(Rule::NotFound)?;
    Ok((row, project))
}

/// Submits a DRAFT: seals it with a fresh commitment.
pub async fn submit(
    db: &Db,
    actor: &Actor,
    scoring: Scoring<'_>,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<Proposal> {
    let mut m = Mutation::begin(db).await?;
    let (row, project) = load_own(&m, actor, id).await?;
    let o = org::Entity::find_by_id(row.organization_id.clone())
        .one(&m.txn)
        .await?
        .ok_or(Rule::NotFound)?;
    let verification = codec::one(&o.verification, VerificationStatus::parse, "verification")?;
    let current = codec::one(&row.status, ProposalStatus::parse, "status")?;
    rules::check_submit(current, verification, state(&project)?, now)?;
    let content = Proposal::try_from(row.clone())?.content;
    let revision = row.revision + 1;
    let mut am = row.into_active_model();
    let commit = seal(&m, &mut am, id, revision, &content).await?;
    am.status = Set(ProposalStatus::Submitted.as_str().into());
    am.submitted_at = Set(Some(db.now()));
    am.updated_at = Set(db.now());
    let p = Proposal::try_from(am.update(&m.txn).await?)?;
    match_scores::rescore(&m.txn, scoring, &[id.to_string()], m.now()).await?;
    // The city (and the platform) learn that a proposal arrived: its id, project and time,
    // never its content, which stays sealed until the deadline for them too.
    let submitted_at = p.submitted_at.unwrap_or_else(|| m.now());
    m.notify(crate::notify::Notice {
        kind: sinergi_domain::NotificationType::ProposalSubmitted,
        entity_type: "proposal",
        entity_id: id,
        targets: vec![
            crate::notify::Target::City(codec::id(&project.city_id)?),
            crate::notify::Target::Platform,
        ],
        title: format!("A proposal arrived for '{}'", project.title),
        body: format!(
            "A proposal was submitted for '{}' at {}. Its content is sealed until the deadline.",
            project.title,
            submitted_at.to_rfc3339()
        ),
        data: json!({"proposalId": id, "projectId": project.id, "submittedAt": submitted_at.to_rfc3339()}),
    });
    m.commit(
        Some(actor.user_id),
        "proposal.submitted",
        "proposal",
        id,
        json!({"commitment": commit}),
    )
    .await?;
    Ok(p)
}

/// Withdraws a DRAFT or SUBMITTED proposal before the deadline.
pub async fn withdraw(db: &Db, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> Result<Proposal> {
    let m = Mutation::begin(db).await?;
    let (row, project) = load_own(&m, actor, id).await?;
    rules::check_withdraw(
        codec::one(&row.status, ProposalStatus::parse, "status")?,
        state(&project)?,
        now,
    )?;
    let mut am = row.into_active_model();
    am.status = Set(ProposalStatus::Withdrawn.as_str().into());
    am.updated_at = Set(db.now());
    let p = Proposal::try_from(am.update(&m.txn).await?)?;
    m.commit(
        Some(actor.user_id),
        "proposal.withdrawn",
        "proposal",
        id,
        json!({}),
    )
    .await?;
    Ok(p)
}

/// The city's decision on a proposal. Accepting awards the project and rejects the other
/// organisations' open proposals, all in one transaction.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    id: Uuid,
    decision: Decision,
    reason: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Proposal> {
    let reason = reason
        .map(|r| sinergi_domain::text::required("reason", r, 2000))
        .transpose()?;
    let mut m = Mutation::begin(db).await?;
    let (row, project) = load_visible(&m, actor, id).await?;
    if !actor.judges_city(codec::id(&project.city_id)?) {
        return Err(Rule::Forbidden.into());
    }
    let current = codec::one(&row.status, ProposalStatus::parse, "status")?;
    let to = rules::check_decision(decision, current, state(&project)?, now)?;
    let at = db.now();
    if decision == Decision::Accept {
        pr::Entity::update_many()
            .col_expr(
                pr::Column::Status,
                Expr::value(ProposalStatus::Rejected.as_str()),
            )
            .col_expr(
                pr::Column::DecisionReason,
                Expr::value("another proposal was accepted"),
            )
            .col_expr(pr::Column::UpdatedAt, Expr::value(at))
            .filter(pr::Column::ProjectId.eq(&project.id))
            .filter(pr::Column::Id.ne(&row.id))
            .filter(pr::Column::Status.is_in([
                ProposalStatus::Submitted.as_str(),
                ProposalStatus::Shortlisted.as_str(),
            ]))
            .exec(&m.txn)
            .await?;
        let project_id = codec::id(&project.id)?;
        let mut pam = project.into_active_model();
        pam.status = Set(ProjectStatus::Awarded.as_str().into());
        pam.awarded_proposal_id = Set(Some(row.id.clone()));
        pam.updated_at = Set(at);
        let awarded = sinergi_domain::model::Project::try_from(pam.update(&m.txn).await?)?;
        outbox::enqueue_project(&m.txn, project_id, m.now()).await?;
        let n = crate::projects::notice(
            &m.txn,
            sinergi_domain::NotificationType::ProjectAwarded,
            &awarded,
        )
        .await?;
        m.notify(n);
    }
    let mut am = row.into_active_model();
    am.status = Set(to.as_str().into());
    am.decision_reason = Set(reason.clone());
    am.updated_at = Set(at);
    let p = Proposal::try_from(am.update(&m.txn).await?)?;
    let org_id = p.organization_id;
    m.notify(crate::notify::Notice {
        kind: sinergi_domain::NotificationType::ProposalStatusChanged,
        entity_type: "proposal",
        entity_id: id,
        targets: vec![
            crate::notify::Target::Organization(org_id),
            crate::notify::Target::Platform,
        ],
        title: format!("Your proposal is {}", p.status.as_str().to_lowercase()),
        body: format!("Your proposal was {}.", p.status.as_str().to_lowercase()),
        data: json!({"proposalId": id, "projectId": p.project_id, "status": p.status.as_str()}),
    });
    let action = match decision {
        Decision::Shortlist => "proposal.shortlisted",
        Decision::Accept => "proposal.accepted",
        Decision::Reject => "proposal.rejected",
    };
    m.commit(
        Some(actor.user_id),
        action,
        "proposal",
        id,
        json!({"reason": reason}),
    )
    .await?;
    Ok(p)
}
