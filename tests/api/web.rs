//! The web client: its journeys in a real Chromium (Debian's, driven by Playwright with
//! axe-core; `tests/web`), and what a slow connection and a hostile page must not get.

use crate::helpers::{TestApp, node_package};

/// The compressed size of a GET, and its headers.
async fn compressed(url: &str) -> (usize, reqwest::header::HeaderMap) {
    let r = reqwest::Client::new()
        .get(url)
        .header("accept-encoding", "gzip")
        .send()
        .await
        .expect("get");
    assert!(r.status().is_success(), "{url}: {}", r.status());
    let h = r.headers().clone();
    (r.bytes().await.expect("body").len(), h)
}

#[tokio::test]
async fn the_catalogue_loads_under_budget_from_our_own_origin_compressed() {
    let app = TestApp::spawn_demo().await;
    let (page, h) = compressed(&app.url("/")).await;
    assert_eq!(h["content-encoding"], "gzip");
    assert!(
        h["content-security-policy"]
            .to_str()
            .expect("csp")
            .starts_with("default-src 'self'")
    );
    let html = reqwest::get(app.url("/"))
        .await
        .expect("get")
        .text()
        .await
        .expect("text");
    let assets: Vec<String> = html
        .split("\"/assets/")
        .skip(1)
        .filter_map(|r| r.split('"').next())
        .map(|a| format!("/assets/{a}"))
        .collect();
    assert_eq!(assets.len(), 2, "one stylesheet and one script");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no other origin"
    );
    let mut total = page;
    for a in &assets {
        let (n, h) = compressed(&app.url(a)).await;
        assert!(n < 50 * 1024, "{a} is {n} bytes");
        assert_eq!(
            h["cache-control"], "public, max-age=31536000, immutable",
            "content-hashed names are cached for good"
        );
        total += n;
    }
    assert!(page < 50 * 1024, "the page is {page} bytes");
    assert!(total < 100 * 1024, "the first load is {total} bytes");
    println!("catalogue first load: {total} bytes compressed (page {page})");
}

#[tokio::test]
async fn forms_that_change_state_refuse_a_request_without_the_browsers_token() {
    let app = TestApp::spawn_demo().await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    // A page of another origin can post the form, but cannot know the token.
    let r = client
        .post(app.url("/signin"))
        .form(&[
            ("email", "walikota@ambon.demo"),
            ("password", "ambon-city-demo"),
            ("csrf", "forged"),
        ])
        .header("cookie", "sinergi_csrf=chosen-by-the-attacker")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    assert!(
        r.headers()
            .get("set-cookie")
            .is_none_or(|c| !c.to_str().unwrap_or("").contains("sinergi_refresh="))
    );
    let r = client
        .post(app.url("/signout"))
        .form(&[("csrf", "")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
}

#[tokio::test]
async fn journeys_in_a_real_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    assert!(
        std::path::Path::new(&chromium).exists(),
        "the browser tests need Chromium: apt-get install -y chromium (or set CHROMIUM)"
    );
    let app = TestApp::spawn_demo().await;
    let dir = node_package("web", "playwright-core");
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
    let base = app.url("");
    let out = tokio::process::Command::new("node")
        .arg("journeys.mjs")
        .arg(base.trim_end_matches('/'))
        .arg(&shots)
        .env("CHROMIUM", &chromium)
        .current_dir(&dir)
        .output()
        .await
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "a journey failed:\n{text}");
    assert!(shots.join("catalogue-phone.png").exists());
}
