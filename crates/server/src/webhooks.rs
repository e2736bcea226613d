//! The webhook delivery worker: leases due deliveries, checks the endpoint's address again
//! (DNS rebinding), signs (Standard Webhooks 1.0) and POSTs them with reqwest — 10 s timeout,
//! no redirects, at most 64 KiB of the answer read — and records the attempt. Failures retry
//! with exponential backoff and jitter over about a day, with the same `webhook-id`; an
//! endpoint failing for 5 days is disabled. Several replicas may run it: rows are leased.

use std::time::Duration as StdDuration;

use chrono::{Duration, Utc};
use sinergi_services::{
    Db,
    notify::{self, Attempt, Due},
};
use tokio::sync::watch;

/// Seconds to wait after the n-th failed attempt (about 26 hours in all), before jitter.
pub const BACKOFF_SECS: [i64; 10] = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 36000];
/// How long an endpoint may fail without a success before it is disabled.
pub fn disable_after() -> Duration {
    Duration::days(5)
}
/// How much of an answer is read.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// Deliveries one pass sends, concurrently.
const BATCH: u64 = 32;

/// The wait after `failed` failed attempts, with ±10% jitter (`jitter` in 0..1); None once the
/// schedule is spent.
pub fn retry_delay(failed: i32, jitter: f64) -> Option<Duration> {
    let base = *BACKOFF_SECS.get(usize::try_from(failed - 1).ok()?)?;
    let ms = (base as f64 * 1000.0 * (0.9 + 0.2 * jitter.clamp(0.0, 1.0))) as i64;
    Some(Duration::milliseconds(ms))
}

/// The HTTP client deliveries use.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(StdDuration::from_secs(10))
        .connect_timeout(StdDuration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .user_agent("Sinergi-Webhooks/1")
        .build()
        .unwrap_or_default()
}

/// Sends one delivery; says how it went (status, error) without secrets or URLs.
async fn send(
    client: &reqwest::Client,
    allowed: &[String],
    due: &Due,
) -> (Option<i32>, Option<String>) {
    if !due.enabled {
        return (None, Some("the endpoint is disabled".into()));
    }
    if let Err(e) = sinergi_api::webhooks::check_url(&due.url, allowed, "url").await {
        let _ = e;
        return (
            None,
            Some(
                "refused: the endpoint's host resolves to a private or unresolvable address".into(),
            ),
        );
    }
    // The receiver compares this with its own clock, against replays: real time, not the
    // services' clock.
    let ts = Utc::now().timestamp();
    let signature =
        sinergi_api::webhooks::signature(&due.secrets, &due.message_id, ts, &due.payload);
    let sent = client
        .post(&due.url)
        .header("content-type", "application/json")
        .header("webhook-id", &due.message_id)
        .header("webhook-timestamp", ts.to_string())
        .header("webhook-signature", signature)
        .body(due.payload.clone())
        .send()
        .await;
    match sent {
        Ok(mut resp) => {
            let status = resp.status();
            // Read (and drop) at most 64 KiB: a receiver answering 10 MB costs nothing more.
            let mut read = 0usize;
            while read < MAX_RESPONSE_BYTES {
                match resp.chunk().await {
                    Ok(Some(c)) => read += c.len(),
                    _ => break,
                }
            }
            let code = Some(i32::from(status.as_u16()));
            if status.is_success() {
                (code, None)
            } else {
                (
                    code,
                    Some(format!("the endpoint answered HTTP {}", status.as_u16())),
                )
            }
        }
        Err(e) if e.is_timeout() => (None, Some("timed out after 10 s".into())),
        Err(e) if e.is_connect() => (None, Some("could not connect".into())),
        Err(_) => (
            None,
            Some("the request failed (connection reset or protocol error)".into()),
        ),
    }
}

/// One pass: lease, send concurrently, record. Returns how many were attempted.
pub async fn pass(db: &Db, client: &reqwest::Client, allowed: &[String]) -> anyhow::Result<usize> {
    let due = notify::lease_due(db, BATCH, Duration::seconds(60)).await?;
    let n = due.len();
    let results = futures::future::join_all(due.iter().map(|d| send(client, allowed, d))).await;
    for (d, (status, error)) in due.iter().zip(results) {
        let now = db.now();
        let failed = d.attempts + 1;
        let (retry_at, disable) = match &error {
            None => (None, false),
            Some(_) => {
                let since = d.failing_since.unwrap_or(now);
                if now - since >= disable_after() {
                    (None, true)
                } else {
                    (
                        retry_delay(failed, rand::random::<f64>()).map(|w| now + w),
                        false,
                    )
                }
            }
        };
        if let Some(e) = &error {
            tracing::info!(delivery = %d.id, attempts = failed, error = %e, "webhook delivery failed");
        }
        notify::record_attempt(
            db,
            d,
            Attempt {
                at: now,
                response_status: status,
                error,
                retry_at,
                disable,
            },
        )
        .await?;
    }
    Ok(n)
}

/// Runs passes until `stop` turns true.
pub async fn run(db: Db, allowed: Vec<String>, mut stop: watch::Receiver<bool>) {
    let client = client();
    loop {
        let n = match pass(&db, &client, &allowed).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "webhook delivery pass failed");
                0
            }
        };
        if n as u64 == BATCH {
            continue;
        }
        tokio::select! {
            _ = tokio::time::sleep(StdDuration::from_millis(200)) => {}
            _ = stop.changed() => {}
        }
        if *stop.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_start_within_ten_seconds_and_spread_over_about_a_day() {
        let first = retry_delay(1, 1.0).expect("first");
        assert!(first <= Duration::seconds(10));
        let total: i64 = (1..=10)
            .map(|n| retry_delay(n, 0.5).expect("in schedule").num_seconds())
            .sum();
        assert!((20 * 3600..=30 * 3600).contains(&total), "{total}");
        assert_eq!(retry_delay(11, 0.5), None);
        assert!(retry_delay(3, 0.0) < retry_delay(3, 1.0));
    }
}
