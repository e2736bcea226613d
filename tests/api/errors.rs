//! The exact JSON of each error code, and the query limits.

use chrono::Duration;
use serde_json::{Value, json};

use crate::helpers::{TestApp, code, ext};
use crate::world::{MASTERPLAN, World};

#[tokio::test]
async fn each_error_code_has_its_contract_shape() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    // VALIDATION names the field.
    let mut plan = crate::world::masterplan();
    plan["priorities"][0]["weight"] = json!(0.9);
    let r = app
        .gql(
            Some(&w.official_ambon),
            MASTERPLAN,
            json!({"c": w.ambon, "i": plan}),
        )
        .await;
    assert_eq!(
        ext(&r),
        json!({"code": "VALIDATION", "field": "input.priorities.weight"})
    );
    plan["priorities"][0]["weight"] = json!(-0.1);
    let r = app
        .gql(
            Some(&w.official_ambon),
            MASTERPLAN,
            json!({"c": w.ambon, "i": plan}),
        )
        .await;
    assert_eq!(
        ext(&r),
        json!({"code": "VALIDATION", "field": "input.priorities.0.weight"})
    );
    let r = app
        .gql(None, "{cities(first:0){totalCount}}", json!({}))
        .await;
    assert_eq!(ext(&r), json!({"code": "VALIDATION", "field": "first"}));
    let r = app
        .gql(
            None,
            "{cities(first:1,after:\"bm90LWEtY3Vyc29y\"){totalCount}}",
            json!({}),
        )
        .await;
    assert_eq!(ext(&r), json!({"code": "VALIDATION", "field": "after"}));
    let page = app
        .ok(None, "{cities(first:1){edges{cursor}}}", json!({}))
        .await;
    let cursor = page["cities"]["edges"][0]["cursor"]
        .as_str()
        .expect("cursor")
        .to_owned();
    let r = app
        .gql(
            Some(&w.admin),
            "query($a:String){auditEvents(first:1,after:$a){totalCount}}",
            json!({"a": cursor}),
        )
        .await;
    assert_eq!(code(&r), "VALIDATION", "a cursor from another list");
    let next = app
        .ok(
            None,
            "query($a:String){cities(first:1,after:$a){edges{node{name}}}}",
            json!({"a": cursor}),
        )
        .await;
    assert_eq!(next["cities"]["edges"][0]["node"]["name"], "Semarang");
    let mut bad_money = crate::world::proposal_input(&w.project, "1", "a");
    bad_money["amount"]["currency"] = json!("XYZ");
    let r = app
        .gql(
            Some(&w.investor_a),
            crate::world::SAVE,
            json!({"i": bad_money}),
        )
        .await;
    assert_eq!(
        ext(&r),
        json!({"code": "VALIDATION", "field": "input.amount.currency"})
    );
    // NOT_FOUND for a missing object, exactly as for a hidden one.
    let missing = uuid::Uuid::new_v4().to_string();
    let r = app
        .gql(
            Some(&w.official_ambon),
            "mutation($id:ID!){publishProject(id:$id){id}}",
            json!({"id": missing}),
        )
        .await;
    assert_eq!(r["errors"][0]["extensions"], json!({"code": "NOT_FOUND"}));
    let hidden = app
        .gql(
            Some(&w.official_semarang),
            "mutation($id:ID!){publishProject(id:$id){id}}",
            json!({"id": w.draft}),
        )
        .await;
    assert_eq!(hidden["errors"][0]["message"], r["errors"][0]["message"]);
    assert_eq!(
        hidden["errors"][0]["extensions"],
        r["errors"][0]["extensions"]
    );
    // CONFLICT carries a reason; FORBIDDEN and UNAUTHENTICATED only the code.
    let r = app
        .gql(
            Some(&w.official_ambon),
            "mutation($id:ID!){closeProject(id:$id){id}}",
            json!({"id": w.project}),
        )
        .await;
    assert_eq!(
        ext(&r),
        json!({"code": "CONFLICT", "reason": "SEALED_UNTIL_DEADLINE"})
    );
    let r = app
        .gql(Some(&w.investor_a), "{auditEvents{totalCount}}", json!({}))
        .await;
    assert_eq!(ext(&r), json!({"code": "FORBIDDEN"}));
    let r = app.gql(None, "{auditEvents{totalCount}}", json!({})).await;
    assert_eq!(ext(&r), json!({"code": "UNAUTHENTICATED"}));
    app.stop().await;
}

