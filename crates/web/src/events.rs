//! Match-making events and notifications: upcoming events for anyone; for a participating city
//! or investor, registration, suggested counterparts, meeting requests (sent, received,
//! answered) and the agenda with its calendar feed; the inbox of every signed-in person.

use std::net::SocketAddr;

use axum::{
    Form,
    extract::{ConnectInfo, Path, RawQuery, State},
    http::{HeaderMap, StatusCode},
    response::Response,
};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::{
    ApiProblem, Visit, Web,
    format::in_zone,
    forms::{Errs, Fields, number, posted},
    here,
    i18n::{Lang, t, tf},
    investor::of100,
    page::esc,
    visit,
};

fn at(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str().and_then(|x| x.parse().ok())
}

/// A time in a zone, with the viewer's own added by the page script.
fn when(l: Lang, instant: &Value, zone: &str) -> String {
    match at(instant) {
        Some(i) => format!(
            "<time datetime=\"{}\" data-local=\"{}\">{}</time>",
            esc(&i.to_rfc3339()),
            esc(&t(l, "project.deadline_yours")),
            esc(&in_zone(l, i, zone))
        ),
        None => String::new(),
    }
}

/// GET /events — the programme's match-making events, soonest first.
pub async fn list(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here("/events", &raw)).await;
    let l = v.lang;
    let r = web
        .run(
            &v.caller,
            "{matchmakingEvents(first:50){edges{node{id title description mode venue timeZone status registrationDeadline organizer{name} sessions{startsAt endsAt}}}}}",
            json!({}),
        )
        .await;
    let mut main = format!(
        "<h1>{}</h1><p>{}</p>",
        esc(&v.t("events.title")),
        esc(&v.t("events.hint"))
    );
    let mut events: Vec<Value> = r.data["matchmakingEvents"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["node"].clone())
        .collect();
    events.sort_by_key(|e| at(&e["sessions"][0]["startsAt"]));
    let now = web.state.db.now();
    let (upcoming, past): (Vec<Value>, Vec<Value>) = events
        .into_iter()
        .partition(|e| at(&e["sessions"][0]["endsAt"]).is_none_or(|x| x > now));
    for (heading, list) in [("events.upcoming", upcoming), ("events.past", past)] {
        main.push_str(&format!("<h2>{}</h2>", esc(&t(l, heading))));
        if list.is_empty() {
            main.push_str(&format!("<p>{}</p>", esc(&v.t("events.none"))));
            continue;
        }
        main.push_str("<ul class=\"hits\">");
        for e in &list {
            let zone = e["timeZone"].as_str().unwrap_or("UTC");
            main.push_str(&format!(
                "<li class=\"hit\"><h3 class=\"h\"><a href=\"/events/{}\">{}</a></h3><p>{}</p><p class=\"meta\"><span>{}</span><span>{}</span><span>{}</span></p><p>{}</p></li>",
                esc(e["id"].as_str().unwrap_or("")),
                esc(e["title"].as_str().unwrap_or("")),
                esc(e["description"].as_str().unwrap_or("")),
                esc(&t(l, &format!("event_status.{}", e["status"].as_str().unwrap_or("")))),
                esc(&t(l, &format!("mode.{}", e["mode"].as_str().unwrap_or("")))),
                esc(e["venue"].as_str().or(e["organizer"]["name"].as_str()).unwrap_or("")),
                when(l, &e["sessions"][0]["startsAt"], zone),
            ));
        }
        main.push_str("</ul>");
    }
    v.page(StatusCode::OK, &v.t("events.title"), &main)
}

const EVENT: &str = "query($id:ID!){matchmakingEvent(id:$id){id title description mode venue timeZone status registrationDeadline slotMinutes organizer{name} sessions{startsAt endsAt} myParticipation{id kind availableSessions maxMeetings calendarUrl} myAgenda{id startsAt endsAt table joinUrl status city{name} organization{name} project{id title}}}}";
/// What a participant's page adds, in one operation: suggestions (while the event is open)
/// and the requests received and sent.
const PARTICIPANT: &str = "query($id:ID!,$open:Boolean!){matchmakingEvent(id:$id){suggestedMeetings(first:5) @include(if:$open){score reasons participant{id city{name} organization{name}} project{id title}}} incoming:meetingRequests(eventId:$id,direction:INCOMING,first:50){...R} outgoing:meetingRequests(eventId:$id,direction:OUTGOING,first:50){...R}} fragment R on MeetingRequestConnection{edges{node{id status message priority createdAt from{city{name} organization{name}} to{city{name} organization{name}} project{title}}}}";

