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
    recommend::{
        LogRange, OrgFeatures, ProjectFeatures, ProjectIndex, Scored, brute_force_projects,
        diversify, parts,
    },
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
        projects in features(),
        org in org(),
        k in 0usize..20,
        excluded in proptest::collection::vec(0usize..300, 0..10),
    ) {
        let index = ProjectIndex::new(projects.clone());
        prop_assert_eq!(index.top(&org, k, 0, &|_| false), brute_force_projects(&org, &projects, k, 0));
        // With exclusions: the same as a full sort of what is left.
        let kept: Vec<usize> = (0..projects.len()).filter(|i| !excluded.contains(i)).collect();
        let rest: Vec<ProjectFeatures> = kept.iter().map(|&i| projects[i]).collect();
        let expected: Vec<Scored> = brute_force_projects(&org, &rest, k, 0)
            .into_iter()
            .map(|s| Scored { index: kept[s.index], ..s })
            .collect();
        prop_assert_eq!(index.top(&org, k, 0, &|i| excluded.contains(&i)), expected);
    }

    #[test]
    fn recommendations_equal_a_full_sort_re_ranked_for_variety(
        projects in features(),
        org in org(),
        k in 0usize..20,
    ) {
        let index = ProjectIndex::new(projects.clone());
        let all = brute_force_projects(&org, &projects, projects.len(), 0);
        let expected = diversify(&all, k, true, |i| projects[i].city).expect("complete");
        let got = index.recommend(&org, k, 0, &|_| false);
        prop_assert_eq!(&got, &expected);
        // The rule itself: a fourth project of a city only where no candidate left out, of a
        // city with room, scores within 10 points of it.
        for (pos, s) in got.iter().enumerate() {
            let city = projects[s.index].city;
            let before = got[..pos].iter().filter(|x| projects[x.index].city == city).count();
            if before >= 3 {
                let closest_left_out = all
                    .iter()
                    .filter(|x| {
                        let c = projects[x.index].city;
                        c != city
                            && !got.contains(x)
                            && got.iter().filter(|g| projects[g.index].city == c).count() < 3
                    })
                    .map(|x| x.score)
                    .fold(f64::NEG_INFINITY, f64::max);
                prop_assert!(s.score - closest_left_out > 10.0, "{} vs {}", s.score, closest_left_out);
            }
        }
    }

    #[test]
    fn raising_the_masterplan_weight_of_a_projects_dimension_never_lowers_its_rank(
        projects in features(),
        org in org(),
        pick in any::<proptest::sample::Index>(),
        dim in 0usize..6,
        delta in 0.0f32..0.5,
        renormalise in any::<bool>(),
    ) {
        prop_assume!(!projects.is_empty());
        let j = pick.index(projects.len());
        // The rank: how many open projects score above it. Rescaling f32 weights loses ~1e-8
        // of a part, hence the margin.
        const EPS: f64 = 1e-5;
        let rank = |ps: &[ProjectFeatures]| {
            let all = brute_force_projects(&org, ps, ps.len(), 0);
            let own = all.iter().find(|s| s.index == j)?.score;
            Some(all.iter().filter(|s| s.index != j && s.score > own + EPS).count())
        };
        let before = rank(&projects);
        let mut raised = projects.clone();
        let p = &mut raised[j];
        // One of the project's own dimensions.
        let d = (0..6).map(|x| (dim + x) % 6).find(|d| p.dimensions & (1 << d) != 0).expect("a dimension");
        let old = p.plan[d];
        p.plan[d] = old + delta;
        if renormalise {
            // Keep the sum: the other dimensions give up what this one gained, in proportion.
            let others: f32 = (0..6).filter(|&x| x != d).map(|x| p.plan[x]).sum();
            if others > 0.0 {
                let keep = (others - delta).max(0.0) / others;
                for x in (0..6).filter(|&x| x != d) {
                    p.plan[x] *= keep;
                }
            }
        }
        let after = rank(&raised);
        prop_assert_eq!(before.is_some(), after.is_some());
        if let (Some(b), Some(a)) = (before, after) {
            prop_assert!(a <= b, "rank {} → {}", b, a);
        }
        prop_assert!(parts(&raised[j], &org, 0).total() >= parts(&projects[j], &org, 0).total() - EPS, "{:?} → {:?}: {:?} → {:?}", projects[j], raised[j], parts(&projects[j], &org, 0), parts(&raised[j], &org, 0));
    }

    #[test]
    fn moving_capex_toward_the_ticket_range_never_lowers_its_score(
        p in feature(),
        org in org(),
        step in 0.0f64..=1.0,
    ) {
        let target = p.capex_usd.clamp(org.ticket_min_usd, org.ticket_max_usd);
        // On the log scale the range is measured in.
        let moved = ProjectFeatures { capex_usd: (p.capex_usd.ln() + (target.ln() - p.capex_usd.ln()) * step).exp(), ..p };
        prop_assert!(parts(&moved, &org, 0).total() >= parts(&p, &org, 0).total() - 1e-9);
        // Linearly as well.
        let moved = ProjectFeatures { capex_usd: p.capex_usd + (target - p.capex_usd) * step, ..p };
        prop_assert!(parts(&moved, &org, 0).total() >= parts(&p, &org, 0).total() - 1e-9);
        // Inside the range is never worse than outside it.
        let range = LogRange::new(org.ticket_min_usd, org.ticket_max_usd);
        let inside = p.capex_usd >= org.ticket_min_usd && p.capex_usd <= org.ticket_max_usd;
        prop_assert!(!inside || range.fit(p.capex_usd) >= 0.9 - 1e-12);
        prop_assert!(inside || range.fit(p.capex_usd) <= range.fit(target) + 1e-12);
    }
}

fn feature() -> impl Strategy<Value = ProjectFeatures> {
    (
        0u16..8,
        1u8..63,
        proptest::collection::vec(0.0f32..1.0, 6),
        1.0e5f64..1.0e9,
        1u8..127,
        -100i64..2_000_000,
        0u32..6,
    )
        .prop_map(
            |(sector, dimensions, w, capex_usd, financing, deadline, city)| ProjectFeatures {
                sector: 1 << sector,
                dimensions,
                plan: [w[0], w[1], w[2], w[3], w[4], w[5]],
                capex_usd,
                financing,
                deadline,
                city,
            },
        )
}

fn features() -> impl Strategy<Value = Vec<ProjectFeatures>> {
    proptest::collection::vec(feature(), 0..300)
}

fn org() -> impl Strategy<Value = OrgFeatures> {
    (
        1u16..255,
        1u8..63,
        1.0e5f64..1.0e7,
        1.0e7f64..1.0e9,
        1u8..127,
        any::<bool>(),
    )
        .prop_map(
            |(sectors, dimensions, lo, hi, financing, open_ended)| OrgFeatures {
                sectors,
                dimensions,
                ticket_min_usd: lo,
                ticket_max_usd: if open_ended { f64::INFINITY } else { hi },
                financing,
                verified: true,
            },
        )
}
