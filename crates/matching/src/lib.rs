//! Sinergi's matching: scores a proposal against its city's masterplan, and explains each part.
//!
//! Pure, deterministic functions over plain inputs: no I/O, no clock. The formulas are DESIGN.md's
//! "Matching" table; the weights can be overridden per deployment through [`Weights::new`].
//!
//! `focus_area_match` folds case and the accents of Latin letters (see
//! [`sinergi_domain::text::fold`]) and compares whole words, with no stemming and no translation:
//! an Indonesian focus area such as "peringatan dini banjir" matches an approach that uses those
//! words, not one that says "flood early warning" — masterplans that want both languages list both.

pub mod fast;
pub mod recommend;
pub mod schedule;
mod score;

#[cfg(test)]
mod properties;
#[cfg(test)]
mod schedule_tests;

pub use score::{
    Component, ProjectTerms, ProposalTerms, Score, Weights, alignment_value, budget_value,
    focus_areas_for, focus_value, matched_areas, plan_weights, score, strengths, timeline_value,
};
