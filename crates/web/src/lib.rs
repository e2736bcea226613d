//! The web client, served by the `sinergi` binary at `/`: server-rendered pages that run the
//! schema's own GraphQL operations in-process for the session's caller, so every permission rule
//! stays in the API; one small script enhances them (local times, facets applying on change)
//! and every page works without it. Strings come from the message catalogues in
//! Bahasa Indonesia and English; assets are embedded at compile time; no third-party origin.

mod assets;
mod events;
mod format;
mod forms;
pub mod graphiql;
pub mod i18n;
mod investor;
mod liaison;
mod official;
mod page;
mod sentences;
mod session;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;

use async_graphql::{BatchRequest, BatchResponse, Request, Variables};
use axum::{
    Form, Router,
    extract::{ConnectInfo, Path, RawQuery, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde_json::{Value, json};
use sinergi_api::{ApiState, AppSchema, Caller, document::Method};

use crate::{
    format::{in_zone, money, usd_short},
    i18n::{Lang, t, tf},
    page::{Frame, enc, esc, html, layout},
};

/// What the pages share.
#[derive(Clone)]
pub struct Web {
    schema: AppSchema,
    state: Arc<ApiState>,
}

impl Web {
    /// The web client over the API's schema and state.
    pub fn new(schema: AppSchema, state: Arc<ApiState>) -> Self {
        Self { schema, state }
    }

    /// Cookies get `Secure` when the public URL is https.
    fn secure(&self) -> bool {
        self.state.base_url().starts_with("https://")
    }

    /// Runs one operation as `caller`: the same path as POST /graphql.
    async fn run(&self, caller: &Caller, query: &str, vars: Value) -> Answer {
        let req = Request::new(query).variables(Variables::from_json(vars));
        let resp = sinergi_api::execute(
            &self.schema,
            &self.state,
            caller.clone(),
            BatchRequest::Single(req),
            1,
            Method::Post,
        )
        .await;
        match resp {
            Ok(BatchResponse::Single(r)) => Answer {
                data: r.data.into_json().unwrap_or(Value::Null),
                errors: r
                    .errors
                    .into_iter()
                    .map(|e| {
                        let ext = e
                            .extensions
                            .as_ref()
                            .and_then(|x| serde_json::to_value(x).ok())
                            .unwrap_or(Value::Null);
                        ApiProblem {
                            code: ext["code"].as_str().unwrap_or("INTERNAL").to_owned(),
                            field: ext["field"].as_str().map(str::to_owned),
                            reason: ext["reason"].as_str().map(str::to_owned),
                            message: e.message,
                        }
                    })
                    .collect(),
            },
            _ => Answer {
                data: Value::Null,
                errors: vec![ApiProblem {
                    code: "INTERNAL".into(),
                    field: None,
                    reason: None,
                    message: "unexpected answer".into(),
                }],
            },
        }
    }
}

/// An error of the API, as a page shows it.
#[derive(Debug, Clone)]
struct ApiProblem {
    code: String,
    field: Option<String>,
    /// A CONFLICT's reason (`HAS_PROPOSALS`…).
    reason: Option<String>,
    message: String,
}

impl ApiProblem {
    /// A sentence in the person's language.
    fn sentence(&self, lang: Lang) -> String {
        if let Some(r) = &self.reason {
            let key = format!("conflict.{r}");
            let s = t(lang, &key);
            if s != key {
                return s;
            }
        }
        let known = [
            "CONFLICT",
            "UNAUTHENTICATED",
            "RATE_LIMITED",
            "VALIDATION",
            "NOT_FOUND",
            "FORBIDDEN",
            "UNAVAILABLE",
        ];
        let key = if known.contains(&self.code.as_str()) {
            format!("error.{}", self.code)
        } else {
            "error.INTERNAL".to_owned()
        };
        tf(lang, &key, &[("message", &self.message)])
    }
}

struct Answer {
    data: Value,
    errors: Vec<ApiProblem>,
}

/// The pages' routes; the server merges them into its own router.
pub fn router<S: Clone + Send + Sync + 'static>(web: Web) -> Router<S> {
    Router::new()
        .route("/", get(catalogue))
        .route("/projects/{id}", get(project))
        .route("/cities", get(cities))
        .route("/signin", get(signin_form).post(signin))
        .route("/signout", axum::routing::post(signout))
        .route("/join", get(liaison::join_form).post(liaison::join))
        .route("/events", get(events::list))
        .route("/events/{id}", get(events::event).post(events::event_post))
        .route("/notifications", get(events::inbox).post(events::mark_read))
        .route("/recommended", get(investor::recommended))
        .route("/proposals", get(investor::proposals))
        .route(
            "/projects/{id}/proposal",
            get(investor::proposal_form).post(investor::proposal_post),
        )
        .route("/city", get(official::city))
        .route(
            "/city/masterplan",
            axum::routing::post(official::masterplan_post),
        )
        .route(
            "/city/projects/new",
            get(official::new_project).post(official::create_project),
        )
        .route(
            "/city/projects/{id}",
            get(official::edit_project).post(official::project_post),
        )
        .route("/city/projects/{id}/proposals", get(official::ranked))
        .route(
            "/city/proposals/{id}",
            axum::routing::post(official::proposal_post),
        )
        .route("/embassy", get(liaison::embassy))
        .route(
            "/embassy/organizations",
            axum::routing::post(liaison::create_organization),
        )
        .route(
            "/embassy/organizations/{id}",
            axum::routing::post(liaison::organization_post),
        )
        .route("/assets/{file}", get(assets::serve))
        .with_state(web)
}

/// Who is asking, in which language, and what to set on the way out.
struct Visit {
    caller: Caller,
    lang: Lang,
    name: Option<String>,
    /// The signed-in caller's role (`INVESTOR`, `CITY_OFFICIAL`…).
    role: Option<String>,
    /// Unread notifications, for the navigation.
    unread: i64,
    csrf: String,
    set_cookies: Vec<String>,
    here: String,
}

const YEAR: i64 = 365 * 24 * 3600;

async fn visit(web: &Web, headers: &HeaderMap, addr: SocketAddr, here: String) -> Visit {
    let mut set_cookies = Vec::new();
    // ?lang= switches the language and remembers it.
    let asked = here
        .split_once('?')
        .and_then(|(_, q)| q.split('&').find_map(|p| p.strip_prefix("lang=")))
        .and_then(Lang::parse);
    if let Some(l) = asked {
        set_cookies.push(session::set(session::LANG, l.tag(), YEAR, web.secure()));
    }
    let lang = asked.unwrap_or_else(|| {
        Lang::negotiate(
            session::cookie(headers, session::LANG),
            headers
                .get(header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok()),
        )
    });
    let csrf_cookie = match session::cookie(headers, session::CSRF) {
        Some(c) => c.to_owned(),
        None => {
            let c = sinergi_api::auth::random_token();
            set_cookies.push(session::set(session::CSRF, &c, YEAR, web.secure()));
            c
        }
    };
    let csrf = session::csrf_token(&web.state.cursor_key, &csrf_cookie);
    let mut caller = Caller {
        actor: None,
        address: addr.ip().to_string(),
        bad_token: false,
    };
    if let Some(a) =
        session::cookie(headers, session::ACCESS).and_then(|t| web.state.keys.verify(t).ok())
    {
        caller.actor = Some(a);
    } else if let Some(refresh) = session::cookie(headers, session::REFRESH) {
        let r = web
            .run(
                &caller,
                "mutation($t:String!){refreshToken(refreshToken:$t){accessToken refreshToken}}",
                json!({"t": refresh}),
            )
            .await;
        let p = &r.data["refreshToken"];
        match (p["accessToken"].as_str(), p["refreshToken"].as_str()) {
            (Some(access), Some(next)) => {
                caller.actor = web.state.keys.verify(access).ok();
                set_cookies.extend(pair_cookies(web, access, next));
            }
            _ => {
                set_cookies.push(session::clear(session::REFRESH, web.secure()));
                set_cookies.push(session::clear(session::ACCESS, web.secure()));
            }
        }
    }
    let (name, role, unread) = if caller.actor.is_some() {
        let r = web
            .run(
                &caller,
                "{me{name role} myNotifications(first:1){unreadCount}}",
                json!({}),
            )
            .await;
        (
            r.data["me"]["name"].as_str().map(str::to_owned),
            r.data["me"]["role"].as_str().map(str::to_owned),
            r.data["myNotifications"]["unreadCount"]
                .as_i64()
                .unwrap_or(0),
        )
    } else {
        (None, None, 0)
    };
    Visit {
        caller,
        lang,
        name,
        role,
        unread,
        csrf,
        set_cookies,
        here,
    }
}

fn pair_cookies(web: &Web, access: &str, refresh: &str) -> [String; 2] {
    [
        session::set(
            session::ACCESS,
            access,
            sinergi_api::auth::ACCESS_TTL.num_seconds(),
            web.secure(),
        ),
        session::set(
            session::REFRESH,
            refresh,
            sinergi_api::auth::REFRESH_TTL.num_seconds(),
            web.secure(),
        ),
    ]
}

/// A 303 to `to` that opens the session of a fresh token pair (after signing in or joining).
fn signed_in(web: &Web, v: &Visit, to: &str, access: &str, refresh: &str) -> Response {
    let mut resp = v.redirect(to);
    for c in pair_cookies(web, access, refresh) {
        if let Ok(h) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, h);
        }
    }
    resp
}

