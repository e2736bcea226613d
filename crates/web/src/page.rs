//! The page frame: escaping, the layout every page shares, and its headers.

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

use crate::{
    assets,
    i18n::{Lang, t, tf},
};

/// Text made safe for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Percent-encodes a query value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Who the page is for.
pub struct Frame<'a> {
    pub lang: Lang,
    /// The path and query of this page, for the language switch.
    pub here: &'a str,
    /// The signed-in person's name.
    pub user: Option<&'a str>,
    /// The signed-in person's role: which of the work pages the navigation offers.
    pub role: Option<&'a str>,
    /// Unread notifications of the signed-in person.
    pub unread: i64,
    /// The CSRF token for the sign-out form.
    pub csrf: &'a str,
}

/// A whole page: header (brand, navigation, language switch, session), main, footer.
pub fn layout(f: &Frame<'_>, title: &str, main: &str) -> String {
    let l = f.lang;
    let other = l.other();
    let sep = if f.here.contains('?') { '&' } else { '?' };
    let switch = format!(
        "<a href=\"{}{sep}lang={}\" hreflang=\"{}\" lang=\"{}\">{}</a>",
        esc(&strip_lang(f.here)),
        other.tag(),
        other.tag(),
        other.tag(),
        esc(&t(l, "lang.switch"))
    );
    let session = match f.user {
        Some(name) => format!(
            "<span>{}</span><form method=\"post\" action=\"/signout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\"><button type=\"submit\" class=\"link\">{}</button></form>",
            esc(&tf(l, "nav.signed_in_as", &[("name", name)])),
            esc(f.csrf),
            esc(&t(l, "nav.signout"))
        ),
        None => format!("<a href=\"/signin\">{}</a>", esc(&t(l, "nav.signin"))),
    };
    format!(
        "<!doctype html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>{title} · Sinergi</title><meta name=\"description\" content=\"{tagline}\">\
<link rel=\"icon\" href=\"{icon}\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"{css}\"><script type=\"module\" src=\"{js}\"></script></head><body>\
<a class=\"skip\" href=\"#main\">{skip}</a>\
<header><div class=\"bar\"><a class=\"brand\" href=\"/\">Sinergi</a>\
<nav aria-label=\"{nav_label}\"><a href=\"/\">{projects}</a><a href=\"/cities\">{cities}</a><a href=\"/events\">{events}</a>{work}</nav>\
<div class=\"session\">{switch}{session}</div></div></header>\
<main id=\"main\">{main}</main>\
<footer><p>{tagline}</p></footer></body></html>",
        lang = l.tag(),
        title = esc(title),
        tagline = esc(&t(l, "brand.tagline")),
        css = assets::url("site.css"),
        icon = assets::url("icon.svg"),
        js = assets::url("site.js"),
        skip = esc(&t(l, "skip")),
        nav_label = esc(&t(l, "nav.catalogue")),
        projects = esc(&t(l, "nav.catalogue")),
        cities = esc(&t(l, "nav.cities")),
        events = esc(&t(l, "nav.events")),
        work = work_links(l, f.role, f.unread),
    )
}

/// The navigation to a role's own pages.
fn work_links(l: Lang, role: Option<&str>, unread: i64) -> String {
    let links: &[(&str, &str)] = match role {
        Some("INVESTOR") => &[
            ("/recommended", "nav.recommended"),
            ("/proposals", "nav.proposals"),
        ],
        Some("CITY_OFFICIAL") => &[("/city", "nav.city")],
        Some("EMBASSY_LIAISON") => &[("/embassy", "nav.embassy")],
        _ => &[],
    };
    let mut out: String = links
        .iter()
        .map(|(href, key)| format!("<a href=\"{href}\">{}</a>", esc(&t(l, key))))
        .collect();
    if role.is_some() {
        let label = if unread > 0 {
            tf(l, "nav.inbox_unread", &[("n", &unread.to_string())])
        } else {
            t(l, "nav.inbox")
        };
        out.push_str(&format!("<a href=\"/notifications\">{}</a>", esc(&label)));
    }
    out
}

/// The path and query without a `lang` parameter.
fn strip_lang(here: &str) -> String {
    let Some((path, query)) = here.split_once('?') else {
        return here.to_owned();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|p| !p.starts_with("lang=") && !p.is_empty())
        .collect();
    if kept.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{}", kept.join("&"))
    }
}

/// The headers every page carries: no third-party origin, no framing, no sniffing.
pub fn html(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::VARY,
        HeaderValue::from_static("Cookie, Accept-Language"),
    );
    r
}
