//! The proposal score.

use sinergi_domain::{
    Dimension, FinancingModel, VerificationStatus, masterplan::MasterplanContent, text,
};

/// The components' weights; they sum to 1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    pub dimension_alignment: f64,
    pub budget_fit: f64,
    pub focus_area_match: f64,
    pub financing_fit: f64,
    pub timeline_fit: f64,
    pub local_content: f64,
    pub investor_standing: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Self {
            dimension_alignment: 0.35,
            budget_fit: 0.20,
            focus_area_match: 0.15,
            financing_fit: 0.10,
            timeline_fit: 0.10,
            local_content: 0.05,
            investor_standing: 0.05,
        }
    }
}

impl Weights {
    /// Weights from configuration: each 0..1 and summing to 1 ± 0.001.
    pub fn new(w: [f64; 7]) -> Result<Self, String> {
        if w.iter().any(|x| !x.is_finite() || !(0.0..=1.0).contains(x)) {
            return Err("each weight must be between 0 and 1".into());
        }
        let sum: f64 = w.iter().sum();
        if (sum - 1.0).abs() > 0.001 {
            return Err(format!("weights must sum to 1, they sum to {sum:.4}"));
        }
        Ok(Self {
            dimension_alignment: w[0],
            budget_fit: w[1],
            focus_area_match: w[2],
            financing_fit: w[3],
            timeline_fit: w[4],
            local_content: w[5],
            investor_standing: w[6],
        })
    }
}

/// What the score needs of the project.
#[derive(Debug, Clone, PartialEq)]
pub struct ProjectTerms {
    pub dimensions: Vec<Dimension>,
    pub capex_usd: f64,
    pub accepted_financing: Vec<FinancingModel>,
    pub timeline_months: i32,
}

/// What the score needs of the proposal and its organisation.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposalTerms {
    pub amount_usd: f64,
    pub financing_model: FinancingModel,
    pub timeline_months: i32,
    pub approach: String,
    pub contributions: Vec<(Dimension, f64)>,
    pub local_content_percent: f64,
    pub verification: VerificationStatus,
}

/// One explained part of a score.
#[derive(Debug, Clone, PartialEq)]
pub struct Component {
    pub name: &'static str,
    pub weight: f64,
    pub value: f64,
    pub explanation: String,
}

/// A total 0..100 and its components.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub total: f64,
    pub components: Vec<Component>,
}

fn money(usd: f64) -> String {
    if usd >= 1e9 {
        format!("USD {:.1}B", usd / 1e9)
    } else if usd >= 1e6 {
        format!("USD {:.1}M", usd / 1e6)
    } else if usd >= 1e3 {
        format!("USD {:.1}K", usd / 1e3)
    } else {
        format!("USD {usd:.0}")
    }
}

/// `dimension_alignment`: Σ weight(d) × strength(d) / Σ strength, over the largest weight.
pub fn alignment_value(plan_weights: &[f64; 6], strengths: &[f64; 6]) -> f64 {
    let mut total = 0.0;
    let mut weighted = 0.0;
    let mut max_weight: f64 = 0.0;
    for i in 0..6 {
        let s = strengths[i].max(0.0);
        total += s;
        weighted += plan_weights[i] * s;
        max_weight = max_weight.max(plan_weights[i]);
    }
    if total <= 0.0 || max_weight <= 0.0 {
        0.0
    } else {
        (weighted / total / max_weight).clamp(0.0, 1.0)
    }
}

/// `budget_fit`: r = amount / capex; 1 for 0.9 ≤ r ≤ 1.2, r/0.9 below, max(0, 1 − (r − 1.2)/0.8) above.
pub fn budget_value(amount_usd: f64, capex_usd: f64) -> f64 {
    if capex_usd <= 0.0 {
        return 0.0;
    }
    let r = amount_usd / capex_usd;
    let v = if r < 0.9 {
        r / 0.9
    } else if r <= 1.2 {
        1.0
    } else {
        1.0 - (r - 1.2) / 0.8
    };
    v.clamp(0.0, 1.0)
}

/// `timeline_fit`: t = proposed / planned; 1 for t ≤ 1, max(0, 2 − t) above.
pub fn timeline_value(proposed: f64, planned: f64) -> f64 {
    let t = proposed / planned.max(1.0);
    if t <= 1.0 { 1.0 } else { (2.0 - t).max(0.0) }
}

/// The masterplan's weights in the enum's order.
pub fn plan_weights(plan: &MasterplanContent) -> [f64; 6] {
    let mut w = [0.0; 6];
    for p in &plan.priorities {
        w[p.dimension.index()] = p.weight;
    }
    w
}

/// Contributions as strengths in the enum's order.
pub fn strengths(contributions: &[(Dimension, f64)]) -> [f64; 6] {
    let mut s = [0.0; 6];
    for (d, v) in contributions {
        s[d.index()] = *v;
    }
    s
}

