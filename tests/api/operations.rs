//! What operators of several replicas rely on: `/metrics` in Prometheus's text format, and
//! JSON logs with a request id on every line of a request.

use std::collections::HashMap;
use std::io::BufRead;

use serde_json::{Value, json};

use crate::helpers::TestApp;

/// One sample of the exposition format: its metric name, labels and value.
#[derive(Debug)]
struct Sample {
    name: String,
    labels: HashMap<String, String>,
    value: f64,
}

/// Parses Prometheus's text exposition format (0.0.4) as its specification writes it:
/// `# HELP` / `# TYPE` lines, then `name{label="value",…} value`, label values escaped with
/// `\\`, `\"` and `\n`. Returns the samples and each family's type; panics on a malformed
/// line, or on a sample whose family has no TYPE before it.
fn parse_exposition(text: &str) -> (Vec<Sample>, HashMap<String, String>) {
    let mut types = HashMap::new();
    let mut samples = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            match parts.next() {
                Some("TYPE") => {
                    let name = parts.next().expect("TYPE name");
                    let ty = parts.next().expect("TYPE type");
                    assert!(
                        ["counter", "gauge", "histogram", "summary", "untyped"].contains(&ty),
                        "{line}"
                    );
                    types.insert(name.to_owned(), ty.to_owned());
                }
                Some("HELP") => {}
                _ => panic!("unknown comment: {line}"),
            }
            continue;
        }
        let name_end = line
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
            .expect("a value after the name");
        let name = &line[..name_end];
        assert!(
            name.chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == ':'),
            "{line}"
        );
        let mut rest = &line[name_end..];
        let mut labels = HashMap::new();
        if let Some(after) = rest.strip_prefix('{') {
            let mut chars = after.char_indices().peekable();
            let mut key = String::new();
            let end;
            loop {
                let (i, c) = chars.next().expect("unterminated labels");
                match c {
                    '}' => {
                        end = i;
                        break;
                    }
                    ',' => {}
                    '=' => {
                        assert_eq!(chars.next().map(|x| x.1), Some('"'), "{line}");
                        let mut value = String::new();
                        loop {
                            let (_, c) = chars.next().expect("unterminated value");
                            match c {
                                '\\' => match chars.next().expect("escape").1 {
                                    'n' => value.push('\n'),
                                    other => value.push(other),
                                },
                                '"' => break,
                                other => value.push(other),
                            }
                        }
                        labels.insert(std::mem::take(&mut key), value);
                    }
                    other => key.push(other),
                }
            }
            rest = &after[end + 1..];
        }
        let value = rest.split_whitespace().next().expect("value");
        let value = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v.parse().unwrap_or_else(|_| panic!("not a number: {line}")),
        };
        let family = ["_bucket", "_sum", "_count"]
            .iter()
            .find_map(|s| name.strip_suffix(s))
            .filter(|f| types.get(*f).is_some_and(|t| t == "histogram"))
            .unwrap_or(name);
        assert!(types.contains_key(family), "no TYPE before {line}");
        samples.push(Sample {
            name: name.to_owned(),
            labels,
            value,
        });
    }
    (samples, types)
}

