//! What the signed-in pages share: form fields, controls that show the API's error beside the
//! field it names, the CSRF check of every POST, and who may open a page.

use std::cell::Cell;
use std::net::SocketAddr;

use axum::{
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Redirect, Response},
};

use crate::{
    ApiProblem, Visit, Web, csrf_refused,
    i18n::{Lang, t},
    page::{enc, esc},
    session, visit,
};

/// A form's or a query's pairs, repeated keys (checkboxes) kept in order.
#[derive(Debug, Default, Clone, serde::Deserialize)]
#[serde(transparent)]
pub struct Fields(pub Vec<(String, String)>);

impl Fields {
    /// The first value of `k`, trimmed; empty when absent.
    pub fn get(&self, k: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default()
    }

    /// The first value of `k` unless it is empty.
    pub fn opt(&self, k: &str) -> Option<String> {
        Some(self.get(k)).filter(|v| !v.is_empty())
    }

    /// Every non-empty value of `k`.
    pub fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, v)| n == k && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// A problem found before asking the API (a number that is not one), shaped like the API's.
pub fn local(field: &str, message: &str) -> ApiProblem {
    ApiProblem {
        code: "VALIDATION".into(),
        field: Some(field.into()),
        reason: None,
        message: message.into(),
    }
}

/// Parses a number a form sent, or says which field is not one.
pub fn number<T: std::str::FromStr>(
    lang: Lang,
    f: &Fields,
    k: &str,
    api: &str,
) -> Result<T, ApiProblem> {
    f.get(k)
        .replace(',', ".")
        .parse()
        .map_err(|_| local(api, &t(lang, "form.not_a_number")))
}

/// The error of one form, shown beside the control whose API field it names, or above the
/// form when no control claims it.
pub struct Errs<'a> {
    lang: Lang,
    problem: Option<&'a ApiProblem>,
    claimed: Cell<bool>,
}

impl<'a> Errs<'a> {
    pub fn new(lang: Lang, problem: Option<&'a ApiProblem>) -> Self {
        Self {
            lang,
            problem,
            claimed: Cell::new(false),
        }
    }

    /// The error for the control `id` of API field `api` (the field itself or one inside it).
    fn of(&self, api: &str) -> Option<String> {
        let p = self.problem?;
        let f = p.field.as_deref()?;
        if api.is_empty() || !(f == api || f.starts_with(&format!("{api}."))) {
            return None;
        }
        self.claimed.set(true);
        Some(p.sentence(self.lang))
    }

    /// The error no control claimed, for above the form: call after rendering the controls.
    pub fn rest(&self) -> String {
        match self.problem {
            Some(p) if !self.claimed.get() => format!(
                "<p class=\"error\" role=\"alert\">{}</p>",
                esc(&crate::error_line(self.lang, p))
            ),
            _ => String::new(),
        }
    }

    /// The error of a field with no control of its own (the weights' sum), unless a control
    /// already showed it.
    pub fn note(&self, api: &str) -> String {
        if self.claimed.get() {
            return String::new();
        }
        match self.of(api) {
            Some(e) => format!("<p class=\"error\" role=\"alert\">{}</p>", esc(&e)),
            None => String::new(),
        }
    }

    /// The `aria-*` attributes and the paragraphs after a control.
    fn around(&self, id: &str, api: &str, hint: Option<&str>) -> (String, String) {
        let mut ids = Vec::new();
        let mut after = String::new();
        if let Some(h) = hint {
            ids.push(format!("{id}-hint"));
            after.push_str(&format!(
                "<p class=\"hint\" id=\"{id}-hint\">{}</p>",
                esc(h)
            ));
        }
        let mut attrs = String::new();
        if let Some(e) = self.of(api) {
            ids.push(format!("{id}-error"));
            after.push_str(&format!(
                "<p class=\"error\" id=\"{id}-error\" role=\"alert\">{}</p>",
                esc(&e)
            ));
            attrs.push_str(" aria-invalid=\"true\"");
        }
        if !ids.is_empty() {
            attrs.push_str(&format!(" aria-describedby=\"{}\"", ids.join(" ")));
        }
        (attrs, after)
    }

