//! Notifications end to end: webhooks to a real receiver on loopback, verified with Standard
//! Webhooks 1.0 as written here from the spec; retries, rotation, SSRF, scopes; the inbox.
//! Sealed content never shows in a payload or an inbox entry.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::{Router, http::HeaderMap, routing::post};
use base64::Engine as _;
use chrono::Duration;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;

use crate::helpers::{TestApp, code, ext};
use crate::world::{CREATE_PROJECT, World, id, project_input};

/// What the receiver saw: (headers, body).
type Seen = Arc<Mutex<Vec<(HeaderMap, String)>>>;

/// A webhook receiver on 127.0.0.1 answering the queued statuses, then 200.
async fn receiver() -> (String, Seen, Arc<Mutex<VecDeque<u16>>>) {
    let seen: Seen = Default::default();
    let statuses: Arc<Mutex<VecDeque<u16>>> = Default::default();
    let (s, q) = (seen.clone(), statuses.clone());
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let (s, q) = (s.clone(), q.clone());
            async move {
                s.lock().expect("seen").push((headers, body));
                let code = q.lock().expect("q").pop_front().unwrap_or(200);
                axum::http::StatusCode::from_u16(code).expect("status")
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", l.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(l, app).await });
    (url, seen, statuses)
}

/// Standard Webhooks 1.0, from the spec: the signed content is `id.timestamp.body`, the key is
/// the base64 after `whsec_`, each signature `v1,<base64 HMAC-SHA256>`, several space-separated.
fn verifies(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let h = |n: &str| headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("");
    let (msg_id, ts) = (h("webhook-id"), h("webhook-timestamp"));
    let Ok(ts_num) = ts.parse::<i64>() else {
        return false;
    };
    if (chrono::Utc::now().timestamp() - ts_num).abs() > 300 {
        return false;
    }
    let b64 = base64::engine::general_purpose::STANDARD;
    let key = b64
        .decode(secret.strip_prefix("whsec_").expect("whsec_ prefix"))
        .expect("base64 secret");
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("key");
    mac.update(format!("{msg_id}.{ts}.{body}").as_bytes());
    let expected = b64.encode(mac.finalize().into_bytes());
    h("webhook-signature")
        .split(' ')
        .filter_map(|s| s.strip_prefix("v1,"))
        .any(|s| s == expected)
}

/// The README's Python receiver, run on a delivery: what a team copying it would get.
fn readme_receiver_accepts(secret: &str, headers: &HeaderMap, body: &str) -> bool {
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md"),
    )
    .expect("README");
    let start = readme
        .find("A receiver in a few lines of Python")
        .expect("the README's receiver");
    let code = readme[start..]
        .split("```python\n")
        .nth(1)
        .and_then(|r| r.split("```").next())
        .expect("a python block");
    let h = |n: &str| headers[n].to_str().expect("header").to_owned();
    let input = json!({"secret": secret, "headers": {"webhook-id": h("webhook-id"), "webhook-timestamp": h("webhook-timestamp"), "webhook-signature": h("webhook-signature")}, "body": body});
    let script = format!(
        "{code}\nimport json, sys\nd = json.load(sys.stdin)\nsys.exit(0 if verify(d['secret'], d['headers'], d['body'].encode()) else 1)\n"
    );
    let mut child = std::process::Command::new("python3")
        .args(["-c", &script])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    std::io::Write::write_all(
        child.stdin.as_mut().expect("stdin"),
        input.to_string().as_bytes(),
    )
    .expect("write");
    child.wait().expect("python3").success()
}

async fn wait_for(seen: &Seen, n: usize) {
    for _ in 0..100 {
        if seen.lock().expect("seen").len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "the receiver got {} of {n} deliveries",
        seen.lock().expect("seen").len()
    );
}

const CREATE: &str = "mutation($i:WebhookEndpointInput!){createWebhookEndpoint(input:$i){secret endpoint{id url enabled eventTypes}}}";
const LOG: &str = "{webhookEndpoints{totalCount edges{node{id failingSince enabled deliveries{edges{node{messageId type status attempts lastResponseStatus lastError payload}}}}}}}";

