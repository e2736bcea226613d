//! The read side of the contract.

use async_graphql::{Context, ID, Object};
use sinergi_domain::permissions::{InvestorPool, own_recommendations_rank_as_verified};
use sinergi_domain::permissions::{project_scope, proposal_scope};
use sinergi_matching::recommend;
use sinergi_services::{audit, places, proposals};

use crate::{
    cursor,
    error::{ApiError, Result},
    state::{actor, require, state},
    types::{
        audit::{AuditEvent, AuditEventConnection},
        cursor_of,
        enums::{ProjectSort, ProposalStatus},
        org::InvestorOrganization,
        page_args, parse_id,
        place::{City, CityConnection, Embassy},
        project::Project,
        proposal::{Proposal, ProposalConnection},
        search::{
            InvestorRecommendation, ProjectFilter, ProjectRecommendation, ProjectSearchResult,
        },
        user::User,
        wants_total,
    },
};

/// The root of queries.
#[derive(Default)]
pub struct CoreQuery;

/// What can be read. Lists are connections with `first` (1..100) and `after`; an object the caller may not read is null (or missing from a list), never an error.
#[Object]
impl CoreQuery {
    /// The caller; null when not signed in.
    async fn me(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(a) = actor(ctx) else { return Ok(None) };
        Ok(crate::loaders::get(ctx)
            .users
            .load_one(a.user_id)
            .await?
            .map(User))
    }

