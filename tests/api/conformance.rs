//! What third-party GraphQL tools and hostile clients expect of the HTTP API.

use serde_json::{Value, json};

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
/// path, instead of a project object missing a non-null key. Each request is sent twice: the
/// second time it runs without being validated again, and must answer the same.
#[tokio::test]
async fn an_error_on_a_non_null_field_nulls_its_parent() {
    use crate::world::World;
    let app = TestApp::spawn().await;
    let twice = async |token: Option<&str>, q: &str, vars: Value| {
        let first = app.gql(token, q, vars.clone()).await;
        let again = app.gql(token, q, vars).await;
        assert_eq!(first, again, "the same request again answers the same");
        first
    };
    let w = World::build(&app, chrono::Duration::days(5)).await;
    let r = twice(
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

    // Through aliases and a fragment: the response keys are mapped back to their fields.
    let r = twice(
            Some(&w.official_ambon),
            "query($id:ID!){p: project(id:$id){id ...R} same: project(id:$id){title} e: embassies{name}}
             fragment R on Project { ranked: rankedProposals { totalCount } }",
            json!({"id": w.project}),
        )
    .await;
    assert_eq!(r["errors"][0]["path"], json!(["p", "ranked"]), "{r}");
    assert_eq!(r["data"]["p"], json!(null), "{r}");
    assert!(r["data"]["same"]["title"].is_string(), "{r}");
    assert!(r["data"]["e"].is_array(), "{r}");

    // A non-null root field failing nulls `data` itself.
    let r = twice(
        None,
        "{ mine: myProposals { totalCount } embassies { name } }",
        json!({}),
    )
    .await;
    assert_eq!(code(&r), "UNAUTHENTICATED", "{r}");
    assert_eq!(r["data"], json!(null), "{r}");
    app.stop().await;
}

/// The GraphQL Foundation's audit of the GraphQL-over-HTTP spec (npm `graphql-http`, pinned in
/// `tests/graphql-http/package.json`), run with Node against the live server: every MUST,
/// SHOULD and MAY must pass, a warning fails. Installs the audit's lock file first if needed.
#[tokio::test]
async fn the_graphql_over_http_audit_passes_without_a_warning() {
    let dir = crate::helpers::node_package("graphql-http", "graphql-http");
    let app = TestApp::spawn().await;
    let out = tokio::process::Command::new("node")
        .arg("audit.mjs")
        .arg(app.url("/graphql"))
        .current_dir(&dir)
        .output()
        .await
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "graphql-http audit:\n{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("audits ok"), "{text}");
    app.stop().await;
}

#[tokio::test]
async fn get_runs_queries_never_mutations_and_graphiql_is_for_browsers_only() {
    // GraphiQL's bundles not installed here (the browser journeys test them installed).
    let app = TestApp::spawn_with(|c| c.graphiql_assets = "/nonexistent/node_modules".into()).await;
    let get = |query: &str, accept: &str| {
        app.http
            .get(app.url("/graphql"))
            .query(&[("query", query)])
            .header("accept", accept)
            .send()
    };
    let r = get("{cities(first:1){totalCount}}", "application/json")
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(body["data"]["cities"]["totalCount"].is_number(), "{body}");

    // A mutation over GET is refused before it runs: the embassy is not created.
    let admin = app.admin_token().await;
    let r = app
        .http
        .get(app.url("/graphql"))
        .query(&[(
            "query",
            "mutation{createEmbassy(country:\"NL\",name:\"Over GET\"){id}}",
        )])
        .header("authorization", format!("Bearer {admin}"))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 405);
    assert_eq!(r.headers()["allow"], "POST");
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(code(&body), "VALIDATION", "{body}");
    assert!(body.get("data").is_none(), "{body}");
    let r = app.gql(Some(&admin), "{embassies{name}}", json!({})).await;
    assert!(!r.to_string().contains("Over GET"), "{r}");

    // A browser without a query gets GraphiQL, or, with its bundles missing, how to install
    // them (never a CDN's copy); a client without a query gets an error.
    let r = app
        .http
        .get(app.url("/graphql"))
        .header("accept", "text/html,application/xhtml+xml,*/*;q=0.8")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 503);
    let page = r.text().await.expect("text");
    assert!(
        page.contains("npm ci --prefix crates/web/graphiql"),
        "{page}"
    );
    assert!(
        !page.contains("https://") && !page.contains("http://"),
        "no other origin"
    );
    let r = app
        .http
        .get(app.url("/graphql"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn request_errors_have_no_data_and_say_400_to_graphql_response_json() {
    let app = TestApp::spawn().await;
    let post = |query: &str, accept: &str| {
        app.http
            .post(app.url("/graphql"))
            .header("accept", accept)
            .json(&json!({ "query": query }))
            .send()
    };
    const GQL: &str = "application/graphql-response+json";
    for bad in [
        "{",
        "{ notAField }",
        "query($n: Int!) { cities(first: $n) { totalCount } }",
    ] {
        let r = post(bad, GQL).await.expect("send");
        assert_eq!(r.status(), 400, "{bad}");
        assert!(
            r.headers()["content-type"]
                .to_str()
                .expect("type")
                .starts_with(GQL)
        );
        let body: serde_json::Value = r.json().await.expect("json");
        assert!(body.get("data").is_none(), "{bad}: {body}");
        assert_eq!(code(&body), "VALIDATION", "{bad}: {body}");
        // Older clients asking for application/json get 200, also without data.
        let r = post(bad, "application/json").await.expect("send");
        assert_eq!(r.status(), 200, "{bad}");
        let body: serde_json::Value = r.json().await.expect("json");
        assert!(body.get("data").is_none(), "{bad}: {body}");
    }
    // A field error is not a request error: 200, with data (here null: the failing field is
    // non-null, so its parent is).
    let r = post("{ myProposals { totalCount } }", GQL)
        .await
        .expect("send");
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    assert!(body.get("data").is_some(), "{body}");
    assert_eq!(code(&body), "UNAUTHENTICATED");
    // A token that does not verify refuses the whole request: 401.
    let r = app
        .http
        .post(app.url("/graphql"))
        .header("accept", GQL)
        .header("authorization", "Bearer not-a-token")
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), 401);
    // A client accepting neither JSON type is told so.
    let r = post("{ __typename }", "text/html").await.expect("send");
    assert_eq!(r.status(), 406);
    app.stop().await;
}

