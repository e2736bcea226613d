//! Embassy liaisons' pages: their embassy's investor organisations, creating one, inviting
//! people (the code and link shown once), verifying and suspending with a reason; and the
//! page where an invited person joins.

use std::net::SocketAddr;

use axum::{
    Form,
    extract::{ConnectInfo, Path, RawQuery, State},
    http::{HeaderMap, HeaderValue, header},
    response::Response,
};
use serde_json::{Value, json};

use crate::{
    ApiProblem, Visit, Web,
    forms::{Errs, Fields, dimensions, financing_models, options, posted, sectors},
    here,
    i18n::{t, tf},
    page::{enc, esc},
    visit,
};

const EMBASSY: &str = "{me{embassy{id name country investors(first:100){totalCount edges{node{id name country verification website createdAt}}}}}}";

/// GET /embassy — the embassy's organisations and the form to create one.
pub async fn embassy(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here("/embassy", &raw)).await;
    if let Some(r) = v.refuse_unless(&["EMBASSY_LIAISON"]) {
        return r;
    }
    let done = crate::forms::query_value(&raw, "done");
    embassy_page(&web, &v, None, None, done.as_deref(), None).await
}

/// An invitation just made: shown once, on the page that answers the POST.
struct Invited {
    email: String,
    code: String,
    organization: String,
}