#[tokio::test]
async fn queries_over_the_limits_are_too_complex() {
    let app = TestApp::spawn().await;
    let deep = format!(
        "{{{}name{}}}",
        "cities{edges{node{projects{edges{node{city{".repeat(3),
        "}}}}}}}".repeat(3)
    );
    let r = app.gql(None, &deep, json!({})).await;
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");
    let wide = format!(
        "{{{}}}",
        (0..40)
            .map(|i| format!("a{i}: embassies{{name}}"))
            .collect::<Vec<_>>()
            .join(" ")
    );
    let r = app.gql(None, &wide, json!({})).await;
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");
    let costly = "{cities(first:100){edges{node{projects(first:100){edges{node{title}}}}}}}";
    let r = app.gql(None, costly, json!({})).await;
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");
    let batch: Vec<Value> = (0..11)
        .map(|_| json!({"query": "{embassies{name}}"}))
        .collect();
    let r: Value = app
        .http
        .post(app.url("/graphql"))
        .json(&batch)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");
    let batch: Vec<Value> = (0..2)
        .map(|_| json!({"query": "{embassies{name}}"}))
        .collect();
    let r: Value = app
        .http
        .post(app.url("/graphql"))
        .json(&batch)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(r.as_array().map(Vec::len), Some(2), "a small batch runs");
    let big = json!({"query": format!("{{embassies{{name}}}} #{}", "x".repeat(1_100_000))});
    let resp = app
        .http
        .post(app.url("/graphql"))
        .json(&big)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 413);
    let r: Value = resp.json().await.expect("json");
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX");
    let r = app.gql(None, "{ nope }", json!({})).await;
    assert_eq!(code(&r), "VALIDATION");

    // A document that passed with some variables is checked again with others: a request
    // runs unchecked only when the very same one (document, operation, variables) passed.
    let paged =
        "query($n:Int){cities(first:$n){edges{node{projects(first:100){edges{node{id}}}}}}}";
    for _ in 0..2 {
        let r = app.gql(None, paged, json!({"n": 1})).await;
        assert!(r.get("errors").is_none(), "{r}");
    }
    let r = app.gql(None, paged, json!({"n": 100})).await;
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");
    let r = app.gql(None, paged, json!({"n": "many"})).await;
    assert_eq!(code(&r), "VALIDATION", "{r}");
    assert!(r["data"].is_null(), "{r}");
    // And a refused request stays refused when sent again.
    let r = app.gql(None, costly, json!({})).await;
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");
    app.stop().await;
}

#[tokio::test]
async fn a_page_of_twenty_costs_no_statement_per_row() {
    use std::sync::atomic::Ordering;
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    for i in 0..20 {
        let d = app
            .ok(Some(&w.official_ambon), crate::world::CREATE_PROJECT, json!({"c": w.ambon, "i": crate::world::project_input(&format!("P{i}"), chrono::Utc::now() + Duration::days(3))}))
            .await;
        assert!(d["createProject"]["id"].is_string());
    }
    app.settle().await;
    let q = "query($c:ID!,$n:Int){city(id:$c){projects(first:$n){edges{node{title capex{amountUsd} city{name masterplan{version priorities{dimension}}} proposalCount}}}}}";
    let mut costs = Vec::new();
    for n in [1, 20] {
        let before = app.statements.load(Ordering::SeqCst);
        let d = app
            .ok(Some(&w.official_ambon), q, json!({"c": w.ambon, "n": n}))
            .await;
        costs.push(app.statements.load(Ordering::SeqCst) - before);
        assert_eq!(
            d["city"]["projects"]["edges"].as_array().map(Vec::len),
            Some(n)
        );
    }
    // A level's batch starts once the request cannot go on without it (loaders::Batches),
    // whatever the machine's load: 20 projects cost what 1 does.
    assert_eq!(
        costs[1], costs[0],
        "statements for 1 and 20 projects: {costs:?}"
    );
    // The same for a search page: its hits, their cities and masterplans.
    app.settle().await;
    let q = "query($n:Int){projects(first:$n,search:\"P\",sort:NEWEST,filter:{statuses:[DRAFT,PUBLISHED]}){hits{project{title city{name masterplan{version}}}}}}";
    let mut costs = Vec::new();
    for n in [1, 20] {
        let before = app.statements.load(Ordering::SeqCst);
        let d = app.ok(Some(&w.official_ambon), q, json!({"n": n})).await;
        costs.push(app.statements.load(Ordering::SeqCst) - before);
        let hits = d["projects"]["hits"].as_array().expect("hits");
        assert_eq!(hits.len(), n);
        assert!(hits.iter().all(|h| h["project"]["city"]["name"] == "Ambon"));
    }
    assert_eq!(
        costs[1], costs[0],
        "statements for a search of 1 and of 20 hits: {costs:?}"
    );
    app.stop().await;
}

#[tokio::test]
async fn a_failing_database_answers_internal_with_no_details() {
    let app = TestApp::spawn().await;
    app.db
        .execute_sql("ALTER TABLE embassies RENAME TO embassies_gone")
        .await
        .expect("break");
    let r = app.gql(None, "{embassies{name}}", json!({})).await;
    assert_eq!(r["errors"][0]["extensions"], json!({"code": "INTERNAL"}));
    assert_eq!(r["errors"][0]["message"], "internal error");
    assert!(
        !r.to_string().to_lowercase().contains("embassies_gone"),
        "no SQL reaches the client: {r}"
    );
    app.db
        .execute_sql("ALTER TABLE embassies_gone RENAME TO embassies")
        .await
        .expect("mend");
    app.stop().await;
}

