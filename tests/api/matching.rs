//! Scores and recommendations through the API.

use chrono::Duration;
use serde_json::json;

use crate::helpers::{TestApp, code};
use crate::world::{MASTERPLAN, SAVE, World, id, proposal_input};

const SCORE: &str = "query($id:ID!){proposal(id:$id){score{total masterplanVersion components{name weight value explanation}}}}";

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[tokio::test]
async fn a_score_equals_the_formula_and_follows_a_new_masterplan() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    let pa = w.bid(&app, &w.investor_a, "4400000").await;
    let d = app.ok(Some(&w.investor_a), SCORE, json!({"id": pa})).await;
    let s = &d["proposal"]["score"];
    // Worked by hand from DESIGN.md's table: alignment (0.5×0.8)/0.8/0.5 = 0.8; budget r = 1.1 → 1;
    // focus 'city of music' is in the approach → 1; PPP accepted → 1; 20 ≤ 24 months → 1;
    // local 30.5% → 0.305; verified → 1.
    let expected = 100.0 * (0.35 * 0.8 + 0.20 + 0.15 + 0.10 + 0.10 + 0.05 * 0.305 + 0.05);
    assert!(close(s["total"].as_f64().expect("total"), expected), "{s}");
    assert_eq!(s["masterplanVersion"], 1);
    let budget = s["components"]
        .as_array()
        .expect("c")
        .iter()
        .find(|c| c["name"] == "budget_fit")
        .expect("budget")
        .clone();
    assert_eq!(
        budget["explanation"],
        "Offers 110% of the capex estimate (USD 4.4M of 4.0M)."
    );
    let weights: f64 = s["components"]
        .as_array()
        .expect("c")
        .iter()
        .map(|c| c["weight"].as_f64().expect("w"))
        .sum();
    assert!(close(weights, 1.0));

    // The city moves its top priority away from branding: version 2, alignment 0.2/0.5 = 0.4.
    let mut plan = crate::world::masterplan();
    plan["priorities"] = json!([
        {"dimension": "BRANDING", "weight": 0.25, "focusAreas": ["city of music"]},
        {"dimension": "ENVIRONMENT", "weight": 0.5, "focusAreas": []},
        {"dimension": "GOVERNANCE", "weight": 0.25, "focusAreas": []}
    ]);
    let d = app
        .ok(
            Some(&w.official_ambon),
            MASTERPLAN,
            json!({"c": w.ambon, "i": plan}),
        )
        .await;
    assert_eq!(d["setMasterplan"]["version"], 2);
    let d = app.ok(Some(&w.investor_a), SCORE, json!({"id": pa})).await;
    let s = &d["proposal"]["score"];
    assert_eq!(s["masterplanVersion"], 2);
    assert!(
        close(
            s["total"].as_f64().expect("total"),
            expected - 100.0 * 0.35 * 0.4
        ),
        "{s}"
    );

    // A draft has no score; the city sees none before a sealed deadline.
    let d = app
        .ok(
            Some(&w.investor_b),
            SAVE,
            json!({"i": proposal_input(&w.project, "1000000", "x")}),
        )
        .await;
    let draft = id(&d["saveProposal"]["id"]);
    assert!(
        app.ok(Some(&w.investor_b), SCORE, json!({"id": draft}))
            .await["proposal"]["score"]
            .is_null()
    );
    assert!(
        app.ok(Some(&w.official_ambon), SCORE, json!({"id": pa}))
            .await["proposal"]["score"]
            .is_null()
    );
    app.stop().await;
}

