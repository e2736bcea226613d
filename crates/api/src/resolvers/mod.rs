//! Resolvers: parse the input, call a service of the services crate, wrap the result.

pub mod account;
pub mod live;
pub mod marketplace;
pub mod matchmaking;
pub mod notify;
pub mod onboarding;
pub mod query;
