//! Resolvers: authorise, call a service of the db crate, wrap the result.

pub mod account;
pub mod marketplace;
pub mod onboarding;
pub mod query;