/// The stored rows themselves follow a new masterplan and new FX rates (a read would recompute
/// a stale score anyway, so this looks at the table, not through the API).
#[tokio::test]
async fn stored_scores_follow_a_new_masterplan_and_new_fx_rates() {
    use sinergi_services::match_scores::{Scoring, stored, sync_fx};
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    let pa = w.bid(&app, &w.investor_a, "4400000").await;
    let pb = w.bid(&app, &w.investor_b, "3000000").await;
    let ids: Vec<uuid::Uuid> = [&pa, &pb]
        .iter()
        .map(|s| s.parse().expect("uuid"))
        .collect();
    let before = stored(&app.db, &ids).await.expect("stored");
    assert_eq!(before.len(), 2);
    assert!(before.iter().all(|s| s.masterplan_version == 1));

    let d = app
        .ok(
            Some(&w.official_ambon),
            MASTERPLAN,
            json!({"c": w.ambon, "i": crate::world::masterplan()}),
        )
        .await;
    assert_eq!(d["setMasterplan"]["version"], 2);
    let after_plan = stored(&app.db, &ids).await.expect("stored");
    assert_eq!(after_plan.len(), 2);
    assert!(after_plan.iter().all(|s| s.masterplan_version == 2));

    // The rupiah doubles against the dollar: the IDR capex is worth twice as many dollars, so
    // both USD offers cover less of it.
    let fx = sinergi_domain::FxTable::from_pairs([("IDR", "0.000125".parse().expect("rate"))])
        .expect("fx");
    let weights = sinergi_matching::Weights::default();
    let scoring = Scoring {
        fx: &fx,
        weights: &weights,
    };
    assert_eq!(sync_fx(&app.db, scoring).await.expect("sync"), 2);
    let after_fx = stored(&app.db, &ids).await.expect("stored");
    for s in &after_fx {
        let old = after_plan
            .iter()
            .find(|o| o.proposal_id == s.proposal_id)
            .expect("same proposal");
        assert!(s.total < old.total, "{} !< {}", s.total, old.total);
    }
    assert_eq!(
        sync_fx(&app.db, scoring).await.expect("sync"),
        0,
        "the same rates rescore nothing"
    );
    app.stop().await;
}

#[tokio::test]
async fn after_the_deadline_proposals_rank_best_score_first() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::hours(1)).await;
    // B bids first but far over budget (r = 2.25 → budget_fit 0); A bids later, on budget.
    let pb = w.bid(&app, &w.investor_b, "9000000").await;
    let pa = w.bid(&app, &w.investor_a, "4400000").await;
    w.pass_deadline(&app);
    let d = app
        .ok(
            Some(&w.official_ambon),
            "query($id:ID!){project(id:$id){rankedProposals{edges{node{id score{total}}}}}}",
            json!({"id": w.project}),
        )
        .await;
    let edges = d["project"]["rankedProposals"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    let ids: Vec<String> = edges.iter().map(|e| id(&e["node"]["id"])).collect();
    assert_eq!(ids, vec![pa, pb]);
    let totals: Vec<f64> = edges
        .iter()
        .map(|e| e["node"]["score"]["total"].as_f64().expect("t"))
        .collect();
    assert!(totals[0] > totals[1], "{totals:?}");
    app.stop().await;
}

/// Ambon publishes a WATER project, "Flood early warning", in these dimensions; returns its id.
async fn publish_water_project(
    app: &TestApp,
    w: &World,
    dimensions: serde_json::Value,
    capex: Option<serde_json::Value>,
) -> String {
    let mut water = crate::world::project_input(
        "Flood early warning",
        chrono::Utc::now() + Duration::days(20),
    );
    water["sector"] = json!("WATER");
    water["dimensions"] = dimensions;
    if let Some(c) = capex {
        water["capex"] = c;
    }
    let d = app
        .ok(
            Some(&w.official_ambon),
            crate::world::CREATE_PROJECT,
            json!({"c": w.ambon, "i": water}),
        )
        .await;
    let flood = id(&d["createProject"]["id"]);
    app.ok(
        Some(&w.official_ambon),
        "mutation($id:ID!){publishProject(id:$id){status}}",
        json!({"id": flood}),
    )
    .await;
    flood
}

/// A new masterplan version changes what the city's projects are worth to an investor at once
/// (the recommendation snapshot knows it is stale).
#[tokio::test]
async fn recommendations_follow_a_new_masterplan() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    // The investors work in ENVIRONMENT only: the share of the project's masterplan weight
    // they cover is ENVIRONMENT's weight over ENVIRONMENT's and BRANDING's.
    let flood = publish_water_project(&app, &w, json!(["ENVIRONMENT", "BRANDING"]), None).await;
    let score = || async {
        let d = app
            .ok(
                Some(&w.investor_a),
                "{recommendedProjects(first:10){score project{id}}}",
                json!({}),
            )
            .await;
        d["recommendedProjects"]
            .as_array()
            .expect("recs")
            .iter()
            .find(|r| r["project"]["id"] == json!(flood))
            .and_then(|r| r["score"].as_f64())
            .expect("the flood project is recommended")
    };
    let before = score().await;
    // The environment becomes the city's first priority.
    let mut plan = crate::world::masterplan();
    plan["priorities"] = json!([
        {"dimension": "ENVIRONMENT", "weight": 0.8, "focusAreas": ["flood early warning"]},
        {"dimension": "BRANDING", "weight": 0.2, "focusAreas": []}
    ]);
    let d = app
        .ok(
            Some(&w.official_ambon),
            MASTERPLAN,
            json!({"c": w.ambon, "i": plan}),
        )
        .await;
    assert_eq!(d["setMasterplan"]["version"], 2);
    let after = score().await;
    assert!(after > before, "{after} !> {before}");
    app.stop().await;
}