impl Visit {
    fn frame(&self) -> Frame<'_> {
        Frame {
            lang: self.lang,
            here: &self.here,
            user: self.name.as_deref(),
            role: self.role.as_deref(),
            unread: self.unread,
            csrf: &self.csrf,
        }
    }

    fn page(&self, status: StatusCode, title: &str, main: &str) -> Response {
        let mut r = html(status, layout(&self.frame(), title, main));
        self.cookies(&mut r);
        r
    }

    fn cookies(&self, r: &mut Response) {
        for c in &self.set_cookies {
            if let Ok(v) = HeaderValue::from_str(c) {
                r.headers_mut().append(header::SET_COOKIE, v);
            }
        }
    }

    fn t(&self, key: &str) -> String {
        t(self.lang, key)
    }
}

fn here(path: &str, raw: &Option<String>) -> String {
    match raw {
        Some(q) if !q.is_empty() => format!("{path}?{q}"),
        _ => path.to_owned(),
    }
}

/// The query string's pairs, repeated keys kept in order (axum's own URL-decoding).
fn pairs(raw: &Option<String>) -> Vec<(String, String)> {
    let uri: axum::http::Uri = format!("/?{}", raw.as_deref().unwrap_or(""))
        .parse()
        .unwrap_or_default();
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map(|q| q.0)
        .unwrap_or_default()
}