/// Apollo's automatic persisted queries, with a SHA-256 computed here (not by the server's
/// code): an unknown hash answers `PersistedQueryNotFound` so the client retries with the
/// text; a wrong hash is refused; once registered, the hash alone runs it, over GET too.
#[tokio::test]
async fn automatic_persisted_queries_register_by_hash_and_refuse_a_wrong_one() {
    use sha2::Digest;
    let app = TestApp::spawn().await;
    let query = "{ cities(first: 2) { totalCount } }";
    let hash = hex::encode(sha2::Sha256::digest(query.as_bytes()));
    let ext_of = |h: &str| json!({"persistedQuery": {"version": 1, "sha256Hash": h}});
    let (http, endpoint) = (app.http.clone(), app.url("/graphql"));
    let post = |body: serde_json::Value| {
        let req = http.post(&endpoint).json(&body);
        async move {
            let r = req.send().await.expect("send");
            r.json::<serde_json::Value>().await.expect("json")
        }
    };
    let r = post(json!({"extensions": ext_of(&hash)})).await;
    assert_eq!(r["errors"][0]["message"], "PersistedQueryNotFound", "{r}");
    assert!(r.get("data").is_none());

    let wrong = "0".repeat(64);
    let r = post(json!({"query": query, "extensions": ext_of(&wrong)})).await;
    assert_eq!(code(&r), "VALIDATION", "{r}");
    assert_eq!(ext(&r)["field"], "extensions.persistedQuery.sha256Hash");
    // The wrong hash registered nothing.
    let r = post(json!({"extensions": ext_of(&wrong)})).await;
    assert_eq!(r["errors"][0]["message"], "PersistedQueryNotFound", "{r}");

    let r = post(json!({"query": query, "extensions": ext_of(&hash)})).await;
    assert!(r["data"]["cities"]["totalCount"].is_number(), "{r}");
    let r = post(json!({"extensions": ext_of(&hash)})).await;
    assert!(r["data"]["cities"]["totalCount"].is_number(), "{r}");

    // Over GET: what a CDN can cache.
    let r: serde_json::Value = app
        .http
        .get(app.url("/graphql"))
        .query(&[("extensions", ext_of(&hash).to_string())])
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(r["data"]["cities"]["totalCount"].is_number(), "{r}");

    let r =
        post(json!({"extensions": {"persistedQuery": {"version": 2, "sha256Hash": hash}}})).await;
    assert_eq!(ext(&r)["field"], "extensions.persistedQuery.version", "{r}");
    app.stop().await;
}

/// Every type, field, argument, input field and enum value of the schema is described for a
/// client developer (GraphiQL and codegen show these), and DateTime names its specification.
#[tokio::test]
async fn every_type_field_argument_and_enum_value_has_a_description() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, STANDARD_INTROSPECTION, json!({})).await;
    let described = |v: &serde_json::Value| {
        v["description"]
            .as_str()
            .is_some_and(|d| d.trim().len() > 3)
    };
    let mut missing = Vec::new();
    for t in r["data"]["__schema"]["types"].as_array().expect("types") {
        let name = t["name"].as_str().expect("name");
        if name.starts_with("__") || ["String", "Int", "Float", "Boolean", "ID"].contains(&name) {
            continue;
        }
        if !described(t) {
            missing.push(name.to_owned());
        }
        for f in t["fields"].as_array().into_iter().flatten() {
            let field = format!("{name}.{}", f["name"].as_str().unwrap_or("?"));
            if !described(f) {
                missing.push(field.clone());
            }
            for a in f["args"].as_array().into_iter().flatten() {
                if !described(a) {
                    missing.push(format!("{field}({})", a["name"].as_str().unwrap_or("?")));
                }
            }
        }
        for f in t["inputFields"].as_array().into_iter().flatten() {
            if !described(f) {
                missing.push(format!("{name}.{}", f["name"].as_str().unwrap_or("?")));
            }
        }
        for v in t["enumValues"].as_array().into_iter().flatten() {
            if !described(v) {
                missing.push(format!("{name}.{}", v["name"].as_str().unwrap_or("?")));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "{} undescribed: {missing:#?}",
        missing.len()
    );
    let dt = app
        .ok(
            None,
            "{__type(name: \"DateTime\") {specifiedByURL description}}",
            json!({}),
        )
        .await["__type"]
        .clone();
    assert_eq!(
        dt["specifiedByURL"],
        "https://datatracker.ietf.org/doc/html/rfc3339"
    );
    assert!(dt["description"].as_str().expect("d").contains("RFC 3339"));
    app.stop().await;
}
