//! Investors' pages: recommended projects with their reasons, the proposal form (draft, save,
//! submit, revise, withdraw) with the score once saved, and their proposals with a commitment
//! the browser can check.

use std::net::SocketAddr;

use axum::{
    Form,
    extract::{ConnectInfo, Path, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use serde_json::{Value, json};

use crate::{
    ApiProblem, Visit, Web,
    format::{in_zone, money, usd_short},
    forms::{Errs, Fields, dimensions, number, options, posted},
    here,
    i18n::{Lang, t, tf},
    page::esc,
    visit,
};

/// The fields of a proposal every page shows.
pub const PROPOSAL_FIELDS: &str = "id status amount{amount currency amountUsd} financingModel timelineMonths approach contributions{dimension strength} localContentPercent submittedAt updatedAt commitment commitmentSalt score{total components{name weight value explanation}}";

/// GET /recommended — projects recommended for the investor's organisation, with reasons.
pub async fn recommended(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here("/recommended", &raw)).await;
    if let Some(r) = v.refuse_unless(&["INVESTOR"]) {
        return r;
    }
    let l = v.lang;
    let r = web
        .run(
            &v.caller,
            "{recommendedProjects(first:10){score reasons project{id title summary proposalDeadline capex{amountUsd} city{name province timeZone}}}}",
            json!({}),
        )
        .await;
    let mut main = format!(
        "<h1>{}</h1><p>{}</p>",
        esc(&v.t("recommended.title")),
        esc(&v.t("recommended.hint"))
    );
    if let Some(e) = r.errors.first() {
        main.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            esc(&crate::error_line(l, e))
        ));
    }
    let recs = r.data["recommendedProjects"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if recs.is_empty() && r.errors.is_empty() {
        main.push_str(&format!("<p>{}</p>", esc(&v.t("recommended.none"))));
    }
    main.push_str("<ul class=\"hits\">");
    for rec in &recs {
        let p = &rec["project"];
        let reasons: String = rec["reasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(|x| format!("<li>{}</li>", esc(&crate::sentences::localize(l, x))))
            .collect();
        main.push_str(&format!(
            "<li class=\"hit\"><h2 class=\"h\"><a href=\"/projects/{id}\">{}</a></h2><p>{}</p><p class=\"meta\"><span>{}, {}</span><span>{}</span><span>{}</span></p><p><strong>{}</strong></p><ul>{reasons}</ul><p><a class=\"button\" href=\"/projects/{id}/proposal\">{}</a></p></li>",
            esc(p["title"].as_str().unwrap_or("")),
            esc(p["summary"].as_str().unwrap_or("")),
            esc(p["city"]["name"].as_str().unwrap_or("")),
            esc(p["city"]["province"].as_str().unwrap_or("")),
            esc(&usd_short(l, p["capex"]["amountUsd"].as_str().unwrap_or("0"))),
            esc(&crate::deadline_line(l, p)),
            esc(&tf(l, "recommended.score", &[("score", &of100(rec["score"].as_f64().unwrap_or(0.0)))])),
            esc(&v.t("proposal.open_form")),
            id = esc(p["id"].as_str().unwrap_or("")),
        ));
    }
    main.push_str("</ul>");
    v.page(StatusCode::OK, &v.t("recommended.title"), &main)
}

/// A 0..1 value as a percentage.
pub fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// A 0..100 score.
pub fn of100(x: f64) -> String {
    format!("{x:.0}/100")
}

/// A score with each component's weight, value and sentence.
pub fn score_block(l: Lang, score: &Value) -> String {
    if score.is_null() {
        return String::new();
    }
    let mut out = format!(
        "<section class=\"score\" aria-labelledby=\"score-h\"><h2 id=\"score-h\">{}</h2><table><caption class=\"sr\">{}</caption><thead><tr><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th><th scope=\"col\">{}</th></tr></thead><tbody>",
        esc(&tf(
            l,
            "score.total",
            &[("score", &of100(score["total"].as_f64().unwrap_or(0.0)))]
        )),
        esc(&t(l, "score.caption")),
        esc(&t(l, "score.component")),
        esc(&t(l, "score.weight")),
        esc(&t(l, "score.value")),
        esc(&t(l, "score.why")),
    );
    for c in score["components"].as_array().into_iter().flatten() {
        let name = c["name"].as_str().unwrap_or("");
        out.push_str(&format!(
            "<tr><th scope=\"row\">{}</th><td>{:.2}</td><td>{}</td><td>{}</td></tr>",
            esc(&t(l, &format!("component.{name}"))),
            c["weight"].as_f64().unwrap_or(0.0),
            esc(&pct(c["value"].as_f64().unwrap_or(0.0))),
            esc(&crate::sentences::localize(
                l,
                c["explanation"].as_str().unwrap_or("")
            )),
        ));
    }
    out.push_str("</tbody></table></section>");
    out
}

/// A proposal's commitment with what recomputing it needs, for the browser's check (Web
/// Crypto SHA-256 over DESIGN.md's layout, done by the page script, not by the server).
pub fn commitment_block(l: Lang, p: &Value) -> String {
    let (Some(commitment), Some(salt)) = (p["commitment"].as_str(), p["commitmentSalt"].as_str())
    else {
        return String::new();
    };
    let contrib: String = p["contributions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            format!(
                "{}={}",
                c["dimension"].as_str().unwrap_or(""),
                c["strength"].as_f64().unwrap_or(0.0)
            )
        })
        .collect::<Vec<_>>()
        .join(";");
    format!(
        "<div class=\"commit\" data-commitment=\"{}\" data-salt=\"{}\" data-amount=\"{}\" data-currency=\"{}\" data-financing=\"{}\" data-timeline=\"{}\" data-local=\"{}\" data-contrib=\"{}\" data-approach=\"{}\" data-ok=\"{}\" data-bad=\"{}\" data-insecure=\"{}\">\
<p>{} <code class=\"hash\">{}</code></p><p class=\"hint\">{}</p>\
<button type=\"button\" hidden>{}</button> <output role=\"status\"></output></div>",
        esc(commitment),
        esc(salt),
        esc(p["amount"]["amount"].as_str().unwrap_or("")),
        esc(p["amount"]["currency"].as_str().unwrap_or("")),
        esc(p["financingModel"].as_str().unwrap_or("")),
        p["timelineMonths"].as_i64().unwrap_or(0),
        p["localContentPercent"].as_f64().unwrap_or(0.0),
        esc(&contrib),
        esc(p["approach"].as_str().unwrap_or("")),
        esc(&t(l, "commitment.ok")),
        esc(&t(l, "commitment.bad")),
        esc(&t(l, "commitment.insecure")),
        esc(&t(l, "commitment.label")),
        esc(commitment),
        esc(&t(l, "commitment.hint")),
        esc(&t(l, "commitment.verify")),
    )
}