fn dimension_alignment(plan: &MasterplanContent, p: &ProposalTerms) -> (f64, String) {
    let max_weight = plan.priorities.iter().map(|x| x.weight).fold(0.0, f64::max);
    let value = alignment_value(&plan_weights(plan), &strengths(&p.contributions));
    let top = p
        .contributions
        .iter()
        .filter(|(_, s)| *s > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))
        .map(|(d, _)| *d);
    let text = match top {
        Some(d) if max_weight > 0.0 => format!(
            "Strongest contribution is to {d}, which the masterplan weighs {:.0}% (top priority {:.0}%).",
            plan.weight(d) * 100.0,
            max_weight * 100.0
        ),
        _ => "Claims no contribution to the masterplan's dimensions.".into(),
    };
    (value, text)
}

fn budget_fit(project: &ProjectTerms, p: &ProposalTerms) -> (f64, String) {
    if project.capex_usd <= 0.0 {
        return (
            0.0,
            "The project has no capex estimate to compare with.".into(),
        );
    }
    let r = p.amount_usd / project.capex_usd;
    let text = format!(
        "Offers {:.0}% of the capex estimate ({} of {}).",
        r * 100.0,
        money(p.amount_usd),
        money(project.capex_usd).trim_start_matches("USD ")
    );
    (budget_value(p.amount_usd, project.capex_usd), text)
}

/// The focus areas of the masterplan that apply to a project (those of its dimensions).
pub fn focus_areas_for<'a>(
    plan: &'a MasterplanContent,
    dimensions: &[Dimension],
) -> Vec<&'a String> {
    plan.priorities
        .iter()
        .filter(|x| dimensions.contains(&x.dimension))
        .flat_map(|x| x.focus_areas.iter())
        .collect()
}

/// The focus areas whose every word occurs as a word of the approach (case and accents folded).
pub fn matched_areas<'a>(areas: &[&'a String], approach: &str) -> Vec<&'a String> {
    let words: std::collections::HashSet<String> = text::words(approach).into_iter().collect();
    areas
        .iter()
        .copied()
        .filter(|a| {
            let w = text::words(a);
            !w.is_empty() && w.iter().all(|w| words.contains(w))
        })
        .collect()
}

/// `focus_area_match`: the share of the focus areas the approach addresses (1 when none apply).
pub fn focus_value(areas: &[&String], approach: &str) -> f64 {
    if areas.is_empty() {
        return 1.0;
    }
    matched_areas(areas, approach).len() as f64 / areas.len() as f64
}

fn focus_area_match(
    plan: &MasterplanContent,
    project: &ProjectTerms,
    p: &ProposalTerms,
) -> (f64, String) {
    let areas = focus_areas_for(plan, &project.dimensions);
    if areas.is_empty() {
        return (
            1.0,
            "The masterplan names no focus areas for the project's dimensions.".into(),
        );
    }
    let matched = matched_areas(&areas, &p.approach);
    let value = matched.len() as f64 / areas.len() as f64;
    let text = if matched.is_empty() {
        format!(
            "The approach addresses none of the {} focus areas.",
            areas.len()
        )
    } else {
        let names: Vec<String> = matched.iter().map(|a| format!("'{a}'")).collect();
        format!(
            "The approach addresses {} of {} focus areas: {}.",
            matched.len(),
            areas.len(),
            names.join(", ")
        )
    };
    (value, text)
}

fn financing_fit(project: &ProjectTerms, p: &ProposalTerms) -> (f64, String) {
    if project.accepted_financing.contains(&p.financing_model) {
        (
            1.0,
            format!(
                "{} is a financing model the project accepts.",
                p.financing_model
            ),
        )
    } else {
        (
            0.0,
            format!(
                "{} is not among the financing models the project accepts.",
                p.financing_model
            ),
        )
    }
}

fn timeline_fit(project: &ProjectTerms, p: &ProposalTerms) -> (f64, String) {
    let value = timeline_value(
        f64::from(p.timeline_months),
        f64::from(project.timeline_months),
    );
    let text = format!(
        "Delivers in {} months against {} planned.",
        p.timeline_months, project.timeline_months
    );
    (value, text)
}