const SEARCH: &str = "query($s:String,$f:ProjectFilter,$o:ProjectSort,$a:String){projects(search:$s,filter:$f,sort:$o,first:12,after:$a){totalHits pageInfo{hasNextPage endCursor} facets{field values{value count}} hits{highlightedTitle highlightedSummary project{id sector dimensions status proposalDeadline capex{amount currency amountUsd} city{name province timeZone}}}}}";

const FACETS: [(&str, &str, &str); 4] = [
    ("sector", "sectors", "sector"),
    ("dimension", "dimensions", "dimension"),
    ("financing", "financing", "financing"),
    ("province", "provinces", ""),
];
const SORTS: [&str; 5] = [
    "RELEVANCE",
    "NEWEST",
    "DEADLINE_SOONEST",
    "CAPEX_ASC",
    "CAPEX_DESC",
];

/// GET / — the catalogue: search box, facets with counts, sorts, paging by links.
async fn catalogue(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here("/", &raw)).await;
    let l = v.lang;
    let params = pairs(&raw);
    let get = |k: &str| {
        params
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, x)| x.clone())
            .filter(|x| !x.is_empty())
    };
    let all = |k: &str| -> Vec<String> {
        params
            .iter()
            .filter(|(n, x)| n == k && !x.is_empty())
            .map(|(_, x)| x.clone())
            .collect()
    };
    let q = get("q");
    let sort = get("sort")
        .filter(|s| SORTS.contains(&s.as_str()))
        .unwrap_or_else(|| "RELEVANCE".into());
    let mut filter = serde_json::Map::new();
    for (param, field, _) in FACETS {
        let vals = all(param);
        if !vals.is_empty() {
            filter.insert(field.into(), json!(vals));
        }
    }
    let city = get("city");
    if let Some(c) = &city {
        filter.insert("cityIds".into(), json!([c]));
    }
    let after = get("after");
    let r = web
        .run(
            &v.caller,
            SEARCH,
            json!({"s": q, "f": Value::Object(filter), "o": sort, "a": after}),
        )
        .await;
    let mut main = String::new();
    main.push_str(&format!("<h1>{}</h1>", esc(&v.t("catalogue.title"))));
    // The search form; the facets are part of it, so one submit keeps them all.
    main.push_str(&format!(
        "<form method=\"get\" action=\"/\" role=\"search\" data-autosubmit>\
<div class=\"search\"><div class=\"q\"><label for=\"q\">{}</label>\
<input type=\"search\" id=\"q\" name=\"q\" value=\"{}\" aria-describedby=\"q-hint\" autocomplete=\"off\">\
<p class=\"hint\" id=\"q-hint\">{}</p></div>\
<div><label for=\"sort\">{}</label><select id=\"sort\" name=\"sort\">{}</select></div>\
<div><button type=\"submit\">{}</button></div></div>",
        esc(&v.t("catalogue.search_label")),
        esc(q.as_deref().unwrap_or("")),
        esc(&v.t("catalogue.search_hint")),
        esc(&v.t("catalogue.sort_label")),
        SORTS
            .iter()
            .map(|s| format!(
                "<option value=\"{s}\"{}>{}</option>",
                if *s == sort { " selected" } else { "" },
                esc(&t(l, &format!("sort.{s}")))
            ))
            .collect::<String>(),
        esc(&v.t("catalogue.search_button")),
    ));
    if let Some(c) = &city {
        main.push_str(&format!(
            "<input type=\"hidden\" name=\"city\" value=\"{}\">",
            esc(c)
        ));
    }
    let res = &r.data["projects"];
    main.push_str("<div class=\"layout\"><div class=\"filters\">");
    main.push_str(&format!(
        "<h2 class=\"sr\">{}</h2>",
        esc(&v.t("catalogue.filters"))
    ));
    for (param, _, prefix) in FACETS {
        let chosen = all(param);
        let values = res["facets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["field"] == param)
            .and_then(|f| f["values"].as_array().cloned())
            .unwrap_or_default();
        if values.is_empty() && chosen.is_empty() {
            continue;
        }
        main.push_str(&format!(
            "<fieldset class=\"facet\"><legend>{}</legend>",
            esc(&t(l, &format!("facet.{param}")))
        ));
        let mut shown: Vec<(String, i64)> = values
            .iter()
            .map(|x| {
                (
                    x["value"].as_str().unwrap_or("").to_owned(),
                    x["count"].as_i64().unwrap_or(0),
                )
            })
            .collect();
        for c in &chosen {
            if !shown.iter().any(|(n, _)| n == c) {
                shown.push((c.clone(), 0));
            }
        }
        for (i, (value, count)) in shown.iter().enumerate() {
            let label = if prefix.is_empty() {
                value.clone()
            } else {
                t(l, &format!("{prefix}.{value}"))
            };
            let id = format!("f-{param}-{i}");
            main.push_str(&format!(
                "<label for=\"{id}\"><input type=\"checkbox\" id=\"{id}\" name=\"{param}\" value=\"{}\"{}> {} <span class=\"count\">{count}</span></label>",
                esc(value),
                if chosen.contains(value) { " checked" } else { "" },
                esc(&label),
            ));
        }
        main.push_str("</fieldset>");
    }
    main.push_str(&format!(
        "<button type=\"submit\">{}</button> <a href=\"/\">{}</a></div>",
        esc(&v.t("catalogue.apply")),
        esc(&v.t("catalogue.clear"))
    ));
    main.push_str("<section aria-live=\"polite\">");
    if let Some(e) = r.errors.first() {
        main.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            esc(&error_line(l, e))
        ));
    } else {
        let total = res["totalHits"].as_i64().unwrap_or(0);
        let found = if total == 1 {
            v.t("catalogue.found_one")
        } else {
            tf(
                l,
                "catalogue.found",
                &[("count", &format::integer(l, total))],
            )
        };
        main.push_str(&format!("<h2>{}</h2>", esc(&found)));
        let hits = res["hits"].as_array().cloned().unwrap_or_default();
        if hits.is_empty() {
            main.push_str(&format!("<p>{}</p>", esc(&v.t("catalogue.none"))));
        }
        main.push_str("<ul class=\"hits\">");
        for h in &hits {
            let p = &h["project"];
            main.push_str(&format!(
                "<li class=\"hit\"><h3 class=\"h\"><a href=\"/projects/{}\">{}</a></h3><p>{}</p><p class=\"meta\"><span>{}, {}</span><span>{}</span><span>{}</span><span>{}</span></p></li>",
                esc(p["id"].as_str().unwrap_or("")),
                // The engine's highlight: our text HTML-escaped, matched words in <em>.
                h["highlightedTitle"].as_str().unwrap_or(""),
                h["highlightedSummary"].as_str().unwrap_or(""),
                esc(p["city"]["name"].as_str().unwrap_or("")),
                esc(p["city"]["province"].as_str().unwrap_or("")),
                esc(&t(l, &format!("sector.{}", p["sector"].as_str().unwrap_or("OTHER")))),
                esc(&usd_short(l, p["capex"]["amountUsd"].as_str().unwrap_or("0"))),
                esc(&deadline_line(l, p)),
            ));
        }
        main.push_str("</ul>");
        // Paging by links: the next page's cursor, and back to the first.
        let mut kept: Vec<(String, String)> = params
            .iter()
            .filter(|(k, _)| k != "after" && k != "lang")
            .cloned()
            .collect();
        let link = |kept: &Vec<(String, String)>| {
            let q: Vec<String> = kept
                .iter()
                .map(|(k, x)| format!("{}={}", enc(k), enc(x)))
                .collect();
            if q.is_empty() {
                "/".to_owned()
            } else {
                format!("/?{}", q.join("&"))
            }
        };
        main.push_str("<nav class=\"pager\" aria-label=\"pages\">");
        if after.is_some() {
            main.push_str(&format!(
                "<a href=\"{}\">{}</a>",
                esc(&link(&kept)),
                esc(&v.t("catalogue.first"))
            ));
        }
        if res["pageInfo"]["hasNextPage"] == true
            && let Some(c) = res["pageInfo"]["endCursor"].as_str()
        {
            kept.push(("after".into(), c.into()));
            main.push_str(&format!(
                "<a href=\"{}\" rel=\"next\">{}</a>",
                esc(&link(&kept)),
                esc(&v.t("catalogue.next"))
            ));
        }
        main.push_str("</nav>");
    }
    main.push_str("</section></div></form>");
    v.page(StatusCode::OK, &v.t("catalogue.title"), &main)
}

