//! Sinergi's domain: the marketplace's types, state machines, permission rules and validation.
//!
//! This crate knows nothing of HTTP, SQL or search engines. Values are parsed into types once
//! (`Money::new`, `MasterplanContent::validate`, `ProjectContent::validate`) and are valid after
//! that; every permission decision of DESIGN.md's table is made by a function of
//! [`permissions`]; time comes from a [`Clock`].

pub mod clock;
pub mod commitment;
pub mod enums;
pub mod error;
pub mod event;
pub mod masterplan;
pub mod model;
pub mod money;
pub mod organization;
pub mod permissions;
pub mod project;
pub mod proposal;
pub mod text;

pub use clock::{Clock, SharedClock, ShiftedClock, SystemClock};
pub use enums::{
    ConflictReason, DeliveryStatus, Dimension, EventMode, EventStatus, FinancingModel,
    MeetingOutcome, MeetingStatus, NotificationType, ParticipantKind, ProjectStatus,
    ProposalStatus, RequestStatus, Role, Sector, VerificationStatus,
};
pub use error::{Error, Result};
pub use money::{Currency, FxTable, Money};
pub use permissions::Actor;
