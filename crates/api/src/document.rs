//! From a request's text to the document it runs: automatic persisted queries (Apollo's APQ,
//! `extensions.persistedQuery`), parsing with the contract's codes, and what a GET may run.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use async_graphql::{
    Request, ServerError,
    parser::types::{ExecutableDocument, OperationType},
};
use sha2::{Digest, Sha256};

use crate::error::{ApiError, Code, coded};

/// How a request reached the API: a GET may only read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
}

/// A mutation (or subscription) sent with GET: the request is refused as a whole, before
/// anything runs (HTTP 405).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotOverGet;

/// Why a request's document is refused before it runs.
#[derive(Debug)]
pub enum Refusal {
    /// A mutation (or subscription) sent with GET, which must never change anything.
    NotOverGet,
    /// The document's own fault (syntax, limits, persisted queries), as a GraphQL error.
    Error(ServerError),
}

/// The persisted queries clients registered, by SHA-256 of their text. Bounded by the bytes
/// of text it keeps; the oldest registration goes first.
#[derive(Debug)]
pub struct PersistedQueries {
    inner: Mutex<Stored>,
    capacity: usize,
}

#[derive(Debug, Default)]
struct Stored {
    by_hash: HashMap<String, Arc<str>>,
    order: VecDeque<String>,
    bytes: usize,
}

impl Default for PersistedQueries {
    fn default() -> Self {
        Self::with_capacity(8 * 1024 * 1024)
    }
}

impl PersistedQueries {
    /// A store keeping at most `bytes` of query text.
    pub fn with_capacity(bytes: usize) -> Self {
        Self {
            inner: Mutex::default(),
            capacity: bytes,
        }
    }

    fn get(&self, hash: &str) -> Option<Arc<str>> {
        let s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        s.by_hash.get(hash).cloned()
    }

    fn put(&self, hash: String, query: &str) {
        if query.len() > self.capacity {
            return;
        }
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if s.by_hash.contains_key(&hash) {
            return;
        }
        s.bytes += query.len();
        s.by_hash.insert(hash.clone(), Arc::from(query));
        s.order.push_back(hash);
        while s.bytes > self.capacity {
            let Some(old) = s.order.pop_front() else {
                break;
            };
            if let Some(q) = s.by_hash.remove(&old) {
                s.bytes -= q.len();
            }
        }
    }

    /// Entries kept, for tests and metrics.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_hash
            .len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Parsed documents by their text, so a query sent again (the common case: clients send the
/// same few operations, and persisted queries make it the rule) is parsed once. Bounded by
/// count and by bytes of text; the oldest entry goes first. Each entry also remembers, for a
/// few operation names and variable sets, that the limits and validation passed: validation
/// is a function of the schema, the document, the operation and the variables alone, so the
/// same request again need not be validated again (see [`Ticket`]).
#[derive(Debug)]
pub struct ParsedDocuments {
    inner: Mutex<Parsed>,
    capacity: usize,
    max_bytes: usize,
}

#[derive(Debug, Default)]
struct Parsed {
    by_text: HashMap<Arc<str>, Arc<Known>>,
    order: VecDeque<Arc<str>>,
    bytes: usize,
}

/// How many passed (operation, variables) pairs a document remembers; the oldest goes first.
const VERDICTS_PER_DOCUMENT: usize = 8;

/// The biggest variables (as JSON text) a verdict is kept for; bigger ones are validated on
/// every request rather than hashed on every request.
const MAX_VERDICT_VARIABLES: usize = 16 * 1024;

/// A parsed document and the requests of it that passed the limits and validation.
#[derive(Debug)]
pub struct Known {
    doc: ExecutableDocument,
    passed: Mutex<VecDeque<Verdict>>,
}

/// What a verdict is about: the schema (its limits), the operation and the variables, these
/// by their SHA-256 only, so that no variable's value (a password, a token) is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Verdict {
    schema: u64,
    operation: Option<String>,
    variables: [u8; 32],
}

impl Known {
    /// The document as it was parsed.
    pub fn document(&self) -> &ExecutableDocument {
        &self.doc
    }
}

/// What a request's document is known to be: the entry it was found under, and whether this
/// very request (schema, operation, variables) passed the limits and validation before.
#[derive(Debug)]
pub struct Ticket {
    known: Arc<Known>,
    verdict: Option<Verdict>,
    /// Validated before: it may run without the checks.
    pub valid: bool,
}

impl Ticket {
    /// The parsed document.
    pub fn known(&self) -> &Arc<Known> {
        &self.known
    }

    /// Records that the request passed the limits and validation.
    pub fn passed(self) {
        let Some(v) = self.verdict else { return };
        let mut passed = self.known.passed.lock().unwrap_or_else(|p| p.into_inner());
        if passed.contains(&v) {
            return;
        }
        if passed.len() >= VERDICTS_PER_DOCUMENT {
            passed.pop_front();
        }
        passed.push_back(v);
    }
}

impl Default for ParsedDocuments {
    fn default() -> Self {
        Self::with_capacity(1000)
    }
}

impl ParsedDocuments {
    /// A cache of at most `documents` documents (0: none) and 4 MiB of their text.
    pub fn with_capacity(documents: usize) -> Self {
        Self {
            inner: Mutex::default(),
            capacity: documents,
            max_bytes: 4 * 1024 * 1024,
        }
    }