/// GET /events/{id} — an event; for a participant, their registration, suggestions, requests
/// and agenda.
pub async fn event(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here(&format!("/events/{id}"), &raw)).await;
    let done = crate::forms::query_value(&raw, "done");
    event_page(&web, &v, &id, None, done.as_deref()).await
}

fn side_name(p: &Value) -> String {
    p["city"]["name"]
        .as_str()
        .or(p["organization"]["name"].as_str())
        .unwrap_or("")
        .to_owned()
}

async fn event_page(
    web: &Web,
    v: &Visit,
    id: &str,
    problem: Option<&ApiProblem>,
    done: Option<&str>,
) -> Response {
    let l = v.lang;
    let r = web.run(&v.caller, EVENT, json!({"id": id})).await;
    let e = &r.data["matchmakingEvent"];
    if e.is_null() {
        return v.not_found("events.not_found");
    }
    let zone = e["timeZone"].as_str().unwrap_or("UTC");
    let title = e["title"].as_str().unwrap_or("");
    let status = e["status"].as_str().unwrap_or("");
    let mut main = format!(
        "<p><a href=\"/events\">← {}</a></p><h1>{}</h1>{}",
        esc(&v.t("events.back")),
        esc(title),
        v.done_notice("events", done)
    );
    if let Some(p) = problem {
        main.push_str(&format!(
            "<p class=\"error\" role=\"alert\">{}</p>",
            esc(&crate::error_line(l, p))
        ));
    }
    main.push_str(&format!(
        "<p>{}</p><dl class=\"facts\"><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>",
        esc(e["description"].as_str().unwrap_or("")),
        esc(&v.t("events.status")),
        esc(&t(l, &format!("event_status.{status}"))),
        esc(&v.t("events.where")),
        esc(&format!(
            "{} {}",
            t(l, &format!("mode.{}", e["mode"].as_str().unwrap_or(""))),
            e["venue"].as_str().unwrap_or("")
        )),
        esc(&v.t("events.organizer")),
        esc(e["organizer"]["name"].as_str().unwrap_or("")),
        esc(&v.t("events.registration_deadline")),
        when(l, &e["registrationDeadline"], zone),
    ));
    let sessions: Vec<&Value> = e["sessions"].as_array().into_iter().flatten().collect();
    main.push_str(&format!(
        "<h2>{}</h2><ol class=\"rows\">",
        esc(&v.t("events.sessions"))
    ));
    for s in &sessions {
        main.push_str(&format!(
            "<li>{} – {}</li>",
            when(l, &s["startsAt"], zone),
            esc(&at(&s["endsAt"])
                .map(|x| in_zone(l, x, zone))
                .unwrap_or_default())
        ));
    }
    main.push_str("</ol>");
    let role = v.role.as_deref();
    let participant_role = matches!(role, Some("INVESTOR" | "CITY_OFFICIAL"));
    if role.is_none() {
        main.push_str(&format!(
            "<p><a href=\"/signin?next={}\">{}</a></p>",
            esc(&crate::page::enc(&format!("/events/{id}"))),
            esc(&v.t("events.signin"))
        ));
    }
    let mine = &e["myParticipation"];
    let action = format!("/events/{}", esc(id));
    // Registration: the sessions a side can attend and how many meetings it takes.
    if participant_role && status == "OPEN" {
        let errs = Errs::new(l, problem);
        let chosen: Vec<String> = mine["availableSessions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|x| x.to_string())
            .collect();
        let opts: Vec<(String, String)> = sessions
            .iter()
            .enumerate()
            .map(|(i, s)| {
                (
                    i.to_string(),
                    at(&s["startsAt"])
                        .map(|x| in_zone(l, x, zone))
                        .unwrap_or_default(),
                )
            })
            .collect();
        let mut body = errs.checks(
            "sessions",
            "input.availableSessions",
            &v.t("events.available"),
            &opts,
            &if mine.is_null() {
                (0..opts.len()).map(|i| i.to_string()).collect()
            } else {
                chosen
            },
        );
        body.push_str(
            &errs.input(
                "max",
                "input.maxMeetings",
                &v.t("events.max_meetings"),
                "number",
                &mine["maxMeetings"]
                    .as_i64()
                    .map_or_else(|| "6".to_owned(), |n| n.to_string()),
                " min=\"1\" max=\"50\" required",
                None,
            ),
        );
        main.push_str(&format!(
            "<h2>{}</h2>{}<form class=\"form\" method=\"post\" action=\"{action}\">{}{body}<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"register\">{}</button></div></form>",
            esc(&v.t(if mine.is_null() { "events.register_title" } else { "events.registered" })),
            errs.rest(),
            v.csrf_field(),
            esc(&v.t(if mine.is_null() { "events.register" } else { "events.update" })),
        ));
        if !mine.is_null() {
            main.push_str(&v.button_form(&action, &[], "withdraw", "events.withdraw", "danger"));
        }
    }
    if !mine.is_null() {
        if let Some(cal) = mine["calendarUrl"].as_str() {
            main.push_str(&format!(
                "<p><a href=\"{}\">{}</a></p>",
                esc(cal),
                esc(&v.t("events.calendar"))
            ));
        }
        // The agenda.
        let agenda: Vec<&Value> = e["myAgenda"].as_array().into_iter().flatten().collect();
        main.push_str(&format!("<h2>{}</h2>", esc(&v.t("events.agenda"))));
        if agenda.is_empty() {
            main.push_str(&format!("<p>{}</p>", esc(&v.t("events.agenda_none"))));
        } else {
            main.push_str("<ul class=\"hits\">");
            for m in agenda {
                let other = if role == Some("INVESTOR") {
                    m["city"]["name"].as_str()
                } else {
                    m["organization"]["name"].as_str()
                };
                main.push_str(&format!(
                    "<li class=\"hit agenda\"><p><strong>{}</strong> · {}</p><p class=\"meta\"><span>{}</span><span>{}</span><span>{}</span></p>{}</li>",
                    esc(other.unwrap_or("")),
                    esc(m["project"]["title"].as_str().unwrap_or("")),
                    when(l, &m["startsAt"], zone),
                    esc(&tf(l, "events.table", &[("n", &m["table"].to_string())])),
                    esc(&t(l, &format!("meeting_status.{}", m["status"].as_str().unwrap_or("")))),
                    m["joinUrl"].as_str().map_or_else(String::new, |u| format!(
                        "<p><a href=\"{}\">{}</a></p>",
                        esc(u),
                        esc(&t(l, "events.join"))
                    )),
                ));
            }
            main.push_str("</ul>");
        }
        let s = web
            .run(
                &v.caller,
                PARTICIPANT,
                json!({"id": id, "open": status == "OPEN"}),
            )
            .await;
        // Suggestions, while requests can still be made.
        if status == "OPEN" {
            let list: Vec<&Value> = s.data["matchmakingEvent"]["suggestedMeetings"]
                .as_array()
                .into_iter()
                .flatten()
                .collect();
            if !list.is_empty() {
                main.push_str(&format!(
                    "<h2>{}</h2><ul class=\"hits\">",
                    esc(&v.t("events.suggested"))
                ));
                for (i, x) in list.iter().enumerate() {
                    let reasons: Vec<&str> = x["reasons"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .collect();
                    main.push_str(&format!(
                        "<li class=\"hit\"><h3 class=\"h\">{}</h3><p class=\"meta\"><span>{}</span><span>{}</span></p><p>{}</p>\
<form class=\"form\" method=\"post\" action=\"{action}\">{}<input type=\"hidden\" name=\"to\" value=\"{}\"><input type=\"hidden\" name=\"project\" value=\"{}\">\
<div class=\"field\"><label for=\"message-{i}\">{}</label><textarea id=\"message-{i}\" name=\"message\" rows=\"2\" required></textarea></div>\
<button type=\"submit\" name=\"action\" value=\"request\">{}</button></form></li>",
                        esc(&side_name(&x["participant"])),
                        esc(&tf(l, "recommended.score", &[("score", &of100(x["score"].as_f64().unwrap_or(0.0)))])),
                        esc(x["project"]["title"].as_str().unwrap_or("")),
                        esc(&reasons.iter().map(|r| crate::sentences::localize(l, r)).collect::<Vec<_>>().join(" · ")),
                        v.csrf_field(),
                        esc(x["participant"]["id"].as_str().unwrap_or("")),
                        esc(x["project"]["id"].as_str().unwrap_or("")),
                        esc(&v.t("events.message")),
                        esc(&v.t("events.request")),
                    ));
                }
                main.push_str("</ul>");
            }
        }
        // Requests received and sent.
        for (direction, heading) in [
            ("INCOMING", "events.incoming"),
            ("OUTGOING", "events.outgoing"),
        ] {
            let list: Vec<&Value> = s.data[direction.to_lowercase().as_str()]["edges"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|x| &x["node"])
                .collect();
            main.push_str(&format!("<h2>{}</h2>", esc(&t(l, heading))));
            if list.is_empty() {
                main.push_str(&format!("<p>{}</p>", esc(&v.t("events.requests_none"))));
                continue;
            }
            main.push_str("<ul class=\"hits\">");
            for m in list {
                let raw_id = m["id"].as_str().unwrap_or("");
                let st = m["status"].as_str().unwrap_or("");
                let who = if direction == "INCOMING" {
                    side_name(&m["from"])
                } else {
                    side_name(&m["to"])
                };
                let mut item = format!(
                    "<li class=\"hit request\"><p><strong>{}</strong> · {}</p><p class=\"meta\"><span>{}</span></p><p>{}</p>",
                    esc(&who),
                    esc(m["project"]["title"].as_str().unwrap_or("")),
                    esc(&t(l, &format!("request_status.{st}"))),
                    esc(m["message"].as_str().unwrap_or("")),
                );
                if st == "PENDING" {
                    let button = |a: &str, key: &str, class: &str| {
                        v.button_form(&action, &[("request", raw_id)], a, key, class)
                    };
                    item.push_str("<div class=\"actions\">");
                    if direction == "INCOMING" {
                        item.push_str(&button("accept", "events.accept", ""));
                        item.push_str(&button("decline", "events.decline", "secondary"));
                    } else {
                        item.push_str(&button(
                            "withdraw_request",
                            "events.withdraw_request",
                            "secondary",
                        ));
                    }
                    item.push_str("</div>");
                }
                item.push_str("</li>");
                main.push_str(&item);
            }
            main.push_str("</ul>");
        }
    }
    let code = crate::forms::status_for(problem.is_some());
    v.page(code, title, &main)
}

/// POST /events/{id} — register, withdraw, request a meeting, answer or withdraw a request.
pub async fn event_post(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(f): Form<Fields>,
) -> Response {
    let here = format!("/events/{id}");
    let v = match posted(&web, &headers, addr, here.clone(), &f).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(r) = v.refuse_unless(&["INVESTOR", "CITY_OFFICIAL"]) {
        return r;
    }
    let l = v.lang;
    let (query, vars, done) = match f.get("action").as_str() {
        "register" => {
            let max = match number::<i64>(l, &f, "max", "input.maxMeetings") {
                Ok(n) => n,
                Err(e) => return event_page(&web, &v, &id, Some(&e), None).await,
            };
            let sessions: Vec<i64> = f
                .all("sessions")
                .iter()
                .filter_map(|s| s.parse().ok())
                .collect();
            (
                "mutation($e:ID!,$i:RegistrationInput!){registerForEvent(eventId:$e,input:$i){id}}",
                json!({"e": id, "i": {"availableSessions": sessions, "maxMeetings": max}}),
                "registered",
            )
        }
        "withdraw" => (
            "mutation($e:ID!){withdrawFromEvent(eventId:$e)}",
            json!({"e": id}),
            "withdrawn",
        ),
        "request" => (
            "mutation($e:ID!,$t:ID!,$p:ID,$m:String!){requestMeeting(eventId:$e,toParticipantId:$t,projectId:$p,message:$m){id}}",
            json!({"e": id, "t": f.get("to"), "p": f.opt("project"), "m": f.get("message")}),
            "requested",
        ),
        "accept" | "decline" => (
            "mutation($r:ID!,$a:Boolean!){respondToMeetingRequest(id:$r,accept:$a){id}}",
            json!({"r": f.get("request"), "a": f.get("action") == "accept"}),
            if f.get("action") == "accept" {
                "accepted"
            } else {
                "declined"
            },
        ),
        _ => (
            "mutation($r:ID!){withdrawMeetingRequest(id:$r){id}}",
            json!({"r": f.get("request")}),
            "request_withdrawn",
        ),
    };
    let r = web.run(&v.caller, query, vars).await;
    match r.errors.first() {
        Some(e) => event_page(&web, &v, &id, Some(e), None).await,
        None => v.redirect(&format!("{here}?done={done}")),
    }
}

/// GET /notifications — the inbox, newest first.
pub async fn inbox(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let v = visit(&web, &headers, addr, here("/notifications", &raw)).await;
    if let Some(r) = v.refuse_unless(&["INVESTOR", "CITY_OFFICIAL", "EMBASSY_LIAISON", "ADMIN"]) {
        return r;
    }
    let l = v.lang;
    let r = web
        .run(
            &v.caller,
            "{myNotifications(first:50){totalCount unreadCount edges{node{id type title body entityType entityId createdAt readAt}}}}",
            json!({}),
        )
        .await;
    let n = &r.data["myNotifications"];
    let unread = n["unreadCount"].as_i64().unwrap_or(0);
    let mut main = format!(
        "<h1>{}</h1><p role=\"status\">{}</p>",
        esc(&v.t("inbox.title")),
        esc(&tf(l, "inbox.unread", &[("n", &unread.to_string())]))
    );
    if unread > 0 {
        main.push_str(&format!(
            "<form method=\"post\" action=\"/notifications\">{}<button type=\"submit\" class=\"secondary\">{}</button></form>",
            v.csrf_field(),
            esc(&v.t("inbox.mark_read"))
        ));
    }
    let edges: Vec<&Value> = n["edges"].as_array().into_iter().flatten().collect();
    if edges.is_empty() {
        main.push_str(&format!("<p>{}</p>", esc(&v.t("inbox.none"))));
    }
    main.push_str("<ul class=\"hits\">");
    for e in edges {
        let x = &e["node"];
        let link = match x["entityType"].as_str() {
            Some("project") => format!("/projects/{}", x["entityId"].as_str().unwrap_or("")),
            Some("event") => format!("/events/{}", x["entityId"].as_str().unwrap_or("")),
            Some("meeting_request" | "meeting") => "/events".to_owned(),
            _ => String::new(),
        };
        let title = esc(x["title"].as_str().unwrap_or(""));
        main.push_str(&format!(
            "<li class=\"hit{}\"><h2 class=\"h\">{}{}</h2><p>{}</p><p class=\"meta\"><span>{}</span><span>{}</span></p></li>",
            if x["readAt"].is_null() { " unread" } else { "" },
            if x["readAt"].is_null() {
                format!("<span class=\"badge\">{}</span> ", esc(&v.t("inbox.new")))
            } else {
                String::new()
            },
            if link.is_empty() { title } else { format!("<a href=\"{}\">{title}</a>", esc(&link)) },
            esc(x["body"].as_str().unwrap_or("")),
            esc(&t(l, &format!("notification.{}", x["type"].as_str().unwrap_or("")))),
            when(l, &x["createdAt"], "Asia/Jakarta"),
        ));
    }
    main.push_str("</ul>");
    v.page(StatusCode::OK, &v.t("inbox.title"), &main)
}

/// POST /notifications — marks every notification read.
pub async fn mark_read(
    State(web): State<Web>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Form(f): Form<Fields>,
) -> Response {
    let v = match posted(&web, &headers, addr, "/notifications".into(), &f).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    if let Some(r) = v.refuse_unless(&["INVESTOR", "CITY_OFFICIAL", "EMBASSY_LIAISON", "ADMIN"]) {
        return r;
    }
    web.run(&v.caller, "mutation{markNotificationsRead}", json!({}))
        .await;
    v.redirect("/notifications")
}
