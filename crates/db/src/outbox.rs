//! The search outbox: a row per change the search index must follow, written in the same
//! transaction as the change so no update is lost.

use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, DatabaseTransaction, EntityTrait, PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use crate::{Db, Result, audit::now_micros, entities::search_outbox as ob};

/// Records that a project's search document must be rewritten.
pub async fn enqueue_project(txn: &DatabaseTransaction, project_id: Uuid) -> Result<()> {
    let now = now_micros();
    let row = ob::ActiveModel {
        id: NotSet,
        entity_type: Set("project".into()),
        entity_id: Set(project_id.to_string()),
        attempts: Set(0),
        next_attempt_at: Set(now),
        leased_until: Set(None),
        lease_owner: Set(None),
        last_error: Set(None),
        done_at: Set(None),
        created_at: Set(now),
    };
    ob::Entity::insert(row).exec_without_returning(txn).await?;
    Ok(())
}

/// How many changes wait to reach the index.
pub async fn backlog(db: &Db) -> Result<u64> {
    Ok(ob::Entity::find()
        .filter(ob::Column::DoneAt.is_null())
        .count(db.conn())
        .await?)
}
