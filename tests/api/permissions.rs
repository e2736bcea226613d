//! Every cell of DESIGN.md's permission table that says "no": the caller gets NOT_FOUND or
//! FORBIDDEN and sees nothing.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, code};
use crate::world::{
    CREATE_PROJECT, MASTERPLAN, SAVE, SUBMIT, World, masterplan, project_input, proposal_input,
};

fn refused(r: &Value) -> bool {
    matches!(code(r).as_str(), "NOT_FOUND" | "FORBIDDEN")
}

#[tokio::test]
async fn only_the_city_and_admins_see_a_draft_project() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    let q = "query($id:ID!){project(id:$id){title}}";
    for token in [
        None,
        Some(&w.investor_a),
        Some(&w.liaison_nl),
        Some(&w.official_semarang),
    ] {
        let d = app
            .ok(token.map(String::as_str), q, json!({"id": w.draft}))
            .await;
        assert_eq!(d["project"], Value::Null, "a draft leaked");
        let d = app
            .ok(
                token.map(String::as_str),
                "query($c:ID!){city(id:$c){projects(first:50){totalCount edges{node{title}}}}}",
                json!({"c": w.ambon}),
            )
            .await;
        assert_eq!(
            d["city"]["projects"]["totalCount"], 1,
            "a draft counted in a listing"
        );
    }
    for token in [&w.official_ambon, &w.admin] {
        let d = app.ok(Some(token), q, json!({"id": w.draft})).await;
        assert_eq!(d["project"]["title"], "Secret draft");
    }
    app.stop().await;
}

#[tokio::test]
async fn nobody_but_the_city_and_admins_writes_its_masterplan_and_projects() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    let later = Utc::now() + Duration::days(9);
    for token in [&w.investor_a, &w.liaison_nl, &w.official_semarang] {
        let r = app
            .gql(
                Some(token),
                MASTERPLAN,
                json!({"c": w.ambon, "i": masterplan()}),
            )
            .await;
        assert!(refused(&r), "setMasterplan: {r}");
        let r = app
            .gql(
                Some(token),
                CREATE_PROJECT,
                json!({"c": w.ambon, "i": project_input("x", later)}),
            )
            .await;
        assert!(refused(&r), "createProject: {r}");
        for p in [&w.project, &w.draft] {
            let r = app
                .gql(
                    Some(token),
                    "mutation($id:ID!,$i:ProjectInput!){updateProject(id:$id,input:$i){id}}",
                    json!({"id": p, "i": project_input("x", later)}),
                )
                .await;
            assert!(refused(&r), "updateProject: {r}");
            for m in ["publishProject", "closeProject"] {
                let r = app
                    .gql(
                        Some(token),
                        &format!("mutation($id:ID!){{{m}(id:$id){{id}}}}"),
                        json!({"id": p}),
                    )
                    .await;
                assert!(refused(&r), "{m}: {r}");
            }
            let r = app
                .gql(
                    Some(token),
                    "mutation($id:ID!){cancelProject(id:$id,reason:\"no\"){id}}",
                    json!({"id": p}),
                )
                .await;
            assert!(refused(&r), "cancelProject: {r}");
        }
    }
    let r = app
        .gql(None, MASTERPLAN, json!({"c": w.ambon, "i": masterplan()}))
        .await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    let d = app
        .ok(
            Some(&w.official_ambon),
            "query($id:ID!){project(id:$id){title status}}",
            json!({"id": w.project}),
        )
        .await;
    assert_eq!(d["project"]["status"], "PUBLISHED", "nothing changed");
    app.stop().await;
}

