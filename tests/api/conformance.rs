//! What third-party GraphQL tools and hostile clients expect of the HTTP API.

use serde_json::json;

use crate::helpers::{TestApp, code, ext};

/// The query graphql-js 16 (16.15.0) builds with `getIntrospectionQuery()`, byte for byte: the
/// one GraphiQL, Apollo, Postman, Insomnia and graphql-codegen send. Its type references nest
/// `ofType` nine deep.
const STANDARD_INTROSPECTION: &str = include_str!("fixtures/introspection.graphql");

#[tokio::test]
async fn the_standard_introspection_query_loads_the_schema_and_hostile_nesting_stays_refused() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, STANDARD_INTROSPECTION, json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
    let types = r["data"]["__schema"]["types"].as_array().expect("types");
    for name in ["Project", "ProjectConnection", "Proposal", "DateTime"] {
        assert!(
            types.iter().any(|t| t["name"] == name),
            "{name} is in the schema"
        );
    }
    assert_eq!(r["data"]["__schema"]["queryType"]["name"], "Query");
    assert_eq!(r["data"]["__schema"]["mutationType"]["name"], "Mutation");

    // Nesting past any real client's needs is still refused, inside introspection too.
    let deep = format!(
        "{{__schema{{types{{fields{{type{{{}name{}}}}}}}}}}}",
        "ofType{".repeat(30),
        "}".repeat(30)
    );
    let r = app.gql(None, &deep, json!({})).await;
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");
    app.stop().await;
}

