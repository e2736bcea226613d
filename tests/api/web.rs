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
    assert_eq!(assets.len(), 3, "an icon, one stylesheet and one script");
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
    // GraphiQL's bundles, from their lock file, before the server looks for them.
    node_package("../crates/web/graphiql", "graphiql");
    let app = TestApp::spawn_demo().await;
    let dir = node_package("web", "lighthouse");
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("web-screenshots");
    let base = app.url("");
    let run = |phase: &'static str| {
        tokio::process::Command::new("node")
            .arg("journeys.mjs")
            .arg(base.trim_end_matches('/'))
            .arg(&shots)
            .arg(phase)
            .env("CHROMIUM", &chromium)
            .current_dir(&dir)
            .output()
    };
    let out = run("before").await.expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "a journey failed:\n{text}");
    assert!(shots.join("catalogue-phone.png").exists());
    // Lighthouse, mobile, on the catalogue, a project and the proposal form (the investor's,
    // on the project the journeys just published).
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shots.join("state.json")).expect("state.json"),
    )
    .expect("state");
    let out = tokio::process::Command::new("node")
        .arg("lighthouse.mjs")
        .arg(base.trim_end_matches('/'))
        .args(["investor@deltawater.demo", "investor-nl-demo"])
        .arg(state["project"].as_str().expect("project"))
        .arg(shots.join("lighthouse"))
        .env("CHROMIUM", &chromium)
        .current_dir(&dir)
        .output()
        .await
        .expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.status.success(), "Lighthouse under 95:\n{text}");
    assert_eq!(
        text.lines().filter(|l| l.contains("\"below\":[]")).count(),
        3
    );
    // The official's project had a deadline three days out: the proposals open after it.
    app.clock.advance(chrono::Duration::days(4));
    let out = run("after").await.expect("node runs");
    let text = String::from_utf8_lossy(&out.stdout);
    println!("{text}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "a journey after the deadline failed:\n{text}"
    );
    assert!(shots.join("ranked-desktop.png").exists());
}

/// A browser without JavaScript: its cookies, and the CSRF token of the last page it read.
struct Browser<'a> {
    app: &'a TestApp,
    client: reqwest::Client,
    cookies: std::collections::BTreeMap<String, String>,
    csrf: String,
}

impl<'a> Browser<'a> {
    fn new(app: &'a TestApp) -> Self {
        Self {
            app,
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: Default::default(),
            csrf: String::new(),
        }
    }

    fn keep(&mut self, r: &reqwest::Response) {
        for c in r.headers().get_all("set-cookie") {
            let c = c.to_str().expect("cookie");
            let (k, v) = c
                .split(';')
                .next()
                .and_then(|p| p.split_once('='))
                .expect("pair");
            self.cookies.insert(k.into(), v.into());
        }
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> (u16, String, String) {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let r = req
            .header("cookie", cookie.join("; "))
            .header("accept-language", "en")
            .send()
            .await
            .expect("send");
        self.keep(&r);
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().expect("location").to_owned())
            .unwrap_or_default();
        let body = r.text().await.expect("body");
        if let Some(t) = body
            .split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|r| r.split('"').next())
        {
            self.csrf = t.to_owned();
        }
        (status, location, body)
    }

    async fn get(&mut self, path: &str) -> (u16, String, String) {
        let req = self.client.get(self.app.url(path));
        self.send(req).await
    }

    async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
        let mut f: Vec<(&str, &str)> = form.to_vec();
        let csrf = self.csrf.clone();
        f.push(("csrf", &csrf));
        let req = self.client.post(self.app.url(path)).form(&f);
        self.send(req).await
    }

    async fn sign_in(app: &'a TestApp, email: &str) -> Self {
        let mut b = Self::new(app);
        b.get("/signin").await;
        let (status, location, _) = b
            .post(
                "/signin",
                &[
                    ("email", email),
                    ("password", "password-123"),
                    ("next", "/"),
                ],
            )
            .await;
        assert_eq!((status, location.as_str()), (303, "/"), "{email} signs in");
        b
    }
}

