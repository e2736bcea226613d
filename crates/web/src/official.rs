//! City officials' pages: the masterplan (six dimensions' weights and focus areas), the city's
//! projects by status, the project form with publish / close / cancel, and after the deadline
//! the ranked proposals with the score explanation, the commitment check and the decisions.

use std::net::SocketAddr;

use axum::{
    Form,
    extract::{ConnectInfo, Path, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use serde_json::{Value, json};

use crate::{
    ApiProblem, Visit, Web,
    format::{in_zone, money, usd_short},
    forms::{Errs, Fields, dimensions, financing_models, local, number, options, posted, sectors},
    here,
    i18n::{Lang, t, tf},
    investor::{PROPOSAL_FIELDS, commitment_block, of100, score_block},
    page::esc,
    visit,
};

const CITY: &str = "{me{city{id name timeZone masterplan{vision periodStartYear periodEndYear priorities{dimension weight focusAreas}} projects(first:100){edges{node{id title status proposalDeadline proposalCount}}}}}}";

/// GET /city — the official's city: masterplan form and projects by status.
pub async fn city(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here("/city", &raw)).await;
    if let Some(r) = v.refuse_unless(&["CITY_OFFICIAL"]) {
        return r;
    }
    let done = crate::forms::query_value(&raw, "done");
    city_page(&web, &v, None, None, done.as_deref()).await
}

async fn city_page(
    web: &Web,
    v: &Visit,
    sent: Option<&Fields>,
    problem: Option<&ApiProblem>,
    done: Option<&str>,
) -> Response {
    let l = v.lang;
    let r = web.run(&v.caller, CITY, json!({})).await;
    let c = &r.data["me"]["city"];
    let name = c["name"].as_str().unwrap_or("");
    let zone = c["timeZone"].as_str().unwrap_or("UTC");
    let mut main = format!("<h1>{}</h1>", esc(name));
    if done == Some("masterplan") {
        main.push_str(&format!(
            "<p class=\"notice\" role=\"status\">{}</p>",
            esc(&v.t("masterplan.saved"))
        ));
    }
    // Projects by status.
    main.push_str(&format!(
        "<h2>{}</h2><p><a class=\"button\" href=\"/city/projects/new\">{}</a></p>",
        esc(&v.t("city.projects")),
        esc(&v.t("city.new_project"))
    ));
    let projects: Vec<Value> = c["projects"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["node"].clone())
        .collect();
    for status in sinergi_domain::ProjectStatus::ALL
        .iter()
        .map(|s| s.as_str())
    {
        let of: Vec<&Value> = projects.iter().filter(|p| p["status"] == status).collect();
        if of.is_empty() {
            continue;
        }
        main.push_str(&format!(
            "<h3>{} ({})</h3><ul class=\"rows\">",
            esc(&t(l, &format!("status.{status}"))),
            of.len()
        ));
        for p in of {
            let id = esc(p["id"].as_str().unwrap_or(""));
            let deadline = p["proposalDeadline"]
                .as_str()
                .and_then(|x| x.parse::<DateTime<Utc>>().ok())
                .map(|at| in_zone(l, at, zone))
                .unwrap_or_default();
            main.push_str(&format!(
                "<li><a href=\"/city/projects/{id}\">{}</a> <span class=\"meta\"><span>{}: {}</span><span>{}</span></span>{}</li>",
                esc(p["title"].as_str().unwrap_or("")),
                esc(&v.t("project.deadline")),
                esc(&deadline),
                esc(&count_proposals(l, p["proposalCount"].as_i64().unwrap_or(0))),
                if status == "DRAFT" {
                    String::new()
                } else {
                    format!(" <a href=\"/city/projects/{id}/proposals\">{}</a>", esc(&v.t("city.proposals")))
                },
            ));
        }
        main.push_str("</ul>");
    }
    // The masterplan.
    let mp = &c["masterplan"];
    let weight_of = |d: &str| -> (String, String) {
        mp["priorities"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|p| p["dimension"] == d)
            .map(|p| {
                (
                    p["weight"]
                        .as_f64()
                        .map(|w| w.to_string())
                        .unwrap_or_default(),
                    p["focusAreas"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(", "),
                )
            })
            .unwrap_or_default()
    };
    let f = match sent {
        Some(f) => f.clone(),
        None => {
            let mut f = vec![
                (
                    "vision".to_owned(),
                    mp["vision"].as_str().unwrap_or("").to_owned(),
                ),
                (
                    "start".into(),
                    mp["periodStartYear"]
                        .as_i64()
                        .map(|y| y.to_string())
                        .unwrap_or_default(),
                ),
                (
                    "end".into(),
                    mp["periodEndYear"]
                        .as_i64()
                        .map(|y| y.to_string())
                        .unwrap_or_default(),
                ),
            ];
            for d in dimensions() {
                let (w, focus) = weight_of(d);
                f.push((format!("w-{d}"), w));
                f.push((format!("f-{d}"), focus));
            }
            Fields(f)
        }
    };
    let errs = Errs::new(l, problem);
    let mut body = String::new();
    body.push_str(&errs.textarea(
        "vision",
        "input.vision",
        &v.t("masterplan.vision"),
        &f.get("vision"),
        " required",
    ));
    body.push_str("<div class=\"pair\">");
    body.push_str(&errs.input(
        "start",
        "input.periodStartYear",
        &v.t("masterplan.start"),
        "number",
        &f.get("start"),
        " min=\"2000\" max=\"2100\" required",
        None,
    ));
    body.push_str(&errs.input(
        "end",
        "input.periodEndYear",
        &v.t("masterplan.end"),
        "number",
        &f.get("end"),
        " min=\"2000\" max=\"2100\" required",
        None,
    ));
    body.push_str("</div>");
    body.push_str(&format!(
        "<fieldset id=\"weights\" data-weights data-sum=\"{}\" data-balanced=\"{}\"><legend>{}</legend><p class=\"hint\">{}</p>",
        esc(&v.t("masterplan.sum")),
        esc(&v.t("masterplan.balanced")),
        esc(&v.t("masterplan.priorities")),
        esc(&v.t("masterplan.priorities_hint"))
    ));
    // The API names priorities by their place among those sent (weights given, in order).
    let sent_dims: Vec<&str> = dimensions()
        .filter(|d| f.opt(&format!("w-{d}")).is_some())
        .collect();
    for d in dimensions() {
        let api = sent_dims
            .iter()
            .position(|x| *x == d)
            .map(|i| format!("input.priorities.{i}"))
            .unwrap_or_default();
        body.push_str("<div class=\"pair\">");
        body.push_str(&errs.input(
            &format!("w-{d}"),
            &format!("{api}.weight"),
            &tf(
                l,
                "masterplan.weight",
                &[("dimension", &t(l, &format!("dimension.{d}")))],
            ),
            "number",
            &f.get(&format!("w-{d}")),
            " min=\"0\" max=\"1\" step=\"0.001\" class=\"weight\"",
            None,
        ));
        body.push_str(&errs.input(
            &format!("f-{d}"),
            &format!("{api}.focusAreas"),
            &tf(
                l,
                "masterplan.focus",
                &[("dimension", &t(l, &format!("dimension.{d}")))],
            ),
            "text",
            &f.get(&format!("f-{d}")),
            "",
            None,
        ));
        body.push_str("</div>");
    }
    body.push_str(&errs.note("input.priorities"));
    body.push_str("<p class=\"sum\" aria-live=\"polite\"></p></fieldset>");
    main.push_str(&format!(
        "<h2>{}</h2>{}<form class=\"form wide\" method=\"post\" action=\"/city/masterplan\">{}{body}<div class=\"actions\"><button type=\"submit\">{}</button></div></form>",
        esc(&v.t("masterplan.title")),
        errs.rest(),
        v.csrf_field(),
        esc(&v.t("masterplan.save"))
    ));
    let status = crate::forms::status_for(problem.is_some());
    v.page(status, name, &main)
}

/// POST /city/masterplan — `setMasterplan` for the official's city.
pub async fn masterplan_post(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let v = match posted(&web, &headers, addr, "/city".into(), &f).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(r) = v.refuse_unless(&["CITY_OFFICIAL"]) {
        return r;
    }
    let l = v.lang;
    let input = (|| -> Result<Value, ApiProblem> {
        let mut priorities = Vec::new();
        for d in dimensions() {
            if f.opt(&format!("w-{d}")).is_none() {
                continue;
            }
            let i = priorities.len();
            let w: f64 = number(
                l,
                &f,
                &format!("w-{d}"),
                &format!("input.priorities.{i}.weight"),
            )?;
            let focus: Vec<String> = f
                .get(&format!("f-{d}"))
                .split([',', '\n'])
                .map(str::trim)
                .filter(|x| !x.is_empty())
                .map(str::to_owned)
                .collect();
            priorities.push(json!({"dimension": d, "weight": w, "focusAreas": focus}));
        }
        Ok(json!({
            "vision": f.get("vision"),
            "periodStartYear": number::<i64>(l, &f, "start", "input.periodStartYear")?,
            "periodEndYear": number::<i64>(l, &f, "end", "input.periodEndYear")?,
            "priorities": priorities,
        }))
    })();
    let input = match input {
        Ok(i) => i,
        Err(e) => return city_page(&web, &v, Some(&f), Some(&e), None).await,
    };
    let me = web.run(&v.caller, "{me{city{id}}}", json!({})).await;
    let r = web
        .run(
            &v.caller,
            "mutation($c:ID!,$i:MasterplanInput!){setMasterplan(cityId:$c,input:$i){version}}",
            json!({"c": me.data["me"]["city"]["id"], "i": input}),
        )
        .await;
    match r.errors.first() {
        Some(e) => city_page(&web, &v, Some(&f), Some(e), None).await,
        None => v.redirect("/city?done=masterplan"),
    }
}

/// "1 proposal", "3 proposals".
fn count_proposals(l: Lang, n: i64) -> String {
    if n == 1 {
        t(l, "city.proposal_count_one")
    } else {
        tf(l, "city.proposal_count", &[("n", &n.to_string())])
    }
}

/// The city's local time of an instant, as a `datetime-local` value.
fn to_local(at: &str, zone: &str) -> String {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    at.parse::<DateTime<Utc>>()
        .map(|at| at.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
        .unwrap_or_default()
}

/// A `datetime-local` value read in the city's zone, as RFC 3339 UTC.
fn from_local(text: &str, zone: &str) -> Option<String> {
    let tz: chrono_tz::Tz = zone.parse().unwrap_or(chrono_tz::UTC);
    let naive = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|at| at.with_timezone(&Utc).to_rfc3339())
}

const EDIT: &str = "query($id:ID!){me{city{id}} project(id:$id){id title summary description ownerAgency dimensions sector capex{amount currency} acceptedFinancing timelineMonths proposalDeadline sealedBids status tags proposalCount city{id name timeZone}}}";

/// GET /city/projects/new.
pub async fn new_project(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let v = visit(&web, &headers, addr, "/city/projects/new".into()).await;
    if let Some(r) = v.refuse_unless(&["CITY_OFFICIAL"]) {
        return r;
    }
    project_page(&web, &v, None, None, None, None).await
}

/// GET /city/projects/{id} — the project form with its status actions.
pub async fn edit_project(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(
        &web,
        &headers,
        addr,
        here(&format!("/city/projects/{id}"), &raw),
    )
    .await;
    if let Some(r) = v.refuse_unless(&["CITY_OFFICIAL"]) {
        return r;
    }
    let done = crate::forms::query_value(&raw, "done");
    project_page(&web, &v, Some(&id), None, None, done.as_deref()).await
}

async fn project_page(
    web: &Web,
    v: &Visit,
    id: Option<&str>,
    sent: Option<&Fields>,
    problem: Option<&ApiProblem>,
    done: Option<&str>,
) -> Response {
    let l = v.lang;
    let (p, zone) = match id {
        Some(id) => {
            let r = web.run(&v.caller, EDIT, json!({"id": id})).await;
            let p = r.data["project"].clone();
            // Another city's project is not this official's to edit: not found, as in the API.
            if p.is_null() || p["city"]["id"] != r.data["me"]["city"]["id"] {
                return v.not_found("project.not_found");
            }
            let zone = p["city"]["timeZone"].as_str().unwrap_or("UTC").to_owned();
            (p, zone)
        }
        None => {
            let r = web.run(&v.caller, "{me{city{timeZone}}}", json!({})).await;
            (
                Value::Null,
                r.data["me"]["city"]["timeZone"]
                    .as_str()
                    .unwrap_or("UTC")
                    .to_owned(),
            )
        }
    };
    let strs = |k: &str| -> Vec<String> {
        p[k].as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    let f = match sent {
        Some(f) => f.clone(),
        None => {
            let mut f = vec![
                (
                    "title".to_owned(),
                    p["title"].as_str().unwrap_or("").to_owned(),
                ),
                (
                    "summary".into(),
                    p["summary"].as_str().unwrap_or("").to_owned(),
                ),
                (
                    "description".into(),
                    p["description"].as_str().unwrap_or("").to_owned(),
                ),
                (
                    "agency".into(),
                    p["ownerAgency"].as_str().unwrap_or("").to_owned(),
                ),
                (
                    "sector".into(),
                    p["sector"].as_str().unwrap_or("").to_owned(),
                ),
                (
                    "capex".into(),
                    p["capex"]["amount"].as_str().unwrap_or("").to_owned(),
                ),
                (
                    "currency".into(),
                    p["capex"]["currency"].as_str().unwrap_or("IDR").to_owned(),
                ),
                (
                    "timeline".into(),
                    p["timelineMonths"]
                        .as_i64()
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                ),
                (
                    "deadline".into(),
                    to_local(p["proposalDeadline"].as_str().unwrap_or(""), &zone),
                ),
                ("tags".into(), strs("tags").join(", ")),
            ];
            if p.is_null() || p["sealedBids"] == true {
                f.push(("sealed".into(), "on".into()));
            }
            for d in strs("dimensions") {
                f.push(("dimensions".into(), d));
            }
            for x in strs("acceptedFinancing") {
                f.push(("financing".into(), x));
            }
            Fields(f)
        }
    };
    let title = if p.is_null() {
        v.t("city.new_project")
    } else {
        p["title"].as_str().unwrap_or("").to_owned()
    };
    let mut main = format!(
        "<p><a href=\"/city\">← {}</a></p><h1>{}</h1>",
        esc(&v.t("city.back")),
        esc(&title)
    );
    main.push_str(&v.done_notice("project", done));
    let status = p["status"].as_str().unwrap_or("");
    if !status.is_empty() {
        main.push_str(&format!(
            "<p>{}: <strong>{}</strong> · {}</p>",
            esc(&v.t("project.status")),
            esc(&t(l, &format!("status.{status}"))),
            esc(&count_proposals(
                l,
                p["proposalCount"].as_i64().unwrap_or(0)
            ))
        ));
    }
    let errs = Errs::new(l, problem);
    let mut body = String::new();
    body.push_str(&errs.input(
        "title",
        "input.title",
        &v.t("pform.title"),
        "text",
        &f.get("title"),
        " required maxlength=\"200\"",
        None,
    ));
    body.push_str(&errs.input(
        "summary",
        "input.summary",
        &v.t("pform.summary"),
        "text",
        &f.get("summary"),
        " required",
        None,
    ));
    body.push_str(&errs.textarea(
        "description",
        "input.description",
        &v.t("pform.description"),
        &f.get("description"),
        " required",
    ));
    body.push_str(&errs.input(
        "agency",
        "input.ownerAgency",
        &v.t("project.agency"),
        "text",
        &f.get("agency"),
        "",
        None,
    ));
    body.push_str(&errs.checks(
        "dimensions",
        "input.dimensions",
        &v.t("project.dimensions"),
        &options(l, "dimension", dimensions()),
        &f.all("dimensions"),
    ));
    body.push_str(&errs.select(
        "sector",
        "input.sector",
        &v.t("project.sector"),
        &options(l, "sector", sectors()),
        &f.get("sector"),
    ));
    body.push_str("<div class=\"pair\">");
    body.push_str(&errs.input(
        "capex",
        "input.capex",
        &v.t("project.capex"),
        "text",
        &f.get("capex"),
        " inputmode=\"decimal\" required",
        None,
    ));
    body.push_str(
        &errs.select(
            "currency",
            "input.capex.currency",
            &v.t("proposal.currency"),
            &["IDR", "USD", "EUR", "JPY", "SGD"]
                .iter()
                .map(|c| ((*c).to_owned(), (*c).to_owned()))
                .collect::<Vec<_>>(),
            &f.get("currency"),
        ),
    );
    body.push_str("</div>");
    body.push_str(&errs.checks(
        "financing",
        "input.acceptedFinancing",
        &v.t("project.financing"),
        &options(l, "financing", financing_models()),
        &f.all("financing"),
    ));
    body.push_str(&errs.input(
        "timeline",
        "input.timelineMonths",
        &v.t("proposal.timeline"),
        "number",
        &f.get("timeline"),
        " min=\"1\" max=\"600\" required",
        None,
    ));
    body.push_str(&errs.input(
        "deadline",
        "input.proposalDeadline",
        &v.t("project.deadline"),
        "datetime-local",
        &f.get("deadline"),
        " required",
        Some(&tf(l, "pform.deadline_hint", &[("zone", &zone)])),
    ));
    body.push_str(&format!(
        "<div class=\"field\"><label for=\"sealed\"><input type=\"checkbox\" id=\"sealed\" name=\"sealed\"{}> {}</label></div>",
        if f.opt("sealed").is_some() { " checked" } else { "" },
        esc(&v.t("pform.sealed"))
    ));
    body.push_str(&errs.input(
        "tags",
        "input.tags",
        &v.t("pform.tags"),
        "text",
        &f.get("tags"),
        "",
        None,
    ));
    let action = match id {
        Some(id) => format!("/city/projects/{}", esc(id)),
        None => "/city/projects/new".into(),
    };
    let editable = matches!(status, "" | "DRAFT" | "PUBLISHED");
    main.push_str(&format!(
        "{}<form class=\"form wide\" method=\"post\" action=\"{action}\">{}{body}",
        errs.rest(),
        v.csrf_field()
    ));
    if editable {
        main.push_str(&format!(
            "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"save\">{}</button></div>",
            esc(&v.t("pform.save"))
        ));
    }
    main.push_str("</form>");
    if id.is_some() {
        let mut actions = String::new();
        let button = |a: &str, key: &str, class: &str| v.button_form(&action, &[], a, key, class);
        if status == "DRAFT" {
            actions.push_str(&button("publish", "pform.publish", ""));
        }
        if status == "PUBLISHED" {
            actions.push_str(&button("close", "pform.close", "secondary"));
        }
        if matches!(status, "DRAFT" | "PUBLISHED" | "CLOSED") {
            actions.push_str(&format!(
                "<form method=\"post\" action=\"{action}\" class=\"form\">{}<div class=\"field\"><label for=\"reason\">{}</label><input type=\"text\" id=\"reason\" name=\"reason\" required></div><button type=\"submit\" name=\"action\" value=\"cancel\" class=\"danger\">{}</button></form>",
                v.csrf_field(),
                esc(&v.t("pform.cancel_reason")),
                esc(&v.t("pform.cancel"))
            ));
        }
        if status != "DRAFT" {
            actions.push_str(&format!(
                "<p><a href=\"{action}/proposals\">{}</a> · <a href=\"/projects/{}\">{}</a></p>",
                esc(&v.t("city.proposals")),
                esc(p["id"].as_str().unwrap_or("")),
                esc(&v.t("pform.public_page"))
            ));
        }
        main.push_str(&format!("<div class=\"actions\">{actions}</div>"));
    }
    let code = crate::forms::status_for(problem.is_some());
    v.page(code, &title, &main)
}

/// The `ProjectInput` a form describes.
fn project_input(l: Lang, f: &Fields, zone: &str) -> Result<Value, ApiProblem> {
    let deadline = from_local(&f.get("deadline"), zone)
        .ok_or_else(|| local("input.proposalDeadline", &t(l, "form.not_a_time")))?;
    Ok(json!({
        "title": f.get("title"),
        "summary": f.get("summary"),
        "description": f.get("description"),
        "ownerAgency": f.opt("agency"),
        "dimensions": f.all("dimensions"),
        "sector": f.get("sector"),
        "capex": {"amount": f.get("capex").replace(' ', ""), "currency": f.get("currency")},
        "acceptedFinancing": f.all("financing"),
        "timelineMonths": number::<i64>(l, f, "timeline", "input.timelineMonths")?,
        "proposalDeadline": deadline,
        "sealedBids": f.opt("sealed").is_some(),
        "tags": f.get("tags").split(',').map(str::trim).filter(|x| !x.is_empty()).collect::<Vec<_>>(),
    }))
}

/// POST /city/projects/new — `createProject` in the official's city.
pub async fn create_project(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let v = match posted(&web, &headers, addr, "/city/projects/new".into(), &f).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(r) = v.refuse_unless(&["CITY_OFFICIAL"]) {
        return r;
    }
    let me = web
        .run(&v.caller, "{me{city{id timeZone}}}", json!({}))
        .await;
    let city = &me.data["me"]["city"];
    let input = match project_input(v.lang, &f, city["timeZone"].as_str().unwrap_or("UTC")) {
        Ok(i) => i,
        Err(e) => return project_page(&web, &v, None, Some(&f), Some(&e), None).await,
    };
    let r = web
        .run(
            &v.caller,
            "mutation($c:ID!,$i:ProjectInput!){createProject(cityId:$c,input:$i){id}}",
            json!({"c": city["id"], "i": input}),
        )
        .await;
    match (r.errors.first(), r.data["createProject"]["id"].as_str()) {
        (None, Some(id)) => v.redirect(&format!("/city/projects/{id}?done=created")),
        (e, _) => {
            let e = e.cloned().unwrap_or_else(|| local("", ""));
            project_page(&web, &v, None, Some(&f), Some(&e), None).await
        }
    }
}

/// POST /city/projects/{id} — save, publish, close or cancel.
pub async fn project_post(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let here = format!("/city/projects/{id}");
    let v = match posted(&web, &headers, addr, here.clone(), &f).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(r) = v.refuse_unless(&["CITY_OFFICIAL"]) {
        return r;
    }
    let (query, vars, done) = match f.get("action").as_str() {
        "publish" => (
            "mutation($id:ID!){publishProject(id:$id){id}}",
            json!({"id": id}),
            "published",
        ),
        "close" => (
            "mutation($id:ID!){closeProject(id:$id){id}}",
            json!({"id": id}),
            "closed",
        ),
        "cancel" => (
            "mutation($id:ID!,$r:String!){cancelProject(id:$id,reason:$r){id}}",
            json!({"id": id, "r": f.get("reason")}),
            "cancelled",
        ),
        _ => {
            let r = web
                .run(
                    &v.caller,
                    "query($id:ID!){project(id:$id){city{timeZone}}}",
                    json!({"id": id}),
                )
                .await;
            let zone = r.data["project"]["city"]["timeZone"]
                .as_str()
                .unwrap_or("UTC")
                .to_owned();
            let input = match project_input(v.lang, &f, &zone) {
                Ok(i) => i,
                Err(e) => return project_page(&web, &v, Some(&id), Some(&f), Some(&e), None).await,
            };
            let r = web
                .run(
                    &v.caller,
                    "mutation($id:ID!,$i:ProjectInput!){updateProject(id:$id,input:$i){id}}",
                    json!({"id": id, "i": input}),
                )
                .await;
            return match r.errors.first() {
                Some(e) => project_page(&web, &v, Some(&id), Some(&f), Some(e), None).await,
                None => v.redirect(&format!("{here}?done=saved")),
            };
        }
    };
    let r = web.run(&v.caller, query, vars).await;
    match r.errors.first() {
        Some(e) => project_page(&web, &v, Some(&id), None, Some(e), None).await,
        None => v.redirect(&format!("{here}?done={done}")),
    }
}

/// GET /city/projects/{id}/proposals — ranked proposals (after the deadline when sealed),
/// each with its score explanation, commitment check and decisions; recommended investors.
pub async fn ranked(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(
        &web,
        &headers,
        addr,
        here(&format!("/city/projects/{id}/proposals"), &raw),
    )
    .await;
    if let Some(r) = v.refuse_unless(&["CITY_OFFICIAL"]) {
        return r;
    }
    let done = crate::forms::query_value(&raw, "done");
    ranked_page(&web, &v, &id, None, done.as_deref()).await
}

async fn ranked_page(
    web: &Web,
    v: &Visit,
    id: &str,
    problem: Option<&ApiProblem>,
    done: Option<&str>,
) -> Response {
    let l = v.lang;
    let head = web
        .run(&v.caller, "query($id:ID!){me{city{id}} project(id:$id){id title status sealedBids proposalDeadline proposalCount city{id timeZone}}}", json!({"id": id}))
        .await;
    let p = &head.data["project"];
    if p.is_null() || p["city"]["id"] != head.data["me"]["city"]["id"] {
        return v.not_found("project.not_found");
    }
    let title = p["title"].as_str().unwrap_or("");
    let mut main = format!(
        "<p><a href=\"/city/projects/{}\">← {}</a></p><h1>{}</h1>",
        esc(id),
        esc(title),
        esc(&tf(l, "ranked.title", &[("project", title)]))
    );
    main.push_str(&v.done_notice("ranked", done));
    if let Some(e) = problem {
        main.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            esc(&crate::error_line(l, e))
        ));
    }
    main.push_str(&format!(
        "<p>{}</p>",
        esc(&count_proposals(
            l,
            p["proposalCount"].as_i64().unwrap_or(0)
        ))
    ));
    let r = web
        .run(
            &v.caller,
            &format!("query($id:ID!){{project(id:$id){{rankedProposals(first:50){{edges{{node{{{PROPOSAL_FIELDS} organization{{id name country}}}}}}}}}}}}"),
            json!({"id": id}),
        )
        .await;
    let sealed_now = p["sealedBids"] == true
        && p["proposalDeadline"]
            .as_str()
            .and_then(|x| x.parse::<DateTime<Utc>>().ok())
            .is_some_and(|d| d > web.state.db.now());
    if sealed_now {
        let at = p["proposalDeadline"]
            .as_str()
            .and_then(|x| x.parse::<DateTime<Utc>>().ok())
            .map(|d| in_zone(l, d, p["city"]["timeZone"].as_str().unwrap_or("UTC")))
            .unwrap_or_default();
        main.push_str(&format!(
            "<p class=\"notice\">{}</p>",
            esc(&tf(l, "ranked.sealed", &[("time", &at)]))
        ));
    } else if let Some(e) = r.errors.first() {
        main.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            esc(&crate::error_line(l, e))
        ));
    }
    let edges = r.data["project"]["rankedProposals"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    main.push_str("<ol class=\"hits\">");
    for e in &edges {
        let q = &e["node"];
        let pid = esc(q["id"].as_str().unwrap_or(""));
        let status = q["status"].as_str().unwrap_or("");
        let amount = &q["amount"];
        let mut item = format!(
            "<li class=\"hit\"><h2 class=\"h\">{} <span class=\"meta\">{}</span></h2><p class=\"meta\"><span>{}</span><span>{}</span><span>{}</span><span>{}</span></p><p>{}</p>",
            esc(q["organization"]["name"].as_str().unwrap_or("")),
            esc(q["organization"]["country"].as_str().unwrap_or("")),
            esc(&t(l, &format!("proposal_status.{status}"))),
            esc(&if amount.is_null() {
                String::new()
            } else {
                format!(
                    "{} (≈ {})",
                    money(
                        l,
                        amount["amount"].as_str().unwrap_or("0"),
                        amount["currency"].as_str().unwrap_or("")
                    ),
                    usd_short(l, amount["amountUsd"].as_str().unwrap_or("0"))
                )
            }),
            esc(&t(
                l,
                &format!("financing.{}", q["financingModel"].as_str().unwrap_or(""))
            )),
            esc(&tf(
                l,
                "project.months",
                &[("n", &q["timelineMonths"].as_i64().unwrap_or(0).to_string())]
            )),
            esc(q["approach"].as_str().unwrap_or("")),
        );
        item.push_str(
            &score_block(l, &q["score"])
                .replace("id=\"score-h\"", &format!("id=\"score-{pid}\""))
                .replace(
                    "aria-labelledby=\"score-h\"",
                    &format!("aria-labelledby=\"score-{pid}\""),
                ),
        );
        item.push_str(&commitment_block(l, q));
        let mut actions = String::new();
        let to = format!("/city/proposals/{pid}");
        let button =
            |a: &str, key: &str, class: &str| v.button_form(&to, &[("project", id)], a, key, class);
        if status == "SUBMITTED" {
            actions.push_str(&button("shortlist", "ranked.shortlist", "secondary"));
        }
        if matches!(status, "SUBMITTED" | "SHORTLISTED") {
            actions.push_str(&button("accept", "ranked.award", ""));
            actions.push_str(&format!(
                "<form method=\"post\" action=\"/city/proposals/{pid}\" class=\"form\">{}<input type=\"hidden\" name=\"project\" value=\"{}\"><div class=\"field\"><label for=\"reason-{pid}\">{}</label><input type=\"text\" id=\"reason-{pid}\" name=\"reason\" required></div><button type=\"submit\" name=\"action\" value=\"reject\" class=\"danger\">{}</button></form>",
                v.csrf_field(),
                esc(id),
                esc(&v.t("ranked.reject_reason")),
                esc(&v.t("ranked.reject"))
            ));
        }
        item.push_str(&format!("<div class=\"actions\">{actions}</div></li>"));
        main.push_str(&item);
    }
    main.push_str("</ol>");
    // Whom else to invite: recommended investors for this project.
    let rec = web
        .run(&v.caller, "query($id:ID!){recommendedInvestors(projectId:$id,first:5){score reasons organization{name country}}}", json!({"id": id}))
        .await;
    let recs = rec.data["recommendedInvestors"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if !recs.is_empty() {
        main.push_str(&format!(
            "<h2>{}</h2><ul class=\"rows\">",
            esc(&v.t("ranked.recommended"))
        ));
        for x in &recs {
            let reasons: Vec<&str> = x["reasons"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            main.push_str(&format!(
                "<li><strong>{}</strong> ({}) · {} <span class=\"meta\">{}</span></li>",
                esc(x["organization"]["name"].as_str().unwrap_or("")),
                esc(x["organization"]["country"].as_str().unwrap_or("")),
                esc(&of100(x["score"].as_f64().unwrap_or(0.0))),
                esc(&reasons
                    .iter()
                    .map(|r| crate::sentences::localize(l, r))
                    .collect::<Vec<_>>()
                    .join(" · "))
            ));
        }
        main.push_str("</ul>");
    }
    v.page(
        StatusCode::OK,
        &tf(l, "ranked.title", &[("project", title)]),
        &main,
    )
}

/// POST /city/proposals/{id} — shortlist, reject (with a reason) or award.
pub async fn proposal_post(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let project = f.get("project");
    let back = format!("/city/projects/{project}/proposals");
    let v = match posted(&web, &headers, addr, back.clone(), &f).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(r) = v.refuse_unless(&["CITY_OFFICIAL"]) {
        return r;
    }
    let (query, vars, done) = match f.get("action").as_str() {
        "shortlist" => (
            "mutation($id:ID!){shortlistProposal(id:$id){id}}",
            json!({"id": id}),
            "shortlisted",
        ),
        "accept" => (
            "mutation($id:ID!){acceptProposal(id:$id){id}}",
            json!({"id": id}),
            "awarded",
        ),
        _ => (
            "mutation($id:ID!,$r:String!){rejectProposal(id:$id,reason:$r){id}}",
            json!({"id": id, "r": f.get("reason")}),
            "rejected",
        ),
    };
    let r = web.run(&v.caller, query, vars).await;
    match r.errors.first() {
        Some(e) => ranked_page(&web, &v, &project, Some(e), None).await,
        None => v.redirect(&format!("{back}?done={done}")),
    }
}