    /// Cities of the programme, by name. Anyone.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn cities(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "Page size, 1..100 (VALIDATION otherwise).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "The `endCursor` of the previous page; a cursor from another list, or a tampered one, is VALIDATION."
        )]
        after: Option<String>,
        #[graphql(desc = "Only cities of this province, e.g. 'Maluku'.")] province: Option<String>,
    ) -> Result<CityConnection> {
        let (key, n) = page_args(ctx, "cities", first, after.as_deref())?;
        let db = &state(ctx).db;
        let selection = places::CitySelection::page(province.as_deref(), key.as_ref(), n);
        let each_city = ctx.look_ahead().field("edges").field("node");
        let page = match crate::types::place::with_projects(ctx, &selection, each_city).await? {
            // With their projects, in one statement.
            Some(rows) => {
                let total = match wants_total(ctx) {
                    true => Some(places::count_cities(db, province.as_deref()).await?),
                    false => None,
                };
                sinergi_services::page::Page::from_rows(rows, n, total)
            }
            None => {
                places::list_cities(db, province.as_deref(), key.as_ref(), n, wants_total(ctx))
                    .await?
            }
        };
        let items = page
            .items
            .into_iter()
            .map(|c| (cursor_of(ctx, "cities", c.created_at, c.id), City(c)))
            .collect();
        Ok(CityConnection::new(items, page.has_next, page.total))
    }

    /// A city by ID; null when there is none. Anyone.
    async fn city(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's ID (a malformed one is VALIDATION).")] id: ID,
    ) -> Result<Option<City>> {
        let id = parse_id("id", &id)?;
        let one = places::CitySelection::one(id);
        if let Some(found) = crate::types::place::with_projects(ctx, &one, ctx.look_ahead()).await?
        {
            // With its projects, in one statement.
            return Ok(found.into_iter().next().map(City));
        }
        Ok(crate::loaders::get(ctx)
            .cities
            .load_one(id)
            .await?
            .map(City))
    }

    /// A project by ID; null when there is none or the caller may not read it (a DRAFT of another city, say).
    async fn project(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's ID (a malformed one is VALIDATION).")] id: ID,
    ) -> Result<Option<Project>> {
        let id = parse_id("id", &id)?;
        let l = crate::loaders::get(ctx);
        if ctx.look_ahead().field("city").exists() {
            // The project and its city in one statement; the city goes to the request's
            // city loader, where `Project.city` finds it.
            let found = sinergi_services::projects::by_ids_with_cities(
                &state(ctx).db,
                project_scope(actor(ctx)),
                &[id],
            )
            .await?
            .pop();
            return Ok(match found {
                Some((p, c)) => {
                    l.cities.feed_one(c.id, c).await;
                    Some(Project::from(p))
                }
                None => None,
            });
        }
        Ok(l.projects.load_one(id).await?.map(Project::from))
    }

    /// Full-text, typo-tolerant search over projects with filters, facets and sorting. Anonymous callers may search published projects.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            desc = "Words to look for, typo-tolerant, at most 200 characters and 12 words (VALIDATION otherwise); null or empty lists by the sort alone."
        )]
        search: Option<String>,
        #[graphql(desc = "Filters, combined with AND; values within one filter with OR.")]
        filter: Option<ProjectFilter>,
        #[graphql(
            default_with = "Some(ProjectSort::Relevance)",
            desc = "The order of hits."
        )]
        sort: Option<ProjectSort>,
        #[graphql(default = 20, desc = "Page size, 1..100 (VALIDATION otherwise).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "The `endCursor` of the previous page; a cursor from another list, or a tampered one, is VALIDATION."
        )]
        after: Option<String>,
    ) -> Result<ProjectSearchResult> {
        crate::search::projects(ctx, search, filter, sort.unwrap_or_default(), first, after).await
    }

    /// Every embassy of the programme, by name. Anyone.
    async fn embassies(&self, ctx: &Context<'_>) -> Result<Vec<Embassy>> {
        Ok(places::embassies(&state(ctx).db)
            .await?
            .into_iter()
            .map(Embassy)
            .collect())
    }

    /// An investor organisation by ID; null when there is none or the caller may not read it (PENDING and SUSPENDED ones are for their members, their embassy's liaisons and admins).
    async fn investor_organization(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The organisation's ID (a malformed one is VALIDATION).")] id: ID,
    ) -> Result<Option<InvestorOrganization>> {
        let id = parse_id("id", &id)?;
        Ok(crate::loaders::get(ctx)
            .organizations
            .load_one(id)
            .await?
            .map(InvestorOrganization))
    }

    /// A proposal the caller may see, else null: its bidding organisation's investors always;
    /// the project's city officials and admins once it is submitted (its content only after a
    /// sealed deadline). A DRAFT is the bidder's alone — not even an admin reads one: nothing
    /// has been offered yet.
    async fn proposal(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The proposal's ID (a malformed one is VALIDATION).")] id: ID,
    ) -> Result<Option<Proposal>> {
        let id = parse_id("id", &id)?;
        let scope = proposal_scope(actor(ctx));
        Ok(proposals::get(&state(ctx).db, scope, id)
            .await?
            .map(Proposal))
    }

    /// The caller's organisation's proposals (investors).
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn my_proposals(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20, desc = "Page size, 1..100 (VALIDATION otherwise).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "The `endCursor` of the previous page; a cursor from another list, or a tampered one, is VALIDATION."
        )]
        after: Option<String>,
        #[graphql(desc = "Only proposals in this status.")] status: Option<ProposalStatus>,
    ) -> Result<ProposalConnection> {
        let org = require(ctx)?.require_investor()?;
        let (key, n) = page_args(ctx, "my-proposals", first, after.as_deref())?;
        let page = proposals::list_for_organization(
            &state(ctx).db,
            org,
            status.map(Into::into),
            key.as_ref(),
            n,
            wants_total(ctx),
        )
        .await?;
        let items = page
            .items
            .into_iter()
            .map(|p| {
                (
                    cursor_of(ctx, "my-proposals", p.created_at, p.id),
                    Proposal(p),
                )
            })
            .collect();
        Ok(ProposalConnection::new(items, page.has_next, page.total))
    }

    /// Published projects ranked for the caller's investor organisation.
    async fn recommended_projects(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 10, desc = "How many, 1..100 (VALIDATION otherwise).")] first: Option<
            i32,
        >,
    ) -> Result<Vec<ProjectRecommendation>> {
        let a = require(ctx)?;
        let org_id = a.require_investor()?;
        let n = cursor::first(first, 10)? as usize;
        let st = state(ctx);
        let org = crate::loaders::get(ctx)
            .organizations
            .load_one(org_id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let snap = st.recommendations.get(&st.db, &st.fx).await?;
        let of = crate::recommend::org_features(&org, &st.fx).map_err(|e| {
            tracing::error!(error = %e, organization = %org.id, "ticket range cannot be converted to USD");
            ApiError::Internal
        })?;
        let of = recommend::OrgFeatures {
            verified: own_recommendations_rank_as_verified(org.verification),
            ..of
        };
        let now = st.now().timestamp();
        // Projects it already has a proposal on are in `myProposals`, not recommended again.
        let mine: std::collections::HashSet<usize> =
            sinergi_services::proposals::project_ids_of_organization(&st.db, org_id)
                .await?
                .iter()
                .filter_map(|id| snap.project_at.get(id).copied())
                .collect();
        let features = snap.project_index.features();
        Ok(snap
            .project_index
            .recommend(&of, n, now, &|i| mine.contains(&i))
            .into_iter()
            .map(|s| ProjectRecommendation {
                reasons: recommend::reasons(
                    &snap.projects[s.index],
                    &features[s.index],
                    &org,
                    &of,
                    now,
                ),
                project: Project::from(snap.projects[s.index].clone()),
                score: s.score,
            })
            .collect())
    }

    /// Verified investor organisations ranked for a project (its city's officials, the admins, and embassy liaisons for their own investors).
    async fn recommended_investors(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The project's ID; NOT_FOUND when the caller may not read it.")]
        project_id: ID,
        #[graphql(default = 10, desc = "How many, 1..100 (VALIDATION otherwise).")] first: Option<
            i32,
        >,
    ) -> Result<Vec<InvestorRecommendation>> {
        let a = require(ctx)?;
        let n = cursor::first(first, 10)? as usize;
        let id = parse_id("projectId", &project_id)?;
        let project = crate::loaders::get(ctx)
            .projects
            .load_one(id)
            .await?
            .ok_or(ApiError::NotFound)?;
        let embassy = match a.investor_recommendation_pool(project.city_id)? {
            InvestorPool::All => None,
            InvestorPool::Embassy(e) => Some(e),
        };
        let st = state(ctx);
        let snap = st.recommendations.get(&st.db, &st.fx).await?;
        let now = st.now().timestamp();
        let Some(&pi) = snap.project_at.get(&id) else {
            return Ok(vec![]); // not open for bids: nobody to recommend
        };
        let pf = &snap.project_index.features()[pi];
        // Organisations that already bid are in `rankedProposals` or counted there, not
        // recommended again — for the city and admins, who may know who bid. A liaison may not
        // (proposals are not theirs to see), so their list leaves nobody out. Drafts never count:
        // the city must not learn of one.
        let bidders: std::collections::HashSet<uuid::Uuid> = match embassy {
            None => sinergi_services::proposals::bidders_of(&st.db, id)
                .await?
                .into_iter()
                .collect(),
            Some(_) => Default::default(),
        };
        // A liaison's candidates are only their own embassy's investors: the others are never
        // scored.
        let scored = match embassy {
            None => recommend::top_orgs(pf, &snap.org_features, n, now, &|i| {
                bidders.contains(&snap.orgs[i].id)
            }),
            Some(e) => {
                let mine = snap.orgs_of_embassy.get(&e).map_or(&[][..], Vec::as_slice);
                let feats: Vec<recommend::OrgFeatures> =
                    mine.iter().map(|&i| snap.org_features[i]).collect();
                recommend::top_orgs(pf, &feats, n, now, &|_| false)
                    .into_iter()
                    .map(|s| recommend::Scored {
                        index: mine[s.index],
                        ..s
                    })
                    .collect()
            }
        };
        Ok(scored
            .into_iter()
            .map(|s| {
                let i = s.index;
                InvestorRecommendation {
                    reasons: recommend::reasons(
                        &snap.projects[pi],
                        pf,
                        &snap.orgs[i],
                        &snap.org_features[i],
                        now,
                    ),
                    organization: InvestorOrganization(snap.orgs[i].clone()),
                    score: s.score,
                }
            })
            .collect())
    }

    /// Admins only.
    #[graphql(complexity = "first.unwrap_or(20).clamp(0, 100) as usize * child_complexity")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the events of this object.")] entity_id: Option<ID>,
        #[graphql(default = 50, desc = "Page size, 1..100 (VALIDATION otherwise).")] first: Option<
            i32,
        >,
        #[graphql(
            desc = "The `endCursor` of the previous page; a cursor from another list, or a tampered one, is VALIDATION."
        )]
        after: Option<String>,
    ) -> Result<AuditEventConnection> {
        if !require(ctx)?.can_read_audit() {
            return Err(ApiError::Forbidden);
        }
        let entity = entity_id
            .as_ref()
            .map(|e| parse_id("entityId", e))
            .transpose()?;
        let n = cursor::first(first, 50)?;
        let key = &state(ctx).cursor_key;
        let kind = format!(
            "audit:{}",
            entity.map(|e| e.to_string()).unwrap_or_default()
        );
        let after_seq = cursor::decode_offset(key, &kind, after.as_deref())? as i64;
        let page = audit::list(&state(ctx).db, entity, after_seq, n, wants_total(ctx)).await?;
        let items = page
            .items
            .into_iter()
            .map(|e| {
                (
                    cursor::encode_offset(key, &kind, e.sequence as usize),
                    AuditEvent(e),
                )
            })
            .collect();
        Ok(AuditEventConnection::new(items, page.has_next, page.total))
    }
}