fn deadline_line(l: Lang, p: &Value) -> String {
    let at = p["proposalDeadline"]
        .as_str()
        .and_then(|s| s.parse::<chrono::DateTime<chrono::Utc>>().ok());
    match at {
        Some(at) => format!(
            "{}: {}",
            t(l, "project.deadline"),
            in_zone(l, at, p["city"]["timeZone"].as_str().unwrap_or("UTC"))
        ),
        None => String::new(),
    }
}

fn error_line(l: Lang, e: &ApiProblem) -> String {
    match &e.field {
        Some(f) => tf(
            l,
            "error.field",
            &[("field", f), ("message", &e.sentence(l))],
        ),
        None => e.sentence(l),
    }
}

const PROJECT: &str = "query($id:ID!){project(id:$id){id title summary description ownerAgency dimensions sector acceptedFinancing timelineMonths proposalDeadline sealedBids status tags capex{amount currency amountUsd} city{id name province timeZone masterplan{vision periodStartYear periodEndYear priorities{dimension weight focusAreas}}}}}";

/// GET /projects/{id} — a project with its city and the city's masterplan priorities.
async fn project(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here(&format!("/projects/{id}"), &raw)).await;
    let l = v.lang;
    let r = web.run(&v.caller, PROJECT, json!({"id": id})).await;
    let p = &r.data["project"];
    if p.is_null() {
        let main = format!(
            "<h1>{}</h1><p>{}</p><p><a href=\"/\">{}</a></p>",
            esc(&v.t("page.not_found")),
            esc(&v.t("project.not_found")),
            esc(&v.t("project.back"))
        );
        return v.page(StatusCode::NOT_FOUND, &v.t("page.not_found"), &main);
    }
    let s = |k: &str| p[k].as_str().unwrap_or("").to_owned();
    let city = &p["city"];
    let city_name = city["name"].as_str().unwrap_or("");
    let zone = city["timeZone"].as_str().unwrap_or("UTC");
    let deadline = p["proposalDeadline"]
        .as_str()
        .and_then(|x| x.parse::<chrono::DateTime<chrono::Utc>>().ok());
    let list = |k: &str, prefix: &str| -> String {
        p[k].as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|x| t(l, &format!("{prefix}.{x}")))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let capex = &p["capex"];
    let mut main = format!(
        "<p><a href=\"/\">← {}</a></p><h1>{}</h1><p>{}</p>",
        esc(&v.t("project.back")),
        esc(&s("title")),
        esc(&s("summary"))
    );
    main.push_str("<dl class=\"facts\">");
    let mut fact = |k: &str, value: String| {
        main.push_str(&format!("<dt>{}</dt><dd>{value}</dd>", esc(&t(l, k))));
    };
    fact(
        "project.status",
        esc(&t(l, &format!("status.{}", s("status")))),
    );
    fact(
        "project.capex",
        format!(
            "{} <span class=\"meta\">≈ {}</span>",
            esc(&money(
                l,
                capex["amount"].as_str().unwrap_or("0"),
                capex["currency"].as_str().unwrap_or("")
            )),
            esc(&usd_short(l, capex["amountUsd"].as_str().unwrap_or("0")))
        ),
    );
    if let Some(at) = deadline {
        fact(
            "project.deadline",
            format!(
                "<time datetime=\"{}\" data-local=\"{}\">{}</time>",
                esc(&at.to_rfc3339()),
                esc(&t(l, "project.deadline_yours")),
                esc(&tf(
                    l,
                    "project.deadline_city",
                    &[("time", &in_zone(l, at, zone)), ("city", city_name)]
                ))
            ),
        );
    }
    fact(
        "project.timeline",
        esc(&tf(
            l,
            "project.months",
            &[("n", &p["timelineMonths"].to_string())],
        )),
    );
    fact(
        "project.sector",
        esc(&t(l, &format!("sector.{}", s("sector")))),
    );
    fact("project.dimensions", esc(&list("dimensions", "dimension")));
    fact(
        "project.financing",
        esc(&list("acceptedFinancing", "financing")),
    );
    if let Some(a) = p["ownerAgency"].as_str() {
        fact("project.agency", esc(a));
    }
    main.push_str("</dl>");
    main.push_str(&format!(
        "<p class=\"notice\">{}</p>",
        esc(&v.t(if p["sealedBids"] == true {
            "project.sealed"
        } else {
            "project.open_bids"
        }))
    ));
    for para in s("description").split("\n\n") {
        main.push_str(&format!("<p>{}</p>", esc(para)));
    }
    main.push_str(&format!(
        "<h2>{}</h2>",
        esc(&tf(l, "project.masterplan", &[("city", city_name)]))
    ));
    let mp = &city["masterplan"];
    if mp.is_null() {
        main.push_str(&format!("<p>{}</p>", esc(&v.t("project.no_masterplan"))));
    } else {
        main.push_str(&format!(
            "<p>{}</p><ul>",
            esc(&tf(
                l,
                "project.masterplan_period",
                &[
                    ("start", &mp["periodStartYear"].to_string()),
                    ("end", &mp["periodEndYear"].to_string()),
                    ("vision", mp["vision"].as_str().unwrap_or("")),
                ]
            ))
        ));
        for pr in mp["priorities"].as_array().into_iter().flatten() {
            let w = pr["weight"].as_f64().unwrap_or(0.0);
            let focus: Vec<&str> = pr["focusAreas"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            main.push_str(&format!(
                "<li><strong>{}</strong> ({}){}</li>",
                esc(&t(
                    l,
                    &format!("dimension.{}", pr["dimension"].as_str().unwrap_or(""))
                )),
                esc(&tf(l, "project.weight", &[("weight", &format!("{w:.2}"))])),
                if focus.is_empty() {
                    String::new()
                } else {
                    format!(": {}", esc(&focus.join(", ")))
                }
            ));
        }
        main.push_str("</ul>");
    }
    main.push_str(&format!(
        "<p><a href=\"/?city={}\">{}</a></p>",
        esc(&enc(city["id"].as_str().unwrap_or(""))),
        esc(&tf(l, "catalogue.in_city", &[("city", city_name)]))
    ));
    v.page(StatusCode::OK, &s("title"), &main)
}

