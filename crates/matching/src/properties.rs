//! Property tests of the score and the recommendations.

use proptest::prelude::*;
use sinergi_domain::{
    Dimension, FinancingModel, VerificationStatus,
    masterplan::{MasterplanContent, Priority},
};

use crate::{
    ProjectTerms, ProposalTerms, Weights,
    fast::{ScoreInputs, total},
    focus_areas_for, focus_value, plan_weights,
    recommend::{OrgFeatures, ProjectFeatures, brute_force_projects, top_projects},
    score, strengths,
};

const AREAS: [&str; 4] = [
    "city of music",
    "flood early warning",
    "e-government",
    "smart street lighting",
];

fn plan() -> impl Strategy<Value = MasterplanContent> {
    (
        proptest::collection::vec(0.01f64..1.0, 6),
        proptest::collection::vec(0usize..4, 0..4),
    )
        .prop_map(|(raw, areas)| {
            let sum: f64 = raw.iter().sum();
            MasterplanContent {
                period_start_year: 2025,
                period_end_year: 2029,
                vision: "v".into(),
                priorities: Dimension::ALL
                    .iter()
                    .zip(raw)
                    .enumerate()
                    .map(|(i, (d, w))| Priority {
                        dimension: *d,
                        weight: w / sum,
                        focus_areas: areas
                            .iter()
                            .filter(|a| **a % 6 == i % 4)
                            .map(|a| AREAS[*a].to_owned())
                            .collect(),
                    })
                    .collect(),
            }
        })
}

fn project() -> impl Strategy<Value = ProjectTerms> {
    (1u8..63, 1.0e5f64..1.0e8, 1u8..127, 1i32..120).prop_map(|(dims, capex, fin, months)| {
        ProjectTerms {
            dimensions: Dimension::ALL
                .iter()
                .copied()
                .filter(|d| dims & (1 << d.index()) != 0)
                .collect(),
            capex_usd: capex,
            accepted_financing: FinancingModel::ALL
                .iter()
                .copied()
                .filter(|f| fin & (1 << f.index()) != 0)
                .collect(),
            timeline_months: months,
        }
    })
}

fn proposal() -> impl Strategy<Value = ProposalTerms> {
    (
        1.0e4f64..2.0e8,
        0usize..7,
        1i32..240,
        proptest::collection::vec((0usize..6, 0.0f64..1.0), 0..6),
        0.0f64..100.0,
        any::<bool>(),
        proptest::collection::vec(0usize..4, 0..4),
    )
        .prop_map(|(amount, fin, months, contrib, local, verified, words)| {
            let mut seen = [false; 6];
            let contributions = contrib
                .into_iter()
                .filter(|(d, _)| !std::mem::replace(&mut seen[*d], true))
                .map(|(d, s)| (Dimension::ALL[d], s))
                .collect();
            ProposalTerms {
                amount_usd: amount,
                financing_model: FinancingModel::ALL[fin],
                timeline_months: months,
                approach: words
                    .iter()
                    .map(|w| AREAS[*w])
                    .collect::<Vec<_>>()
                    .join(" and "),
                contributions,
                local_content_percent: local,
                verification: if verified {
                    VerificationStatus::Verified
                } else {
                    VerificationStatus::Pending
                },
            }
        })
}

fn inputs(plan: &MasterplanContent, pr: &ProjectTerms, p: &ProposalTerms) -> ScoreInputs {
    ScoreInputs {
        plan: plan_weights(plan),
        capex_usd: pr.capex_usd,
        accepted_financing: pr
            .accepted_financing
            .iter()
            .fold(0u8, |m, f| m | (1 << f.index())),
        planned_months: f64::from(pr.timeline_months),
        amount_usd: p.amount_usd,
        financing: p.financing_model.index() as u8,
        months: f64::from(p.timeline_months),
        strengths: strengths(&p.contributions),
        local_content_percent: p.local_content_percent,
        verified: p.verification == VerificationStatus::Verified,
        focus: focus_value(&focus_areas_for(plan, &pr.dimensions), &p.approach),
    }
}

fn total_of(plan: &MasterplanContent, pr: &ProjectTerms, p: &ProposalTerms) -> f64 {
    score(&Weights::default(), plan, pr, p).total
}

