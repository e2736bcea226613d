//! The services crate's error.

use sea_orm::DbErr;

/// What a storage call can fail with.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A domain rule refused the change or the read.
    #[error(transparent)]
    Domain(#[from] sinergi_domain::Error),
    /// The database failed.
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    /// The credentials or the session are not (or no longer) valid.
    #[error("unauthenticated")]
    Unauthenticated,
    /// A stored row could not be read back as a domain value.
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

/// The services crate's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A corrupt row.
    pub fn corrupt(what: impl Into<String>) -> Self {
        Self::Corrupt(what.into())
    }
}
