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

/// Paging a city's projects two at a time, through the nested list of every city, reads the
/// same projects as one page of all of them, in creation order, without a repeat; each page's
/// `endCursor` is its last edge's cursor, and a cursor of another list is refused.
#[tokio::test]
async fn nested_pages_walk_a_citys_projects_in_creation_order() {
    let app = TestApp::spawn_demo().await;
    let official = login(&app, "walikota@ambon.demo", "ambon-city-demo").await;
    const PAGE: &str = "query($after:String){cities(first:8){edges{cursor node{name projects(first:2,after:$after){pageInfo{hasNextPage endCursor} edges{cursor node{id createdAt}}}}}}}";
    const ALL: &str =
        "{cities(first:8){edges{node{name projects(first:100){edges{node{id createdAt}}}}}}}";
    let ambon = |d: &Value| -> Value {
        d["cities"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .find(|c| c["node"]["name"] == "Ambon")
            .expect("Ambon")["node"]["projects"]
            .clone()
    };
    for token in [None, Some(official.as_str())] {
        let all = ambon(&app.ok(token, ALL, json!({})).await);
        let all: Vec<Value> = all["edges"].as_array().expect("edges").clone();
        assert!(all.len() > 2, "Ambon has more than one page: {}", all.len());
        let mut walked = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = ambon(&app.ok(token, PAGE, json!({"after": after})).await);
            let edges = page["edges"].as_array().expect("edges");
            assert!(edges.len() <= 2);
            if let Some(last) = edges.last() {
                assert_eq!(page["pageInfo"]["endCursor"], last["cursor"]);
            }
            walked.extend(edges.iter().map(|e| e["node"].clone()));
            if page["pageInfo"]["hasNextPage"] != true {
                break;
            }
            after = page["pageInfo"]["endCursor"].clone();
        }
        let ids = |v: &[Value]| -> Vec<Value> { v.iter().map(|n| n["id"].clone()).collect() };
        let all_nodes: Vec<Value> = all.iter().map(|e| e["node"].clone()).collect();
        assert_eq!(ids(&walked), ids(&all_nodes));
        let times: Vec<&str> = walked
            .iter()
            .map(|n| n["createdAt"].as_str().expect("createdAt"))
            .collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    }
    // A city list's cursor is not a cursor of a city's projects.
    let d = app
        .ok(None, "{cities(first:1){edges{cursor}}}", json!({}))
        .await;
    let foreign = d["cities"]["edges"][0]["cursor"].clone();
    let refused = app.gql(None, PAGE, json!({"after": foreign})).await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "VALIDATION",
        "{refused}"
    );
    app.stop().await;
}
