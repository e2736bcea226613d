//! The score over precomputed numbers: what ranking and rescoring run in bulk. It agrees with
//! [`crate::score`] to the last bit of the total (a property test holds them together); the
//! explained version only adds the sentences.

use crate::score::{Weights, alignment_value, budget_value, timeline_value};

/// Everything a proposal's total depends on, as numbers. Text work (focus areas) is done once,
/// when the proposal or the masterplan changes, and arrives here as `focus`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreInputs {
    /// The masterplan's weight per dimension, in the enum's order.
    pub plan: [f64; 6],
    pub capex_usd: f64,
    /// Bit i set: the project accepts financing model i.
    pub accepted_financing: u8,
    pub planned_months: f64,
    pub amount_usd: f64,
    /// The proposal's financing model's index.
    pub financing: u8,
    pub months: f64,
    /// Claimed strength per dimension, in the enum's order.
    pub strengths: [f64; 6],
    pub local_content_percent: f64,
    pub verified: bool,
    /// `focus_area_match`, 0..1.
    pub focus: f64,
}

/// The total 0..100.
#[inline]
pub fn total(w: &Weights, x: &ScoreInputs) -> f64 {
    let values = [
        (
            w.dimension_alignment,
            alignment_value(&x.plan, &x.strengths),
        ),
        (w.budget_fit, budget_value(x.amount_usd, x.capex_usd)),
        (w.focus_area_match, x.focus),
        (
            w.financing_fit,
            f64::from(u8::from(x.accepted_financing & (1 << x.financing) != 0)),
        ),
        (w.timeline_fit, timeline_value(x.months, x.planned_months)),
        (
            w.local_content,
            (x.local_content_percent / 100.0).clamp(0.0, 1.0),
        ),
        (w.investor_standing, f64::from(u8::from(x.verified))),
    ];
    let t: f64 = 100.0 * values.iter().map(|(w, v)| w * v).sum::<f64>();
    t.clamp(0.0, 100.0)
}