/// Another client of the database takes the lock a new project's insert needs, until the
/// transaction returned is committed.
async fn hold_the_projects_lock(app: &TestApp) -> sea_orm::DatabaseTransaction {
    use sea_orm::{ConnectionTrait, TransactionTrait};
    let mut opts = sea_orm::ConnectOptions::new(app.config.database_url.clone());
    opts.max_connections(1).sqlx_logging(false);
    let other = sea_orm::Database::connect(opts).await.expect("connect");
    if crate::helpers::on_postgres() {
        let t = other.begin().await.expect("begin");
        t.execute_unprepared("LOCK TABLE projects IN EXCLUSIVE MODE")
            .await
            .expect("lock");
        t
    } else {
        other
            .begin_with_options(sea_orm::TransactionOptions {
                sqlite_transaction_mode: Some(sea_orm::SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
            .expect("take the write lock")
    }
}

/// How many of Ambon's projects are called `title`.
async fn titled(app: &TestApp, w: &World, title: &str) -> usize {
    let titles = "query($c:ID!){city(id:$c){projects(first:100){edges{node{title}}}}}";
    let d = app
        .ok(Some(&w.official_ambon), titles, json!({"c": w.ambon}))
        .await;
    d["city"]["projects"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .filter(|e| e["node"]["title"] == title)
        .count()
}

/// `titled`, once it is more than 0 or after 5 s.
async fn committed(app: &TestApp, w: &World, title: &str) -> usize {
    let mut found = 0;
    for _ in 0..100 {
        found = titled(app, w, title).await;
        if found > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    found
}

/// A mutation the server has begun runs to its end when its client hangs up: here while it
/// waits for the database's write lock. Dropped with the request, it would have lost the
/// change the server had accepted, or put its connection back in the pool inside a
/// transaction nobody owns (on SQLite then holding the write lock for good).
#[tokio::test]
async fn a_mutation_whose_client_hangs_up_still_runs_to_its_end() {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    let lock = hold_the_projects_lock(&app).await;
    let body = json!({
        "query": crate::world::CREATE_PROJECT,
        "variables": {"c": w.ambon, "i": crate::world::project_input("Hung up", chrono::Utc::now() + Duration::days(3))},
    })
    .to_string();
    let mut sock = tokio::net::TcpStream::connect(app.addr).await.expect("tcp");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {}\r\nauthorization: Bearer {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        app.addr,
        w.official_ambon,
        body.len()
    );
    sock.write_all(head.as_bytes()).await.expect("head");
    sock.write_all(body.as_bytes()).await.expect("body");
    // The server is waiting for the lock; the client goes away, and then the lock is freed.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    drop(sock);
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    lock.commit().await.expect("free the lock");
    assert_eq!(
        committed(&app, &w, "Hung up").await,
        1,
        "the accepted mutation committed, once"
    );
    // Every pooled connection is still fit for writing: more writes than the pool has
    // connections, at once, all commit, and none waits on a transaction left open.
    let writes = (0..12).map(|i| {
        app.gql(
            Some(&w.official_ambon),
            crate::world::CREATE_PROJECT,
            json!({"c": w.ambon, "i": crate::world::project_input(&format!("After {i}"), chrono::Utc::now() + Duration::days(3))}),
        )
    });
    for r in futures::future::join_all(writes).await {
        assert!(r["data"]["createProject"]["id"].is_string(), "{r}");
    }
    assert_eq!(titled(&app, &w, "Hung up").await, 1);
    app.stop().await;
}

/// The same over a WebSocket: graphql-ws's client sends the mutation as an operation of its
/// connection, and the process is killed while the server waits for the lock, so the socket
/// closes under the operation. The change still commits, once.
#[tokio::test]
async fn a_mutation_sent_over_a_websocket_that_closes_still_runs_to_its_end() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(2)).await;
    let lock = hold_the_projects_lock(&app).await;
    let vars = json!({"c": w.ambon, "i": crate::world::project_input("Socket closed", chrono::Utc::now() + Duration::days(3))});
    let (mut child, mut lines) = crate::helpers::ws_client(
        &format!("ws://{}/graphql/ws", app.addr),
        Some(&w.official_ambon),
        crate::world::CREATE_PROJECT,
        1,
        &vars,
    )
    .await;
    // The client sends its operation as soon as it is acknowledged; the server waits for the
    // lock; the client is killed, and then the lock is freed.
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    child.kill().await.expect("kill the client");
    assert_eq!(
        lines.next_line().await.expect("read"),
        None,
        "the client had no answer before it died"
    );
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    lock.commit().await.expect("free the lock");
    assert_eq!(
        committed(&app, &w, "Socket closed").await,
        1,
        "the mutation the server had begun committed, once"
    );
    // The server goes on writing for everyone.
    let r = app
        .gql(
            Some(&w.official_ambon),
            crate::world::CREATE_PROJECT,
            json!({"c": w.ambon, "i": crate::world::project_input("After the socket", chrono::Utc::now() + Duration::days(3))}),
        )
        .await;
    assert!(r["data"]["createProject"]["id"].is_string(), "{r}");
    app.stop().await;
}