/// The delivery log once `done` holds of the first endpoint: the receiver answers before the
/// worker records the answer, so a test that saw a request waits for its record too.
async fn log_when(app: &TestApp, token: &str, done: impl Fn(&Value) -> bool) -> Value {
    let mut d = Value::Null;
    for _ in 0..100 {
        d = app.ok(Some(token), LOG, json!({})).await;
        if done(&d["webhookEndpoints"]["edges"][0]["node"]) {
            return d;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the delivery log never got there: {d}");
}

#[tokio::test]
async fn a_city_hears_of_a_sealed_proposal_by_signed_webhook_and_inbox_without_its_content() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    let (url, seen, statuses) = receiver().await;
    let d = app
        .ok(
            Some(&w.official_ambon),
            CREATE,
            json!({"i": {"url": url, "eventTypes": ["PROPOSAL_SUBMITTED", "WEBHOOK_TEST"]}}),
        )
        .await;
    let secret = d["createWebhookEndpoint"]["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    assert!(secret.starts_with("whsec_"));
    let endpoint = id(&d["createWebhookEndpoint"]["endpoint"]["id"]);
    // The secret is shown once: no read gives it back.
    let d = app.ok(Some(&w.official_ambon), LOG, json!({})).await;
    assert!(!d.to_string().contains(&secret));

    let amount = "4321987";
    w.bid(&app, &w.investor_a, amount).await;
    wait_for(&seen, 1).await;
    let (headers, body) = seen.lock().expect("seen")[0].clone();
    assert!(verifies(&secret, &headers, &body), "signature: {headers:?}");
    assert!(!verifies(
        "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        &headers,
        &body
    ));
    // The README's receiver accepts it, and refuses a tampered body.
    assert!(readme_receiver_accepts(&secret, &headers, &body));
    assert!(!readme_receiver_accepts(
        &secret,
        &headers,
        &body.replace("proposal", "pr0posal")
    ));
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["type"], "proposal.submitted");
    assert!(v["timestamp"].as_str().expect("ts").ends_with('Z'));
    assert_eq!(v["data"]["projectId"], json!(w.project));
    // Sealed: neither the amount nor the approach travel, nor a score.
    for secret_part in [amount, "A city of music for Ambon", "score"] {
        assert!(!body.contains(secret_part), "{secret_part} in {body}");
    }
    // The inbox says the same, and no more, to the city and to admins.
    for token in [&w.official_ambon, &w.admin] {
        let d = app
            .ok(Some(token), "{myNotifications{totalCount unreadCount edges{node{id type title body entityType entityId}}}}", json!({}))
            .await;
        let text = d.to_string();
        assert!(text.contains("PROPOSAL_SUBMITTED"), "{text}");
        assert!(
            !text.contains(amount) && !text.contains("A city of music for Ambon"),
            "{text}"
        );
    }
    // Competitors hear nothing of it.
    let d = app
        .ok(
            Some(&w.investor_b),
            "{myNotifications{totalCount}}",
            json!({}),
        )
        .await;
    assert_eq!(d["myNotifications"]["totalCount"], 0);
    let d = app
        .ok(
            Some(&w.official_ambon),
            "mutation{markNotificationsRead}",
            json!({}),
        )
        .await;
    assert!(d["markNotificationsRead"].as_i64().expect("n") >= 1);
    let d = app
        .ok(
            Some(&w.official_ambon),
            "{myNotifications{unreadCount}}",
            json!({}),
        )
        .await;
    assert_eq!(d["myNotifications"]["unreadCount"], 0);

    // A failing answer is retried with the same webhook-id; the log tells each step.
    statuses.lock().expect("q").push_back(500);
    app.ok(
        Some(&w.official_ambon),
        "mutation($id:ID!){sendTestWebhook(id:$id){messageId status}}",
        json!({"id": endpoint}),
    )
    .await;
    wait_for(&seen, 2).await;
    let d = log_when(&app, &w.official_ambon, |n| {
        n["deliveries"]["edges"][0]["node"]["lastResponseStatus"] == 500
            && n["failingSince"].is_string()
    })
    .await;
    let test = d["webhookEndpoints"]["edges"][0]["node"]["deliveries"]["edges"][0]["node"].clone();
    assert_eq!(test["type"], "WEBHOOK_TEST");
    assert_eq!(test["status"], "PENDING", "{test}");
    assert_eq!(test["lastResponseStatus"], 500);
    assert!(test["lastError"].as_str().expect("error").contains("500"));
    assert!(d["webhookEndpoints"]["edges"][0]["node"]["failingSince"].is_string());
    app.clock.advance(Duration::seconds(10));
    wait_for(&seen, 3).await;
    let (h2, _) = seen.lock().expect("seen")[1].clone();
    let (h3, b3) = seen.lock().expect("seen")[2].clone();
    assert_eq!(
        h2["webhook-id"], h3["webhook-id"],
        "the same message on every attempt"
    );
    assert!(verifies(&secret, &h3, &b3));
    let d = log_when(&app, &w.official_ambon, |n| {
        n["deliveries"]["edges"][0]["node"]["status"] == "SUCCEEDED" && n["failingSince"].is_null()
    })
    .await;
    let node = &d["webhookEndpoints"]["edges"][0]["node"];
    let test = &node["deliveries"]["edges"][0]["node"];
    assert_eq!(test["status"], "SUCCEEDED", "{test}");
    assert_eq!(test["attempts"], 2);
    assert_eq!(node["failingSince"], Value::Null);

    // After a rotation both secrets verify for a day; the new one is shown once.
    let d = app
        .ok(
            Some(&w.official_ambon),
            "mutation($id:ID!){rotateWebhookSecret(id:$id){secret}}",
            json!({"id": endpoint}),
        )
        .await;
    let new_secret = d["rotateWebhookSecret"]["secret"]
        .as_str()
        .expect("s")
        .to_owned();
    assert_ne!(new_secret, secret);
    app.ok(
        Some(&w.official_ambon),
        "mutation($id:ID!){sendTestWebhook(id:$id){id}}",
        json!({"id": endpoint}),
    )
    .await;
    wait_for(&seen, 4).await;
    let (h4, b4) = seen.lock().expect("seen")[3].clone();
    assert!(verifies(&secret, &h4, &b4) && verifies(&new_secret, &h4, &b4));
    assert_eq!(
        h4["webhook-signature"]
            .to_str()
            .expect("sig")
            .split(' ')
            .count(),
        2
    );

    // Redelivery keeps the message id.
    let d = app.ok(Some(&w.official_ambon), LOG, json!({})).await;
    let first = d["webhookEndpoints"]["edges"][0]["node"]["deliveries"]["edges"]
        .as_array()
        .expect("log")
        .iter()
        .find(|e| e["node"]["type"] == "PROPOSAL_SUBMITTED")
        .cloned()
        .expect("the proposal delivery");
    let message_id = first["node"]["messageId"].as_str().expect("m").to_owned();
    let d = app.ok(Some(&w.official_ambon), "{webhookEndpoints{edges{node{deliveries(status:SUCCEEDED){edges{node{id messageId}}}}}}}", json!({})).await;
    let delivery = d["webhookEndpoints"]["edges"][0]["node"]["deliveries"]["edges"]
        .as_array()
        .expect("d")
        .iter()
        .find(|e| e["node"]["messageId"] == json!(message_id))
        .map(|e| id(&e["node"]["id"]))
        .expect("delivery");
    app.ok(
        Some(&w.official_ambon),
        "mutation($id:ID!){redeliverWebhook(deliveryId:$id){messageId status}}",
        json!({"id": delivery}),
    )
    .await;
    wait_for(&seen, 5).await;
    let (h5, _) = seen.lock().expect("seen")[4].clone();
    assert_eq!(h5["webhook-id"].to_str().expect("id"), message_id);

    // Scopes: another scope neither sees nor touches the city's endpoint.
    let d = app.ok(Some(&w.investor_b), LOG, json!({})).await;
    assert_eq!(d["webhookEndpoints"]["totalCount"], 0);
    for m in [
        "mutation($id:ID!){deleteWebhookEndpoint(id:$id)}",
        "mutation($id:ID!){sendTestWebhook(id:$id){id}}",
        "mutation($id:ID!){rotateWebhookSecret(id:$id){secret}}",
    ] {
        let r = app
            .gql(Some(&w.investor_b), m, json!({"id": endpoint}))
            .await;
        assert_eq!(code(&r), "NOT_FOUND", "{m}: {r}");
    }
    let r = app.gql(None, LOG, json!({})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    app.stop().await;
}

#[tokio::test]
async fn endpoints_must_be_public_https_and_a_dead_one_is_disabled_after_five_days() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    for url in [
        "http://example.com/hook",
        "https://10.1.2.3/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[fd00::1]/hook",
        "not a url",
    ] {
        let r = app
            .gql(Some(&w.liaison_nl), CREATE, json!({"i": {"url": url}}))
            .await;
        assert_eq!(code(&r), "VALIDATION", "{url}: {r}");
        assert_eq!(ext(&r)["field"], "input.url");
    }
    // A receiver that is gone: attempts fail, the endpoint fails since the first, and after
    // five days of it the endpoint is disabled and what waited fails.
    let dead = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        format!("http://{}/hook", l.local_addr().expect("addr"))
    };
    let d = app
        .ok(Some(&w.liaison_nl), CREATE, json!({"i": {"url": dead}}))
        .await;
    let endpoint = id(&d["createWebhookEndpoint"]["endpoint"]["id"]);
    app.ok(
        Some(&w.liaison_nl),
        "mutation($o:ID!){suspendInvestor(organizationId:$o,reason:\"Unpaid fees\"){verification}}",
        json!({"o": w.org_b}),
    )
    .await;
    let status = || async {
        let d = app.ok(Some(&w.liaison_nl), LOG, json!({})).await;
        d["webhookEndpoints"]["edges"][0]["node"].clone()
    };
    let mut node = Value::Null;
    for _ in 0..50 {
        node = status().await;
        // The endpoint and its deliveries are read by two statements: wait until both show
        // the attempt, which one transaction recorded.
        if node["deliveries"]["edges"][0]["node"]["attempts"] == 1
            && node["failingSince"].is_string()
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let delivery = &node["deliveries"]["edges"][0]["node"];
    assert_eq!(delivery["type"], "ORGANIZATION_SUSPENDED");
    assert_eq!(delivery["status"], "PENDING");
    assert_eq!(delivery["lastError"], "could not connect");
    assert!(node["failingSince"].is_string());
    app.clock.advance(Duration::days(5) + Duration::hours(1));
    for _ in 0..50 {
        node = status().await;
        if node["enabled"] == false {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(node["enabled"], false, "{node}");
    assert_eq!(node["deliveries"]["edges"][0]["node"]["status"], "FAILED");
    let _ = endpoint;
    app.stop().await;
}

/// A raw TCP receiver: answers each connection with `answer` (or closes it at once when None).
async fn raw_receiver(answer: Option<Vec<u8>>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", l.local_addr().expect("addr"));
    tokio::spawn(async move {
        while let Ok((mut s, _)) = l.accept().await {
            let answer = answer.clone();
            tokio::spawn(async move {
                match answer {
                    Some(a) => {
                        let mut buf = vec![0u8; 16 * 1024];
                        let _ = s.read(&mut buf).await;
                        let _ = s.write_all(&a).await;
                    }
                    // Reset: wait for the request, then close with it unread (the kernel
                    // answers with RST).
                    None => {
                        let _ = s.readable().await;
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        drop(s);
                    }
                }
            });
        }
    });
    url
}

#[tokio::test]
async fn a_huge_answer_is_cut_short_and_a_reset_connection_is_retried() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    let mut huge =
        b"HTTP/1.1 200 OK\r\ncontent-length: 10485760\r\ncontent-type: text/plain\r\n\r\n".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 10 * 1024 * 1024));
    for (answer, status, error) in [
        (Some(huge), "SUCCEEDED", Value::Null),
        (
            None,
            "PENDING",
            json!("the request failed (connection reset or protocol error)"),
        ),
    ] {
        let url = raw_receiver(answer).await;
        let d = app
            .ok(Some(&w.investor_a), CREATE, json!({"i": {"url": url}}))
            .await;
        let endpoint = id(&d["createWebhookEndpoint"]["endpoint"]["id"]);
        app.ok(
            Some(&w.investor_a),
            "mutation($id:ID!){sendTestWebhook(id:$id){id}}",
            json!({"id": endpoint}),
        )
        .await;
        let mut node = Value::Null;
        for _ in 0..100 {
            let d = app.ok(Some(&w.investor_a), LOG, json!({})).await;
            node = d["webhookEndpoints"]["edges"]
                .as_array()
                .expect("edges")
                .iter()
                .find(|e| e["node"]["id"] == json!(endpoint))
                .map(|e| e["node"]["deliveries"]["edges"][0]["node"].clone())
                .expect("endpoint");
            if node["attempts"] == 1 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(node["status"], status, "{node}");
        assert_eq!(node["lastError"], error, "{node}");
    }
    app.stop().await;
}

/// A graphql-ws client subscribed to `query`: its stdout lines, the first `{"connected":true}`
/// already read.
async fn subscriber(url: &str, token: Option<&str>, query: &str) -> crate::helpers::WsLines {
    let (child, lines) = crate::helpers::ws_client(url, token, query, 1, &json!({})).await;
    // The child lives as long as the test process needs it; kill_on_drop ends it otherwise.
    std::mem::forget(child);
    lines
}

async fn next_json(lines: &mut crate::helpers::WsLines) -> Value {
    let line = tokio::time::timeout(std::time::Duration::from_secs(20), lines.next_line())
        .await
        .expect("a message within 20 s")
        .expect("read")
        .expect("a line");
    serde_json::from_str(&line).expect("json")
}

#[tokio::test]
async fn subscribers_get_their_own_notifications_and_project_changes_over_graphql_ws() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    let ws = format!("ws://{}/graphql/ws", app.addr);
    let mut city = subscriber(
        &ws,
        Some(&w.official_ambon),
        "subscription{notifications{type title body entityId}}",
    )
    .await;
    let mut rival = subscriber(
        &ws,
        Some(&w.investor_b),
        "subscription{notifications{type}}",
    )
    .await;
    let mut public = subscriber(
        &ws,
        None,
        &format!(
            "subscription{{projectChanged(id:\"{}\"){{id status title city{{name}}}}}}",
            w.project
        ),
    )
    .await;
    // Without a token there are no notifications to follow.
    let mut anon = subscriber(&ws, None, "subscription{notifications{type}}").await;
    let v = next_json(&mut anon).await;
    assert!(
        v.to_string().contains("UNAUTHENTICATED") || v.to_string().contains("authentication"),
        "{v}"
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;

    let amount = "5550001";
    w.bid(&app, &w.investor_a, amount).await;
    let v = next_json(&mut city).await;
    assert_eq!(
        v["data"]["notifications"]["type"], "PROPOSAL_SUBMITTED",
        "{v}"
    );
    assert!(!v.to_string().contains(amount));
    // A project change reaches a public subscriber, as the public may see it: the deadline
    // moves later (the terms are frozen once a proposal is in).
    let later = w.deadline + Duration::days(10);
    app.ok(
        Some(&w.official_ambon),
        "mutation($id:ID!,$i:ProjectInput!){updateProject(id:$id,input:$i){id}}",
        json!({"id": w.project, "i": crate::world::project_input("City of Music hub", later)}),
    )
    .await;
    let v = next_json(&mut public).await;
    assert_eq!(v["data"]["projectChanged"]["status"], "PUBLISHED", "{v}");
    assert_eq!(v["data"]["projectChanged"]["city"]["name"], "Ambon");
    // Investor B bid on nothing: its only message is... none about A's proposal. The cancel of
    // a project it did not bid on does not reach it either; a test event of its own does.
    app.ok(
        Some(&w.liaison_nl),
        "mutation($o:ID!){suspendInvestor(organizationId:$o,reason:\"Checks\"){verification}}",
        json!({"o": w.org_b}),
    )
    .await;
    let v = next_json(&mut rival).await;
    assert_eq!(
        v["data"]["notifications"]["type"], "ORGANIZATION_SUSPENDED",
        "{v}"
    );
    app.stop().await;
}

#[tokio::test]
async fn two_server_processes_on_one_database_share_events_and_never_deliver_twice() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    let secret = String::from_utf8(app.config.jwt_secret.clone().expect("secret")).expect("utf8");
    let (_second, other) = crate::helpers::second_server(
        &app,
        &[
            ("SINERGI_JWT_SECRET", &secret),
            ("SINERGI_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"),
        ],
    );
    // A subscriber on the second process hears of a change made through the first.
    let ws = other
        .replace("http://", "ws://")
        .replace("/graphql", "/graphql/ws");
    let mut sub = subscriber(
        &ws,
        Some(&w.official_ambon),
        "subscription{notifications{type}}",
    )
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    w.bid(&app, &w.investor_a, "1200000").await;
    let v = next_json(&mut sub).await;
    assert_eq!(
        v["data"]["notifications"]["type"], "PROPOSAL_SUBMITTED",
        "{v}"
    );
    // Both processes deliver from the same rows: each message arrives once.
    let (url, seen, _) = receiver().await;
    let d = app
        .ok(
            Some(&w.official_semarang),
            CREATE,
            json!({"i": {"url": url}}),
        )
        .await;
    let endpoint = id(&d["createWebhookEndpoint"]["endpoint"]["id"]);
    for _ in 0..20 {
        app.ok(
            Some(&w.official_semarang),
            "mutation($id:ID!){sendTestWebhook(id:$id){id}}",
            json!({"id": endpoint}),
        )
        .await;
    }
    wait_for(&seen, 20).await;
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let got = seen.lock().expect("seen").clone();
    let ids: std::collections::HashSet<String> = got
        .iter()
        .map(|(h, _)| h["webhook-id"].to_str().expect("id").to_owned())
        .collect();
    assert_eq!(got.len(), 20, "no message twice");
    assert_eq!(ids.len(), 20);
    app.stop().await;
}

