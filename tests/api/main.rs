//! Black-box tests: the real server on port 0 with a fresh, migrated database (SQLite, or
//! PostgreSQL when SINERGI_TEST_DATABASE_URL is set), spoken to in GraphQL over HTTP.

mod backends;
mod helpers;
mod world;

mod auth;
mod conformance;
mod errors;
mod foundation;
mod journey;
mod matching;
mod matchmaking;
mod notifications;
mod operations;
mod permissions;
mod read_path;
mod search;
mod web;