/// Scores a proposal against a project and its city's masterplan.
pub fn score(
    weights: &Weights,
    plan: &MasterplanContent,
    project: &ProjectTerms,
    p: &ProposalTerms,
) -> Score {
    let local = (p.local_content_percent / 100.0).clamp(0.0, 1.0);
    let standing = if p.verification == VerificationStatus::Verified {
        1.0
    } else {
        0.0
    };
    let parts = [
        (
            "dimension_alignment",
            weights.dimension_alignment,
            dimension_alignment(plan, p),
        ),
        ("budget_fit", weights.budget_fit, budget_fit(project, p)),
        (
            "focus_area_match",
            weights.focus_area_match,
            focus_area_match(plan, project, p),
        ),
        (
            "financing_fit",
            weights.financing_fit,
            financing_fit(project, p),
        ),
        (
            "timeline_fit",
            weights.timeline_fit,
            timeline_fit(project, p),
        ),
        (
            "local_content",
            weights.local_content,
            (
                local,
                format!("{:.0}% local content.", p.local_content_percent),
            ),
        ),
        (
            "investor_standing",
            weights.investor_standing,
            (
                standing,
                if standing > 0.0 {
                    "The organisation is verified by its embassy.".into()
                } else {
                    "The organisation is not verified.".into()
                },
            ),
        ),
    ];
    let components: Vec<Component> = parts
        .into_iter()
        .map(|(name, weight, (value, explanation))| Component {
            name,
            weight,
            value,
            explanation,
        })
        .collect();
    // Summed in the same order as `fast::total`, so both give the same bits.
    let total = 100.0 * components.iter().map(|c| c.weight * c.value).sum::<f64>();
    Score {
        total: total.clamp(0.0, 100.0),
        components,
    }
}

#[cfg(test)]
mod tests {
    use sinergi_domain::masterplan::Priority;

    use super::*;

    fn plan() -> MasterplanContent {
        MasterplanContent {
            period_start_year: 2025,
            period_end_year: 2029,
            vision: "v".into(),
            priorities: vec![
                Priority {
                    dimension: Dimension::Branding,
                    weight: 0.5,
                    focus_areas: vec!["city of music".into(), "Pariwisata Budaya".into()],
                },
                Priority {
                    dimension: Dimension::Environment,
                    weight: 0.25,
                    focus_areas: vec![],
                },
                Priority {
                    dimension: Dimension::Living,
                    weight: 0.25,
                    focus_areas: vec![],
                },
            ],
        }
    }

    fn project() -> ProjectTerms {
        ProjectTerms {
            dimensions: vec![Dimension::Branding],
            capex_usd: 4_000_000.0,
            accepted_financing: vec![FinancingModel::Ppp],
            timeline_months: 24,
        }
    }

    fn proposal() -> ProposalTerms {
        ProposalTerms {
            amount_usd: 4_400_000.0,
            financing_model: FinancingModel::Ppp,
            timeline_months: 24,
            approach: "We make Ambon a City of Music with pariwisata budaya festivals".into(),
            contributions: vec![(Dimension::Branding, 1.0)],
            local_content_percent: 40.0,
            verification: VerificationStatus::Verified,
        }
    }

    #[test]
    fn a_perfect_fit_scores_everything_but_local_content() {
        let s = score(&Weights::default(), &plan(), &project(), &proposal());
        assert!((s.total - (100.0 - 5.0 * 0.6)).abs() < 1e-9, "{}", s.total);
        assert_eq!(
            s.components[1].explanation,
            "Offers 110% of the capex estimate (USD 4.4M of 4.0M)."
        );
    }

    #[test]
    fn budget_and_timeline_follow_the_formulas() {
        let mut p = proposal();
        p.amount_usd = 1_800_000.0; // r = 0.45 → 0.5
        p.timeline_months = 36; // t = 1.5 → 0.5
        let s = score(&Weights::default(), &plan(), &project(), &p);
        assert!((s.components[1].value - 0.5).abs() < 1e-9);
        assert!((s.components[4].value - 0.5).abs() < 1e-9);
        p.amount_usd = 6_400_000.0; // r = 1.6 → 0.5
        let s = score(&Weights::default(), &plan(), &project(), &p);
        assert!((s.components[1].value - 0.5).abs() < 1e-9);
    }

    #[test]
    fn alignment_divides_by_the_top_weight() {
        let mut p = proposal();
        p.contributions = vec![(Dimension::Branding, 0.5), (Dimension::Living, 0.5)];
        let s = score(&Weights::default(), &plan(), &project(), &p);
        // (0.5×0.5 + 0.25×0.5) / 1.0 / 0.5 = 0.75
        assert!((s.components[0].value - 0.75).abs() < 1e-9);
        p.contributions = vec![];
        assert_eq!(
            score(&Weights::default(), &plan(), &project(), &p).components[0].value,
            0.0
        );
    }

    #[test]
    fn focus_areas_fold_case_and_need_every_word() {
        let mut p = proposal();
        p.approach = "the music of the city".into();
        let s = score(&Weights::default(), &plan(), &project(), &p);
        assert!((s.components[2].value - 0.5).abs() < 1e-9);
        p.approach = "musik".into();
        assert_eq!(
            score(&Weights::default(), &plan(), &project(), &p).components[2].value,
            0.0
        );
    }

    #[test]
    fn bad_weights_are_refused() {
        assert!(Weights::new([0.5; 7]).is_err());
        assert!(Weights::new([0.35, 0.2, 0.15, 0.1, 0.1, 0.05, 0.05]).is_ok());
    }
}
