//! Smart City Business Match Making, end to end: an embassy's event from DRAFT to agendas,
//! calendar feeds, outcomes and the numbers; and who may see who meets whom.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{TestApp, code, ext};
use crate::world::{World, id};

const CREATE: &str = "mutation($i:MatchmakingEventInput!){createMatchmakingEvent(input:$i){id status organizer{id}}}";
const OPEN: &str = "mutation($id:ID!){openMatchmakingEvent(id:$id){status}}";
const REGISTER: &str = "mutation($e:ID!,$i:RegistrationInput!){registerForEvent(eventId:$e,input:$i){id kind timeZone calendarUrl}}";
const REQUEST: &str = "mutation($e:ID!,$to:ID!,$p:ID,$m:String!,$pr:Int){requestMeeting(eventId:$e,toParticipantId:$to,projectId:$p,message:$m,priority:$pr){id status}}";
const RESPOND: &str =
    "mutation($id:ID!,$a:Boolean!){respondToMeetingRequest(id:$id,accept:$a){status}}";
const SCHEDULE: &str = "mutation($e:ID!){scheduleEvent(eventId:$e){scheduled unscheduled totalScore unscheduledRequests{request{id} reason} event{status}}}";
const AGENDA: &str = "query($e:ID!){matchmakingEvent(id:$e){myAgenda{id startsAt endsAt table joinUrl pinned matchScore startsAtIn(timeZone:\"Asia/Jayapura\") city{name} organization{name}}}}";
const MOVE: &str = "mutation($id:ID!,$at:DateTime!,$t:Int){moveMeeting(id:$id,startsAt:$at,table:$t){id startsAt table pinned}}";

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s)
        .expect("time")
        .with_timezone(&Utc)
}

/// An event whose registration closes in 2 days, with two 1-hour sessions of 30-minute slots
/// on days 5 and 6, and 2 tables.
fn event_input(now: DateTime<Utc>) -> (Value, DateTime<Utc>, DateTime<Utc>) {
    let day5 = (now + Duration::days(5)).timestamp();
    let s0 = DateTime::from_timestamp(day5 - day5 % 3600, 0).expect("time");
    let s1 = s0 + Duration::days(1);
    let input = json!({
        "title": "Ambon Smart City Business Match Making",
        "description": "Dutch water and culture investors meet the mayors of Maluku.",
        "mode": "HYBRID",
        "venue": "Balai Kota Ambon",
        "timeZone": "Asia/Jayapura",
        "sessions": [
            {"startsAt": s0.to_rfc3339(), "endsAt": (s0 + Duration::hours(1)).to_rfc3339()},
            {"startsAt": s1.to_rfc3339(), "endsAt": (s1 + Duration::hours(1)).to_rfc3339()},
        ],
        "slotMinutes": 30,
        "tables": 2,
        "registrationDeadline": (now + Duration::days(2)).to_rfc3339(),
    });
    (input, s0, s1)
}

/// The lines of an iCalendar text, checked and unfolded as RFC 5545 section 3.1 says: every
/// line ends in CRLF, no line is longer than 75 octets, and a line starting with a space or a
/// tab continues the one before.
fn ics_lines(body: &str) -> Vec<String> {
    assert!(body.ends_with("\r\n"), "the last line ends in CRLF");
    let raw: Vec<&str> = body[..body.len() - 2].split("\r\n").collect();
    let mut out: Vec<String> = Vec::new();
    for l in raw {
        assert!(
            !l.contains('\n') && !l.contains('\r'),
            "bare line break in {l:?}"
        );
        assert!(l.len() <= 75, "line over 75 octets: {l:?}");
        if let Some(rest) = l.strip_prefix(' ').or_else(|| l.strip_prefix('\t')) {
            out.last_mut()
                .expect("a folded line follows another")
                .push_str(rest);
        } else {
            out.push(l.to_owned());
        }
    }
    out
}

/// The VEVENTs of a calendar, each as (name → value) with parameters dropped.
fn vevents(body: &str) -> Vec<std::collections::HashMap<String, String>> {
    let lines = ics_lines(body);
    assert_eq!(lines.first().map(String::as_str), Some("BEGIN:VCALENDAR"));
    assert_eq!(lines.last().map(String::as_str), Some("END:VCALENDAR"));
    assert!(lines.iter().any(|l| l == "VERSION:2.0"));
    assert!(lines.iter().any(|l| l.starts_with("PRODID:")));
    let mut out = Vec::new();
    let mut cur: Option<std::collections::HashMap<String, String>> = None;
    for l in lines {
        if l == "BEGIN:VEVENT" {
            cur = Some(Default::default());
        } else if l == "END:VEVENT" {
            out.push(cur.take().expect("an open VEVENT"));
        } else if let Some(ev) = cur.as_mut() {
            let (name, value) = l.split_once(':').expect("name:value");
            let name = name.split(';').next().unwrap_or(name);
            ev.insert(name.to_owned(), value.to_owned());
        }
    }
    out
}

/// A UTC DATE-TIME of RFC 5545 (form 2, `19980119T070000Z`).
fn ics_time(v: &str) -> DateTime<Utc> {
    chrono::NaiveDateTime::parse_from_str(v, "%Y%m%dT%H%M%SZ")
        .expect("a UTC date-time")
        .and_utc()
}