/// GET /cities — the cities of the programme.
async fn cities(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here("/cities", &raw)).await;
    let l = v.lang;
    let after = pairs(&raw)
        .into_iter()
        .find(|(k, _)| k == "after")
        .map(|(_, x)| x);
    let r = web
        .run(
            &v.caller,
            "query($a:String){cities(first:100,after:$a){pageInfo{hasNextPage endCursor} edges{node{id name province timeZone}}}}",
            json!({"a": after}),
        )
        .await;
    let mut main = format!(
        "<h1>{}</h1><ul class=\"cities\">",
        esc(&v.t("cities.title"))
    );
    for e in r.data["cities"]["edges"].as_array().into_iter().flatten() {
        let c = &e["node"];
        main.push_str(&format!(
            "<li><strong>{}</strong><br>{}<br><span class=\"meta\">{}: {}</span><br><a href=\"/?city={}\">{}</a></li>",
            esc(c["name"].as_str().unwrap_or("")),
            esc(c["province"].as_str().unwrap_or("")),
            esc(&t(l, "cities.time_zone")),
            esc(c["timeZone"].as_str().unwrap_or("")),
            esc(&enc(c["id"].as_str().unwrap_or(""))),
            esc(&tf(l, "catalogue.in_city", &[("city", c["name"].as_str().unwrap_or(""))])),
        ));
    }
    main.push_str("</ul>");
    if r.data["cities"]["pageInfo"]["hasNextPage"] == true
        && let Some(c) = r.data["cities"]["pageInfo"]["endCursor"].as_str()
    {
        main.push_str(&format!(
            "<nav class=\"pager\" aria-label=\"pages\"><a href=\"/cities?after={}\" rel=\"next\">{}</a></nav>",
            esc(&enc(c)),
            esc(&v.t("catalogue.next"))
        ));
    }
    v.page(StatusCode::OK, &v.t("cities.title"), &main)
}

