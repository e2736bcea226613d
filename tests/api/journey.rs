//! The whole marketplace journey, from an empty platform to an awarded project.

use chrono::Duration;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, code, ext};
use crate::world::{SAVE, World, id, proposal_input};

/// DESIGN.md's commitment layout, written out again here so the test checks the server
/// against the document rather than against itself.
fn commitment_of(salt: &str, p: &Value) -> String {
    let mut text = format!(
        "{salt}\nv1\namount:{}\ncurrency:{}\nfinancing:{}\ntimeline:{}\nlocal:{:.2}\n",
        p["amount"]["amount"].as_str().expect("amount"),
        p["amount"]["currency"].as_str().expect("currency"),
        p["financingModel"].as_str().expect("financing"),
        p["timelineMonths"],
        p["localContentPercent"].as_f64().expect("local"),
    );
    for c in p["contributions"].as_array().expect("contributions") {
        text.push_str(&format!(
            "contrib:{}={:.4}\n",
            c["dimension"].as_str().expect("d"),
            c["strength"].as_f64().expect("s")
        ));
    }
    text.push_str(&format!(
        "approach:{}",
        p["approach"].as_str().expect("approach")
    ));
    hex::encode(Sha256::digest(text.as_bytes()))
}

const OPEN: &str = "query($id:ID!){project(id:$id){status proposalCount rankedProposals(first:10){totalCount edges{node{
    id status commitment commitmentSalt amount{amount currency} financingModel timelineMonths approach
    contributions{dimension strength} localContentPercent organization{name}}}}}}";

