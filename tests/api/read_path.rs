//! The read path: nested lists cost one statement per level of the query, whatever the number
//! of parents, and the permission scope stays inside those statements.

use std::sync::atomic::Ordering;

use serde_json::{Value, json};

use crate::helpers::TestApp;

async fn login(app: &TestApp, email: &str, password: &str) -> String {
    app.ok(
        None,
        "mutation($e:String!,$p:String!){login(email:$e,password:$p){accessToken}}",
        json!({"e": email, "p": password}),
    )
    .await["login"]["accessToken"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// Runs a query and counts the statements it cost.
async fn costed(app: &TestApp, token: Option<&str>, q: &str, vars: Value) -> (Value, u64) {
    let before = app.statements.load(Ordering::SeqCst);
    let d = app.ok(token, q, vars).await;
    (d, app.statements.load(Ordering::SeqCst) - before)
}

const NESTED: &str = "query($n:Int){cities(first:$n){edges{node{id name projects(first:5){totalCount edges{node{title status city{name}}}}}}}}";
const FLAT: &str =
    "query($n:Int){cities(first:$n){edges{node{id name projects(first:5){edges{node{title}}}}}}}";
const ONE: &str =
    "query($id:ID!){city(id:$id){projects(first:5){totalCount edges{node{title status}}}}}";

#[tokio::test]
async fn nested_project_lists_cost_one_statement_per_level_for_any_number_of_cities() {
    let app = TestApp::spawn_demo().await;
    let official = login(&app, "walikota@ambon.demo", "ambon-city-demo").await;
    for token in [None, Some(official.as_str())] {
        let (one, cost_one) = costed(&app, token, NESTED, json!({"n": 1})).await;
        let (all, cost_all) = costed(&app, token, NESTED, json!({"n": 8})).await;
        let cities = all["cities"]["edges"].as_array().expect("edges");
        assert_eq!(cities.len(), 8);
        assert_eq!(one["cities"]["edges"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            cost_one, cost_all,
            "1 city and 8 cities with their projects and counts: {cost_one} and {cost_all} statements"
        );
        // Without totalCount, nothing is counted: fewer statements.
        let (_, cost_flat) = costed(&app, token, FLAT, json!({"n": 8})).await;
        assert!(cost_flat < cost_all, "{cost_flat} < {cost_all}");

        // Each city's nested page is exactly what the city's own list says, within the
        // caller's scope: anonymous callers never see a DRAFT; Ambon's official sees Ambon's.
        for c in cities {
            let node = &c["node"];
            let alone = app.ok(token, ONE, json!({"id": node["id"]})).await;
            assert_eq!(
                node["projects"]["totalCount"],
                alone["city"]["projects"]["totalCount"]
            );
            let titles = |v: &Value| -> Vec<Value> {
                v["edges"]
                    .as_array()
                    .expect("edges")
                    .iter()
                    .map(|e| e["node"]["title"].clone())
                    .collect()
            };
            assert_eq!(
                titles(&node["projects"]),
                titles(&alone["city"]["projects"])
            );
            for e in node["projects"]["edges"].as_array().expect("edges") {
                assert_eq!(e["node"]["city"]["name"], node["name"]);
                let draft = e["node"]["status"] == "DRAFT";
                if draft {
                    assert!(token.is_some() && node["name"] == "Ambon", "{node}");
                }
            }
        }
    }
    // A new draft of Ambon's counts in its official's nested list, and in nobody else's.
    let ambon_count = |d: &Value| {
        d["cities"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .find(|c| c["node"]["name"] == "Ambon")
            .expect("Ambon")["node"]["projects"]["totalCount"]
            .as_u64()
            .expect("count")
    };
    let (before_official, _) = costed(&app, Some(&official), NESTED, json!({"n": 8})).await;
    let (before_anonymous, _) = costed(&app, None, NESTED, json!({"n": 8})).await;
    let ambon_id = before_official["cities"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|c| c["node"]["name"] == "Ambon")
        .expect("Ambon")["node"]["id"]
        .clone();
    app.ok(
        Some(&official),
        crate::world::CREATE_PROJECT,
        json!({"c": ambon_id, "i": crate::world::project_input("A new draft", chrono::Utc::now() + chrono::Duration::days(30))}),
    )
    .await;
    let (after_official, _) = costed(&app, Some(&official), NESTED, json!({"n": 8})).await;
    let (after_anonymous, _) = costed(&app, None, NESTED, json!({"n": 8})).await;
    assert_eq!(
        ambon_count(&after_official),
        ambon_count(&before_official) + 1
    );
    assert_eq!(
        ambon_count(&after_anonymous),
        ambon_count(&before_anonymous)
    );
    app.stop().await;
}

/// A project by id with its city is one statement (a join), and the join keeps the caller's
/// scope: another city's DRAFT is null for an anonymous caller, and its own official reads it.
#[tokio::test]
async fn a_project_with_its_city_is_one_statement_within_the_callers_scope() {
    let app = TestApp::spawn_demo().await;
    let official = login(&app, "walikota@ambon.demo", "ambon-city-demo").await;
    let ambon = app
        .ok(None, "{cities(first:20){edges{node{id name}}}}", json!({}))
        .await["cities"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|c| c["node"]["name"] == "Ambon")
        .expect("Ambon")["node"]["id"]
        .clone();
    let draft = app
        .ok(
            Some(&official),
            crate::world::CREATE_PROJECT,
            json!({"c": ambon, "i": crate::world::project_input("Draft by id", chrono::Utc::now() + chrono::Duration::days(30))}),
        )
        .await["createProject"]["id"]
        .clone();
    app.settle().await;
    const Q: &str = "query($id:ID!){project(id:$id){id title status city{id name province}}}";
    let (d, cost) = costed(&app, Some(&official), Q, json!({"id": draft})).await;
    assert_eq!(d["project"]["city"]["name"], "Ambon", "{d}");
    assert_eq!(d["project"]["status"], "DRAFT");
    assert_eq!(cost, 1, "a project with its city in one statement");
    let (d, _) = costed(&app, None, Q, json!({"id": draft})).await;
    assert_eq!(
        d["project"],
        Value::Null,
        "anonymous callers do not read a DRAFT"
    );
    let semarang = login(&app, "bappeda@semarang.demo", "semarang-city-demo").await;
    let (d, _) = costed(&app, Some(&semarang), Q, json!({"id": draft})).await;
    assert_eq!(
        d["project"],
        Value::Null,
        "nor does another city's official"
    );
    app.stop().await;
}