#[tokio::test]
async fn work_pages_show_nobody_what_the_api_would_not() {
    use crate::world::World;
    use serde_json::json;
    let app = TestApp::spawn().await;
    let w = World::build(&app, chrono::Duration::days(30)).await;
    let amount = "4321987";
    w.bid(&app, &w.investor_a, amount).await;
    let project = w.project.clone();

    // Anonymous: every work page asks to sign in first, and comes back after.
    let mut anon = Browser::new(&app);
    for path in [
        "/proposals",
        "/recommended",
        "/city",
        "/embassy",
        "/notifications",
    ] {
        let (status, location, _) = anon.get(path).await;
        assert_eq!(status, 303, "{path}");
        assert!(
            location.starts_with("/signin?next=%2F"),
            "{path}: {location}"
        );
    }
    // A role's pages are not another role's.
    let mut investor_b = Browser::sign_in(&app, "b@polder.test").await;
    for path in [
        "/city",
        "/embassy",
        &format!("/city/projects/{project}/proposals"),
    ] {
        let (status, _, body) = investor_b.get(path).await;
        assert_eq!(status, 403, "{path}");
        assert!(!body.contains(amount));
    }
    // A rival opens the same project's proposal form: their own (empty), nothing of A's.
    let (status, _, body) = investor_b
        .get(&format!("/projects/{project}/proposal"))
        .await;
    assert_eq!(status, 200);
    assert!(!body.contains(amount) && !body.contains("data-commitment"));
    let (_, _, body) = investor_b.get("/proposals").await;
    assert!(!body.contains(amount));

    // The inbox is one's own: the city hears of the sealed bid (never its amount), a rival not.
    let (_, _, body) = investor_b.get("/notifications").await;
    assert!(body.contains("0 unread") && !body.contains("Proposal submitted"));

    // The city, before the deadline: the count, never the sealed content.
    let mut ambon = Browser::sign_in(&app, "walikota@ambon.test").await;
    let (status, _, body) = ambon
        .get(&format!("/city/projects/{project}/proposals"))
        .await;
    assert_eq!(status, 200);
    assert!(body.contains("1 proposal"), "the count");
    assert!(body.contains("sealed until"), "and why no more");
    assert!(!body.contains(amount) && !body.contains("data-commitment"));
    let (_, _, body) = ambon.get("/notifications").await;
    assert!(
        body.contains("Proposal submitted") && !body.contains(amount),
        "{body}"
    );
    // Another city's official: the project's work pages are not found.
    let mut semarang = Browser::sign_in(&app, "bappeda@semarang.test").await;
    for path in [
        format!("/city/projects/{project}"),
        format!("/city/projects/{project}/proposals"),
        format!("/city/projects/{}", w.draft),
    ] {
        let (status, _, body) = semarang.get(&path).await;
        assert_eq!(status, 404, "{path}");
        assert!(!body.contains(amount));
    }
    // Nor may they change it by posting the form anyway.
    let (status, _, body) = semarang
        .post(
            &format!("/city/projects/{project}"),
            &[("action", "publish")],
        )
        .await;
    assert_ne!(status, 303, "refused");
    assert!(
        body.contains("Not found") || body.contains("may not"),
        "{status}"
    );
    // A liaison verifies only their own embassy's organisations.
    let mut jp = Browser::sign_in(&app, "liaison@jp.test").await;
    jp.get("/embassy").await;
    let (status, _, _) = jp
        .post(
            &format!("/embassy/organizations/{}", w.org_pending),
            &[("action", "verify")],
        )
        .await;
    assert_ne!(status, 303);
    let d = app
        .ok(
            Some(&w.liaison_nl),
            "query($id:ID!){investorOrganization(id:$id){verification}}",
            json!({"id": w.org_pending}),
        )
        .await;
    assert_eq!(d["investorOrganization"]["verification"], "PENDING");
    // A form posted without the browser's token changes nothing.
    let mut nl = Browser::sign_in(&app, "liaison@nl.test").await;
    nl.get("/embassy").await;
    nl.csrf = "forged".into();
    let (status, _, _) = nl
        .post(
            &format!("/embassy/organizations/{}", w.org_pending),
            &[("action", "verify")],
        )
        .await;
    assert_eq!(status, 403);
    let d = app
        .ok(
            Some(&w.liaison_nl),
            "query($id:ID!){investorOrganization(id:$id){verification}}",
            json!({"id": w.org_pending}),
        )
        .await;
    assert_eq!(d["investorOrganization"]["verification"], "PENDING");
}
