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

/// Ambon's official writes a new draft in Ambon; its id.
async fn ambon_draft(app: &TestApp, official: &str, title: &str) -> Value {
    let ambon = app
        .ok(None, "{cities(first:20){edges{node{id name}}}}", json!({}))
        .await["cities"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .find(|c| c["node"]["name"] == "Ambon")
        .expect("Ambon")["node"]["id"]
        .clone();
    app.ok(
        Some(official),
        crate::world::CREATE_PROJECT,
        json!({"c": ambon, "i": crate::world::project_input(title, chrono::Utc::now() + chrono::Duration::days(30))}),
    )
    .await["createProject"]["id"]
    .clone()
}

/// A project by id with its city is one statement (a join), and the join keeps the caller's
/// scope: another city's DRAFT is null for an anonymous caller, and its own official reads it.
#[tokio::test]
async fn a_project_with_its_city_is_one_statement_within_the_callers_scope() {
    let app = TestApp::spawn_demo().await;
    let official = login(&app, "walikota@ambon.demo", "ambon-city-demo").await;
    let draft = ambon_draft(&app, &official, "Draft by id").await;
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

/// Runs a query and gives the statements it ran.
async fn with_sql(app: &TestApp, token: Option<&str>, q: &str) -> (Value, Vec<String>) {
    let (d, n) = costed(app, token, q, json!({})).await;
    let recent = app.recent_sql.lock().expect("sql").clone();
    let ran = recent.iter().skip(recent.len().saturating_sub(n as usize));
    (d, ran.cloned().collect())
}

/// A page that asks only for what a listing shows reads only a listing's columns, never the
/// long texts; one that asks for more (directly or through a fragment) reads whole projects in
/// as many statements. Both show the same projects alike, within the caller's scope.
#[tokio::test]
async fn a_page_reads_only_the_columns_its_selection_needs() {
    let app = TestApp::spawn_demo().await;
    let official = login(&app, "walikota@ambon.demo", "ambon-city-demo").await;
    const FIELDS: &str = "id title status createdAt publishedAt updatedAt city{name}";
    const TERMS: &str = "summary description capex{amount currency} sealedBids tags";
    let page = |node: &str, fragment: &str| {
        format!(
            "{{cities(first:8){{edges{{node{{name projects(first:5){{edges{{node{{{node}}}}}}}}}}}}}}} {fragment}"
        )
    };
    let listing = page(FIELDS, "");
    let whole = page(&format!("{FIELDS} {TERMS}"), "");
    let fragment = page(
        &format!("{FIELDS} ...Terms"),
        &format!("fragment Terms on Project {{ {TERMS} }}"),
    );
    let projects_read = |sql: &[String]| -> Vec<String> {
        sql.iter()
            .filter(|s| s.contains("\"projects\""))
            .cloned()
            .collect()
    };
    let nodes = |d: &Value| -> Vec<Value> {
        d["cities"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .flat_map(|c| {
                c["node"]["projects"]["edges"]
                    .as_array()
                    .expect("edges")
                    .clone()
            })
            .map(|e| e["node"].clone())
            .collect()
    };
    for token in [None, Some(official.as_str())] {
        let (l, l_sql) = with_sql(&app, token, &listing).await;
        let (w, w_sql) = with_sql(&app, token, &whole).await;
        let (f, f_sql) = with_sql(&app, token, &fragment).await;
        assert_eq!(l_sql.len(), w_sql.len(), "{l_sql:?} / {w_sql:?}");
        assert_eq!(f_sql.len(), w_sql.len(), "{f_sql:?} / {w_sql:?}");
        let l_read = projects_read(&l_sql);
        assert!(!l_read.is_empty());
        for s in &l_read {
            assert!(s.contains("\"title\""), "{s}");
            assert!(!s.contains("description") && !s.contains("summary"), "{s}");
        }
        for read in [projects_read(&w_sql), projects_read(&f_sql)] {
            assert!(read.iter().any(|s| s.contains("description")), "{read:?}");
        }
        let (l, w, f) = (nodes(&l), nodes(&w), nodes(&f));
        assert!(l.len() > 8, "several projects per city: {}", l.len());
        assert_eq!(w, f, "a fragment reads what the fields read");
        assert_eq!(l.len(), w.len());
        for (a, b) in l.iter().zip(&w) {
            for k in [
                "id",
                "title",
                "status",
                "createdAt",
                "publishedAt",
                "updatedAt",
                "city",
            ] {
                assert_eq!(a[k], b[k], "{k}");
            }
            assert!(b["summary"].as_str().is_some_and(|s| !s.is_empty()), "{b}");
            assert!(b["capex"]["amount"].is_string(), "{b}");
        }
        if token.is_none() {
            assert!(
                l.iter().all(|n| n["status"] != "DRAFT"),
                "no draft for anonymous callers"
            );
        }
    }
    app.stop().await;
}

/// A list of cities with a page of each one's projects, when it does not count them, is one
/// statement for both levels, for 1 city as for 8, and so is one city with its page. Each page
/// is what the city's own list (read by the loader, with its count) shows, in the caller's
/// scope, and so is the list's own `totalCount`.
#[tokio::test]
async fn cities_with_their_projects_are_one_statement() {
    let app = TestApp::spawn_demo().await;
    let official = login(&app, "walikota@ambon.demo", "ambon-city-demo").await;
    const PAGES: &str = "query($n:Int){cities(first:$n){pageInfo{hasNextPage} edges{node{id name projects(first:3){pageInfo{hasNextPage} edges{node{id status city{name}}}}}}}}";
    const ONE: &str = "query($id:ID!){city(id:$id){name projects(first:3){pageInfo{hasNextPage} edges{node{id status city{name}}}}}}";
    const COUNTED: &str = "query($id:ID!){city(id:$id){projects(first:3){totalCount pageInfo{hasNextPage} edges{node{id status city{name}}}}}}";
    for token in [None, Some(official.as_str())] {
        let (one, cost_one) = costed(&app, token, PAGES, json!({"n": 1})).await;
        let (all, cost_all) = costed(&app, token, PAGES, json!({"n": 8})).await;
        assert_eq!(one["cities"]["edges"].as_array().map(Vec::len), Some(1));
        assert_eq!(
            (cost_one, cost_all),
            (1, 1),
            "cities and their projects in one statement"
        );
        assert_eq!(all["cities"]["pageInfo"]["hasNextPage"], false, "{all}");
        let (but_one, _) = costed(&app, token, PAGES, json!({"n": 7})).await;
        assert_eq!(but_one["cities"]["pageInfo"]["hasNextPage"], true);
        assert_eq!(
            but_one["cities"]["edges"].as_array().map(Vec::len),
            Some(7),
            "the eighth city says that another page follows, and is not shown"
        );
        let cities = all["cities"]["edges"].as_array().expect("edges");
        assert_eq!(cities.len(), 8);
        for c in cities {
            let node = &c["node"];
            let (alone, cost) = costed(&app, token, ONE, json!({"id": node["id"]})).await;
            assert_eq!(cost, 1, "a city with its projects in one statement");
            let (counted, _) = costed(&app, token, COUNTED, json!({"id": node["id"]})).await;
            let loaded = &counted["city"]["projects"];
            for page in [&node["projects"], &alone["city"]["projects"]] {
                assert_eq!(page["edges"], loaded["edges"], "{}", node["name"]);
                assert_eq!(page["pageInfo"], loaded["pageInfo"], "{}", node["name"]);
            }
            assert_eq!(alone["city"]["name"], node["name"]);
            let total = loaded["totalCount"].as_u64().expect("count");
            let shown = loaded["edges"].as_array().expect("edges").len() as u64;
            assert_eq!(shown, total.min(3));
            assert_eq!(loaded["pageInfo"]["hasNextPage"], total > 3);
            for e in node["projects"]["edges"].as_array().expect("edges") {
                assert_eq!(e["node"]["city"]["name"], node["name"]);
                if e["node"]["status"] == "DRAFT" {
                    assert!(token.is_some() && node["name"] == "Ambon", "{node}");
                }
            }
        }
        let (listed, cost) = costed(
            &app,
            token,
            "{cities(first:2){totalCount edges{node{projects(first:1){edges{node{id}}}}}}}",
            json!({}),
        )
        .await;
        let (every, _) = costed(&app, token, "{cities(first:100){totalCount}}", json!({})).await;
        assert_eq!(
            listed["cities"]["totalCount"],
            every["cities"]["totalCount"]
        );
        assert_eq!(
            cost, 2,
            "the cities' count, then the cities with their projects"
        );
    }
    // Two pages of each city asked at once are read apart (by the loader), each its own.
    let (two, _) = costed(
        &app,
        None,
        "{cities(first:8){edges{node{a:projects(first:1){edges{node{id}}} b:projects(first:2){edges{node{id}}}}}}}",
        json!({}),
    )
    .await;
    let mut pairs = 0;
    for c in two["cities"]["edges"].as_array().expect("edges") {
        let a = c["node"]["a"]["edges"].as_array().expect("a");
        let b = c["node"]["b"]["edges"].as_array().expect("b");
        assert!(a.len() <= 1 && b.len() <= 2 && a.len() <= b.len(), "{c}");
        assert_eq!(a[..], b[..a.len()], "{c}");
        pairs += usize::from(b.len() == 2);
    }
    assert!(pairs > 0, "{two}");
    // A new draft of Ambon's is in its official's list of drafts, read with the cities, and
    // in nobody else's.
    let draft = ambon_draft(&app, &official, "Draft in a list").await;
    const DRAFTS: &str = "{cities(first:20){edges{node{name projects(first:10,status:DRAFT){edges{node{id status}}}}}}}";
    let drafts = |d: &Value| -> Vec<(Value, Value)> {
        d["cities"]["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .flat_map(|c| {
                let name = c["node"]["name"].clone();
                c["node"]["projects"]["edges"]
                    .as_array()
                    .expect("edges")
                    .iter()
                    .map(move |e| (name.clone(), e["node"]["id"].clone()))
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let (mine, cost) = costed(&app, Some(&official), DRAFTS, json!({})).await;
    assert_eq!(cost, 1);
    let mine = drafts(&mine);
    assert!(mine.contains(&(json!("Ambon"), draft.clone())), "{mine:?}");
    assert!(mine.iter().all(|(city, _)| city == "Ambon"), "{mine:?}");
    let semarang = login(&app, "bappeda@semarang.demo", "semarang-city-demo").await;
    let (theirs, _) = costed(&app, Some(&semarang), DRAFTS, json!({})).await;
    let theirs = drafts(&theirs);
    assert!(!theirs.iter().any(|(_, id)| *id == draft), "{theirs:?}");
    assert!(
        theirs.iter().all(|(city, _)| city == "Semarang"),
        "{theirs:?}"
    );
    let (anonymous, _) = costed(&app, None, DRAFTS, json!({})).await;
    assert_eq!(drafts(&anonymous), vec![], "no draft for anonymous callers");
    app.stop().await;
}