async fn embassy_page(
    web: &Web,
    v: &Visit,
    sent: Option<&Fields>,
    problem: Option<(&ApiProblem, &str)>,
    done: Option<&str>,
    invited: Option<Invited>,
) -> Response {
    let l = v.lang;
    let r = web.run(&v.caller, EMBASSY, json!({})).await;
    let e = &r.data["me"]["embassy"];
    let name = e["name"].as_str().unwrap_or("");
    let mut main = format!("<h1>{}</h1>", esc(name));
    main.push_str(&v.done_notice("embassy", done));
    if let Some(i) = &invited {
        let link = format!(
            "{}/join?code={}",
            web.state.base_url().trim_end_matches('/'),
            enc(&i.code)
        );
        main.push_str(&format!(
            "<section class=\"notice\" role=\"status\" aria-labelledby=\"invited-h\"><h2 id=\"invited-h\">{}</h2><p>{}</p><p>{}: <code class=\"hash\" id=\"invite-code\">{}</code></p><p>{}: <a href=\"{}\" id=\"invite-link\">{}</a></p></section>",
            esc(&tf(l, "embassy.invited", &[("email", &i.email), ("organization", &i.organization)])),
            esc(&v.t("embassy.invited_once")),
            esc(&v.t("embassy.code")),
            esc(&i.code),
            esc(&v.t("embassy.link")),
            esc(&link),
            esc(&link),
        ));
    }
    let org_problem = |id: &str| problem.filter(|(_, o)| *o == id).map(|(p, _)| p);
    main.push_str(&format!(
        "<h2>{}</h2>",
        esc(&tf(
            l,
            "embassy.organizations",
            &[(
                "n",
                &e["investors"]["totalCount"]
                    .as_i64()
                    .unwrap_or(0)
                    .to_string()
            )]
        ))
    ));
    main.push_str("<ul class=\"hits\">");
    for edge in e["investors"]["edges"].as_array().into_iter().flatten() {
        let o = &edge["node"];
        let oid = o["id"].as_str().unwrap_or("");
        let status = o["verification"].as_str().unwrap_or("");
        let errs = Errs::new(l, org_problem(oid));
        let mut item = format!(
            "<li class=\"hit\"><h3 class=\"h\">{}</h3><p class=\"meta\"><span>{}</span><span>{}</span></p>",
            esc(o["name"].as_str().unwrap_or("")),
            esc(o["country"].as_str().unwrap_or("")),
            esc(&t(l, &format!("verification.{status}"))),
        );
        let action = format!("/embassy/organizations/{}", esc(oid));
        let mut forms = String::new();
        if status != "VERIFIED" {
            forms.push_str(&v.button_form(&action, &[], "verify", "embassy.verify", ""));
        }
        forms.push_str(&format!(
            "<form method=\"post\" action=\"{action}\" class=\"form\">{}{}<button type=\"submit\" name=\"action\" value=\"invite\" class=\"secondary\">{}</button></form>",
            v.csrf_field(),
            errs.input(&format!("email-{oid}"), "email", &v.t("embassy.invite_email"), "email", "", " required", None),
            esc(&v.t("embassy.invite"))
        ));
        if status != "SUSPENDED" {
            forms.push_str(&format!(
                "<form method=\"post\" action=\"{action}\" class=\"form\">{}{}<button type=\"submit\" name=\"action\" value=\"suspend\" class=\"danger\">{}</button></form>",
                v.csrf_field(),
                errs.input(&format!("reason-{oid}"), "reason", &v.t("embassy.suspend_reason"), "text", "", " required", None),
                esc(&v.t("embassy.suspend"))
            ));
        }
        item.push_str(&errs.rest());
        item.push_str(&format!("<div class=\"actions\">{forms}</div></li>"));
        main.push_str(&item);
    }
    main.push_str("</ul>");
    // Creating an organisation.
    let f = sent.cloned().unwrap_or_default();
    let errs = Errs::new(l, problem.filter(|(_, o)| o.is_empty()).map(|(p, _)| p));
    let mut body = String::new();
    body.push_str(&errs.input(
        "name",
        "input.name",
        &v.t("org.name"),
        "text",
        &f.get("name"),
        " required",
        None,
    ));
    body.push_str(
        &errs.input(
            "country",
            "input.country",
            &v.t("org.country"),
            "text",
            &f.opt("country")
                .unwrap_or_else(|| e["country"].as_str().unwrap_or("").to_owned()),
            " required",
            None,
        ),
    );
    body.push_str(&errs.textarea(
        "description",
        "input.description",
        &v.t("org.description"),
        &f.get("description"),
        " required",
    ));
    body.push_str(&errs.input(
        "website",
        "input.website",
        &v.t("org.website"),
        "url",
        &f.get("website"),
        "",
        None,
    ));
    body.push_str(&errs.checks(
        "sectors",
        "input.sectors",
        &v.t("org.sectors"),
        &options(l, "sector", sectors()),
        &f.all("sectors"),
    ));
    body.push_str(&errs.checks(
        "dimensions",
        "input.dimensions",
        &v.t("project.dimensions"),
        &options(l, "dimension", dimensions()),
        &f.all("dimensions"),
    ));
    body.push_str(&errs.checks(
        "financing",
        "input.financingModels",
        &v.t("org.financing"),
        &options(l, "financing", financing_models()),
        &f.all("financing"),
    ));
    main.push_str(&format!(
        "<h2>{}</h2>{}<form class=\"form wide\" method=\"post\" action=\"/embassy/organizations\">{}{body}<div class=\"actions\"><button type=\"submit\">{}</button></div></form>",
        esc(&v.t("org.create")),
        errs.rest(),
        v.csrf_field(),
        esc(&v.t("org.create"))
    ));
    let code = crate::forms::status_for(problem.is_some());
    let mut resp = v.page(code, name, &main);
    if invited.is_some() {
        // The code is shown once: not kept by any cache.
        resp.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// POST /embassy/organizations — `createInvestorOrganization`.
pub async fn create_organization(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let v = match posted(&web, &headers, addr, "/embassy".into(), &f).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(r) = v.refuse_unless(&["EMBASSY_LIAISON"]) {
        return r;
    }
    let input = json!({
        "name": f.get("name"),
        "country": f.get("country"),
        "description": f.get("description"),
        "website": f.opt("website"),
        "sectors": f.all("sectors"),
        "dimensions": f.all("dimensions"),
        "financingModels": f.all("financing"),
    });
    let r = web
        .run(
            &v.caller,
            "mutation($i:InvestorOrganizationInput!){createInvestorOrganization(input:$i){id}}",
            json!({"i": input}),
        )
        .await;
    match r.errors.first() {
        Some(e) => embassy_page(&web, &v, Some(&f), Some((e, "")), None, None).await,
        None => v.redirect("/embassy?done=created"),
    }
}

/// POST /embassy/organizations/{id} — invite, verify or suspend.
pub async fn organization_post(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let v = match posted(&web, &headers, addr, "/embassy".into(), &f).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(r) = v.refuse_unless(&["EMBASSY_LIAISON"]) {
        return r;
    }
    match f.get("action").as_str() {
        "invite" => {
            let email = f.get(&format!("email-{id}"));
            let r = web
                .run(
                    &v.caller,
                    "mutation($o:ID!,$e:String!){inviteInvestor(organizationId:$o,email:$e){code email organization{name}}}",
                    json!({"o": id, "e": email}),
                )
                .await;
            match r.errors.first() {
                Some(e) => embassy_page(&web, &v, None, Some((e, &id)), None, None).await,
                None => {
                    let i = &r.data["inviteInvestor"];
                    let invited = Invited {
                        email: i["email"].as_str().unwrap_or("").to_owned(),
                        code: i["code"].as_str().unwrap_or("").to_owned(),
                        organization: i["organization"]["name"].as_str().unwrap_or("").to_owned(),
                    };
                    embassy_page(&web, &v, None, None, None, Some(invited)).await
                }
            }
        }
        action => {
            let (query, vars, done) = if action == "verify" {
                (
                    "mutation($o:ID!){verifyInvestor(organizationId:$o){id}}",
                    json!({"o": id}),
                    "verified",
                )
            } else {
                (
                    "mutation($o:ID!,$r:String!){suspendInvestor(organizationId:$o,reason:$r){id}}",
                    json!({"o": id, "r": f.get(&format!("reason-{id}"))}),
                    "suspended",
                )
            };
            let r = web.run(&v.caller, query, vars).await;
            match r.errors.first() {
                Some(e) => embassy_page(&web, &v, None, Some((e, &id)), None, None).await,
                None => v.redirect(&format!("/embassy?done={done}")),
            }
        }
    }
}

fn join_page(v: &Visit, f: &Fields, problem: Option<&ApiProblem>) -> Response {
    let errs = Errs::new(v.lang, problem);
    let mut body = String::new();
    body.push_str(&errs.input(
        "code",
        "code",
        &v.t("join.code"),
        "text",
        &f.get("code"),
        " required autocomplete=\"off\"",
        None,
    ));
    body.push_str(&errs.input(
        "name",
        "name",
        &v.t("join.name"),
        "text",
        &f.get("name"),
        " required autocomplete=\"name\"",
        None,
    ));
    body.push_str(&errs.input(
        "password",
        "password",
        &v.t("signin.password"),
        "password",
        "",
        " required minlength=\"10\" autocomplete=\"new-password\"",
        Some(&v.t("join.password_hint")),
    ));
    let main = format!(
        "<h1>{}</h1><p>{}</p>{}<form class=\"form\" method=\"post\" action=\"/join\">{}{body}<div><button type=\"submit\">{}</button></div></form>",
        esc(&v.t("join.title")),
        esc(&v.t("join.hint")),
        errs.rest(),
        v.csrf_field(),
        esc(&v.t("join.button"))
    );
    let code = crate::forms::status_for(problem.is_some());
    v.page(code, &v.t("join.title"), &main)
}

/// GET /join?code= — an invited person sets their name and password.
pub async fn join_form(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    // The code stays out of `here` (the language switch's link) and out of logs of links.
    let v = visit(&web, &headers, addr, "/join".into()).await;
    let f = Fields(
        crate::pairs(&raw)
            .into_iter()
            .filter(|(k, _)| k == "code")
            .collect(),
    );
    let mut r = join_page(&v, &f, None);
    r.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

/// POST /join — `acceptInvitation`, then signed in.
pub async fn join(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let v = match posted(&web, &headers, addr, "/join".into(), &f).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let r = web
        .run(
            &v.caller,
            "mutation($c:String!,$n:String!,$p:String!){acceptInvitation(code:$c,name:$n,password:$p){accessToken refreshToken}}",
            json!({"c": f.get("code"), "n": f.get("name"), "p": f.0.iter().find(|(k, _)| k == "password").map(|(_, p)| p.clone()).unwrap_or_default()}),
        )
        .await;
    let p: &Value = &r.data["acceptInvitation"];
    match (p["accessToken"].as_str(), p["refreshToken"].as_str()) {
        (Some(access), Some(refresh)) => {
            crate::signed_in(&web, &v, "/recommended", access, refresh)
        }
        _ => {
            let e = r
                .errors
                .first()
                .cloned()
                .unwrap_or_else(|| crate::forms::local("", ""));
            join_page(&v, &f, Some(&e))
        }
    }
}