/// The organisations' names of a recommendedInvestors answer, in order.
fn investor_names(d: &serde_json::Value) -> Vec<String> {
    d["recommendedInvestors"]
        .as_array()
        .expect("recs")
        .iter()
        .map(|r| id(&r["organization"]["name"]))
        .collect()
}

const FOR_PROJECT: &str =
    "query($p:ID!){recommendedInvestors(projectId:$p,first:10){score reasons organization{name}}}";

#[tokio::test]
async fn recommendations_skip_unverified_and_suspended_organisations_and_closed_projects() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::hours(1)).await;
    // The organisations work in WATER/ENVIRONMENT; a project in their line ranks first for them.
    let capex = json!({"amount": "2000000", "currency": "USD"});
    let flood = publish_water_project(&app, &w, json!(["ENVIRONMENT"]), Some(capex)).await;

    let d = app
        .ok(
            Some(&w.investor_a),
            "{recommendedProjects(first:5){score reasons project{id title}}}",
            json!({}),
        )
        .await;
    let recs = d["recommendedProjects"].as_array().expect("recs").clone();
    assert_eq!(recs[0]["project"]["id"], json!(flood), "{recs:?}");
    assert!(
        recs[0]["reasons"]
            .as_array()
            .expect("r")
            .iter()
            .any(|r| r.as_str().expect("s").contains("WATER"))
    );
    assert!(
        recs.iter().all(|r| r["project"]["title"] != "Secret draft"),
        "drafts are never recommended"
    );

    let names = investor_names;
    let d = app
        .ok(Some(&w.official_ambon), FOR_PROJECT, json!({"p": flood}))
        .await;
    let mut got = names(&d);
    got.sort();
    assert_eq!(
        got,
        ["Delta Water", "Polder Invest"],
        "the pending organisation is never recommended"
    );
    app.ok(
        Some(&w.liaison_nl),
        "mutation($o:ID!){suspendInvestor(organizationId:$o,reason:\"review\"){verification}}",
        json!({"o": w.org_b}),
    )
    .await;
    let d = app
        .ok(Some(&w.official_ambon), FOR_PROJECT, json!({"p": flood}))
        .await;
    assert_eq!(
        names(&d),
        ["Delta Water"],
        "a suspended organisation is never recommended"
    );
    // Liaisons see their own investors only; investors and other cities may not ask.
    let d = app
        .ok(Some(&w.liaison_jp), FOR_PROJECT, json!({"p": flood}))
        .await;
    assert_eq!(names(&d), Vec::<String>::new());
    for token in [&w.investor_a, &w.official_semarang] {
        let r = app.gql(Some(token), FOR_PROJECT, json!({"p": flood})).await;
        assert_eq!(code(&r), "FORBIDDEN");
    }
    let r = app
        .gql(
            Some(&w.official_ambon),
            "{recommendedProjects{score}}",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    // Once its deadline passes, a project is recommended to nobody.
    w.pass_deadline(&app);
    let d = app
        .ok(
            Some(&w.investor_a),
            "{recommendedProjects(first:10){project{id}}}",
            json!({}),
        )
        .await;
    assert!(
        d["recommendedProjects"]
            .as_array()
            .expect("r")
            .iter()
            .all(|r| r["project"]["id"] != json!(w.project))
    );
    let d = app
        .ok(
            Some(&w.official_ambon),
            FOR_PROJECT,
            json!({"p": w.project}),
        )
        .await;
    assert_eq!(names(&d), Vec::<String>::new());
    app.stop().await;
}

const RECOMMENDED: &str = "{recommendedProjects(first:10){score reasons project{id city{name}}}}";

fn recommended_ids(d: &serde_json::Value) -> Vec<String> {
    d["recommendedProjects"]
        .as_array()
        .expect("recs")
        .iter()
        .map(|r| id(&r["project"]["id"]))
        .collect()
}