    fn get(&self, text: &str) -> Option<Arc<Known>> {
        if self.capacity == 0 {
            return None;
        }
        let s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        s.by_text.get(text).cloned()
    }

    fn put(&self, text: &str, doc: ExecutableDocument) -> Option<Arc<Known>> {
        // A huge document is not worth keeping: it would push out many common ones.
        if self.capacity == 0 || text.len() > self.max_bytes / 64 {
            return None;
        }
        let known = Arc::new(Known {
            doc,
            passed: Mutex::default(),
        });
        let mut s = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = s.by_text.get(text) {
            return Some(k.clone());
        }
        let key: Arc<str> = Arc::from(text);
        s.bytes += text.len();
        s.by_text.insert(key.clone(), known.clone());
        s.order.push_back(key);
        while s.by_text.len() > self.capacity || s.bytes > self.max_bytes {
            let Some(old) = s.order.pop_front() else {
                break;
            };
            if s.by_text.remove(&old).is_some() {
                s.bytes -= old.len();
            }
        }
        Some(known)
    }

    /// Documents kept, for tests and metrics.
    pub fn len(&self) -> usize {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .by_text
            .len()
    }

    /// Whether nothing is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The message Apollo's persisted-query link (and every APQ client) retries on with the full
/// query.
pub const PERSISTED_QUERY_NOT_FOUND: &str = "PersistedQueryNotFound";

fn validation(field: &str, message: &str) -> Refusal {
    Refusal::Error(ApiError::validation(field, message).into_server_error(None))
}

/// The kind of the operation a request runs: the one named, or the document's first.
pub(crate) fn operation_kind(
    doc: &ExecutableDocument,
    name: Option<&str>,
) -> Option<OperationType> {
    match name {
        Some(name) => doc
            .operations
            .iter()
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op.node.ty),
        None => doc.operations.iter().next().map(|(_, op)| op.node.ty),
    }
}

/// Resolves a persisted query, parses the document (once: async-graphql takes it as parsed)
/// and, for a GET, refuses anything but a query. A document kept in `parsed` comes with its
/// ticket: whether this request passed the limits and validation of schema `schema` before.
pub fn prepare(
    req: &mut Request,
    persisted: &PersistedQueries,
    parsed: &ParsedDocuments,
    method: Method,
    schema: u64,
) -> Result<Prepared, Refusal> {
    let mut register = None;
    if let Some(pq) = req.extensions.get("persistedQuery") {
        let pq = pq.clone().into_json().unwrap_or_default();
        if pq.get("version").and_then(|v| v.as_i64()) != Some(1) {
            return Err(validation(
                "extensions.persistedQuery.version",
                "only version 1 of persisted queries is supported",
            ));
        }
        let Some(hash) = pq.get("sha256Hash").and_then(|v| v.as_str()) else {
            return Err(validation(
                "extensions.persistedQuery.sha256Hash",
                "must be the SHA-256 of the query, in lower-case hex",
            ));
        };
        if req.query.is_empty() {
            match persisted.get(hash) {
                Some(q) => req.query = q.to_string(),
                None => {
                    return Err(Refusal::Error(coded(
                        ServerError::new(PERSISTED_QUERY_NOT_FOUND, None),
                        Code::NotFound,
                    )));
                }
            }
        } else {
            let actual = hex::encode(Sha256::digest(req.query.as_bytes()));
            if actual != hash {
                return Err(validation(
                    "extensions.persistedQuery.sha256Hash",
                    "does not match the SHA-256 of the query",
                ));
            }
            register = Some(actual);
        }
    }
    let known = match parsed.get(&req.query) {
        Some(known) => Ok(known),
        None => {
            let doc = async_graphql::parser::parse_query(&req.query).map_err(|e| {
                // The parser's own nesting guard is a limit, not a fault of the syntax.
                let code = if matches!(e, async_graphql::parser::Error::RecursionLimitExceeded) {
                    Code::QueryTooComplex
                } else {
                    Code::Validation
                };
                Refusal::Error(coded(ServerError::from(e), code))
            })?;
            parsed.put(&req.query, doc.clone()).ok_or(doc)
        }
    };
    let doc = match &known {
        Ok(k) => &k.doc,
        Err(doc) => doc,
    };
    let kind = operation_kind(doc, req.operation_name.as_deref());
    if method == Method::Get
        && matches!(
            kind,
            Some(OperationType::Mutation | OperationType::Subscription)
        )
    {
        return Err(Refusal::NotOverGet);
    }
    let writes = kind == Some(OperationType::Mutation);
    // A document with one named operation is known by that name (the metrics' label) even
    // when the client did not send `operationName`; running it is the same.
    if req.operation_name.is_none()
        && doc.operations.iter().count() == 1
        && let Some((Some(name), _)) = doc.operations.iter().next()
    {
        req.operation_name = Some(name.to_string());
    }
    if let Some(hash) = register {
        persisted.put(hash, &req.query);
    }
    let ticket = match known {
        Ok(known) => {
            // Cloned outside the cache's lock: async-graphql takes the document by value.
            req.set_parsed_query(known.doc.clone());
            let verdict = serde_json::to_string(&req.variables)
                .ok()
                .filter(|v| v.len() <= MAX_VERDICT_VARIABLES)
                .map(|variables| Verdict {
                    schema,
                    operation: req.operation_name.clone(),
                    variables: Sha256::digest(variables.as_bytes()).into(),
                });
            let valid = verdict.as_ref().is_some_and(|v| {
                known
                    .passed
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .contains(v)
            });
            Some(Ticket {
                known,
                verdict,
                valid,
            })
        }
        Err(doc) => {
            req.set_parsed_query(doc);
            None
        }
    };
    Ok(Prepared { ticket, writes })
}

/// A request made ready to run.
pub struct Prepared {
    /// Its document's ticket, when the document is kept.
    pub ticket: Option<Ticket>,
    /// It runs a mutation: once begun, it must run to its end even if the client goes away.
    pub writes: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_store_keeps_to_its_capacity_dropping_the_oldest() {
        let s = PersistedQueries::with_capacity(10);
        s.put("a".into(), "12345");
        s.put("b".into(), "12345");
        assert_eq!(s.len(), 2);
        s.put("c".into(), "123");
        assert!(s.get("a").is_none());
        assert!(s.get("b").is_some() && s.get("c").is_some());
        s.put("huge".into(), "12345678901");
        assert!(s.get("huge").is_none());
    }