const SAVE_SEARCH: &str = "mutation($n:String!,$s:String,$f:ProjectFilter,$a:Boolean){saveSearch(name:$n,search:$s,filter:$f,alerts:$a){id name search alerts filter{sectors provinces cityIds minCapexUsd}}}";
const INBOX_ALL: &str =
    "{myNotifications(first:100){edges{node{type title body entityType entityId}}}}";

/// The saved-search alerts in a caller's inbox, per saved search name: the projects each told of.
async fn alerts_by_name(
    app: &TestApp,
    token: &str,
) -> std::collections::BTreeMap<String, Vec<String>> {
    let d = app.ok(Some(token), INBOX_ALL, json!({})).await;
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for e in d["myNotifications"]["edges"].as_array().expect("edges") {
        let n = &e["node"];
        if n["type"] != "SAVED_SEARCH_MATCH" {
            continue;
        }
        assert_eq!(n["entityType"], "project");
        let title = n["title"].as_str().expect("title");
        let name = title
            .split('“')
            .nth(1)
            .and_then(|r| r.split('”').next())
            .expect("the saved search's name in the title");
        out.entry(name.to_owned())
            .or_default()
            .push(id(&n["entityId"]));
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

#[tokio::test]
async fn saved_searches_alert_exactly_for_the_new_projects_their_search_finds_once_each() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    app.ok(
        Some(&w.official_semarang),
        crate::world::MASTERPLAN,
        json!({"c": w.semarang, "i": crate::world::masterplan()}),
    )
    .await;
    // The world's own project is indexed before anything is saved: it is not new to them.
    app.settle().await;
    let (url, seen, _) = receiver().await;
    let hook = app
        .ok(
            Some(&w.investor_a),
            CREATE,
            json!({"i": {"url": url, "eventTypes": ["SAVED_SEARCH_MATCH"]}}),
        )
        .await;
    let secret = hook["createWebhookEndpoint"]["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    // Typos, prefixes, accents, several words, filters alone and with text, any role.
    let searches: Vec<(&str, Value, Value, bool)> = vec![
        ("music", json!("musik"), json!(null), true),
        ("hall prefix", json!("concert ha"), json!(null), true),
        ("flood", json!("flod early warning"), json!(null), true),
        ("accents", json!("PÉSISIR"), json!(null), true),
        ("typo2", json!("infrastuctrue"), json!(null), true),
        (
            "water only",
            json!(null),
            json!({"sectors": ["WATER"]}),
            true,
        ),
        (
            "maluku energy",
            json!(null),
            json!({"provinces": ["Maluku"], "sectors": ["ENERGY"]}),
            true,
        ),
        (
            "semarang",
            json!(null),
            json!({"cityIds": [w.semarang]}),
            true,
        ),
        (
            "environment",
            json!(null),
            json!({"dimensions": ["ENVIRONMENT", "LIVING"]}),
            true,
        ),
        (
            "cheap",
            json!("smart"),
            json!({"maxCapexUsd": "2000000"}),
            true,
        ),
        ("big", json!(null), json!({"minCapexUsd": "10000000"}), true),
        (
            "grant water",
            json!("air"),
            json!({"financing": ["GRANT"], "sectors": ["WATER"]}),
            true,
        ),
        ("everything", json!(null), json!(null), true),
        ("nothing", json!("zzyzx"), json!(null), true),
        ("short exact", json!("kota bus"), json!(null), true),
        ("muted", json!("musik"), json!(null), false),
    ];
    let mut ids: Vec<(String, Value, Value, bool)> = Vec::new();
    for (name, s, f, a) in &searches {
        let d = app
            .ok(
                Some(&w.investor_a),
                SAVE_SEARCH,
                json!({"n": name, "s": s, "f": f, "a": a}),
            )
            .await;
        ids.push((id(&d["saveSearch"]["id"]), s.clone(), f.clone(), *a));
    }
    // A city official's own saved search: any role may keep one.
    app.ok(
        Some(&w.official_semarang),
        SAVE_SEARCH,
        json!({"n": "ambon music", "s": "music", "f": {"cityIds": [w.ambon]}}),
    )
    .await;
    let deadline = chrono::Utc::now() + Duration::days(40);
    let projects: Vec<(&str, &str, &str, &str, &str, Value, &str)> = vec![
        // (city, title, summary, sector, capex IDR, dimensions, financing)
        (
            "ambon",
            "Music Concert Hall",
            "A hall for the City of Music.",
            "TOURISM",
            "64000000000",
            json!(["BRANDING"]),
            "PPP",
        ),
        (
            "ambon",
            "Flood Early Warning",
            "Sensors on the rivers of Ambon.",
            "WATER",
            "20000000000",
            json!(["ENVIRONMENT"]),
            "GRANT",
        ),
        (
            "ambon",
            "Smart Street Lighting",
            "LED lights, remote dimming.",
            "ENERGY",
            "16000000000",
            json!(["LIVING", "ENVIRONMENT"]),
            "PPP",
        ),
        (
            "ambon",
            "Pesisir Clean Water",
            "Air bersih untuk kota pesisir.",
            "WATER",
            "300000000000",
            json!(["LIVING"]),
            "GRANT",
        ),
        (
            "ambon",
            "Digital Infrastructure Backbone",
            "Fibre for every kelurahan.",
            "DIGITAL_INFRASTRUCTURE",
            "400000000000",
            json!(["GOVERNANCE"]),
            "PPP",
        ),
        (
            "semarang",
            "Bus Rapid Transit Depot",
            "A depot for the kota's buses.",
            "TRANSPORT",
            "90000000000",
            json!(["LIVING"]),
            "LOAN",
        ),
        (
            "semarang",
            "Musical Heritage Trail",
            "Wayfinding through the old town.",
            "TOURISM",
            "8000000000",
            json!(["BRANDING", "ECONOMY"]),
            "GRANT",
        ),
        (
            "semarang",
            "Smart Parking",
            "Sensors and an app.",
            "TRANSPORT",
            "12000000000",
            json!(["ECONOMY"]),
            "PPP",
        ),
    ];
    let mut published = Vec::new();
    for (city, title, summary, sector, capex, dims, fin) in &projects {
        let (cid, official) = if *city == "ambon" {
            (&w.ambon, &w.official_ambon)
        } else {
            (&w.semarang, &w.official_semarang)
        };
        let mut input = project_input(title, deadline);
        input["summary"] = json!(summary);
        input["sector"] = json!(sector);
        input["capex"] = json!({"amount": capex, "currency": "IDR"});
        input["dimensions"] = dims.clone();
        input["acceptedFinancing"] = json!([fin]);
        input["tags"] = json!([]);
        input["description"] = json!("Part of the city's masterplan.");
        let d = app
            .ok(
                Some(official),
                CREATE_PROJECT,
                json!({"c": cid, "i": input}),
            )
            .await;
        let pid = id(&d["createProject"]["id"]);
        app.ok(
            Some(official),
            "mutation($id:ID!){publishProject(id:$id){status}}",
            json!({"id": pid}),
        )
        .await;
        published.push(pid);
    }
    // A draft is nobody's match.
    let d = app
        .ok(
            Some(&w.official_ambon),
            CREATE_PROJECT,
            json!({"c": w.ambon, "i": project_input("Music Draft", deadline)}),
        )
        .await;
    let draft = id(&d["createProject"]["id"]);
    app.settle().await;

    let alerts = alerts_by_name(&app, &w.investor_a).await;
    let mut total = 0;
    let mut empty = 0;
    for ((name, ..), (sid, s, f, a)) in searches.iter().zip(&ids) {
        let d = app
            .ok(
                None,
                "query($s:String,$f:ProjectFilter){projects(search:$s,filter:$f,first:100){hits{project{id}}}}",
                json!({"s": s, "f": f}),
            )
            .await;
        let mut expected: Vec<String> = d["projects"]["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| id(&h["project"]["id"]))
            .filter(|p| published.contains(p))
            .collect();
        expected.sort();
        let got = alerts.get(*name).cloned().unwrap_or_default();
        if *a {
            assert_eq!(got, expected, "saved search {name:?} ({s} {f})");
            total += got.len();
            empty += usize::from(got.is_empty());
        } else {
            assert!(got.is_empty(), "a saved search without alerts stays quiet");
            assert!(!expected.is_empty());
        }
        // The saved search runs as the same search.
        let r = app
            .ok(
                Some(&w.investor_a),
                "{mySavedSearches{id results(first:100){hits{project{id}}}}}",
                json!({}),
            )
            .await;
        let mine = r["mySavedSearches"]
            .as_array()
            .expect("list")
            .iter()
            .find(|x| x["id"] == sid.as_str())
            .expect("the saved search is listed");
        let mut results: Vec<String> = mine["results"]["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| id(&h["project"]["id"]))
            .filter(|p| published.contains(p))
            .collect();
        results.sort();
        assert_eq!(results, expected, "results of {name:?}");
    }
    assert!(total >= 15, "the searches alerted {total} times");
    assert!(empty >= 1, "and some found nothing");
    assert!(
        !alerts.values().flatten().any(|p| *p == draft),
        "no alert for a draft"
    );
    // The official's saved search told the official only.
    let theirs = alerts_by_name(&app, &w.official_semarang).await;
    assert_eq!(
        theirs.get("ambon music").map(Vec::len),
        Some(1),
        "{theirs:?}"
    );
    assert!(!alerts.contains_key("ambon music"));
    assert!(alerts_by_name(&app, &w.investor_b).await.is_empty());

    // A published project that changes so that it newly matches alerts once; again, not twice.
    let parking = &published[7];
    let mut input = project_input("Smart Parking with zzyzx sensors", deadline);
    input["sector"] = json!("TRANSPORT");
    input["dimensions"] = json!(["ECONOMY"]);
    for _ in 0..2 {
        app.ok(
            Some(&w.official_semarang),
            "mutation($id:ID!,$i:ProjectInput!){updateProject(id:$id,input:$i){id}}",
            json!({"id": parking, "i": input}),
        )
        .await;
        app.settle().await;
        input["summary"] = json!("Sensors, an app, and zzyzx.");
    }
    let after = alerts_by_name(&app, &w.investor_a).await;
    assert_eq!(after.get("nothing"), Some(&vec![parking.clone()]));
    assert_eq!(
        after.get("everything").map(Vec::len),
        alerts.get("everything").map(Vec::len),
        "a project alerts each saved search once"
    );

    // Webhooks of the owner's scope hear of every alert, signed, naming the saved search.
    let n: usize = after.values().map(Vec::len).sum();
    wait_for(&seen, n).await;
    let got = seen.lock().expect("seen").clone();
    assert_eq!(got.len(), n);
    for (headers, body) in &got {
        assert!(verifies(&secret, headers, body));
        let v: Value = serde_json::from_str(body).expect("json");
        assert_eq!(v["type"], "saved_search.match");
        assert!(
            ids.iter()
                .any(|(sid, ..)| v["data"]["savedSearchId"] == sid.as_str())
        );
    }

    // A deleted saved search alerts no more; only its owner can delete it or see it.
    let nothing = &ids[13].0;
    let r = app
        .gql(
            Some(&w.investor_b),
            "mutation($id:ID!){deleteSavedSearch(id:$id)}",
            json!({"id": nothing}),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    let r = app
        .ok(Some(&w.investor_b), "{mySavedSearches{id}}", json!({}))
        .await;
    assert_eq!(r["mySavedSearches"], json!([]));
    app.ok(
        Some(&w.investor_a),
        "mutation($id:ID!){deleteSavedSearch(id:$id)}",
        json!({"id": nothing}),
    )
    .await;
    let d = app
        .ok(
            Some(&w.official_ambon),
            CREATE_PROJECT,
            json!({"c": w.ambon, "i": project_input("zzyzx Observatory", deadline)}),
        )
        .await;
    let late = id(&d["createProject"]["id"]);
    app.ok(
        Some(&w.official_ambon),
        "mutation($id:ID!){publishProject(id:$id){status}}",
        json!({"id": late}),
    )
    .await;
    app.settle().await;
    let last = alerts_by_name(&app, &w.investor_a).await;
    assert_eq!(
        last.get("nothing"),
        after.get("nothing"),
        "no new alert once deleted"
    );
    assert!(last["everything"].contains(&late), "the others still alert");
}

#[tokio::test]
async fn saving_a_search_refuses_bad_input_by_field_and_anonymous_callers() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    let cases = [
        (json!({"n": " ", "s": "x"}), "name"),
        (json!({"n": "x".repeat(101)}), "name"),
        (
            json!({"n": "a", "f": {"statuses": ["DRAFT"]}}),
            "filter.statuses",
        ),
        (
            json!({"n": "a", "f": {"deadlineAfter": "2027-01-01T00:00:00Z"}}),
            "filter.deadlineAfter",
        ),
        (
            json!({"n": "a", "f": {"cityIds": ["not-an-id"]}}),
            "filter.cityIds.0",
        ),
        (
            json!({"n": "a", "f": {"minCapexUsd": "-1"}}),
            "filter.minCapexUsd",
        ),
        (
            json!({"n": "a", "f": {"minCapexUsd": "9", "maxCapexUsd": "1"}}),
            "filter.maxCapexUsd",
        ),
        (json!({"n": "a", "s": "w ".repeat(13)}), "search"),
    ];
    for (vars, field) in cases {
        let r = app
            .gql(Some(&w.investor_a), SAVE_SEARCH, vars.clone())
            .await;
        assert_eq!(code(&r), "VALIDATION", "{vars}");
        assert_eq!(ext(&r)["field"], field, "{vars}");
    }
    let r = app.gql(None, SAVE_SEARCH, json!({"n": "a"})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    let r = app.gql(None, "{mySavedSearches{id}}", json!({})).await;
    assert_eq!(code(&r), "UNAUTHENTICATED");
    let r = app
        .ok(Some(&w.investor_a), "{mySavedSearches{id}}", json!({}))
        .await;
    assert_eq!(r["mySavedSearches"], json!([]), "nothing was saved");
}

/// A receiver that holds the first request open forever (the sender will be killed while it
/// waits) and answers 200 after that: every request's headers, and a signal at the first.
async fn stalling_receiver() -> (String, Seen, tokio::sync::mpsc::Receiver<()>) {
    let seen: Seen = Default::default();
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let s = seen.clone();
    let app = Router::new().route(
        "/hook",
        post(move |headers: HeaderMap, body: String| {
            let (s, tx) = (s.clone(), tx.clone());
            async move {
                let first = {
                    let mut s = s.lock().expect("seen");
                    s.push((headers, body));
                    s.len() == 1
                };
                if first {
                    let _ = tx.send(()).await;
                    std::future::pending::<()>().await;
                }
                axum::http::StatusCode::OK
            }
        }),
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}/hook", l.local_addr().expect("addr"));
    tokio::spawn(async move { axum::serve(l, app).await });
    (url, seen, rx)
}

#[tokio::test]
async fn a_delivery_whose_server_is_killed_mid_send_is_sent_again_with_the_same_id() {
    // This process only answers requests; a second `sinergi serve` process delivers.
    let app = TestApp::spawn_with(|c| c.webhook_delivery = false).await;
    let w = World::build(&app, Duration::days(30)).await;
    let (url, seen, mut first) = stalling_receiver().await;
    let d = app
        .ok(Some(&w.official_ambon), CREATE, json!({"i": {"url": url}}))
        .await;
    let secret = d["createWebhookEndpoint"]["secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let endpoint = id(&d["createWebhookEndpoint"]["endpoint"]["id"]);
    app.ok(
        Some(&w.official_ambon),
        "mutation($id:ID!){sendTestWebhook(id:$id){id}}",
        json!({"id": endpoint}),
    )
    .await;
    // Nobody delivers until the second process starts: the switch holds.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(seen.lock().expect("seen").len(), 0);
    let jwt = String::from_utf8(app.config.jwt_secret.clone().expect("secret")).expect("utf8");
    let (second, _) = crate::helpers::second_server(
        &app,
        &[
            ("SINERGI_JWT_SECRET", &jwt),
            ("SINERGI_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1"),
        ],
    );
    tokio::time::timeout(std::time::Duration::from_secs(20), first.recv())
        .await
        .expect("the second process sent the delivery");
    // Killed (SIGKILL) while the receiver holds the request: no answer was recorded.
    drop(second);
    let d = app.ok(Some(&w.official_ambon), LOG, json!({})).await;
    let node = d["webhookEndpoints"]["edges"][0]["node"]["deliveries"]["edges"][0]["node"].clone();
    assert_eq!(node["status"], "PENDING", "{node}");
    assert_eq!(node["attempts"], 0, "{node}");
    // Its lease (60 s) runs out; another replica's worker — run here as a pass on the app's
    // clock — takes it and sends it again.
    let client = sinergi_server::webhooks::client();
    let allowed = vec!["127.0.0.1".to_owned()];
    assert_eq!(
        sinergi_server::webhooks::pass(&app.db, &client, &allowed)
            .await
            .expect("pass"),
        0,
        "still leased by the killed process"
    );
    app.clock.advance(Duration::seconds(61));
    assert_eq!(
        sinergi_server::webhooks::pass(&app.db, &client, &allowed)
            .await
            .expect("pass"),
        1
    );
    let got = seen.lock().expect("seen").clone();
    assert_eq!(got.len(), 2, "sent twice in all");
    let ids: std::collections::HashSet<&str> = got
        .iter()
        .map(|(h, _)| h["webhook-id"].to_str().expect("id"))
        .collect();
    assert_eq!(
        ids.len(),
        1,
        "the same webhook-id: a deduplicating receiver sees one"
    );
    assert_eq!(got[0].1, got[1].1, "the same body");
    assert!(verifies(&secret, &got[1].0, &got[1].1));
    let d = app.ok(Some(&w.official_ambon), LOG, json!({})).await;
    let node = d["webhookEndpoints"]["edges"][0]["node"]["deliveries"]["edges"][0]["node"].clone();
    assert_eq!(node["status"], "SUCCEEDED", "{node}");
    assert_eq!(node["attempts"], 1, "{node}");
    app.stop().await;
}
