//! The `sinergi` binary's library: configuration, the command line, the HTTP application,
//! the demo data set and telemetry. Only this crate reads the environment.

pub mod alerts;
pub mod allocator;
pub mod app;
mod chainer;
pub mod cli;
pub mod config;
pub mod demo;
mod demo_events;
pub mod http;
mod progress;
pub mod reindex;
pub mod relay;
pub mod scale;
mod secrets;
pub mod telemetry;

pub use app::App;
pub use config::Config;
pub mod webhooks;