/// Where to go after signing in: a path of ours only.
fn next_path(raw: &str) -> String {
    if raw.starts_with('/') && !raw.starts_with("//") && !raw.contains('\\') {
        raw.to_owned()
    } else {
        "/".to_owned()
    }
}

fn signin_page(v: &Visit, email: &str, next: &str, problem: Option<&ApiProblem>) -> Response {
    let l = v.lang;
    let err = |field: &str| -> String {
        match problem {
            Some(p)
                if p.field.as_deref() == Some(field)
                    || (p.field.is_none() && field == "password") =>
            {
                format!(
                    "<p class=\"error\" id=\"{field}-error\" role=\"alert\">{}</p>",
                    esc(&p.sentence(l))
                )
            }
            _ => String::new(),
        }
    };
    let described = |field: &str| -> String {
        if err(field).is_empty() {
            String::new()
        } else {
            format!(" aria-describedby=\"{field}-error\" aria-invalid=\"true\"")
        }
    };
    let main = format!(
        "<h1>{}</h1><p>{}</p><form class=\"form\" method=\"post\" action=\"/signin\">\
<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"next\" value=\"{}\">\
<div><label for=\"email\">{}</label><input type=\"email\" id=\"email\" name=\"email\" value=\"{}\" autocomplete=\"username\" required{}>{}</div>\
<div><label for=\"password\">{}</label><input type=\"password\" id=\"password\" name=\"password\" autocomplete=\"current-password\" required{}>{}</div>\
<div><button type=\"submit\">{}</button></div></form>",
        esc(&v.t("signin.title")),
        esc(&v.t("signin.hint")),
        esc(&v.csrf),
        esc(next),
        esc(&v.t("signin.email")),
        esc(email),
        described("email"),
        err("email"),
        esc(&v.t("signin.password")),
        described("password"),
        err("password"),
        esc(&v.t("signin.button")),
    );
    let status = crate::forms::status_for(problem.is_some());
    v.page(status, &v.t("signin.title"), &main)
}

