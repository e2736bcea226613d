//! Audit events, for admins.

use async_graphql::{Context, ID, Object};
use chrono::{DateTime, Utc};
use sinergi_domain::model;

use super::user::User;
use crate::error::Result;

/// One link of the audit chain.
#[derive(Clone)]
pub struct AuditEvent(pub model::AuditEvent);

/// One link of the append-only audit chain: who did what to which object, when. Admins only.
#[Object]
impl AuditEvent {
    /// The event's ID.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Position in the append-only chain, from 1.
    async fn sequence(&self) -> i32 {
        i32::try_from(self.0.sequence).unwrap_or(i32::MAX)
    }
    /// When it happened.
    async fn at(&self) -> DateTime<Utc> {
        self.0.at
    }
    /// Who did it; null for the system (the CLI, migrations).
    async fn actor(&self, ctx: &Context<'_>) -> Result<Option<User>> {
        let Some(id) = self.0.actor_id else {
            return Ok(None);
        };
        Ok(crate::loaders::get(ctx).users.load_one(id).await?.map(User))
    }
    /// e.g. 'project.published', 'proposal.submitted'.
    async fn action(&self) -> &str {
        &self.0.action
    }
    /// The kind of object changed, e.g. 'project', 'proposal', 'organization'.
    async fn entity_type(&self) -> &str {
        &self.0.entity_type
    }
    /// The ID of the object changed.
    async fn entity_id(&self) -> ID {
        ID(self.0.entity_id.to_string())
    }
    /// Hex SHA-256 over the previous event's hash and this event's content.
    async fn hash(&self) -> &str {
        &self.0.hash
    }
}

super::common::connection!(AuditEventConnection, AuditEventEdge, AuditEvent);