fn value(samples: &[Sample], name: &str, labels: &[(&str, &str)]) -> Option<f64> {
    samples
        .iter()
        .find(|s| {
            s.name == name
                && labels
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .map(|s| s.value)
}

#[tokio::test]
async fn metrics_count_requests_by_operation_and_outcome_with_histograms_and_gauges() {
    let app = TestApp::spawn().await;
    for _ in 0..2 {
        app.ok(
            None,
            "query Cities { cities(first: 1) { totalCount } }",
            json!({}),
        )
        .await;
    }
    app.gql(None, "{ notAField }", json!({})).await;
    app.ok(
        None,
        "query Find { projects(search: \"air\") { totalHits } }",
        json!({}),
    )
    .await;
    let resp = app
        .http
        .get(app.url("/metrics"))
        .send()
        .await
        .expect("scrape");
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .expect("type")
            .starts_with("text/plain; version=0.0.4")
    );
    let text = resp.text().await.expect("text");
    let (samples, types) = parse_exposition(&text);
    let req = "sinergi_graphql_requests_total";
    assert_eq!(types[req], "counter");
    assert_eq!(
        value(&samples, req, &[("operation", "Cities"), ("outcome", "ok")]),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        value(
            &samples,
            req,
            &[("operation", "anonymous"), ("outcome", "VALIDATION")]
        ),
        Some(1.0),
        "{text}"
    );
    // Histograms: cumulative buckets, +Inf equal to the count.
    let h = "sinergi_graphql_request_duration_seconds";
    assert_eq!(types[h], "histogram");
    let buckets: Vec<f64> = samples
        .iter()
        .filter(|s| s.name == format!("{h}_bucket") && s.labels["operation"] == "Cities")
        .map(|s| s.value)
        .collect();
    assert!(
        buckets.len() > 5 && buckets.windows(2).all(|w| w[0] <= w[1]),
        "{buckets:?}"
    );
    assert_eq!(buckets.last(), Some(&2.0));
    assert_eq!(
        value(&samples, &format!("{h}_count"), &[("operation", "Cities")]),
        Some(2.0)
    );
    assert!(value(&samples, "sinergi_search_duration_seconds_count", &[]) >= Some(1.0));
    for gauge in [
        "sinergi_db_pool_max_connections",
        "sinergi_search_outbox_backlog",
        "sinergi_search_relay_lag_seconds",
        "sinergi_search_engine_up",
    ] {
        assert_eq!(types[gauge], "gauge", "{gauge}");
        assert!(value(&samples, gauge, &[]).is_some(), "{gauge} in {text}");
    }
    assert!(
        value(
            &samples,
            "sinergi_db_pool_connections",
            &[("state", "idle")]
        )
        .is_some()
    );
    assert_eq!(value(&samples, "sinergi_search_engine_up", &[]), Some(1.0));
    app.stop().await;
}

/// `sinergi serve` with JSON logs: every line is JSON; a request's lines carry its id (the
/// client's `x-request-id`, or one the server makes), which the response echoes; a bearer
/// token never reaches the log.
#[tokio::test]
async fn json_logs_carry_the_request_id_which_the_response_echoes_and_no_token() {
    let dir = tempfile::tempdir().expect("dir");
    let url = crate::helpers::fresh_database(dir.path()).await;
    let mut child = crate::foundation::sinergi(dir.path(), &url)
        .env("SINERGI_BIND", "127.0.0.1:0")
        .env("SINERGI_LOG", "info")
        .env("SINERGI_LOG_FORMAT", "json")
        .arg("serve")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().expect("stderr");
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let addr = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the server printed its address");
        if let Some(rest) = line.strip_prefix("sinergi listening on ") {
            break rest.to_owned();
        }
    };
    let http = reqwest::Client::new();
    let r = http
        .post(&addr)
        .header("x-request-id", "trace-abc-123")
        .json(&json!({"query": "{ cities(first: 1) { totalCount } }"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.headers()["x-request-id"], "trace-abc-123");
    let r = http
        .post(&addr)
        .header(
            "authorization",
            "Bearer secret-token-that-must-not-be-logged",
        )
        .header("x-request-id", "has spaces, not kept")
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .expect("send");
    let made = r.headers()["x-request-id"].to_str().expect("id").to_owned();
    assert!(uuid::Uuid::parse_str(&made).is_ok(), "a new id: {made}");

    let mut lines = Vec::new();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::time::Instant::now() < deadline {
        if let Ok(l) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            lines.push(l);
        }
        let finished = lines
            .iter()
            .filter(|l| l.contains("request finished"))
            .count();
        if finished >= 2 {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let parsed: Vec<Value> = lines
        .iter()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let of = |id: &str| -> Vec<&Value> {
        parsed
            .iter()
            .filter(|v| v["span"]["request_id"] == id)
            .collect()
    };
    let first = of("trace-abc-123");
    assert!(
        first
            .iter()
            .any(|v| v["fields"]["message"] == "request finished" && v["fields"]["status"] == 200),
        "{lines:#?}"
    );
    assert!(!of(&made).is_empty(), "{lines:#?}");
    assert!(
        !lines
            .iter()
            .any(|l| l.contains("secret-token-that-must-not-be-logged")),
        "{lines:#?}"
    );
}

/// A browser client on an allowed origin may send `x-request-id` (the preflight allows it) and
/// read it back (it is exposed); another origin is not allowed at all.
#[tokio::test]
async fn cors_allows_and_exposes_the_request_id_to_allowed_origins_only() {
    let app =
        TestApp::spawn_with(|c| c.cors_origins = vec!["https://app.sinergi.example".into()]).await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type,authorization,x-request-id",
            )
            .send()
    };
    let r = preflight("https://app.sinergi.example")
        .await
        .expect("send");
    assert_eq!(
        r.headers()["access-control-allow-origin"],
        "https://app.sinergi.example"
    );
    let allowed = r.headers()["access-control-allow-headers"]
        .to_str()
        .expect("header")
        .to_ascii_lowercase();
    assert!(allowed.contains("x-request-id"), "{allowed}");
    let r = app
        .http
        .post(app.url("/graphql"))
        .header("origin", "https://app.sinergi.example")
        .header("x-request-id", "browser-42")
        .json(&json!({"query": "{ __typename }"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.headers()["x-request-id"], "browser-42");
    let exposed = r.headers()["access-control-expose-headers"]
        .to_str()
        .expect("header")
        .to_ascii_lowercase();
    assert!(exposed.contains("x-request-id"), "{exposed}");
    let r = preflight("https://evil.example").await.expect("send");
    assert!(r.headers().get("access-control-allow-origin").is_none());
    app.stop().await;
}