async fn feed(app: &TestApp, url: &str) -> (u16, String) {
    let r = app.http.get(url).send().await.expect("feed");
    let status = r.status().as_u16();
    if status == 200 {
        assert_eq!(
            r.headers()["content-type"].to_str().expect("type"),
            "text/calendar; charset=utf-8"
        );
    }
    (status, r.text().await.expect("body"))
}

/// The feed as Mozilla's ical.js (Thunderbird's parser) reads it: `tests/calendar-clients`,
/// installed from its lock file on first use.
async fn ical_js(url: &str) -> Vec<Value> {
    let dir = crate::helpers::node_package("calendar-clients", "ical.js");
    let out = tokio::process::Command::new("node")
        .arg("read.mjs")
        .arg(url)
        .current_dir(&dir)
        .output()
        .await
        .expect("node runs");
    assert!(
        out.status.success(),
        "ical.js could not read the feed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("ical.js output")
}

fn iso(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

struct Event {
    id: String,
    s0: DateTime<Utc>,
    s1: DateTime<Utc>,
    ambon: String,
    semarang: String,
    a: String,
    b: String,
    a_calendar: String,
    /// investor A → Ambon (about the project), accepted.
    req_a: String,
    /// Ambon → investor B, accepted.
    req_b: String,
    /// investor B → Semarang, accepted, but they share no session.
    req_c: String,
}

/// The world plus an OPEN event with Ambon (both sessions), Semarang (the first), investor A
/// (both) and investor B (the second) registered, and three accepted requests.
async fn event(app: &TestApp, w: &World) -> Event {
    let now = sinergi_domain::Clock::now(&*app.clock);
    let (input, s0, s1) = event_input(now);
    let d = app
        .ok(Some(&w.liaison_nl), CREATE, json!({"i": input}))
        .await;
    let eid = id(&d["createMatchmakingEvent"]["id"]);
    assert_eq!(d["createMatchmakingEvent"]["status"], "DRAFT");
    app.ok(Some(&w.liaison_nl), OPEN, json!({"id": eid})).await;
    let reg = |token: String, sessions: Value, max: i64| {
        let eid = eid.clone();
        async move {
            app.ok(
                Some(&token),
                REGISTER,
                json!({"e": eid, "i": {"availableSessions": sessions, "maxMeetings": max}}),
            )
            .await["registerForEvent"]
                .clone()
        }
    };
    let ambon = reg(w.official_ambon.clone(), json!([0, 1]), 3).await;
    assert_eq!(
        ambon["timeZone"], "Asia/Jayapura",
        "a city's own zone by default"
    );
    let semarang = reg(w.official_semarang.clone(), json!([0]), 3).await;
    let a = reg(w.investor_a.clone(), json!([0, 1]), 3).await;
    let b = reg(w.investor_b.clone(), json!([1]), 3).await;
    let (ambon, semarang) = (id(&ambon["id"]), id(&semarang["id"]));
    let a_calendar = a["calendarUrl"].as_str().expect("own calendar").to_owned();
    let (a, b) = (id(&a["id"]), id(&b["id"]));
    let req = |token: String, to: String, project: Option<String>| {
        let eid = eid.clone();
        async move {
            id(&app
                .ok(
                    Some(&token),
                    REQUEST,
                    json!({"e": eid, "to": to, "p": project, "m": "Let us talk about water.", "pr": 1}),
                )
                .await["requestMeeting"]["id"])
        }
    };
    let req_a = req(w.investor_a.clone(), ambon.clone(), Some(w.project.clone())).await;
    let req_b = req(w.official_ambon.clone(), b.clone(), None).await;
    let req_c = req(w.investor_b.clone(), semarang.clone(), None).await;
    for (token, r) in [
        (&w.official_ambon, &req_a),
        (&w.investor_b, &req_b),
        (&w.official_semarang, &req_c),
    ] {
        let d = app
            .ok(Some(token), RESPOND, json!({"id": r, "a": true}))
            .await;
        assert_eq!(d["respondToMeetingRequest"]["status"], "ACCEPTED");
    }
    Event {
        id: eid,
        s0,
        s1,
        ambon,
        semarang,
        a,
        b,
        a_calendar,
        req_a,
        req_b,
        req_c,
    }
}

#[tokio::test]
async fn an_embassy_event_runs_from_draft_to_agendas_calendars_outcomes_and_numbers() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    let now = sinergi_domain::Clock::now(&*app.clock);
    let show = "query($e:ID!){matchmakingEvent(id:$e){id status}}";

    // A draft is the organisers' alone.
    let (input, ..) = event_input(now);
    let d = app
        .ok(Some(&w.liaison_nl), CREATE, json!({"i": input}))
        .await;
    let draft = id(&d["createMatchmakingEvent"]["id"]);
    for token in [
        None,
        Some(w.investor_a.as_str()),
        Some(w.liaison_jp.as_str()),
    ] {
        let d = app.ok(token, show, json!({"e": draft})).await;
        assert_eq!(d["matchmakingEvent"], Value::Null);
    }
    let d = app.ok(Some(&w.liaison_nl), show, json!({"e": draft})).await;
    assert_eq!(d["matchmakingEvent"]["status"], "DRAFT");
    let r = app
        .gql(Some(&w.liaison_jp), OPEN, json!({"id": draft}))
        .await;
    assert_eq!(code(&r), "NOT_FOUND");
    // An unknown zone and an in-person event without a venue are refused by field.
    let (mut bad, ..) = event_input(now);
    bad["timeZone"] = json!("Asia/Atlantis");
    let r = app
        .gql(Some(&w.liaison_nl), CREATE, json!({"i": bad}))
        .await;
    assert_eq!(code(&r), "VALIDATION");
    assert_eq!(ext(&r)["field"], "input.timeZone");
    // Investors and cities do not organise.
    let (input, ..) = event_input(now);
    let r = app
        .gql(Some(&w.investor_a), CREATE, json!({"i": input}))
        .await;
    assert_eq!(code(&r), "FORBIDDEN");

    let e = event(&app, &w).await;
    let d = app.ok(None, show, json!({"e": e.id})).await;
    assert_eq!(
        d["matchmakingEvent"]["status"], "OPEN",
        "open events are public"
    );

    // Only VERIFIED organisations register.
    let r = app
        .gql(
            Some(&w.investor_pending),
            REGISTER,
            json!({"e": e.id, "i": {"availableSessions": [0], "maxMeetings": 2}}),
        )
        .await;
    assert_eq!(code(&r), "CONFLICT");
    assert_eq!(ext(&r)["reason"], "NOT_VERIFIED");
    let r = app
        .gql(
            Some(&w.investor_a),
            REGISTER,
            json!({"e": e.id, "i": {"availableSessions": [7], "maxMeetings": 2}}),
        )
        .await;
    assert_eq!(ext(&r)["field"], "input.availableSessions.0");
    // One open request per pair, whichever side asks.
    let r = app
        .gql(
            Some(&w.official_ambon),
            REQUEST,
            json!({"e": e.id, "to": e.a, "m": "Again?"}),
        )
        .await;
    assert_eq!(ext(&r)["reason"], "DUPLICATE");

    // Scheduling waits for registration to close.
    let r = app
        .gql(Some(&w.liaison_nl), SCHEDULE, json!({"e": e.id}))
        .await;
    assert_eq!(ext(&r)["reason"], "DEADLINE_NOT_PASSED");
    app.clock.advance(Duration::days(2) + Duration::minutes(1));
    let d = app
        .ok(Some(&w.liaison_nl), SCHEDULE, json!({"e": e.id}))
        .await;
    let run = &d["scheduleEvent"];
    assert_eq!(run["scheduled"], 2);
    assert_eq!(run["unscheduled"], 1);
    assert_eq!(run["event"]["status"], "SCHEDULED");
    assert_eq!(
        run["unscheduledRequests"],
        json!([{"request": {"id": e.req_c}, "reason": "NO_COMMON_SESSION"}])
    );
    assert!(run["totalScore"].as_f64().expect("score") > 0.0);

    // Investor A's agenda: one meeting, in a slot both attend, shown in Ambon's zone.
    let d = app
        .ok(Some(&w.investor_a), AGENDA, json!({"e": e.id}))
        .await;
    let agenda = d["matchmakingEvent"]["myAgenda"]
        .as_array()
        .expect("agenda")
        .clone();
    assert_eq!(agenda.len(), 1);
    let m = &agenda[0];
    assert_eq!(m["city"]["name"], "Ambon");
    let starts = t(m["startsAt"].as_str().expect("start"));
    assert_eq!(
        m["startsAtIn"],
        (starts + Duration::hours(9))
            .format("%Y-%m-%dT%H:%M:%S+09:00")
            .to_string()
    );
    assert_eq!(
        t(m["endsAt"].as_str().expect("end")) - starts,
        Duration::minutes(30)
    );
    assert!(
        m["joinUrl"]
            .as_str()
            .expect("hybrid link")
            .contains("/rooms/sinergi-")
    );
    assert!(m["matchScore"].as_f64().expect("score") > 0.0);
    let meeting_a = id(&m["id"]);
    // Ambon meets both investors, never two at once.
    let d = app
        .ok(Some(&w.official_ambon), AGENDA, json!({"e": e.id}))
        .await;
    let ambon_agenda = d["matchmakingEvent"]["myAgenda"]
        .as_array()
        .expect("a")
        .clone();
    assert_eq!(ambon_agenda.len(), 2);
    assert_ne!(ambon_agenda[0]["startsAt"], ambon_agenda[1]["startsAt"]);
    let meeting_b = ambon_agenda
        .iter()
        .find(|m| m["organization"]["name"] == "Polder Invest")
        .map(|m| id(&m["id"]))
        .expect("B's meeting");
    let b_start = ambon_agenda
        .iter()
        .find(|m| id(&m["id"]) == meeting_b)
        .map(|m| t(m["startsAt"].as_str().expect("s")))
        .expect("b start");
    assert!(b_start >= e.s1, "B attends only the second session");

    // The calendar feed: one VEVENT, UID the meeting, UTC times, SEQUENCE 0.
    let (status, body) = feed(&app, &e.a_calendar).await;
    assert_eq!(status, 200, "{body}");
    let evs = vevents(&body);
    assert_eq!(evs.len(), 1);
    assert_eq!(evs[0]["UID"], format!("{meeting_a}@sinergi"));
    assert_eq!(ics_time(&evs[0]["DTSTART"]), starts);
    assert_eq!(ics_time(&evs[0]["DTEND"]), starts + Duration::minutes(30));
    assert_eq!(evs[0]["SEQUENCE"], "0");
    assert_eq!(evs[0]["STATUS"], "CONFIRMED");
    assert!(evs[0]["SUMMARY"].contains("Ambon"));

    // The organiser moves A's meeting: it is pinned, the feed says so with a higher SEQUENCE.
    let target = if starts == e.s0 {
        e.s0 + Duration::minutes(30)
    } else {
        e.s0
    };
    let target = if target == b_start {
        e.s1 + Duration::minutes(30)
    } else {
        target
    };
    let target = if target == b_start { e.s1 } else { target };
    let d = app
        .ok(
            Some(&w.liaison_nl),
            MOVE,
            json!({"id": meeting_a, "at": target.to_rfc3339(), "t": 2}),
        )
        .await;
    assert_eq!(d["moveMeeting"]["pinned"], true);
    assert_eq!(d["moveMeeting"]["table"], 2);
    let (_, body) = feed(&app, &e.a_calendar).await;
    let evs = vevents(&body);
    assert_eq!(ics_time(&evs[0]["DTSTART"]), target);
    assert_eq!(evs[0]["SEQUENCE"], "1");
    // A real calendar client reads the same: the instant, the UID, the new sequence.
    let seen = ical_js(&e.a_calendar).await;
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0]["uid"], format!("{meeting_a}@sinergi"));
    assert_eq!(seen[0]["start"], iso(target));
    assert_eq!(seen[0]["end"], iso(target + Duration::minutes(30)));
    assert_eq!(seen[0]["startIsUtc"], true);
    assert_eq!(seen[0]["sequence"], 1);
    assert_eq!(seen[0]["status"], "CONFIRMED");
    assert!(
        seen[0]["location"]
            .as_str()
            .expect("location")
            .contains("table 2")
    );
    // Conflicts are refused with a reason: Ambon is busy then; no slot starts at an odd time;
    // B does not attend the first session.
    let r = app
        .gql(
            Some(&w.liaison_nl),
            MOVE,
            json!({"id": meeting_b, "at": target.to_rfc3339()}),
        )
        .await;
    let busy = if target >= e.s1 {
        "PARTICIPANT_BUSY"
    } else {
        "OUTSIDE_SESSIONS"
    };
    assert_eq!(ext(&r)["reason"], busy, "{r}");
    let r = app
        .gql(
            Some(&w.liaison_nl),
            MOVE,
            json!({"id": meeting_b, "at": (e.s1 + Duration::minutes(10)).to_rfc3339()}),
        )
        .await;
    assert_eq!(ext(&r)["reason"], "OUTSIDE_SESSIONS");
    let r = app
        .gql(
            Some(&w.liaison_nl),
            MOVE,
            json!({"id": meeting_b, "at": e.s0.to_rfc3339()}),
        )
        .await;
    assert_eq!(ext(&r)["reason"], "OUTSIDE_SESSIONS");
    // Scheduling again keeps the pinned meeting where it was put.
    app.ok(Some(&w.liaison_nl), SCHEDULE, json!({"e": e.id}))
        .await;
    let d = app
        .ok(Some(&w.investor_a), AGENDA, json!({"e": e.id}))
        .await;
    let m = &d["matchmakingEvent"]["myAgenda"][0];
    assert_eq!(t(m["startsAt"].as_str().expect("s")), target);
    assert_eq!(m["pinned"], true);
    assert_eq!(m["table"], 2);

    // Outcomes once the meeting has started; a follow-up and a proposal after it count.
    let outcome = "mutation($id:ID!){recordMeetingOutcome(id:$id,outcome:FOLLOW_UP){myOutcome}}";
    let r = app
        .gql(Some(&w.investor_a), outcome, json!({"id": meeting_a}))
        .await;
    assert_eq!(ext(&r)["reason"], "MEETING_NOT_STARTED");
    app.clock.advance_past(target);
    let d = app
        .ok(Some(&w.investor_a), outcome, json!({"id": meeting_a}))
        .await;
    assert_eq!(d["recordMeetingOutcome"]["myOutcome"], "FOLLOW_UP");
    let r = app
        .gql(Some(&w.investor_b), outcome, json!({"id": meeting_a}))
        .await;
    assert_eq!(code(&r), "NOT_FOUND", "a competitor cannot touch it");
    w.bid(&app, &w.investor_a, "1000000").await;
    let stats = "query($e:ID!){matchmakingEvent(id:$e){stats{cities investors requestsPending requestsAccepted requestsDeclined meetingsScheduled followUps proposalsAfterMeetings}}}";
    let d = app.ok(Some(&w.liaison_nl), stats, json!({"e": e.id})).await;
    assert_eq!(
        d["matchmakingEvent"]["stats"],
        json!({"cities": 2, "investors": 2, "requestsPending": 0, "requestsAccepted": 3,
               "requestsDeclined": 0, "meetingsScheduled": 2, "followUps": 1, "proposalsAfterMeetings": 1})
    );
    let d = app.ok(Some(&w.investor_a), stats, json!({"e": e.id})).await;
    assert_eq!(d["matchmakingEvent"]["stats"], Value::Null);

    // Closing waits for the last session to end.
    let close = "mutation($id:ID!){closeMatchmakingEvent(id:$id){status}}";
    let r = app
        .gql(Some(&w.liaison_nl), close, json!({"id": e.id}))
        .await;
    assert_eq!(ext(&r)["reason"], "EVENT_NOT_OVER");
    app.clock.advance_past(e.s1 + Duration::hours(1));
    let d = app
        .ok(Some(&w.liaison_nl), close, json!({"id": e.id}))
        .await;
    assert_eq!(d["closeMatchmakingEvent"]["status"], "CLOSED");

    // Every step is in the audit chain, and the chain holds.
    let v = sinergi_services::audit::verify(&app.db)
        .await
        .expect("verify");
    assert!(
        matches!(v, sinergi_services::audit::Verification::Intact { .. }),
        "{v:?}"
    );
    let audit = "query($id:ID!){auditEvents(entityId:$id,first:100){edges{node{action}}}}";
    for (entity, wanted) in [
        (
            &e.id,
            &[
                "event.created",
                "event.opened",
                "event.scheduled",
                "event.closed",
            ][..],
        ),
        (&e.a, &["event.registered"][..]),
        (
            &e.req_a,
            &["meeting_request.created", "meeting_request.accepted"][..],
        ),
        (
            &meeting_a,
            &["meeting.moved", "meeting.outcome_recorded"][..],
        ),
    ] {
        let d = app.ok(Some(&w.admin), audit, json!({"id": entity})).await;
        let actions: Vec<String> = d["auditEvents"]["edges"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| e["node"]["action"].as_str().unwrap_or("").to_owned())
            .collect();
        for a in wanted {
            assert!(
                actions.iter().any(|x| x == a),
                "{a} missing from {actions:?}"
            );
        }
    }
    let _ = (e.semarang, e.b, e.req_b);
    app.stop().await;
}

