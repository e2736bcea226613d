//! Keyset pagination in a stable order: (created_at, id) ascending.

use chrono::{DateTime, Utc};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use crate::Result;

/// Where a page starts: after the row with this creation time and id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    pub at: DateTime<Utc>,
    pub id: String,
}

/// One page of rows.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub has_next: bool,
    /// How many rows the whole list holds, when it was asked for (a `COUNT(*)` is not free).
    pub total: Option<u64>,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            items: Vec::new(),
            has_next: false,
            total: None,
        }
    }
}

impl<T> Page<T> {
    /// The page made of up to `first + 1` rows read in order: the extra row, if there, only
    /// says that another page follows.
    pub fn from_rows(mut rows: Vec<T>, first: u64, total: Option<u64>) -> Self {
        let has_next = rows.len() as u64 > first;
        rows.truncate(first as usize);
        Self {
            items: rows,
            has_next,
            total,
        }
    }

    /// Converts the items.
    pub fn try_map<U, E>(self, f: impl FnMut(T) -> Result<U, E>) -> Result<Page<U>, E> {
        Ok(Page {
            items: self.items.into_iter().map(f).collect::<Result<_, E>>()?,
            has_next: self.has_next,
            total: self.total,
        })
    }
}

/// Rows after `k` in (created, id) order.
pub fn after_key<C: ColumnTrait>(created: C, id: C, k: &Key) -> Condition {
    Condition::any().add(created.gt(k.at)).add(
        Condition::all()
            .add(created.eq(k.at))
            .add(id.gt(k.id.clone())),
    )
}

/// `select` as a page: `first + 1` rows after `after` in (created, id) order, the extra one
/// saying that another page follows.
pub fn select_page<E: EntityTrait>(
    select: Select<E>,
    created: E::Column,
    id: E::Column,
    after: Option<&Key>,
    first: u64,
) -> Select<E> {
    let mut q = select;
    if let Some(k) = after {
        q = q.filter(after_key(created, id, k));
    }
    q.order_by_asc(created).order_by_asc(id).limit(first + 1)
}

/// Runs `select` as a page of `first` rows after `after`, with the total count when `count`.
pub async fn fetch<E, C>(
    conn: &C,
    select: Select<E>,
    created: E::Column,
    id: E::Column,
    after: Option<&Key>,
    first: u64,
    count: bool,
) -> Result<Page<E::Model>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ConnectionTrait,
{
    let total = if count {
        Some(select.clone().count(conn).await?)
    } else {
        None
    };
    let rows = select_page(select, created, id, after, first)
        .all(conn)
        .await?;
    Ok(Page::from_rows(rows, first, total))
}