#[tokio::test]
async fn posts_must_be_json_and_the_bearer_scheme_is_case_insensitive() {
    let app = TestApp::spawn().await;
    let admin = app.admin_token().await;
    let login = json!({"query": "mutation{login(email:\"admin@test.example\",password:\"admin-password-1\"){accessToken}}"})
        .to_string();
    // A browser sends text/plain cross-site without a preflight; and a body with no type.
    for content_type in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let mut req = app.http.post(app.url("/graphql")).body(login.clone());
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        let resp = req.send().await.expect("send");
        assert_eq!(resp.status(), 415, "{content_type:?}");
        let body: serde_json::Value = resp.json().await.expect("json");
        assert_eq!(code(&body), "VALIDATION", "{body}");
        assert_eq!(ext(&body)["field"], "Content-Type");
        assert!(body.get("data").is_none(), "nothing ran: {body}");
    }
    // JSON with a charset parameter is JSON.
    let resp = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json; charset=utf-8")
        .body(login)
        .send()
        .await
        .expect("send");
    assert_eq!(resp.status(), 200);

    for scheme in ["Bearer", "bearer", "BEARER"] {
        let r: serde_json::Value = app
            .http
            .post(app.url("/graphql"))
            .header("authorization", format!("{scheme} {admin}"))
            .json(&json!({"query": "{me{email}}"}))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json");
        assert_eq!(
            r["data"]["me"]["email"], "admin@test.example",
            "{scheme}: {r}"
        );
    }
    let r: serde_json::Value = app
        .http
        .post(app.url("/graphql"))
        .header("authorization", format!("Basic {admin}"))
        .json(&json!({"query": "{me{email}}"}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(
        code(&r),
        "UNAUTHENTICATED",
        "another scheme is no bearer token"
    );
    app.stop().await;
}

/// Hostile project input is refused with VALIDATION naming the field, before any work on it.
#[tokio::test]
async fn a_project_bounds_its_tags_and_refuses_duplicates_and_absurd_deadlines() {
    use crate::world::{CREATE_PROJECT, World, project_input};
    let app = TestApp::spawn().await;
    let w = World::build(&app, chrono::Duration::days(5)).await;
    let later = chrono::Utc::now() + chrono::Duration::days(30);
    let cases: Vec<(&str, serde_json::Value)> = vec![
        (
            "input.tags",
            json!((0..10_000).map(|i| format!("t{i}")).collect::<Vec<_>>()),
        ),
        ("input.tags", json!(vec!["same"; 10_000])),
        ("input.dimensions", json!(["BRANDING", "BRANDING"])),
        ("input.acceptedFinancing", json!(["PPP", "PPP"])),
        ("input.proposalDeadline", json!("-0001-06-01T00:00:00Z")),
    ];
    for (expected, value) in cases {
        let mut input = project_input("Hostile", later);
        let key = expected.trim_start_matches("input.");
        input[key] = value;
        let r = app
            .gql(
                Some(&w.official_ambon),
                CREATE_PROJECT,
                json!({"c": w.ambon, "i": input}),
            )
            .await;
        assert_eq!(code(&r), "VALIDATION", "{expected}: {r}");
        assert_eq!(ext(&r)["field"], json!(expected), "{r}");
    }
    // Thirty tags, told apart by case only in part, are fine.
    let mut input = project_input("Tagged", later);
    input["tags"] = json!((0..30).map(|i| format!("Tag{i}")).collect::<Vec<_>>());
    let r = app
        .gql(
            Some(&w.official_ambon),
            CREATE_PROJECT,
            json!({"c": w.ambon, "i": input}),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    app.stop().await;
}

/// A NUL (or another control character) in any text input is VALIDATION naming the field, on
/// both databases — PostgreSQL cannot store one and answered INTERNAL.
#[tokio::test]
async fn control_characters_in_text_inputs_are_refused_naming_the_field() {
    use crate::world::{CREATE_PROJECT, World, project_input};
    let app = TestApp::spawn().await;
    // Anonymous, through variables.
    let r = app
        .gql(
            None,
            "mutation($e:String!){login(email:$e,password:\"whatever-password\"){accessToken}}",
            json!({"e": "a\u{0}b@example.com"}),
        )
        .await;
    assert_eq!(code(&r), "VALIDATION", "{r}");
    assert_eq!(ext(&r)["field"], json!("email"));
    // Anonymous, written in the document itself.
    let r = app
        .gql(
            None,
            "{cities(province:\"Maluku\\u0000\"){totalCount}}",
            json!({}),
        )
        .await;
    assert_eq!(code(&r), "VALIDATION", "{r}");
    assert_eq!(ext(&r)["field"], json!("province"));
    // Deep in an input object, and in a list.
    let w = World::build(&app, chrono::Duration::days(5)).await;
    let later = chrono::Utc::now() + chrono::Duration::days(30);
    let mut input = project_input("Title\u{7}", later);
    let r = app
        .gql(
            Some(&w.official_ambon),
            CREATE_PROJECT,
            json!({"c": w.ambon, "i": input.clone()}),
        )
        .await;
    assert_eq!(ext(&r)["field"], json!("input.title"), "{r}");
    input["title"] = json!("Fine title");
    input["tags"] = json!(["ok", "bad\u{0}"]);
    let r = app
        .gql(
            Some(&w.official_ambon),
            CREATE_PROJECT,
            json!({"c": w.ambon, "i": input.clone()}),
        )
        .await;
    assert_eq!(ext(&r)["field"], json!("input.tags.1"), "{r}");
    // Line breaks and tabs in a description are text, not control.
    input["tags"] = json!(["ok"]);
    input["description"] = json!("Line one.\n\tLine two.\r\n");
    let r = app
        .gql(
            Some(&w.official_ambon),
            CREATE_PROJECT,
            json!({"c": w.ambon, "i": input}),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    app.stop().await;
}

#[tokio::test]
async fn search_text_is_bounded_in_length_and_words() {
    let app = TestApp::spawn().await;
    const Q: &str = "query($s:String){projects(search:$s){totalHits}}";
    for text in ["x".repeat(100_000), "flood ".repeat(13)] {
        let r = app.gql(None, Q, json!({"s": text})).await;
        assert_eq!(code(&r), "VALIDATION", "{r}");
        assert_eq!(ext(&r)["field"], "search", "{r}");
    }
    let r = app
        .gql(
            None,
            Q,
            json!({"s": "flood early warning sensors for the northern coast"}),
        )
        .await;
    assert!(r.get("errors").is_none(), "{r}");
    app.stop().await;
}

/// A fragment bomb — each fragment spreads the next twice, 24 levels, under a kilobyte — is
/// 16 million fields expanded. It is refused before validation, which alone took 20 s of CPU.
#[tokio::test]
async fn a_fragment_bomb_is_refused_as_too_complex() {
    let app = TestApp::spawn().await;
    let mut q = String::from("query Bomb { ...F0 }\n");
    for i in 0..24 {
        q.push_str(&format!(
            "fragment F{i} on Query {{ ...F{n} ...F{n} }}\n",
            n = i + 1
        ));
    }
    q.push_str("fragment F24 on Query { embassies { name } }\n");
    assert!(q.len() < 1_500, "{}", q.len());
    let r = app.gql(None, &q, json!({})).await;
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");
    // The server is still there for the next caller.
    let r = app.gql(None, "{embassies{name}}", json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
    app.stop().await;
}

/// A request past the time limit — here a client that stops sending its body — is answered
/// with a GraphQL JSON error, not an empty 408.
#[tokio::test]
async fn a_timeout_answers_a_graphql_json_error() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(|c| c.request_timeout = std::time::Duration::from_secs(1)).await;
    let mut s = tokio::net::TcpStream::connect(app.addr)
        .await
        .expect("connect");
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 200\r\nConnection: close\r\n\r\n{{\"query\":",
        app.addr
    );
    s.write_all(head.as_bytes()).await.expect("write");
    // …and nothing more: the server gives up after its limit.
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 503"), "{text}");
    assert!(
        text.to_lowercase()
            .contains("content-type: application/json"),
        "{text}"
    );
    let body = text.split("\r\n\r\n").nth(1).expect("body");
    let body: serde_json::Value = serde_json::from_str(body).expect("a JSON body");
    assert_eq!(code(&body), "QUERY_TOO_COMPLEX", "{body}");
    app.stop().await;
}

/// A wrong password says so — not "no valid token" — and an unknown e-mail answers exactly
/// the same, so nobody learns which accounts exist.
#[tokio::test]
async fn a_wrong_password_says_so_and_an_unknown_email_answers_the_same() {
    let app = TestApp::spawn().await;
    app.admin_token().await;
    const LOGIN: &str = "mutation($e:String!,$p:String!){login(email:$e,password:$p){accessToken}}";
    let wrong = app
        .gql(
            None,
            LOGIN,
            json!({"e": "admin@test.example", "p": "not-the-password"}),
        )
        .await;
    let unknown = app
        .gql(
            None,
            LOGIN,
            json!({"e": "nobody@test.example", "p": "not-the-password"}),
        )
        .await;
    assert_eq!(code(&wrong), "UNAUTHENTICATED", "{wrong}");
    assert_eq!(wrong["errors"][0]["message"], "wrong e-mail or password");
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    assert_eq!(
        wrong["errors"][0]["extensions"],
        unknown["errors"][0]["extensions"]
    );
    app.stop().await;
}

/// Nesting past the recursion limit (32) is QUERY_TOO_COMPLEX, as the README says, not
/// VALIDATION — even when the fields do not exist.
#[tokio::test]
async fn deep_recursion_is_too_complex() {
    let app = TestApp::spawn().await;
    for levels in [40, 100, 1_000] {
        let q = format!("{}{}", "{a".repeat(levels), "}".repeat(levels));
        let r = app.gql(None, &q, json!({})).await;
        assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{levels}: {r}");
    }
    app.stop().await;
}

/// A failing non-null field nulls its nearest nullable parent, as the GraphQL spec says
/// (6.4.4): rankedProposals before a sealed deadline leaves `project` null, with the error's
/// path, instead of a project object missing a non-null key.
#[tokio::test]
async fn an_error_on_a_non_null_field_nulls_its_parent() {
    use crate::world::World;
    let app = TestApp::spawn().await;
    let w = World::build(&app, chrono::Duration::days(5)).await;
    let r = app
        .gql(
            Some(&w.official_ambon),
            "query($id:ID!){project(id:$id){id rankedProposals{totalCount}} embassies{name}}",
            json!({"id": w.project}),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT", "{r}");
    assert_eq!(
        r["errors"][0]["path"],
        json!(["project", "rankedProposals"]),
        "{r}"
    );
    assert_eq!(r["data"]["project"], json!(null), "{r}");
    assert!(r["data"]["embassies"].is_array(), "siblings stay: {r}");
    app.stop().await;
}