#[tokio::test]
async fn who_meets_whom_stays_with_the_two_sides_the_organisers_and_the_investors_liaison() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    let e = event(&app, &w).await;
    app.clock.advance(Duration::days(2) + Duration::minutes(1));
    app.ok(Some(&w.liaison_nl), SCHEDULE, json!({"e": e.id}))
        .await;
    let d = app
        .ok(Some(&w.investor_a), AGENDA, json!({"e": e.id}))
        .await;
    let meeting_a = id(&d["matchmakingEvent"]["myAgenda"][0]["id"]);

    // The directory: registered participants and organisers see it, nobody else.
    let dir = "query($e:ID!){matchmakingEvent(id:$e){participants{totalCount edges{node{id kind calendarUrl}}}}}";
    for token in [
        None,
        Some(w.liaison_jp.as_str()),
        Some(w.investor_pending.as_str()),
    ] {
        let d = app.ok(token, dir, json!({"e": e.id})).await;
        assert_eq!(d["matchmakingEvent"]["participants"]["totalCount"], 0);
    }
    let d = app.ok(Some(&w.investor_b), dir, json!({"e": e.id})).await;
    let nodes = d["matchmakingEvent"]["participants"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    assert_eq!(nodes.len(), 4);
    for n in &nodes {
        let own = n["node"]["id"] == json!(e.b);
        assert_eq!(
            n["node"]["calendarUrl"].is_string(),
            own,
            "only one's own feed: {n}"
        );
    }

    // Every meeting: organisers and admins only.
    let all = "query($e:ID!){matchmakingEvent(id:$e){meetings{totalCount edges{node{id}}}}}";
    for token in [&w.liaison_nl, &w.admin] {
        let d = app.ok(Some(token), all, json!({"e": e.id})).await;
        assert_eq!(d["matchmakingEvent"]["meetings"]["totalCount"], 2);
    }
    for token in [
        None,
        Some(w.investor_a.as_str()),
        Some(w.official_ambon.as_str()),
        Some(w.liaison_jp.as_str()),
    ] {
        let r = app.gql(token, all, json!({"e": e.id})).await;
        assert_eq!(code(&r), "FORBIDDEN", "{r}");
        assert_eq!(r["data"]["matchmakingEvent"], Value::Null, "{r}");
    }

    // A competing investor, another city, another embassy and the public learn nothing of
    // investor A's meeting or request.
    let mine = "query($e:ID!){matchmakingEvent(id:$e){myAgenda{id}} out:meetingRequests(eventId:$e,direction:OUTGOING){edges{node{id}}} in:meetingRequests(eventId:$e){edges{node{id}}}}";
    for token in [
        None,
        Some(w.investor_b.as_str()),
        Some(w.official_semarang.as_str()),
        Some(w.liaison_jp.as_str()),
    ] {
        let d = app.ok(token, mine, json!({"e": e.id})).await;
        let text = d.to_string();
        assert!(
            !text.contains(&meeting_a),
            "{token:?} sees A's meeting: {text}"
        );
        assert!(
            !text.contains(&e.req_a),
            "{token:?} sees A's request: {text}"
        );
        for (m, q) in [
            (
                "mutation($id:ID!){cancelMeeting(id:$id,reason:\"x\"){id}}",
                meeting_a.as_str(),
            ),
            (
                "mutation($id:ID!){moveMeeting(id:$id,startsAt:\"2030-01-01T00:00:00Z\"){id}}",
                meeting_a.as_str(),
            ),
            (
                "mutation($id:ID!){respondToMeetingRequest(id:$id,accept:false){id}}",
                e.req_a.as_str(),
            ),
            (
                "mutation($id:ID!){withdrawMeetingRequest(id:$id){id}}",
                e.req_a.as_str(),
            ),
        ] {
            let r = app.gql(token, m, json!({"id": q})).await;
            let c = code(&r);
            if token.is_none() {
                assert_eq!(c, "UNAUTHENTICATED");
            } else {
                assert_eq!(c, "NOT_FOUND", "{token:?} {m}: {r}");
            }
        }
    }
    // The investor's own embassy sees its investors' requests and meetings (NL organises here,
    // so the JP liaison above is the outsider; an admin event shows the liaison rule alone).
    let d = app.ok(Some(&w.liaison_nl), mine, json!({"e": e.id})).await;
    assert!(d.to_string().contains(&meeting_a));
    assert!(d.to_string().contains(&e.req_a));

    // The two sides: Ambon (the city) may cancel, but only organisers move; the requester does
    // not answer its own request.
    let r = app
        .gql(
            Some(&w.official_ambon),
            "mutation($id:ID!){moveMeeting(id:$id,startsAt:\"2030-01-01T00:00:00Z\"){id}}",
            json!({"id": meeting_a}),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    let r = app
        .gql(
            Some(&w.investor_a),
            "mutation($id:ID!){respondToMeetingRequest(id:$id,accept:true){id}}",
            json!({"id": e.req_a}),
        )
        .await;
    assert_eq!(code(&r), "FORBIDDEN");

    // A feed with a token that is not one answers 404, as a withdrawn one would.
    let wrong = format!("{}/calendar/{}.ics", app.url(""), "0".repeat(64));
    assert_eq!(feed(&app, &wrong).await.0, 404);
    assert_eq!(feed(&app, &app.url("/calendar/abc.ics")).await.0, 404);

    // Cancelling: the city side may; the feed then says CANCELLED with a higher SEQUENCE.
    app.ok(
        Some(&w.official_ambon),
        "mutation($id:ID!){cancelMeeting(id:$id,reason:\"The mayor is travelling\"){status}}",
        json!({"id": meeting_a}),
    )
    .await;
    let (_, body) = feed(&app, &e.a_calendar).await;
    let evs = vevents(&body);
    assert_eq!(evs[0]["STATUS"], "CANCELLED");
    assert_eq!(evs[0]["SEQUENCE"], "1");
    let seen = ical_js(&e.a_calendar).await;
    assert_eq!(seen[0]["status"], "CANCELLED");
    assert_eq!(seen[0]["sequence"], 1);
    let _ = (e.ambon, e.semarang, e.req_b, e.req_c);
    app.stop().await;
}

#[tokio::test]
async fn a_platform_event_shows_a_liaison_their_own_investors_meetings_only() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    let now = sinergi_domain::Clock::now(&*app.clock);
    let (input, ..) = event_input(now);
    let d = app.ok(Some(&w.admin), CREATE, json!({"i": input})).await;
    assert_eq!(d["createMatchmakingEvent"]["organizer"], Value::Null);
    let eid = id(&d["createMatchmakingEvent"]["id"]);
    app.ok(Some(&w.admin), OPEN, json!({"id": eid})).await;
    let mut ids = Vec::new();
    for token in [&w.official_ambon, &w.investor_a] {
        let d = app
            .ok(
                Some(token),
                REGISTER,
                json!({"e": eid, "i": {"availableSessions": [0, 1], "maxMeetings": 2, "timeZone": "Europe/Amsterdam"}}),
            )
            .await;
        assert_eq!(d["registerForEvent"]["timeZone"], "Europe/Amsterdam");
        ids.push(id(&d["registerForEvent"]["id"]));
    }
    let d = app
        .ok(
            Some(&w.investor_a),
            REQUEST,
            json!({"e": eid, "to": ids[0], "m": "Water?"}),
        )
        .await;
    let req = id(&d["requestMeeting"]["id"]);
    let reqs = "query($e:ID!){meetingRequests(eventId:$e,direction:OUTGOING){totalCount edges{node{id from{organization{name}}}}}}";
    let d = app.ok(Some(&w.liaison_nl), reqs, json!({"e": eid})).await;
    assert_eq!(d["meetingRequests"]["edges"][0]["node"]["id"], json!(req));
    let d = app.ok(Some(&w.liaison_jp), reqs, json!({"e": eid})).await;
    assert_eq!(d["meetingRequests"]["totalCount"], 0);
    // Neither liaison organises a platform event.
    let r = app
        .gql(Some(&w.liaison_nl), SCHEDULE, json!({"e": eid}))
        .await;
    assert_eq!(code(&r), "FORBIDDEN");
    // Suggestions: investor A is already asking Ambon, so Ambon is not suggested again.
    let sug = "query($e:ID!){matchmakingEvent(id:$e){suggestedMeetings{participant{id} score reasons project{id}}}}";
    let d = app.ok(Some(&w.investor_a), sug, json!({"e": eid})).await;
    assert_eq!(d["matchmakingEvent"]["suggestedMeetings"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn an_investor_is_suggested_the_city_whose_open_project_fits_it_best_with_reasons() {
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    let now = sinergi_domain::Clock::now(&*app.clock);
    let (input, ..) = event_input(now);
    let d = app
        .ok(Some(&w.liaison_nl), CREATE, json!({"i": input}))
        .await;
    let eid = id(&d["createMatchmakingEvent"]["id"]);
    app.ok(Some(&w.liaison_nl), OPEN, json!({"id": eid})).await;
    for token in [&w.official_ambon, &w.official_semarang, &w.investor_a] {
        app.ok(
            Some(token),
            REGISTER,
            json!({"e": eid, "i": {"availableSessions": [0], "maxMeetings": 2}}),
        )
        .await;
    }
    let sug = "query($e:ID!){matchmakingEvent(id:$e){suggestedMeetings{participant{city{name}} score reasons project{id}}}}";
    let d = app.ok(Some(&w.investor_a), sug, json!({"e": eid})).await;
    let list = d["matchmakingEvent"]["suggestedMeetings"]
        .as_array()
        .expect("list")
        .clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["participant"]["city"]["name"], "Ambon");
    assert_eq!(list[0]["project"]["id"], json!(w.project));
    assert!(list[0]["score"].as_f64() >= list[1]["score"].as_f64());
    assert!(
        list[0]["reasons"][0]
            .as_str()
            .expect("reason")
            .contains("City of Music hub")
    );
    // Semarang has no open project (nor a masterplan): no project, and it says so.
    assert_eq!(list[1]["project"], Value::Null);
    assert!(
        list[1]["reasons"][0]
            .as_str()
            .expect("r")
            .contains("no open project")
    );
    // A city sees investors; nobody unregistered sees any.
    let d = app.ok(Some(&w.official_ambon), "query($e:ID!){matchmakingEvent(id:$e){suggestedMeetings{participant{organization{name}} score}}}", json!({"e": eid})).await;
    assert_eq!(
        d["matchmakingEvent"]["suggestedMeetings"][0]["participant"]["organization"]["name"],
        "Delta Water"
    );
    let d = app.ok(Some(&w.investor_b), sug, json!({"e": eid})).await;
    assert_eq!(d["matchmakingEvent"]["suggestedMeetings"], json!([]));
    app.stop().await;
}

#[tokio::test]
async fn the_demo_holds_an_upcoming_ambon_event_with_requests_and_a_past_one_with_outcomes() {
    let app = TestApp::spawn_demo().await;
    let list = "{matchmakingEvents{totalCount edges{node{id title status organizer{country}}}}}";
    let d = app.ok(None, list, json!({})).await;
    assert_eq!(d["matchmakingEvents"]["totalCount"], 2);
    let events = d["matchmakingEvents"]["edges"]
        .as_array()
        .expect("edges")
        .clone();
    let find = |status: &str| {
        events
            .iter()
            .find(|e| e["node"]["status"] == status)
            .map(|e| id(&e["node"]["id"]))
            .expect(status)
    };
    let (upcoming, past) = (find("OPEN"), find("CLOSED"));
    // The mayor of Ambon has requests waiting, and Delta Water's accepted one.
    let mayor = app.login("walikota@ambon.demo", "ambon-city-demo").await;
    let d = app
        .ok(
            Some(&mayor),
            "query($e:ID!){meetingRequests(eventId:$e){edges{node{status from{organization{name}} project{title}}}}}",
            json!({"e": upcoming}),
        )
        .await;
    let reqs = d["meetingRequests"]["edges"]
        .as_array()
        .expect("reqs")
        .clone();
    assert_eq!(reqs.len(), 2, "{d}");
    assert!(reqs.iter().any(|r| r["node"]["status"] == "ACCEPTED"));
    assert!(reqs.iter().any(|r| r["node"]["status"] == "PENDING"));
    // The Japanese embassy's past event: held, with a follow-up among its outcomes.
    let liaison = app
        .login("liaison@jp-embassy.demo", "embassy-jp-demo")
        .await;
    let d = app
        .ok(
            Some(&liaison),
            "query($e:ID!){matchmakingEvent(id:$e){stats{meetingsScheduled followUps requestsAccepted}}}",
            json!({"e": past}),
        )
        .await;
    assert_eq!(
        d["matchmakingEvent"]["stats"],
        json!({"meetingsScheduled": 2, "followUps": 1, "requestsAccepted": 2})
    );
    // A participant's calendar feed opens on this server.
    let investor = app
        .login("investor@deltawater.demo", "investor-nl-demo")
        .await;
    let d = app
        .ok(
            Some(&investor),
            "query($e:ID!){matchmakingEvent(id:$e){myParticipation{calendarUrl}}}",
            json!({"e": upcoming}),
        )
        .await;
    let url = d["matchmakingEvent"]["myParticipation"]["calendarUrl"]
        .as_str()
        .expect("url")
        .to_owned();
    let (status, body) = feed(&app, &url).await;
    assert_eq!(status, 200);
    assert!(vevents(&body).is_empty(), "nothing scheduled yet");
    app.stop().await;
}

#[tokio::test]
async fn registration_closes_at_its_deadline_and_a_withdrawn_side_takes_its_pending_requests_along()
{
    let app = TestApp::spawn().await;
    let w = World::build(&app, Duration::days(30)).await;
    let now = sinergi_domain::Clock::now(&*app.clock);
    let (input, s0, _) = event_input(now);
    let d = app
        .ok(Some(&w.liaison_nl), CREATE, json!({"i": input}))
        .await;
    let eid = id(&d["createMatchmakingEvent"]["id"]);
    // Organisers change a draft; a virtual event needs no venue and gives rooms.
    let (mut changed, ..) = event_input(now);
    changed["mode"] = json!("VIRTUAL");
    changed["venue"] = Value::Null;
    changed["tables"] = json!(4);
    let update = "mutation($id:ID!,$i:MatchmakingEventInput!){updateMatchmakingEvent(id:$id,input:$i){mode tables venue}}";
    let r = app
        .gql(
            Some(&w.liaison_jp),
            update,
            json!({"id": eid, "i": changed}),
        )
        .await;
    assert_eq!(code(&r), "NOT_FOUND", "another embassy's draft");
    let d = app
        .ok(
            Some(&w.liaison_nl),
            update,
            json!({"id": eid, "i": changed}),
        )
        .await;
    assert_eq!(
        d["updateMatchmakingEvent"],
        json!({"mode": "VIRTUAL", "tables": 4, "venue": null})
    );
    // Nobody registers for a draft.
    let reg = json!({"e": eid, "i": {"availableSessions": [0], "maxMeetings": 2}});
    let r = app.gql(Some(&w.investor_a), REGISTER, reg.clone()).await;
    assert_eq!(code(&r), "NOT_FOUND");
    app.ok(Some(&w.liaison_nl), OPEN, json!({"id": eid})).await;
    let d = app.ok(Some(&w.official_ambon), REGISTER, reg.clone()).await;
    let ambon = id(&d["registerForEvent"]["id"]);
    app.ok(Some(&w.investor_a), REGISTER, reg.clone()).await;
    // Registering again updates the one registration.
    let again = json!({"e": eid, "i": {"availableSessions": [0, 1], "maxMeetings": 5, "timeZone": "Asia/Tokyo"}});
    let d = app.ok(Some(&w.investor_a), REGISTER, again).await;
    assert_eq!(d["registerForEvent"]["timeZone"], "Asia/Tokyo");
    let d = app
        .ok(
            Some(&w.investor_a),
            "query($e:ID!){matchmakingEvent(id:$e){participants{totalCount}}}",
            json!({"e": eid}),
        )
        .await;
    assert_eq!(d["matchmakingEvent"]["participants"]["totalCount"], 2);
    let d = app
        .ok(
            Some(&w.investor_a),
            REQUEST,
            json!({"e": eid, "to": ambon, "m": "Hello"}),
        )
        .await;
    let req = id(&d["requestMeeting"]["id"]);
    // Withdrawing takes the side out of the directory and its pending requests with it.
    let d = app
        .ok(
            Some(&w.investor_a),
            "mutation($e:ID!){withdrawFromEvent(eventId:$e)}",
            json!({"e": eid}),
        )
        .await;
    assert_eq!(d["withdrawFromEvent"], true);
    let d = app
        .ok(
            Some(&w.official_ambon),
            "query($e:ID!){matchmakingEvent(id:$e){participants{totalCount}} meetingRequests(eventId:$e){edges{node{id status}}}}",
            json!({"e": eid}),
        )
        .await;
    assert_eq!(d["matchmakingEvent"]["participants"]["totalCount"], 1);
    assert_eq!(
        d["meetingRequests"]["edges"],
        json!([{"node": {"id": req, "status": "WITHDRAWN"}}])
    );
    // Registration closes at the deadline.
    app.clock.advance(Duration::days(2) + Duration::minutes(1));
    let r = app.gql(Some(&w.investor_b), REGISTER, reg.clone()).await;
    assert_eq!(ext(&r)["reason"], "REGISTRATION_CLOSED");
    // Scheduling stops once the first session has started.
    app.clock.advance_past(s0);
    let r = app
        .gql(Some(&w.liaison_nl), SCHEDULE, json!({"e": eid}))
        .await;
    assert_eq!(ext(&r)["reason"], "SESSIONS_STARTED");
    app.stop().await;
}