#[tokio::test]
async fn organisations_are_seen_only_by_those_the_table_allows() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    let q = "query($id:ID!){investorOrganization(id:$id){name}}";
    let visible = |token: Option<String>, org: String| {
        let app = &app;
        async move {
            app.ok(token.as_deref(), q, json!({"id": org})).await["investorOrganization"]
                != Value::Null
        }
    };
    // Anonymous: nothing. Investors: their own. Liaisons: their embassy's. Cities: verified ones.
    assert!(!visible(None, w.org_a.clone()).await);
    assert!(visible(Some(w.investor_a.clone()), w.org_a.clone()).await);
    assert!(!visible(Some(w.investor_a.clone()), w.org_b.clone()).await);
    assert!(visible(Some(w.liaison_nl.clone()), w.org_pending.clone()).await);
    assert!(!visible(Some(w.liaison_jp.clone()), w.org_a.clone()).await);
    assert!(visible(Some(w.official_semarang.clone()), w.org_a.clone()).await);
    assert!(!visible(Some(w.official_semarang.clone()), w.org_pending.clone()).await);
    let d = app
        .ok(
            None,
            "query($id:ID!){city(id:$id){name}} ",
            json!({"id": w.ambon}),
        )
        .await;
    assert_eq!(d["city"]["name"], "Ambon");
    let d = app
        .ok(
            None,
            "{embassies{country investors{totalCount}}}",
            json!({}),
        )
        .await;
    assert_eq!(
        d["embassies"][0]["investors"]["totalCount"], 0,
        "anonymous callers list no investors"
    );

    // Only the referring embassy's liaisons verify, suspend and invite.
    for token in [&w.liaison_jp, &w.investor_a, &w.official_ambon] {
        let r = app
            .gql(
                Some(token),
                "mutation($o:ID!){verifyInvestor(organizationId:$o){verification}}",
                json!({"o": w.org_pending}),
            )
            .await;
        assert!(refused(&r), "verify: {r}");
        let r = app
            .gql(
                Some(token),
                "mutation($o:ID!){suspendInvestor(organizationId:$o,reason:\"x\"){verification}}",
                json!({"o": w.org_a}),
            )
            .await;
        assert!(refused(&r), "suspend: {r}");
        let r = app
            .gql(
                Some(token),
                "mutation($o:ID!){inviteInvestor(organizationId:$o,email:\"x@y.test\"){code}}",
                json!({"o": w.org_a}),
            )
            .await;
        assert!(refused(&r), "invite: {r}");
    }
    let d = app
        .ok(Some(&w.liaison_nl), q, json!({"id": w.org_pending}))
        .await;
    assert_eq!(d["investorOrganization"]["name"], "Pending Partners");
    let r = app.gql(Some(&w.official_ambon), "mutation($i:InvestorOrganizationInput!){createInvestorOrganization(input:$i){id}}",
        json!({"i": {"name": "X", "country": "ID", "description": "x", "sectors": [], "dimensions": [], "financingModels": []}})).await;
    assert_eq!(code(&r), "FORBIDDEN");
    app.stop().await;
}