    /// A labelled `<input>`; `extra` holds further attributes (`required`, `min`…).
    #[allow(clippy::too_many_arguments)] // one per part of the control, all named at the call
    pub fn input(
        &self,
        id: &str,
        api: &str,
        label: &str,
        kind: &str,
        value: &str,
        extra: &str,
        hint: Option<&str>,
    ) -> String {
        let (attrs, after) = self.around(id, api, hint);
        format!(
            "<div class=\"field\"><label for=\"{id}\">{}</label><input type=\"{kind}\" id=\"{id}\" name=\"{id}\" value=\"{}\"{extra}{attrs}>{after}</div>",
            esc(label),
            esc(value)
        )
    }

    /// A labelled `<textarea>`.
    pub fn textarea(&self, id: &str, api: &str, label: &str, value: &str, extra: &str) -> String {
        let (attrs, after) = self.around(id, api, None);
        format!(
            "<div class=\"field\"><label for=\"{id}\">{}</label><textarea id=\"{id}\" name=\"{id}\" rows=\"5\"{extra}{attrs}>{}</textarea>{after}</div>",
            esc(label),
            esc(value)
        )
    }

    /// A labelled `<select>` of (value, label) options.
    pub fn select(
        &self,
        id: &str,
        api: &str,
        label: &str,
        options: &[(String, String)],
        chosen: &str,
    ) -> String {
        let (attrs, after) = self.around(id, api, None);
        let opts: String = options
            .iter()
            .map(|(v, l)| {
                format!(
                    "<option value=\"{}\"{}>{}</option>",
                    esc(v),
                    if v == chosen { " selected" } else { "" },
                    esc(l)
                )
            })
            .collect();
        format!(
            "<div class=\"field\"><label for=\"{id}\">{}</label><select id=\"{id}\" name=\"{id}\"{attrs}>{opts}</select>{after}</div>",
            esc(label)
        )
    }

    /// A fieldset of checkboxes named `name`.
    pub fn checks(
        &self,
        name: &str,
        api: &str,
        legend: &str,
        options: &[(String, String)],
        chosen: &[String],
    ) -> String {
        let (attrs, after) = self.around(name, api, None);
        let boxes: String = options
            .iter()
            .enumerate()
            .map(|(i, (v, l))| {
                format!(
                    "<label for=\"{name}-{i}\"><input type=\"checkbox\" id=\"{name}-{i}\" name=\"{name}\" value=\"{}\"{}> {}</label>",
                    esc(v),
                    if chosen.contains(v) { " checked" } else { "" },
                    esc(l)
                )
            })
            .collect();
        format!(
            "<fieldset class=\"facet\" id=\"{name}\"{attrs}><legend>{}</legend>{boxes}{after}</fieldset>",
            esc(legend)
        )
    }
}

/// The (value, label) options of an enum, labelled from the catalogue under `prefix`.
pub fn options<S: AsRef<str>>(
    lang: Lang,
    prefix: &str,
    values: impl IntoIterator<Item = S>,
) -> Vec<(String, String)> {
    values
        .into_iter()
        .map(|v| {
            let v = v.as_ref();
            (v.to_owned(), t(lang, &format!("{prefix}.{v}")))
        })
        .collect()
}

/// The masterplan's dimensions, in the enum's order, by their API names.
pub fn dimensions() -> impl Iterator<Item = &'static str> {
    sinergi_domain::Dimension::ALL.iter().map(|d| d.as_str())
}

/// The sectors, by their API names.
pub fn sectors() -> impl Iterator<Item = &'static str> {
    sinergi_domain::Sector::ALL.iter().map(|s| s.as_str())
}