    #[test]
    fn parsed_documents_are_reused_bounded_and_still_checked() {
        let persisted = PersistedQueries::default();
        let parsed = ParsedDocuments::with_capacity(2);
        let run = |q: &str, m: Method| {
            let mut r = Request::new(q);
            prepare(&mut r, &persisted, &parsed, m, 0).map(|_| r)
        };
        let q = "query Cities { cities(first: 1) { totalCount } }";
        assert!(run(q, Method::Post).is_ok());
        assert_eq!(parsed.len(), 1);
        // A hit still names the operation and still refuses a mutation over GET.
        let Ok(r) = run(q, Method::Get) else {
            panic!("a query over GET is refused");
        };
        assert_eq!(r.operation_name.as_deref(), Some("Cities"));
        let m = "mutation { logout(refreshToken: \"x\") }";
        let writes = |q: &str| {
            let mut r = Request::new(q);
            prepare(&mut r, &persisted, &parsed, Method::Post, 0).map(|p| p.writes)
        };
        assert!(matches!(writes(q), Ok(false)));
        assert!(matches!(writes(m), Ok(true)));
        assert!(matches!(run(m, Method::Get), Err(Refusal::NotOverGet)));
        // Bad syntax is refused every time and never kept; the oldest goes first.
        assert!(matches!(
            run("{ cities(", Method::Post),
            Err(Refusal::Error(_))
        ));
        assert_eq!(parsed.len(), 2);
        assert!(run("{ embassies { name } }", Method::Post).is_ok());
        assert_eq!(parsed.len(), 2);
        assert!(parsed.get(q).is_none(), "the oldest went first");
        // Off: nothing kept, every request parsed.
        let off = ParsedDocuments::with_capacity(0);
        let mut r = Request::new(q);
        assert!(matches!(
            prepare(&mut r, &persisted, &off, Method::Post, 0),
            Ok(Prepared {
                ticket: None,
                writes: false
            })
        ));
        assert!(off.is_empty());
    }

    #[test]
    fn a_verdict_is_for_one_schema_operation_and_set_of_variables() {
        let persisted = PersistedQueries::default();
        let parsed = ParsedDocuments::with_capacity(10);
        let ticket = |vars: serde_json::Value, schema: u64| {
            let mut r = Request::new("query P($id: ID!) { project(id: $id) { id } }")
                .variables(async_graphql::Variables::from_json(vars));
            prepare(&mut r, &persisted, &parsed, Method::Post, schema)
                .ok()
                .and_then(|p| p.ticket)
                .expect("a kept document has a ticket")
        };
        let first = ticket(serde_json::json!({"id": "a"}), 1);
        assert!(!first.valid, "nothing has passed yet");
        first.passed();
        assert!(ticket(serde_json::json!({"id": "a"}), 1).valid);
        assert!(
            !ticket(serde_json::json!({"id": "b"}), 1).valid,
            "other variables"
        );
        assert!(
            !ticket(serde_json::json!({"id": "a"}), 2).valid,
            "another schema"
        );
        // Bounded: the oldest verdicts go first.
        for i in 0..VERDICTS_PER_DOCUMENT {
            ticket(serde_json::json!({"id": i.to_string()}), 1).passed();
        }
        assert!(!ticket(serde_json::json!({"id": "a"}), 1).valid);
        assert!(ticket(serde_json::json!({"id": "3"}), 1).valid);
    }
}