proptest! {
    #[test]
    fn totals_stay_within_0_and_100_and_are_deterministic(plan in plan(), pr in project(), p in proposal()) {
        let a = score(&Weights::default(), &plan, &pr, &p);
        prop_assert!((0.0..=100.0).contains(&a.total));
        prop_assert_eq!(&a, &score(&Weights::default(), &plan, &pr, &p));
        let w: f64 = a.components.iter().map(|c| c.weight).sum();
        prop_assert!((w - 1.0).abs() < 1e-9);
        for c in &a.components {
            prop_assert!((0.0..=1.0).contains(&c.value), "{} = {}", c.name, c.value);
        }
    }

    #[test]
    fn the_fast_total_is_the_explained_total(plan in plan(), pr in project(), p in proposal()) {
        let explained = score(&Weights::default(), &plan, &pr, &p).total;
        prop_assert_eq!(explained.to_bits(), total(&Weights::default(), &inputs(&plan, &pr, &p)).to_bits());
    }

    #[test]
    fn the_order_of_contributions_does_not_matter(plan in plan(), pr in project(), mut p in proposal()) {
        let before = total_of(&plan, &pr, &p);
        p.contributions.reverse();
        prop_assert_eq!(before.to_bits(), total_of(&plan, &pr, &p).to_bits());
    }

    #[test]
    fn more_strength_on_the_top_priority_never_lowers_the_score(plan in plan(), pr in project(), mut p in proposal(), delta in 0.0f64..1.0) {
        let before = total_of(&plan, &pr, &p);
        let top = plan.priorities.iter().max_by(|a, b| a.weight.total_cmp(&b.weight)).map(|x| x.dimension).expect("plan");
        match p.contributions.iter_mut().find(|(d, _)| *d == top) {
            Some((_, s)) => *s = (*s + delta).min(1.0),
            None => p.contributions.push((top, delta)),
        }
        prop_assert!(total_of(&plan, &pr, &p) >= before - 1e-9);
    }

    #[test]
    fn a_budget_nearer_the_estimate_never_lowers_the_score(plan in plan(), pr in project(), mut p in proposal(), step in 0.0f64..1.0) {
        let before = total_of(&plan, &pr, &p);
        p.amount_usd += (pr.capex_usd - p.amount_usd) * step;
        prop_assert!(total_of(&plan, &pr, &p) >= before - 1e-9);
    }

    #[test]
    fn an_accepted_model_a_shorter_timeline_and_more_local_content_never_lower_it(plan in plan(), pr in project(), mut p in proposal(), fewer in 0i32..100, more in 0.0f64..100.0) {
        let before = total_of(&plan, &pr, &p);
        let mut q = p.clone();
        q.financing_model = pr.accepted_financing[0];
        prop_assert!(total_of(&plan, &pr, &q) >= before - 1e-9);
        let mut q = p.clone();
        q.timeline_months = (q.timeline_months - fewer).max(1);
        prop_assert!(total_of(&plan, &pr, &q) >= before - 1e-9);
        p.local_content_percent = (p.local_content_percent + more).min(100.0);
        prop_assert!(total_of(&plan, &pr, &p) >= before - 1e-9);
    }

    #[test]
    fn recommendations_top_k_equal_a_full_sort(
        projects in proptest::collection::vec((0u16..8191, 1u8..63, 1.0e5f64..1.0e8, 1u8..127, -100i64..1000), 0..300),
        org in (1u16..8191, 1u8..63, 1.0e5f64..1.0e7, 1.0e7f64..1.0e9, 1u8..127),
        k in 0usize..20,
    ) {
        let plan = [0.3f32, 0.2, 0.1, 0.2, 0.1, 0.1];
        let projects: Vec<ProjectFeatures> = projects
            .into_iter()
            .map(|(sector, dimensions, capex_usd, financing, deadline)| ProjectFeatures { sector, dimensions, plan, capex_usd, financing, deadline })
            .collect();
        let o = OrgFeatures { sectors: org.0, dimensions: org.1, ticket_min_usd: org.2, ticket_max_usd: org.3, financing: org.4, verified: true };
        prop_assert_eq!(top_projects(&o, &projects, k, 0), brute_force_projects(&o, &projects, k, 0));
    }
}