#[tokio::test]
async fn proposals_stay_with_the_bidder_the_city_and_admins() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    let pa = w.bid(&app, &w.investor_a, "4000000").await;
    let q = "query($id:ID!){proposal(id:$id){id amount{amount} approach score{total}}}";
    for token in [
        None,
        Some(&w.investor_b),
        Some(&w.liaison_nl),
        Some(&w.official_semarang),
    ] {
        let d = app
            .ok(token.map(String::as_str), q, json!({"id": pa}))
            .await;
        assert_eq!(d["proposal"], Value::Null, "a proposal leaked");
    }
    let d = app
        .ok(
            Some(&w.investor_b),
            "query($id:ID!){project(id:$id){myProposal{id} proposalCount}}",
            json!({"id": w.project}),
        )
        .await;
    assert_eq!(d["project"]["myProposal"], Value::Null);
    assert_eq!(
        d["project"]["proposalCount"],
        Value::Null,
        "competitors do not see the count"
    );
    // The bidder reads its own content; the city and admins only the envelope before the deadline.
    let d = app.ok(Some(&w.investor_a), q, json!({"id": pa})).await;
    assert_eq!(d["proposal"]["amount"]["amount"], "4000000");
    for token in [&w.official_ambon, &w.admin] {
        let d = app.ok(Some(token), q, json!({"id": pa})).await;
        assert_eq!(d["proposal"]["id"], json!(pa));
        assert_eq!(d["proposal"]["amount"], Value::Null);
        assert_eq!(d["proposal"]["approach"], Value::Null);
    }
    // Nobody else changes it, or judges it.
    for token in [&w.investor_b, &w.official_semarang, &w.liaison_nl] {
        for m in [
            "submitProposal",
            "withdrawProposal",
            "shortlistProposal",
            "acceptProposal",
        ] {
            let r = app
                .gql(
                    Some(token),
                    &format!("mutation($id:ID!){{{m}(id:$id){{id}}}}"),
                    json!({"id": pa}),
                )
                .await;
            assert!(refused(&r), "{m}: {r}");
        }
    }
    for token in [&w.official_ambon, &w.liaison_nl] {
        let r = app
            .gql(
                Some(token),
                SAVE,
                json!({"i": proposal_input(&w.project, "1", "x")}),
            )
            .await;
        assert_eq!(code(&r), "FORBIDDEN", "only investors bid");
    }
    let r = app
        .gql(
            Some(&w.investor_b),
            "query($id:ID!){project(id:$id){rankedProposals{totalCount}}}",
            json!({"id": w.project}),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let d = app.ok(Some(&w.investor_a), q, json!({"id": pa})).await;
    assert_eq!(
        d["proposal"]["amount"]["amount"], "4000000",
        "nothing changed"
    );
    // A draft is the bidder's alone, even for the city and admins of an open-bid project.
    let mut open = project_input("Open bids", Utc::now() + Duration::days(3));
    open["sealedBids"] = json!(false);
    let d = app
        .ok(
            Some(&w.official_ambon),
            CREATE_PROJECT,
            json!({"c": w.ambon, "i": open}),
        )
        .await;
    let open_id = d["createProject"]["id"].clone();
    app.ok(
        Some(&w.official_ambon),
        "mutation($id:ID!){publishProject(id:$id){id}}",
        json!({"id": open_id}),
    )
    .await;
    let d = app
        .ok(
            Some(&w.investor_b),
            SAVE,
            json!({"i": proposal_input(open_id.as_str().expect("id"), "5", "draft")}),
        )
        .await;
    let draft = d["saveProposal"]["id"].clone();
    for token in [&w.official_ambon, &w.admin] {
        let d = app.ok(Some(token), q, json!({"id": draft})).await;
        assert_eq!(d["proposal"], Value::Null, "a draft proposal leaked");
    }
    app.stop().await;
}

