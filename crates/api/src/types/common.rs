//! Small shared types: money, points, page info, connections.

use async_graphql::{InputObject, SimpleObject};
use rust_decimal::Decimal;
use sinergi_domain::{FxTable, Money as DomainMoney};

use crate::error::ApiError;

/// Money as clients read it.
#[derive(SimpleObject, Clone, Debug)]
pub struct Money {
    /// The amount, in `currency`'s major unit, exact.
    pub amount: Decimal,
    /// ISO 4217 code, e.g. IDR, USD, EUR.
    pub currency: String,
    /// The amount in the platform's reference currency (USD) at the configured FX rates.
    pub amount_usd: Decimal,
}

impl Money {
    /// Money with its USD value. A stored amount the FX table can no longer convert (its rate
    /// was removed from the configuration) is a server fault: logged, and answered INTERNAL
    /// rather than shown as zero dollars.
    pub fn new(m: &DomainMoney, fx: &FxTable) -> Result<Self, ApiError> {
        let amount_usd = fx.to_usd(m).ok_or_else(|| {
            tracing::error!(currency = %m.currency(), amount = %m.amount(), "stored amount cannot be converted to USD");
            ApiError::Internal
        })?;
        Ok(Self {
            amount: m.amount(),
            currency: m.currency().to_string(),
            amount_usd,
        })
    }
}

/// Money as clients send it.
#[derive(InputObject, Clone, Debug)]
pub struct MoneyInput {
    /// The amount in the currency's major unit; more than 0.
    pub amount: Decimal,
    /// ISO 4217 code with an FX rate on this server (VALIDATION otherwise).
    pub currency: String,
}

impl MoneyInput {
    /// Validates into domain money; `field` is the input's dotted path.
    pub fn parse(&self, field: &str, fx: &FxTable) -> Result<DomainMoney, ApiError> {
        let m = DomainMoney::new(self.amount, &self.currency, field)?;
        if !fx.knows(m.currency()) {
            return Err(ApiError::validation(
                format!("{field}.currency"),
                "no FX rate for this currency",
            ));
        }
        Ok(m)
    }
}

/// A point on the map.
#[derive(SimpleObject, Clone, Copy, Debug)]
pub struct GeoPoint {
    /// Latitude in degrees, -90..90.
    pub lat: f64,
    /// Longitude in degrees, -180..180.
    pub lng: f64,
}

impl From<(f64, f64)> for GeoPoint {
    fn from((lat, lng): (f64, f64)) -> Self {
        Self { lat, lng }
    }
}

/// A point clients send.
#[derive(InputObject, Clone, Copy, Debug)]
pub struct GeoPointInput {
    /// Latitude in degrees, -90..90 (VALIDATION otherwise).
    pub lat: f64,
    /// Longitude in degrees, -180..180 (VALIDATION otherwise).
    pub lng: f64,
}

/// A row's cursor, signed only when a client selects it: most pages are read without their
/// cursors, and signing costs a hash per edge.
#[derive(Clone, Debug)]
pub struct Cursor(CursorText);

#[derive(Clone, Debug)]
enum CursorText {
    Written(String),
    Keyed {
        key: std::sync::Arc<[u8]>,
        kind: String,
        at: chrono::DateTime<chrono::Utc>,
        id: uuid::Uuid,
    },
}

impl Cursor {
    /// The cursor after the row `(at, id)` of the keyset list `kind`, signed with `key` when read.
    pub fn keyed(
        key: std::sync::Arc<[u8]>,
        kind: &str,
        at: chrono::DateTime<chrono::Utc>,
        id: uuid::Uuid,
    ) -> Self {
        Self(CursorText::Keyed {
            key,
            kind: kind.to_owned(),
            at,
            id,
        })
    }

    /// The cursor as clients read it.
    pub fn text(&self) -> String {
        match &self.0 {
            CursorText::Written(t) => t.clone(),
            CursorText::Keyed { key, kind, at, id } => crate::cursor::encode(
                key,
                kind,
                &sinergi_services::page::Key {
                    at: *at,
                    id: id.to_string(),
                },
            ),
        }
    }
}

impl From<String> for Cursor {
    fn from(t: String) -> Self {
        Self(CursorText::Written(t))
    }
}

/// Where a page ends.
#[derive(Clone, Debug)]
pub struct PageInfo {
    /// Whether another page follows this one.
    pub has_next_page: bool,
    /// Pass as `after` for the next page; null on an empty page.
    pub end_cursor: Option<Cursor>,
}

/// Where a page ends.
#[async_graphql::Object]
impl PageInfo {
    /// Whether another page follows this one.
    async fn has_next_page(&self) -> bool {
        self.has_next_page
    }
    /// Pass as `after` for the next page; null on an empty page.
    async fn end_cursor(&self) -> Option<String> {
        self.end_cursor.as_ref().map(Cursor::text)
    }
}

macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty) => {
        #[doc = concat!("An edge of a ", stringify!($conn), ".")]
        #[derive(Clone)]
        pub struct $edge {
            /// Opaque position of this node: pass it as `after` to read what follows it.
            pub cursor: $crate::types::common::Cursor,
            /// The item.
            pub node: $node,
        }

        #[doc = concat!("An edge of a ", stringify!($conn), ".")]
        #[async_graphql::Object]
        impl $edge {
            /// Opaque position of this node: pass it as `after` to read what follows it.
            async fn cursor(&self) -> String {
                self.cursor.text()
            }
            /// The item.
            async fn node(&self) -> &$node {
                &self.node
            }
        }

        #[doc = concat!("A page of ", stringify!($node), ".")]
        #[derive(async_graphql::SimpleObject, Clone)]
        pub struct $conn {
            /// This page's items with their cursors, in the list's order.
            pub edges: Vec<$edge>,
            /// Where this page ends and whether another follows.
            pub page_info: $crate::types::common::PageInfo,
            /// How many items the whole list holds, over every page, for this caller.
            pub total_count: i32,
        }

        impl $conn {
            /// Builds a connection from nodes with their cursors.
            /// `total` is `None` when `totalCount` was not selected (and so not counted).
            pub fn new<C: Into<$crate::types::common::Cursor>>(
                items: Vec<(C, $node)>,
                has_next: bool,
                total: Option<u64>,
            ) -> Self {
                let edges: Vec<$edge> = items
                    .into_iter()
                    .map(|(cursor, node)| $edge {
                        cursor: cursor.into(),
                        node,
                    })
                    .collect();
                Self {
                    page_info: $crate::types::common::PageInfo {
                        has_next_page: has_next,
                        end_cursor: edges.last().map(|e| e.cursor.clone()),
                    },
                    edges,
                    total_count: i32::try_from(total.unwrap_or(0)).unwrap_or(i32::MAX),
                }
            }
        }
    };
}
pub(crate) use connection;
