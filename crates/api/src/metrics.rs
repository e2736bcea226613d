//! What the API counts for `/metrics`: GraphQL requests by operation and outcome, their
//! latency, and the search engine's latency, rendered in Prometheus's text exposition format
//! (version 0.0.4). Gauges read at scrape time (the pool, the outbox) are the server's to add.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
pub const BUCKETS: [f64; 13] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Distinct operation names kept as labels; later names count as `other`, so a client
/// inventing names cannot grow the series without bound.
pub const MAX_OPERATIONS: usize = 200;

/// A latency histogram with [`BUCKETS`].
#[derive(Debug, Clone, Default)]
struct Histogram {
    /// Observations per bucket (not cumulative); the last is +Inf.
    counts: [u64; BUCKETS.len() + 1],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, seconds: f64) {
        let i = BUCKETS
            .iter()
            .position(|b| seconds <= *b)
            .unwrap_or(BUCKETS.len());
        self.counts[i] += 1;
        self.sum += seconds;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        let mut cumulative = 0;
        for (i, b) in BUCKETS.iter().enumerate() {
            cumulative += self.counts[i];
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {cumulative}");
        }
        cumulative += self.counts[BUCKETS.len()];
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {cumulative}"
        );
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

#[derive(Debug, Default)]
struct Inner {
    requests: HashMap<(String, &'static str), u64>,
    latency: HashMap<String, Histogram>,
    search: Histogram,
    search_failures: u64,
}

/// The API's counters, shared by every request.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// A label value as the exposition format escapes it.
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Counts a GraphQL request: its operation name (`anonymous` without one), its outcome
    /// (`ok` or the first error's code) and how long it took.
    pub fn request(&self, operation: Option<&str>, outcome: &'static str, took: Duration) {
        let mut m = self.lock();
        let name = match operation {
            None | Some("") => "anonymous".to_owned(),
            Some(n) => {
                let known = m.latency.contains_key(n);
                if known || m.latency.len() < MAX_OPERATIONS {
                    n.chars().take(100).collect()
                } else {
                    "other".to_owned()
                }
            }
        };
        *m.requests.entry((name.clone(), outcome)).or_default() += 1;
        m.latency
            .entry(name)
            .or_default()
            .observe(took.as_secs_f64());
    }

    /// Times a search engine call.
    pub fn search(&self, took: Duration, ok: bool) {
        let mut m = self.lock();
        m.search.observe(took.as_secs_f64());
        if !ok {
            m.search_failures += 1;
        }
    }

    /// The counters in Prometheus's text format.
    pub fn render(&self, out: &mut String) {
        let m = self.lock();
        let mut requests: Vec<_> = m.requests.iter().collect();
        requests.sort();
        out.push_str("# HELP sinergi_graphql_requests_total GraphQL requests by operation name and outcome (ok, or the first error's code).\n");
        out.push_str("# TYPE sinergi_graphql_requests_total counter\n");
        for ((op, outcome), n) in requests {
            let _ = writeln!(
                out,
                "sinergi_graphql_requests_total{{operation=\"{}\",outcome=\"{outcome}\"}} {n}",
                escape(op)
            );
        }
        out.push_str("# HELP sinergi_graphql_request_duration_seconds Time to answer a GraphQL request, by operation name.\n");
        out.push_str("# TYPE sinergi_graphql_request_duration_seconds histogram\n");
        let mut latency: Vec<_> = m.latency.iter().collect();
        latency.sort_by(|a, b| a.0.cmp(b.0));
        for (op, h) in latency {
            h.render(
                out,
                "sinergi_graphql_request_duration_seconds",
                &format!("operation=\"{}\"", escape(op)),
            );
        }
        out.push_str(
            "# HELP sinergi_search_duration_seconds Time the search engine took per search.\n",
        );
        out.push_str("# TYPE sinergi_search_duration_seconds histogram\n");
        m.search.render(out, "sinergi_search_duration_seconds", "");
        out.push_str("# HELP sinergi_search_failures_total Searches the engine failed or could not be reached for.\n");
        out.push_str("# TYPE sinergi_search_failures_total counter\n");
        let _ = writeln!(out, "sinergi_search_failures_total {}", m.search_failures);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_names_past_the_bound_count_as_other() {
        let m = Metrics::default();
        for i in 0..MAX_OPERATIONS + 5 {
            m.request(Some(&format!("Op{i}")), "ok", Duration::from_millis(1));
        }
        let mut out = String::new();
        m.render(&mut out);
        assert!(
            out.contains("operation=\"other\",outcome=\"ok\"} 5"),
            "{out}"
        );
        assert!(!out.contains(&format!("Op{}", MAX_OPERATIONS + 1)));
    }
}
