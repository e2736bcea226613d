//! Our stylesheet and script, embedded at compile time and served under content-hashed names
//! with a year of caching: a new build gets new names, so nobody keeps a stale copy.

use std::sync::OnceLock;

use axum::{
    extract::Path,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    hashed: String,
    body: &'static str,
    mime: &'static str,
}

fn all() -> &'static [Asset] {
    static ALL: OnceLock<Vec<Asset>> = OnceLock::new();
    ALL.get_or_init(|| {
        [
            (
                "site.css",
                include_str!("../assets/site.css"),
                "text/css; charset=utf-8",
            ),
            (
                "site.js",
                include_str!("../assets/site.js"),
                "text/javascript; charset=utf-8",
            ),
            (
                "icon.svg",
                include_str!("../assets/icon.svg"),
                "image/svg+xml",
            ),
            (
                "graphiql.css",
                include_str!("../assets/graphiql.css"),
                "text/css; charset=utf-8",
            ),
            (
                "graphiql-init.js",
                include_str!("../assets/graphiql-init.js"),
                "text/javascript; charset=utf-8",
            ),
        ]
        .into_iter()
        .map(|(name, body, mime)| {
            let digest = hex::encode(&Sha256::digest(body.as_bytes())[..6]);
            let (stem, ext) = name.rsplit_once('.').unwrap_or((name, ""));
            Asset {
                name,
                hashed: format!("{stem}.{digest}.{ext}"),
                body,
                mime,
            }
        })
        .collect()
    })
}

/// The URL of an asset by its plain name.
pub fn url(name: &str) -> String {
    all()
        .iter()
        .find(|a| a.name == name)
        .map_or_else(String::new, |a| format!("/assets/{}", a.hashed))
}

/// GET /assets/{file}.
pub async fn serve(Path(file): Path<String>) -> Response {
    match all().iter().find(|a| a.hashed == file) {
        Some(a) => {
            let mut r = a.body.into_response();
            let h = r.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(a.mime));
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
        None => (StatusCode::NOT_FOUND, "no such asset").into_response(),
    }
}