#[tokio::test]
async fn a_city_awards_a_project_after_sealed_bidding_and_checks_the_commitments() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::hours(1)).await;

    // Two investors bid; B revises, and the revision gets a new commitment.
    let pa = w.bid(&app, &w.investor_a, "4400000").await;
    let pb = w.bid(&app, &w.investor_b, "5000000").await;
    let first = app
        .ok(
            Some(&w.investor_b),
            "query($id:ID!){proposal(id:$id){commitment}}",
            json!({"id": pb}),
        )
        .await;
    let revised = app
        .ok(
            Some(&w.investor_b),
            SAVE,
            json!({"i": proposal_input(&w.project, "4100000.50", "Revised: a city of music.")}),
        )
        .await;
    assert_eq!(
        revised["saveProposal"]["id"], pb,
        "one proposal per organisation per project"
    );
    assert_eq!(revised["saveProposal"]["status"], "SUBMITTED");
    assert_ne!(
        revised["saveProposal"]["commitment"],
        first["proposal"]["commitment"]
    );

    // Before the deadline the city sees the count, not the content.
    let r = app
        .gql(Some(&w.official_ambon), OPEN, json!({"id": w.project}))
        .await;
    assert_eq!(code(&r), "CONFLICT");
    assert_eq!(ext(&r)["reason"], "SEALED_UNTIL_DEADLINE");
    let d = app
        .ok(
            Some(&w.official_ambon),
            "query($id:ID!){project(id:$id){proposalCount}}",
            json!({"id": w.project}),
        )
        .await;
    assert_eq!(d["project"]["proposalCount"], 2);
    let d = app
        .ok(
            Some(&w.admin),
            "query($id:ID!){proposal(id:$id){amount{amount} approach commitment commitmentSalt}}",
            json!({"id": pa}),
        )
        .await;
    assert_eq!(
        d["proposal"]["amount"],
        Value::Null,
        "an admin cannot open a sealed bid"
    );
    assert_eq!(d["proposal"]["commitmentSalt"], Value::Null);
    assert!(d["proposal"]["commitment"].is_string());
    // The preview score is the bidder's alone: not the city's, not an admin's, not a rival's,
    // before or after the deadline.
    const DRAFT_SCORE: &str =
        "query($id:ID!){proposal(id:$id){draftScore{total components{name explanation}}}}";
    let own = app
        .ok(Some(&w.investor_a), DRAFT_SCORE, json!({"id": pa}))
        .await;
    assert!(
        own["proposal"]["draftScore"]["total"].as_f64().is_some(),
        "{own}"
    );
    for token in [&w.admin, &w.official_ambon] {
        let d = app.gql(Some(token), DRAFT_SCORE, json!({"id": pa})).await;
        assert!(d["data"]["proposal"]["draftScore"].is_null(), "{d}");
    }
    let r = app
        .gql(Some(&w.investor_b), DRAFT_SCORE, json!({"id": pa}))
        .await;
    assert!(
        r["data"]["proposal"].is_null(),
        "a rival's proposal is not found: {r}"
    );

    w.pass_deadline(&app);

    // After it, the city opens the proposals and recomputes every commitment.
    let d = app
        .ok(Some(&w.official_ambon), OPEN, json!({"id": w.project}))
        .await;
    let edges = d["project"]["rankedProposals"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(edges.len(), 2);
    for e in &edges {
        let p = &e["node"];
        let salt = p["commitmentSalt"].as_str().expect("salt");
        assert_eq!(salt.len(), 64);
        assert_eq!(
            p["commitment"].as_str(),
            Some(commitment_of(salt, p).as_str()),
            "commitment of {p}"
        );
    }
    let d = app
        .ok(
            Some(&w.official_ambon),
            "query($id:ID!){proposal(id:$id){score{total} draftScore{total}}}",
            json!({"id": pa}),
        )
        .await;
    assert!(d["proposal"]["score"]["total"].is_number());
    assert!(d["proposal"]["draftScore"].is_null(), "{d}");
    let b = edges.iter().find(|e| e["node"]["id"] == pb).expect("B");
    assert_eq!(b["node"]["amount"]["amount"], "4100000.5");
    assert_eq!(b["node"]["approach"], "Revised: a city of music.");

    // Bidding is over for the investors.
    let r = app
        .gql(
            Some(&w.investor_a),
            SAVE,
            json!({"i": proposal_input(&w.project, "1", "late")}),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    assert_eq!(ext(&r)["reason"], "DEADLINE_PASSED");

    // The city accepts A: the project is awarded and B rejected, together.
    let d = app
        .ok(
            Some(&w.official_ambon),
            "mutation($id:ID!){acceptProposal(id:$id){status}}",
            json!({"id": pa}),
        )
        .await;
    assert_eq!(d["acceptProposal"]["status"], "ACCEPTED");
    let d = app
        .ok(Some(&w.official_ambon), OPEN, json!({"id": w.project}))
        .await;
    assert_eq!(d["project"]["status"], "AWARDED");
    let statuses: Vec<(String, String)> = d["project"]["rankedProposals"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| (id(&e["node"]["id"]), id(&e["node"]["status"])))
        .collect();
    assert!(statuses.contains(&(pa.clone(), "ACCEPTED".into())));
    assert!(statuses.contains(&(pb.clone(), "REJECTED".into())));
    let d = app
        .ok(
            Some(&w.investor_b),
            "{myProposals{totalCount edges{node{status}}}}",
            json!({}),
        )
        .await;
    assert_eq!(d["myProposals"]["edges"][0]["node"]["status"], "REJECTED");

    // Every step is in the audit chain, and the chain is intact.
    let d = app.ok(Some(&w.admin), "query($e:ID){auditEvents(entityId:$e,first:50){totalCount edges{node{action sequence hash actor{email}}}}}", json!({"e": pa})).await;
    let actions: Vec<&str> = d["auditEvents"]["edges"]
        .as_array()
        .expect("e")
        .iter()
        .map(|e| e["node"]["action"].as_str().expect("a"))
        .collect();
    assert_eq!(
        actions,
        [
            "proposal.created",
            "proposal.submitted",
            "proposal.accepted"
        ]
    );
    assert_eq!(
        sinergi_services::audit::verify(&app.db)
            .await
            .expect("verify"),
        sinergi_services::audit::Verification::Intact {
            events: app
                .ok(
                    Some(&w.admin),
                    "{auditEvents(first:1){totalCount}}",
                    json!({})
                )
                .await["auditEvents"]["totalCount"]
                .as_u64()
                .expect("n")
        }
    );
    app.stop().await;
}