/// GET /signin.
async fn signin_form(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here("/signin", &raw)).await;
    let next = pairs(&raw)
        .into_iter()
        .find(|(k, _)| k == "next")
        .map_or_else(|| "/".to_owned(), |(_, n)| next_path(&n));
    signin_page(&v, "", &next, None)
}

fn csrf_refused(v: &Visit) -> Response {
    let main = format!(
        "<h1>{}</h1><p class=\"error\" role=\"alert\">{}</p>",
        esc(&v.t("error.title")),
        esc(&v.t("error.CSRF"))
    );
    v.page(StatusCode::FORBIDDEN, &v.t("error.title"), &main)
}

/// POST /signin: the API's `login`, its tokens into HttpOnly cookies.
async fn signin(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let v = visit(&web, &headers, addr, "/signin".into()).await;
    let field = |k: &str| form.get(k).cloned().unwrap_or_default();
    if !session::csrf_ok(
        &web.state.cursor_key,
        session::cookie(&headers, session::CSRF),
        &field("csrf"),
    ) {
        return csrf_refused(&v);
    }
    let r = web
        .run(
            &v.caller,
            "mutation($e:String!,$p:String!){login(email:$e,password:$p){accessToken refreshToken}}",
            json!({"e": field("email"), "p": field("password")}),
        )
        .await;
    let p = &r.data["login"];
    match (p["accessToken"].as_str(), p["refreshToken"].as_str()) {
        (Some(access), Some(refresh)) => {
            signed_in(&web, &v, &next_path(&field("next")), access, refresh)
        }
        _ => {
            let problem = r.errors.first().cloned().unwrap_or(ApiProblem {
                code: "INTERNAL".into(),
                field: None,
                reason: None,
                message: String::new(),
            });
            signin_page(
                &v,
                &field("email"),
                &next_path(&field("next")),
                Some(&problem),
            )
        }
    }
}

/// POST /signout: revokes the refresh token and clears the cookies.
async fn signout(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(form): Form<BTreeMap<String, String>>,
) -> Response {
    let v = visit(&web, &headers, addr, "/".into()).await;
    if !session::csrf_ok(
        &web.state.cursor_key,
        session::cookie(&headers, session::CSRF),
        form.get("csrf").map_or("", String::as_str),
    ) {
        return csrf_refused(&v);
    }
    if let Some(refresh) = session::cookie(&headers, session::REFRESH) {
        web.run(
            &v.caller,
            "mutation($t:String!){logout(refreshToken:$t)}",
            json!({"t": refresh}),
        )
        .await;
    }
    let mut resp = Redirect::to("/").into_response();
    for c in [
        session::clear(session::REFRESH, web.secure()),
        session::clear(session::ACCESS, web.secure()),
    ] {
        if let Ok(h) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, h);
        }
    }
    resp
}