/// The financing models, by their API names.
pub fn financing_models() -> impl Iterator<Item = &'static str> {
    sinergi_domain::FinancingModel::ALL
        .iter()
        .map(|f| f.as_str())
}

/// The visit of a POST, its CSRF token checked (403 otherwise).
pub async fn posted(
    web: &Web,
    headers: &HeaderMap,
    addr: SocketAddr,
    here: String,
    f: &Fields,
) -> Result<Visit, Response> {
    let v = visit(web, headers, addr, here).await;
    if session::csrf_ok(
        &web.state.cursor_key,
        session::cookie(headers, session::CSRF),
        &f.get("csrf"),
    ) {
        Ok(v)
    } else {
        Err(csrf_refused(&v))
    }
}

impl Visit {
    /// None when the caller has one of `roles`; else where to go: sign in first, or a page
    /// saying this is not theirs.
    pub fn refuse_unless(&self, roles: &[&str]) -> Option<Response> {
        match self.role.as_deref() {
            None => Some(self.redirect(&format!("/signin?next={}", enc(&self.here)))),
            Some(r) if roles.contains(&r) => None,
            Some(_) => {
                let main = format!(
                    "<h1>{}</h1><p>{}</p>",
                    esc(&self.t("error.title")),
                    esc(&self.t("error.FORBIDDEN"))
                );
                Some(self.page(StatusCode::FORBIDDEN, &self.t("error.title"), &main))
            }
        }
    }

    /// A 303 to `to`, carrying the cookies this visit set.
    pub fn redirect(&self, to: &str) -> Response {
        let mut r = Redirect::to(to).into_response();
        self.cookies(&mut r);
        r
    }

    /// The hidden CSRF field of a form.
    pub fn csrf_field(&self) -> String {
        format!(
            "<input type=\"hidden\" name=\"csrf\" value=\"{}\">",
            esc(&self.csrf)
        )
    }
}

/// A value of the page's query string.
pub fn query_value(raw: &Option<String>, key: &str) -> Option<String> {
    crate::pairs(raw)
        .into_iter()
        .find(|(k, _)| k == key)
        .map(|(_, x)| x)
}

/// A form page's status: 422 when it shows a problem, else 200.
pub fn status_for(problem: bool) -> StatusCode {
    if problem {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    }
}

impl Visit {
    /// The 404 page, saying `what` (a catalogue key) is missing or not the caller's to see.
    pub fn not_found(&self, what: &str) -> Response {
        let main = format!(
            "<h1>{}</h1><p>{}</p>",
            esc(&self.t("page.not_found")),
            esc(&self.t(what))
        );
        self.page(StatusCode::NOT_FOUND, &self.t("page.not_found"), &main)
    }

    /// The notice of what the last POST did (`?done=…`), from `{prefix}.done.{done}`.
    pub fn done_notice(&self, prefix: &str, done: Option<&str>) -> String {
        let Some(d) = done else {
            return String::new();
        };
        let key = format!("{prefix}.done.{d}");
        let text = self.t(&key);
        if text == key {
            return String::new();
        }
        format!("<p class=\"notice\" role=\"status\">{}</p>", esc(&text))
    }

    /// A form of one button posting `action=value` (and the `hidden` fields) to `to`.
    pub fn button_form(
        &self,
        to: &str,
        hidden: &[(&str, &str)],
        value: &str,
        label_key: &str,
        class: &str,
    ) -> String {
        let fields: String = hidden
            .iter()
            .map(|(k, v)| format!("<input type=\"hidden\" name=\"{k}\" value=\"{}\">", esc(v)))
            .collect();
        format!(
            "<form method=\"post\" action=\"{to}\">{}{fields}<button type=\"submit\" name=\"action\" value=\"{value}\" class=\"{class}\">{}</button></form>",
            self.csrf_field(),
            esc(&self.t(label_key))
        )
    }
}