const FORM_PROJECT: &str = "query($id:ID!){project(id:$id){id title status sealedBids proposalDeadline acceptedFinancing timelineMonths capex{amount currency} city{name timeZone} myProposal{PROPOSAL draftScore{total components{name weight value explanation}}}}}";

/// GET /projects/{id}/proposal — the investor's proposal for a project.
pub async fn proposal_form(
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
        here(&format!("/projects/{id}/proposal"), &raw),
    )
    .await;
    if let Some(r) = v.refuse_unless(&["INVESTOR"]) {
        return r;
    }
    let said = crate::forms::query_value(&raw, "done");
    form_page(&web, &v, &id, None, None, said.as_deref()).await
}

/// The form, from the saved proposal or from what was just sent (with its error).
async fn form_page(
    web: &Web,
    v: &Visit,
    id: &str,
    sent: Option<&Fields>,
    problem: Option<&ApiProblem>,
    done: Option<&str>,
) -> Response {
    let l = v.lang;
    let r = web
        .run(
            &v.caller,
            &FORM_PROJECT.replace("PROPOSAL", PROPOSAL_FIELDS),
            json!({"id": id}),
        )
        .await;
    let p = &r.data["project"];
    if p.is_null() {
        return v.not_found("project.not_found");
    }
    let mine = &p["myProposal"];
    let status = mine["status"].as_str().unwrap_or("");
    // What the form shows: what was sent, else the saved proposal, else the project's terms.
    let saved = Fields(match sent {
        Some(f) => f.0.clone(),
        None => {
            let mut f = vec![
                (
                    "amount".into(),
                    mine["amount"]["amount"].as_str().unwrap_or("").to_owned(),
                ),
                (
                    "currency".into(),
                    mine["amount"]["currency"]
                        .as_str()
                        .or(p["capex"]["currency"].as_str())
                        .unwrap_or("IDR")
                        .to_owned(),
                ),
                (
                    "financing".into(),
                    mine["financingModel"].as_str().unwrap_or("").to_owned(),
                ),
                (
                    "timeline".into(),
                    mine["timelineMonths"]
                        .as_i64()
                        .or(p["timelineMonths"].as_i64())
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                ),
                (
                    "local".into(),
                    mine["localContentPercent"]
                        .as_f64()
                        .map(|n| n.to_string())
                        .unwrap_or_default(),
                ),
                (
                    "approach".into(),
                    mine["approach"].as_str().unwrap_or("").to_owned(),
                ),
            ];
            for c in mine["contributions"].as_array().into_iter().flatten() {
                f.push((
                    format!("c-{}", c["dimension"].as_str().unwrap_or("")),
                    c["strength"].as_f64().unwrap_or(0.0).to_string(),
                ));
            }
            f
        }
    });
    let title = p["title"].as_str().unwrap_or("");
    let mut main = format!(
        "<p><a href=\"/projects/{}\">← {}</a></p><h1>{}</h1>",
        esc(id),
        esc(title),
        esc(&tf(l, "proposal.title", &[("project", title)]))
    );
    main.push_str(&v.done_notice("proposal", done));
    main.push_str(&format!(
        "<p class=\"notice\">{}</p>",
        esc(&v.t(if p["sealedBids"] == true {
            "proposal.sealed"
        } else {
            "proposal.open"
        }))
    ));
    if let Some(at) = p["proposalDeadline"]
        .as_str()
        .and_then(|x| x.parse::<chrono::DateTime<chrono::Utc>>().ok())
    {
        main.push_str(&format!(
            "<p>{}: {}</p>",
            esc(&v.t("project.deadline")),
            esc(&in_zone(
                l,
                at,
                p["city"]["timeZone"].as_str().unwrap_or("UTC")
            ))
        ));
    }
    if !status.is_empty() {
        main.push_str(&format!(
            "<p>{}: <strong>{}</strong></p>",
            esc(&v.t("proposal.status")),
            esc(&t(l, &format!("proposal_status.{status}")))
        ));
    }
    let errs = Errs::new(l, problem);
    let financing: Vec<&str> = p["acceptedFinancing"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let mut body = String::new();
    body.push_str(&errs.input(
        "amount",
        "input.amount",
        &v.t("proposal.amount"),
        "text",
        &saved.get("amount"),
        " inputmode=\"decimal\" required",
        Some(&v.t("proposal.amount_hint")),
    ));
    body.push_str(
        &errs.select(
            "currency",
            "input.amount.currency",
            &v.t("proposal.currency"),
            &[
                "IDR", "USD", "EUR", "JPY", "SGD", "AUD", "CNY", "KRW", "GBP",
            ]
            .iter()
            .map(|c| ((*c).to_owned(), (*c).to_owned()))
            .collect::<Vec<_>>(),
            &saved.get("currency"),
        ),
    );
    body.push_str(&errs.select(
        "financing",
        "input.financingModel",
        &v.t("proposal.financing"),
        &options(l, "financing", &financing),
        &saved.get("financing"),
    ));
    body.push_str(&errs.input(
        "timeline",
        "input.timelineMonths",
        &v.t("proposal.timeline"),
        "number",
        &saved.get("timeline"),
        " min=\"1\" max=\"600\" required",
        None,
    ));
    body.push_str(&errs.input(
        "local",
        "input.localContentPercent",
        &v.t("proposal.local"),
        "number",
        &saved.get("local"),
        " min=\"0\" max=\"100\" step=\"0.01\" required",
        None,
    ));
    body.push_str(&format!(
        "<fieldset id=\"contributions\"><legend>{}</legend><p class=\"hint\">{}</p>",
        esc(&v.t("proposal.contributions")),
        esc(&v.t("proposal.contributions_hint"))
    ));
    // The API names a contribution by its place among those sent: the positive ones, in order.
    let sent_dims: Vec<&str> = dimensions()
        .filter(|d| {
            saved
                .get(&format!("c-{d}"))
                .replace(',', ".")
                .parse::<f64>()
                .is_ok_and(|x| x != 0.0)
        })
        .collect();
    for d in dimensions() {
        let api = sent_dims
            .iter()
            .position(|x| *x == d)
            .map(|i| format!("input.contributions.{i}"))
            .unwrap_or_default();
        body.push_str(&errs.input(
            &format!("c-{d}"),
            &api,
            &t(l, &format!("dimension.{d}")),
            "number",
            &saved.get(&format!("c-{d}")),
            " min=\"0\" max=\"1\" step=\"0.05\"",
            None,
        ));
    }
    body.push_str("</fieldset>");
    body.push_str(&errs.textarea(
        "approach",
        "input.approach",
        &v.t("proposal.approach"),
        &saved.get("approach"),
        " required",
    ));
    let submit_label = match status {
        "SUBMITTED" => "proposal.revise",
        _ => "proposal.submit",
    };
    let open = matches!(status, "" | "DRAFT" | "SUBMITTED" | "WITHDRAWN");
    main.push_str(&format!(
        "{}<form class=\"form wide\" method=\"post\" action=\"/projects/{}/proposal\">{}{body}",
        errs.rest(),
        esc(id),
        v.csrf_field()
    ));
    if open {
        main.push_str(&format!(
            "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"save\" class=\"secondary\">{}</button><button type=\"submit\" name=\"action\" value=\"submit\">{}</button></div>",
            esc(&v.t("proposal.save")),
            esc(&v.t(submit_label))
        ));
    }
    main.push_str("</form>");
    if matches!(status, "DRAFT" | "SUBMITTED") {
        main.push_str(&v.button_form(
            &format!("/projects/{}/proposal", esc(id)),
            &[],
            "withdraw",
            "proposal.withdraw",
            "danger",
        ));
    }
    // The score of the content as saved, computed now: live while drafting and revising.
    main.push_str(&score_block(l, &mine["draftScore"]));
    main.push_str(&commitment_block(l, mine));
    let status_code = crate::forms::status_for(problem.is_some());
    v.page(
        status_code,
        &tf(l, "proposal.title", &[("project", title)]),
        &main,
    )
}

/// The `ProposalInput` a form describes, or the field that is not a number.
fn proposal_input(l: Lang, id: &str, f: &Fields) -> Result<Value, ApiProblem> {
    let mut contributions = Vec::new();
    for d in dimensions() {
        let k = format!("c-{d}");
        if f.opt(&k).is_some() {
            let i = contributions.len();
            let s: f64 = number(l, f, &k, &format!("input.contributions.{i}.strength"))?;
            if s != 0.0 {
                contributions.push(json!({"dimension": d, "strength": s}));
            }
        }
    }
    Ok(json!({
        "projectId": id,
        "amount": {"amount": f.get("amount").replace(' ', ""), "currency": f.get("currency")},
        "financingModel": f.get("financing"),
        "timelineMonths": number::<i64>(l, f, "timeline", "input.timelineMonths")?,
        "localContentPercent": number::<f64>(l, f, "local", "input.localContentPercent")?,
        "approach": f.get("approach"),
        "contributions": contributions,
    }))
}

/// POST /projects/{id}/proposal — save, submit (saving first) or withdraw.
pub async fn proposal_post(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let here = format!("/projects/{id}/proposal");
    let v = match posted(&web, &headers, addr, here.clone(), &f).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(r) = v.refuse_unless(&["INVESTOR"]) {
        return r;
    }
    let l = v.lang;
    let action = f.get("action");
    if action == "withdraw" {
        let mine = web
            .run(
                &v.caller,
                "query($id:ID!){project(id:$id){myProposal{id}}}",
                json!({"id": id}),
            )
            .await;
        let pid = mine.data["project"]["myProposal"]["id"]
            .as_str()
            .unwrap_or("");
        let r = web
            .run(
                &v.caller,
                "mutation($id:ID!){withdrawProposal(id:$id){id}}",
                json!({"id": pid}),
            )
            .await;
        return match r.errors.first() {
            Some(e) => form_page(&web, &v, &id, None, Some(e), None).await,
            None => v.redirect(&format!("{here}?done=withdrawn")),
        };
    }
    let input = match proposal_input(l, &id, &f) {
        Ok(i) => i,
        Err(e) => return form_page(&web, &v, &id, Some(&f), Some(&e), None).await,
    };
    let r = web
        .run(
            &v.caller,
            "mutation($i:ProposalInput!){saveProposal(input:$i){id status}}",
            json!({"i": input}),
        )
        .await;
    if let Some(e) = r.errors.first() {
        return form_page(&web, &v, &id, Some(&f), Some(e), None).await;
    }
    let saved = &r.data["saveProposal"];
    if action == "submit" && saved["status"] == "DRAFT" {
        let s = web
            .run(
                &v.caller,
                "mutation($id:ID!){submitProposal(id:$id){id}}",
                json!({"id": saved["id"]}),
            )
            .await;
        if let Some(e) = s.errors.first() {
            return form_page(&web, &v, &id, None, Some(e), None).await;
        }
        return v.redirect(&format!("{here}?done=submitted"));
    }
    let done = if saved["status"] == "SUBMITTED" {
        "revised"
    } else {
        "saved"
    };
    v.redirect(&format!("{here}?done={done}"))
}

/// GET /proposals — the organisation's proposals, with status and commitment.
pub async fn proposals(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here("/proposals", &raw)).await;
    if let Some(r) = v.refuse_unless(&["INVESTOR"]) {
        return r;
    }
    let l = v.lang;
    let r = web
        .run(
            &v.caller,
            &format!(
                "{{myProposals(first:50){{totalCount edges{{node{{{PROPOSAL_FIELDS} project{{id title proposalDeadline city{{name timeZone}}}}}}}}}}}}"
            ),
            json!({}),
        )
        .await;
    let mut main = format!("<h1>{}</h1>", esc(&v.t("proposals.title")));
    let edges = r.data["myProposals"]["edges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    if edges.is_empty() {
        main.push_str(&format!("<p>{}</p>", esc(&v.t("proposals.none"))));
    }
    main.push_str("<ul class=\"hits\">");
    for e in &edges {
        let p = &e["node"];
        let project = &p["project"];
        let amount = &p["amount"];
        main.push_str(&format!(
            "<li class=\"hit\"><h2 class=\"h\"><a href=\"/projects/{}/proposal\">{}</a></h2><p class=\"meta\"><span>{}</span><span>{}</span><span>{}</span></p>{}</li>",
            esc(project["id"].as_str().unwrap_or("")),
            esc(project["title"].as_str().unwrap_or("")),
            esc(&t(l, &format!("proposal_status.{}", p["status"].as_str().unwrap_or("")))),
            esc(&if amount.is_null() {
                String::new()
            } else {
                format!(
                    "{} (≈ {})",
                    money(l, amount["amount"].as_str().unwrap_or("0"), amount["currency"].as_str().unwrap_or("")),
                    usd_short(l, amount["amountUsd"].as_str().unwrap_or("0"))
                )
            }),
            esc(&crate::deadline_line(l, project)),
            commitment_block(l, p),
        ));
    }
    main.push_str("</ul>");
    v.page(StatusCode::OK, &v.t("proposals.title"), &main)
}
