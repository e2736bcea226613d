//! Sinergi's service layer and its persistence: the transactional services the API calls, over
//! sea-orm entities that stay inside this crate (as do the raw connection and the row
//! conversions), so the API reaches SQL only through these functions.
//!
//! This is the only crate that speaks SQL. Every mutation runs in one transaction that checks
//! the domain's rules on freshly loaded rows, writes the change, appends a hash-chained audit
//! event and, where the search index must follow, an outbox row. Reads are filtered by the
//! caller's scope (from `sinergi_domain::permissions`) inside the SQL query itself.

pub mod audit;
pub mod bulk;
mod codec;
mod conn;
mod convert;
mod entities;
mod error;
pub mod events;
pub mod invitations;
pub mod login_attempts;
pub mod masterplans;
pub mod match_scores;
pub mod meetings;
pub mod notify;
pub mod organizations;
pub mod outbox;
pub mod page;
pub mod places;
pub mod projects;
pub mod proposals;
pub mod saved_searches;
mod tx;
pub mod users;

pub use conn::{Db, Dialect};
pub use error::{Error, Result};
