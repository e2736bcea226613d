//! Logs and metrics: JSON (or text) logs where every line of a request carries its request id,
//! the id echoed in `x-request-id`, and `GET /metrics` in Prometheus's text format.

use std::fmt::Write as _;
use std::time::Instant;

use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use tracing::Instrument;

use crate::app::App;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line, with the request's span (its id) in every line.
    Json,
    /// Human-readable lines, for a terminal.
    Text,
}

impl LogFormat {
    /// `json` or `text`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "text" => Some(Self::Text),
            _ => None,
        }
    }
}

/// Installs the log subscriber on stderr.
pub fn init_tracing(filter: &str, format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::new(filter);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// The request id header, in and out.
pub const REQUEST_ID: &str = "x-request-id";

/// A client's request id is kept when it is 1 to 128 visible, unreserved characters; otherwise
/// (or when there is none) the server makes one.
fn usable(id: &str) -> bool {
    (1..=128).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':' | b'/'))
}

/// Gives every request an id (the client's `x-request-id`, or a new UUID), runs it inside a
/// span carrying that id so every log line of the request names it, answers with the id, and
/// logs one line when it is done.
pub async fn request_id(mut req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| usable(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    let value = HeaderValue::from_str(&id).unwrap_or_else(|_| HeaderValue::from_static("invalid"));
    req.headers_mut().insert(REQUEST_ID, value.clone());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let span = tracing::info_span!("request", request_id = %id, method = %method, path = %path);
    let started = Instant::now();
    let mut resp = async move {
        let resp = next.run(req).await;
        // Probes and scrapes are frequent and say nothing: only at debug.
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        let status = resp.status().as_u16();
        if matches!(path.as_str(), "/healthz" | "/readyz" | "/metrics") {
            tracing::debug!(status, ms, "request finished");
        } else {
            tracing::info!(status, ms, "request finished");
        }
        resp
    }
    .instrument(span)
    .await;
    resp.headers_mut().insert(REQUEST_ID, value);
    resp
}

/// GET /metrics: the API's counters, and gauges read now from the pool and the outbox.
pub async fn metrics(State(app): State<App>) -> Response {
    let mut out = String::with_capacity(8 * 1024);
    app.state.metrics.render(&mut out);
    let (open, idle, max) = app.state.db.pool_use();
    out.push_str("# HELP sinergi_db_pool_connections Database connections by state.\n");
    out.push_str("# TYPE sinergi_db_pool_connections gauge\n");
    let _ = writeln!(
        out,
        "sinergi_db_pool_connections{{state=\"in_use\"}} {}",
        (open as usize).saturating_sub(idle)
    );
    let _ = writeln!(out, "sinergi_db_pool_connections{{state=\"idle\"}} {idle}");
    out.push_str("# HELP sinergi_db_pool_max_connections The most connections the pool opens.\n");
    out.push_str("# TYPE sinergi_db_pool_max_connections gauge\n");
    let _ = writeln!(out, "sinergi_db_pool_max_connections {max}");
    let pending = sinergi_services::outbox::pending(&app.state.db).await;
    out.push_str(
        "# HELP sinergi_search_outbox_backlog Changes written but not yet in the search index.\n",
    );
    out.push_str("# TYPE sinergi_search_outbox_backlog gauge\n");
    out.push_str("# HELP sinergi_search_relay_lag_seconds How long the oldest change waiting for the search index has waited (0 when none waits).\n");
    out.push_str("# TYPE sinergi_search_relay_lag_seconds gauge\n");
    match pending {
        Ok((n, lag)) => {
            let secs = lag.map_or(0.0, |d| d.num_milliseconds().max(0) as f64 / 1000.0);
            let _ = writeln!(out, "sinergi_search_outbox_backlog {n}");
            let _ = writeln!(out, "sinergi_search_relay_lag_seconds {secs}");
        }
        Err(e) => tracing::warn!(error = %e, "metrics: outbox unreadable"),
    }
    out.push_str("# HELP sinergi_search_engine_up Whether the last search reached the engine.\n");
    out.push_str("# TYPE sinergi_search_engine_up gauge\n");
    let _ = writeln!(
        out,
        "sinergi_search_engine_up {}",
        u8::from(!app.state.search_health.is_down())
    );
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        out,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_request_id_is_kept_only_when_it_is_plain() {
        assert!(usable("abc-123"));
        assert!(usable("0f6c1b7e-9d2e-4b8e-9a37-2f0c1d5e6a7b"));
        assert!(!usable(""));
        assert!(!usable("with space"));
        assert!(!usable("quote\""));
        assert!(!usable(&"x".repeat(129)));
    }
}
