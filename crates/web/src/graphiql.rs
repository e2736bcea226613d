//! GraphiQL without a CDN. Its browser bundles (GraphiQL 3's UMD build, React 18) come from
//! npm packages resolved from the lock file in `crates/web/graphiql` (`npm ci` there), read
//! once at start-up from that folder's `node_modules` (or `SINERGI_GRAPHIQL_ASSETS`), and
//! served by this server under content-hashed names. Nothing of GraphiQL is in the repository
//! and nothing is fetched from another origin at run time. Without them, `/graphql` in a
//! browser says how to install them; the API itself needs none of this.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::{
    extract::{Path as UrlPath, State},
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

use crate::{assets, page::esc};

/// Where `npm ci` in `crates/web/graphiql` puts the packages: the default folder.
pub const DEFAULT_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/graphiql/node_modules");

/// The files GraphiQL's page needs, by their path under `node_modules`.
const FILES: [(&str, &str); 4] = [
    (
        "react/umd/react.production.min.js",
        "text/javascript; charset=utf-8",
    ),
    (
        "react-dom/umd/react-dom.production.min.js",
        "text/javascript; charset=utf-8",
    ),
    ("graphiql/graphiql.min.js", "text/javascript; charset=utf-8"),
    ("graphiql/graphiql.min.css", "text/css; charset=utf-8"),
];

struct File {
    hashed: String,
    body: Vec<u8>,
    mime: &'static str,
}

/// GraphiQL's assets, when installed.
#[derive(Clone, Default)]
pub struct Graphiql {
    files: Option<Arc<Vec<File>>>,
    /// Where they were looked for, for the page that says they are missing.
    dir: PathBuf,
}

impl Graphiql {
    /// Reads the bundles from `dir` (a `node_modules` folder); none when any is missing.
    pub fn load(dir: &Path) -> Self {
        let mut files = Vec::new();
        for (path, mime) in FILES {
            let Ok(body) = std::fs::read(dir.join(path)) else {
                return Self {
                    files: None,
                    dir: dir.to_path_buf(),
                };
            };
            let name = path.rsplit('/').next().unwrap_or(path);
            let digest = hex::encode(&Sha256::digest(&body)[..6]);
            files.push(File {
                hashed: format!("{digest}-{name}"),
                body,
                mime,
            });
        }
        Self {
            files: Some(Arc::new(files)),
            dir: dir.to_path_buf(),
        }
    }

    /// Whether the bundles were found.
    pub fn installed(&self) -> bool {
        self.files.is_some()
    }

    /// The GraphiQL page, or the page saying how to install it.
    pub fn page(&self) -> Response {
        let Some(files) = &self.files else {
            let body = format!(
                "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>GraphiQL is not installed · Sinergi</title><link rel=\"icon\" href=\"{}\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"{}\"></head><body><main id=\"main\"><h1>GraphiQL is not installed on this server</h1>\
<p>This server loads nothing from other origins, so GraphiQL's browser bundles must be installed beside it. They were looked for in <code>{}</code>.</p>\
<p>From the repository, run <code>npm ci --prefix crates/web/graphiql</code> and restart the server, or set <code>SINERGI_GRAPHIQL_ASSETS</code> to a <code>node_modules</code> folder holding <code>graphiql</code>, <code>react</code> and <code>react-dom</code>.</p>\
<p>The API works without it: POST GraphQL requests to <code>/graphql</code>; the schema is at <a href=\"/schema.graphql\">/schema.graphql</a>.</p></main></body></html>",
                assets::url("icon.svg"),
                assets::url("site.css"),
                esc(&self.dir.display().to_string())
            );
            return with_headers(
                StatusCode::SERVICE_UNAVAILABLE,
                body,
                "default-src 'self'; frame-ancestors 'none'; base-uri 'none'",
            );
        };
        let url = |i: usize| format!("/graphiql/{}", files[i].hashed);
        let body = format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>GraphiQL · Sinergi</title><link rel=\"icon\" href=\"{}\" type=\"image/svg+xml\"><link rel=\"stylesheet\" href=\"{}\"><link rel=\"stylesheet\" href=\"{}\"></head><body><div id=\"graphiql\">Loading GraphiQL…</div><script src=\"{}\"></script><script src=\"{}\"></script><script src=\"{}\"></script><script src=\"{}\"></script></body></html>",
            assets::url("icon.svg"),
            url(3),
            assets::url("graphiql.css"),
            url(0),
            url(1),
            url(2),
            assets::url("graphiql-init.js"),
        );
        // GraphiQL's editors set inline styles: allowed here, on this page only. Scripts stay
        // ours and same-origin.
        with_headers(
            StatusCode::OK,
            body,
            "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'",
        )
    }
}

fn with_headers(status: StatusCode, body: String, csp: &'static str) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(csp),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    r
}

/// GET /graphiql/{file}: a bundle, cached for good under its content-hashed name.
pub async fn serve(State(g): State<Graphiql>, UrlPath(file): UrlPath<String>) -> Response {
    let found = g
        .files
        .as_ref()
        .and_then(|fs| fs.iter().find(|f| f.hashed == file));
    match found {
        Some(f) => {
            let mut r = f.body.clone().into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(f.mime));
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            h.insert(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            );
            r
        }
        None => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// The route of the bundles; the server merges it (compressed) into its router.
pub fn router<S: Clone + Send + Sync + 'static>(g: Graphiql) -> axum::Router<S> {
    axum::Router::new()
        .route("/graphiql/{file}", axum::routing::get(serve))
        .with_state(g)
}
