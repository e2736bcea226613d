//! Configuration: an optional TOML file, then `SINERGI_*` environment variables, which win.
//! Every problem names the setting and what is wrong with it.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use figment::{
    Figment,
    providers::{Env, Format, Toml},
};
use rust_decimal::Decimal;
use serde::Deserialize;
use sinergi_domain::FxTable;

/// A setting that is wrong, and why.
#[derive(Debug, thiserror::Error)]
#[error("configuration error: {setting}: {problem}")]
pub struct ConfigError {
    pub setting: String,
    pub problem: String,
}

fn bad(setting: &str, problem: impl Into<String>) -> ConfigError {
    ConfigError {
        setting: setting.into(),
        problem: problem.into(),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct Raw {
    data_dir: Option<PathBuf>,
    database_url: Option<String>,
    bind: Option<String>,
    /// The address clients reach the server at, e.g. https://sinergi.example.go.id.
    public_url: Option<String>,
    /// Comma-separated hosts webhooks may reach although private.
    webhook_allowed_hosts: Option<String>,
    meili_url: Option<String>,
    meili_key: Option<String>,
    meili_index: Option<String>,
    jwt_secret: Option<String>,
    /// Comma-separated secrets that still verify tokens during a rotation.
    jwt_previous_secrets: Option<String>,
    log: Option<String>,
    /// `json` or `text`.
    log_format: Option<String>,
    fx_rates: Option<PathBuf>,
    /// Comma-separated origins.
    cors_origins: Option<String>,
    graphiql: Option<bool>,
    graphiql_assets: Option<PathBuf>,
    introspection: Option<bool>,
    webhook_delivery: Option<bool>,
    document_cache: Option<usize>,
    /// Seconds a request may take before it is answered with an error.
    request_timeout_secs: Option<u64>,
    /// Seven comma-separated weights: dimension_alignment, budget_fit, focus_area_match,
    /// financing_fit, timeline_fit, local_content, investor_standing.
    score_weights: Option<String>,
}

/// Sinergi's settings, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub bind: SocketAddr,
    /// `SINERGI_PUBLIC_URL`: where calendar feeds and meeting rooms are linked; the bound
    /// address when unset.
    pub public_url: Option<String>,
    /// `SINERGI_WEBHOOK_ALLOWED_HOSTS`: hosts (names or addresses) webhook endpoints may use
    /// although they resolve to private addresses, and over http.
    pub webhook_allowed_hosts: Vec<String>,
    pub meili_url: Option<String>,
    pub meili_key: Option<String>,
    /// The Meilisearch index uid (`SINERGI_MEILI_INDEX`, default `projects`).
    pub meili_index: String,
    /// `None`: generate one into the data directory.
    pub jwt_secret: Option<Vec<u8>>,
    pub jwt_previous_secrets: Vec<Vec<u8>>,
    pub log: String,
    /// `SINERGI_LOG_FORMAT`: JSON lines by default, text when stderr is a terminal.
    pub log_format: crate::telemetry::LogFormat,
    pub fx: FxTable,
    pub cors_origins: Vec<String>,
    pub graphiql: bool,
    /// `SINERGI_GRAPHIQL_ASSETS`: the `node_modules` folder GraphiQL's bundles are read from
    /// (default: `crates/web/graphiql/node_modules` of the source tree, after `npm ci` there).
    pub graphiql_assets: PathBuf,
    pub introspection: bool,
    /// `SINERGI_WEBHOOK_DELIVERY` (default true): whether this process runs the webhook
    /// delivery worker. Off for replicas that only answer requests while others deliver.
    pub webhook_delivery: bool,
    /// `SINERGI_DOCUMENT_CACHE` (default 1000): how many parsed GraphQL documents are kept;
    /// 0 parses every request.
    pub document_cache: usize,
    pub weights: sinergi_matching::Weights,
    /// How long a request may take (`SINERGI_REQUEST_TIMEOUT_SECS`, default 30).
    pub request_timeout: std::time::Duration,
}

impl Config {
    /// Loads the file (if given) and the environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let mut fig = Figment::new();
        if let Some(f) = file {
            if !f.exists() {
                return Err(bad("--config", format!("{} does not exist", f.display())));
            }
            fig = fig.merge(Toml::file(f));
        }
        let raw: Raw = fig
            .merge(Env::prefixed("SINERGI_").ignore(&["test_database_url", "test_meili_url"]))
            .extract()
            .map_err(|e| {
                let setting = e.path.first().map_or_else(
                    || "configuration".to_owned(),
                    |p| format!("SINERGI_{}", p.to_uppercase()),
                );
                bad(&setting, e.kind.to_string())
            })?;
        Self::check(raw)
    }

    fn check(raw: Raw) -> Result<Self, ConfigError> {
        let data_dir = raw.data_dir.unwrap_or_else(|| PathBuf::from("./data"));
        if data_dir.as_os_str().is_empty() {
            return Err(bad("SINERGI_DATA_DIR", "must not be empty"));
        }
        let database_url = match raw.database_url {
            Some(u)
                if u.starts_with("sqlite:")
                    || u.starts_with("postgres://")
                    || u.starts_with("postgresql://") =>
            {
                u
            }
            Some(_) => {
                return Err(bad(
                    "SINERGI_DATABASE_URL",
                    "must start with sqlite:, postgres:// or postgresql://",
                ));
            }
            None => format!("sqlite://{}", data_dir.join("sinergi.db").display()),
        };
        let bind_text = raw.bind.unwrap_or_else(|| "127.0.0.1:8080".into());
        let bind = SocketAddr::from_str(&bind_text).map_err(|_| {
            bad(
                "SINERGI_BIND",
                format!("'{bind_text}' is not an address like 127.0.0.1:8080"),
            )
        })?;
        let meili_url = raw.meili_url.filter(|u| !u.is_empty());
        if let Some(u) = &meili_url
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            return Err(bad(
                "SINERGI_MEILI_URL",
                "must be an http:// or https:// URL",
            ));
        }
        let jwt_secret = match raw.jwt_secret.filter(|s| !s.is_empty()) {
            Some(s) if s.len() < 32 => {
                return Err(bad("SINERGI_JWT_SECRET", "must be at least 32 characters"));
            }
            other => other.map(String::into_bytes),
        };
        let jwt_previous_secrets = raw
            .jwt_previous_secrets
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                if s.len() < 32 {
                    Err(bad(
                        "SINERGI_JWT_PREVIOUS_SECRETS",
                        "each secret must be at least 32 characters",
                    ))
                } else {
                    Ok(s.as_bytes().to_vec())
                }
            })
            .collect::<Result<_, _>>()?;
        let log = raw
            .log
            .unwrap_or_else(|| "info,sea_orm_migration=warn,sqlx=warn".into());
        if tracing_subscriber::EnvFilter::try_new(&log).is_err() {
            return Err(bad(
                "SINERGI_LOG",
                format!("'{log}' is not a tracing filter such as info or sinergi=debug"),
            ));
        }
        let log_format = match raw.log_format.as_deref().filter(|f| !f.trim().is_empty()) {
            None => {
                use std::io::IsTerminal;
                if std::io::stderr().is_terminal() {
                    crate::telemetry::LogFormat::Text
                } else {
                    crate::telemetry::LogFormat::Json
                }
            }
            Some(f) => crate::telemetry::LogFormat::parse(f).ok_or_else(|| {
                bad(
                    "SINERGI_LOG_FORMAT",
                    format!("'{f}' is neither json nor text"),
                )
            })?,
        };
        let fx = match raw.fx_rates {
            Some(path) => load_fx(&path)?,
            None => FxTable::default(),
        };
        let cors_origins = raw
            .cors_origins
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|o| {
                if (o.starts_with("http://") || o.starts_with("https://"))
                    && axum::http::HeaderValue::from_str(o).is_ok()
                {
                    Ok(o.to_owned())
                } else {
                    Err(bad(
                        "SINERGI_CORS_ORIGINS",
                        format!("'{o}' is not an origin like https://app.example.org"),
                    ))
                }
            })
            .collect::<Result<_, _>>()?;
        let weights = match raw.score_weights {
            None => sinergi_matching::Weights::default(),
            Some(text) => {
                const S: &str = "SINERGI_SCORE_WEIGHTS";
                let parts: Vec<f64> = text
                    .split(',')
                    .map(|p| p.trim().parse::<f64>())
                    .collect::<Result<_, _>>()
                    .map_err(|_| bad(S, "seven comma-separated numbers"))?;
                let arr: [f64; 7] = parts
                    .try_into()
                    .map_err(|_| bad(S, "exactly seven weights"))?;
                sinergi_matching::Weights::new(arr).map_err(|e| bad(S, e))?
            }
        };
        Ok(Self {
            weights,
            data_dir,
            database_url,
            bind,
            public_url: match raw
                .public_url
                .map(|u| u.trim().trim_end_matches('/').to_owned())
            {
                Some(u) if u.starts_with("http://") || u.starts_with("https://") => Some(u),
                Some(u) if !u.is_empty() => {
                    return Err(bad(
                        "SINERGI_PUBLIC_URL",
                        format!("'{u}' is not an http(s) address"),
                    ));
                }
                _ => None,
            },
            webhook_allowed_hosts: raw
                .webhook_allowed_hosts
                .unwrap_or_default()
                .split(',')
                .map(|h| h.trim().to_ascii_lowercase())
                .filter(|h| !h.is_empty())
                .collect(),
            meili_url,
            meili_key: raw.meili_key.filter(|k| !k.is_empty()),
            meili_index: raw
                .meili_index
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "projects".into()),
            jwt_secret,
            jwt_previous_secrets,
            log,
            log_format,
            fx,
            cors_origins,
            graphiql: raw.graphiql.unwrap_or(true),
            graphiql_assets: raw
                .graphiql_assets
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or_else(|| PathBuf::from(sinergi_web::graphiql::DEFAULT_DIR)),
            introspection: raw.introspection.unwrap_or(true),
            webhook_delivery: raw.webhook_delivery.unwrap_or(true),
            document_cache: match raw.document_cache {
                None => 1000,
                Some(n) if n <= 100_000 => n,
                Some(_) => return Err(bad("SINERGI_DOCUMENT_CACHE", "at most 100000 documents")),
            },
            request_timeout: match raw.request_timeout_secs {
                None => std::time::Duration::from_secs(30),
                Some(s) if (1..=600).contains(&s) => std::time::Duration::from_secs(s),
                Some(_) => {
                    return Err(bad(
                        "SINERGI_REQUEST_TIMEOUT_SECS",
                        "must be 1 to 600 seconds",
                    ));
                }
            },
        })
    }
}

/// Reads a TOML table of currency codes to USD per unit, e.g. `IDR = "0.0000625"`.
fn load_fx(path: &Path) -> Result<FxTable, ConfigError> {
    const S: &str = "SINERGI_FX_RATES";
    let text = std::fs::read_to_string(path)
        .map_err(|e| bad(S, format!("cannot read {}: {e}", path.display())))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| bad(S, format!("{} is not TOML: {e}", path.display())))?;
    let table = match table.get("rates") {
        Some(toml::Value::Table(t)) => t.clone(),
        _ => table,
    };
    let mut pairs = Vec::new();
    for (code, v) in &table {
        let rate = match v {
            toml::Value::String(s) => Decimal::from_str(s).ok(),
            toml::Value::Float(f) => Decimal::from_f64_retain(*f),
            toml::Value::Integer(i) => Some(Decimal::from(*i)),
            _ => None,
        }
        .ok_or_else(|| bad(S, format!("{code}: the rate must be a decimal number")))?;
        pairs.push((code.clone(), rate));
    }
    FxTable::from_pairs(pairs.iter().map(|(c, r)| (c.as_str(), *r)))
        .map_err(|e| bad(S, e.to_string()))
}
