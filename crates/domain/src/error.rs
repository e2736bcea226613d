//! The domain's error: a broken rule, named so the API can map it to one contract code.

pub use crate::enums::ConflictReason;

/// A rule of the domain that a request broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Bad input; `field` is the dotted path of the input field.
    #[error("{field}: {message}")]
    Validation { field: String, message: String },
    /// The object's state forbids the change, for a stable `reason`.
    #[error("{message}")]
    Conflict {
        reason: ConflictReason,
        message: String,
    },
    /// The caller is known but may not do this.
    #[error("not allowed")]
    Forbidden,
    /// No such object, or the caller may not know it exists.
    #[error("not found")]
    NotFound,
}

/// The domain's result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A validation error on `field`.
    pub fn validation(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Validation {
            field: field.into(),
            message: message.into(),
        }
    }

    /// A conflict with a stable `reason`.
    pub fn conflict(reason: ConflictReason, message: impl Into<String>) -> Self {
        Self::Conflict {
            reason,
            message: message.into(),
        }
    }
}