/// A project the organisation already has a proposal on (even a draft) is in `myProposals`, not
/// in its recommendations; an organisation that bid is no longer recommended to the city — but
/// a draft does not count there, so the city learns nothing of it.
#[tokio::test]
async fn recommendations_leave_out_what_was_already_bid_on() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(10)).await;
    let capex = json!({"amount": "2000000", "currency": "USD"});
    let flood = publish_water_project(&app, &w, json!(["ENVIRONMENT"]), Some(capex)).await;
    let d = app.ok(Some(&w.investor_a), RECOMMENDED, json!({})).await;
    assert!(recommended_ids(&d).contains(&flood), "{d}");
    let investors = investor_names;
    let before = app
        .ok(Some(&w.official_ambon), FOR_PROJECT, json!({"p": flood}))
        .await;
    assert!(investors(&before).contains(&"Delta Water".to_owned()));

    // A draft: gone from the investor's recommendations, still recommended to the city.
    let d = app
        .ok(
            Some(&w.investor_a),
            SAVE,
            json!({"i": proposal_input(&flood, "2000000", "Flood early warning sensors.")}),
        )
        .await;
    let pid = id(&d["saveProposal"]["id"]);
    let d = app.ok(Some(&w.investor_a), RECOMMENDED, json!({})).await;
    assert!(!recommended_ids(&d).contains(&flood), "{d}");
    let d = app.ok(Some(&w.investor_b), RECOMMENDED, json!({})).await;
    assert!(
        recommended_ids(&d).contains(&flood),
        "another organisation still gets it"
    );
    let d = app
        .ok(Some(&w.official_ambon), FOR_PROJECT, json!({"p": flood}))
        .await;
    assert_eq!(
        d, before,
        "the city sees exactly what it saw before the draft"
    );

    // Submitted: the city is no longer offered the bidder.
    app.ok(
        Some(&w.investor_a),
        crate::world::SUBMIT,
        json!({"id": pid}),
    )
    .await;
    let d = app
        .ok(Some(&w.official_ambon), FOR_PROJECT, json!({"p": flood}))
        .await;
    assert_eq!(investors(&d), ["Polder Invest"]);
    // A liaison may not know who bid: their own investors all stay in their list.
    let d = app
        .ok(Some(&w.liaison_nl), FOR_PROJECT, json!({"p": flood}))
        .await;
    let mut got = investors(&d);
    got.sort();
    assert_eq!(
        got,
        ["Delta Water", "Polder Invest"],
        "nothing tells the liaison who bid"
    );
    app.stop().await;
}

/// The demo data, as a new user meets it: an investor's top 5 are told apart (no two share a
/// score unless everything they are scored on is the same), nothing is a perfect 100, and a
/// project's priority reason names the masterplan's numbers.
#[tokio::test]
async fn demo_recommendations_tell_the_top_five_apart() {
    let app = TestApp::spawn_demo().await;
    const TOP5: &str = "{recommendedProjects(first:5){score reasons project{id sector dimensions acceptedFinancing capex{amount currency} proposalDeadline city{id}}}}";
    for (email, password) in [
        ("investor@deltawater.demo", "investor-nl-demo"),
        ("investor@kyotosound.demo", "investor-jp-demo"),
    ] {
        let token = app.login(email, password).await;
        let d = app.ok(Some(&token), TOP5, json!({})).await;
        let recs = d["recommendedProjects"].as_array().expect("recs").clone();
        assert_eq!(recs.len(), 5, "{email}: {d}");
        for (i, a) in recs.iter().enumerate() {
            let score = a["score"].as_f64().expect("score");
            assert!(score < 100.0, "{email}: {a}");
            for b in &recs[i + 1..] {
                if a["score"] == b["score"] {
                    let mut fa = a["project"].clone();
                    let mut fb = b["project"].clone();
                    fa["id"] = json!(null);
                    fb["id"] = json!(null);
                    assert_eq!(fa, fb, "{email}: a tie between different projects");
                }
            }
            assert_eq!(a["reasons"].as_array().expect("reasons").len(), 6);
            assert!(
                a["reasons"][2]
                    .as_str()
                    .expect("priority")
                    .contains("% of the masterplan"),
                "{a}"
            );
        }
        // What it bid on is in its own list, not recommended.
        let d = app
            .ok(
                Some(&token),
                "{myProposals(first:50){edges{node{project{id}}}}}",
                json!({}),
            )
            .await;
        let recommended: Vec<&serde_json::Value> =
            recs.iter().map(|r| &r["project"]["id"]).collect();
        for e in d["myProposals"]["edges"].as_array().expect("edges") {
            assert!(!recommended.contains(&&e["node"]["project"]["id"]));
        }
    }
    app.stop().await;
}