#[tokio::test]
async fn only_admins_read_the_audit_trail_and_create_places_and_people() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    for token in [&w.investor_a, &w.liaison_nl, &w.official_ambon] {
        let r = app
            .gql(Some(token), "{auditEvents{totalCount}}", json!({}))
            .await;
        assert_eq!(code(&r), "FORBIDDEN");
        assert_eq!(r["data"], Value::Null);
        let r = app
            .gql(
                Some(token),
                "mutation{createCity(name:\"X\",province:\"Y\"){id}}",
                json!({}),
            )
            .await;
        assert_eq!(code(&r), "FORBIDDEN");
        let r = app
            .gql(
                Some(token),
                "mutation{createEmbassy(country:\"FR\",name:\"Y\"){id}}",
                json!({}),
            )
            .await;
        assert_eq!(code(&r), "FORBIDDEN");
        let r = app.gql(Some(token), "mutation{createUser(email:\"x@y.test\",name:\"x\",password:\"password-123\",role:ADMIN){id}}", json!({})).await;
        assert_eq!(code(&r), "FORBIDDEN");
    }
    let r = app.gql(None, "{auditEvents{totalCount}}", json!({})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    let r = app
        .gql(
            None,
            "mutation{createCity(name:\"X\",province:\"Y\"){id}}",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    let d = app.ok(None, "{cities{totalCount}}", json!({})).await;
    assert_eq!(d["cities"]["totalCount"], 2, "no city was created");
    app.stop().await;
}

#[tokio::test]
async fn refused_transitions_answer_conflict_with_a_reason() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    let reason = |r: &Value| {
        r["errors"][0]["extensions"]["reason"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    // Publishing twice, closing a sealed project early.
    let r = app
        .gql(
            Some(&w.official_ambon),
            "mutation($id:ID!){publishProject(id:$id){id}}",
            json!({"id": w.project}),
        )
        .await;
    assert_eq!(
        (code(&r), reason(&r)),
        ("CONFLICT".into(), "INVALID_TRANSITION".into())
    );
    let r = app
        .gql(
            Some(&w.official_ambon),
            "mutation($id:ID!){closeProject(id:$id){id}}",
            json!({"id": w.project}),
        )
        .await;
    assert_eq!(
        (code(&r), reason(&r)),
        ("CONFLICT".into(), "SEALED_UNTIL_DEADLINE".into())
    );
    // A pending organisation cannot submit; a bid cannot be judged before the deadline.
    let d = app
        .ok(
            Some(&w.investor_pending),
            SAVE,
            json!({"i": proposal_input(&w.project, "1000", "x")}),
        )
        .await;
    let pid = d["saveProposal"]["id"].clone();
    let r = app
        .gql(Some(&w.investor_pending), SUBMIT, json!({"id": pid}))
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let pa = w.bid(&app, &w.investor_a, "4000000").await;
    let r = app
        .gql(Some(&w.investor_a), SUBMIT, json!({"id": pa}))
        .await;
    assert_eq!(
        (code(&r), reason(&r)),
        ("CONFLICT".into(), "ALREADY_SUBMITTED".into())
    );
    let r = app
        .gql(
            Some(&w.official_ambon),
            "mutation($id:ID!){acceptProposal(id:$id){id}}",
            json!({"id": pa}),
        )
        .await;
    assert_eq!(
        (code(&r), reason(&r)),
        ("CONFLICT".into(), "DEADLINE_NOT_PASSED".into())
    );
    // With a submitted bid, the terms are frozen and the deadline only moves later.
    let mut terms = project_input("City of Music hub", w.deadline);
    terms["capex"] = json!({"amount": "1", "currency": "USD"});
    let r = app
        .gql(
            Some(&w.official_ambon),
            "mutation($id:ID!,$i:ProjectInput!){updateProject(id:$id,input:$i){id}}",
            json!({"id": w.project, "i": terms}),
        )
        .await;
    assert_eq!(
        (code(&r), reason(&r)),
        ("CONFLICT".into(), "HAS_PROPOSALS".into())
    );
    let earlier = project_input("City of Music hub", w.deadline - Duration::hours(1));
    let r = app
        .gql(
            Some(&w.official_ambon),
            "mutation($id:ID!,$i:ProjectInput!){updateProject(id:$id,input:$i){id}}",
            json!({"id": w.project, "i": earlier}),
        )
        .await;
    assert_eq!(
        (code(&r), reason(&r)),
        ("CONFLICT".into(), "HAS_PROPOSALS".into())
    );
    let later = project_input(
        "City of Music hub (renamed)",
        w.deadline + Duration::days(1),
    );
    let d = app
        .ok(
            Some(&w.official_ambon),
            "mutation($id:ID!,$i:ProjectInput!){updateProject(id:$id,input:$i){title}}",
            json!({"id": w.project, "i": later}),
        )
        .await;
    assert_eq!(d["updateProject"]["title"], "City of Music hub (renamed)");
    // Publishing without a masterplan.
    let later = Utc::now() + Duration::days(5);
    let d = app
        .ok(
            Some(&w.official_semarang),
            CREATE_PROJECT,
            json!({"c": w.semarang, "i": project_input("No plan", later)}),
        )
        .await;
    let r = app
        .gql(
            Some(&w.official_semarang),
            "mutation($id:ID!){publishProject(id:$id){id}}",
            json!({"id": d["createProject"]["id"]}),
        )
        .await;
    assert_eq!(
        (code(&r), reason(&r)),
        ("CONFLICT".into(), "NO_MASTERPLAN".into())
    );
    // Cancelling ends bidding for good.
    app.ok(
        Some(&w.official_ambon),
        "mutation($id:ID!){cancelProject(id:$id,reason:\"budget cut\"){status}}",
        json!({"id": w.project}),
    )
    .await;
    let r = app
        .gql(
            Some(&w.investor_b),
            SAVE,
            json!({"i": proposal_input(&w.project, "1", "x")}),
        )
        .await;
    assert!(
        matches!(code(&r).as_str(), "VALIDATION" | "NOT_FOUND"),
        "{r}"
    );
    app.stop().await;
}
