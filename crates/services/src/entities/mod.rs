//! sea-orm entities, one per table of the migrations.

pub mod audit_events;
pub mod audit_pending;
pub mod cities;
pub mod embassies;
pub mod event_participants;
pub mod fx_rates;
pub mod investor_organizations;
pub mod invitations;
pub mod masterplans;
pub mod match_scores;
pub mod matchmaking_events;
pub mod meeting_requests;
pub mod meetings;
pub mod notification_events;
pub mod notifications;
pub mod priorities;
pub mod projects;
pub mod proposal_revisions;
pub mod proposals;
pub mod refresh_tokens;
pub mod saved_search_hits;
pub mod saved_searches;
pub mod search_outbox;
pub mod users;
pub mod webhook_deliveries;
pub mod webhook_endpoints;
