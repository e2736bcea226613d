//! Query limits and the codes of errors async-graphql raises itself.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use async_graphql::{
    PathSegment, Request, Response, SchemaEnv, ServerError, ServerResult, ValidationResult,
    Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextPrepareRequest,
        NextRequest, NextValidation,
    },
    parser::types::{ExecutableDocument, Selection, SelectionSet},
    registry::Registry,
};

use async_graphql_value::ConstValue;

use crate::error::{Code, coded};

/// The limits every schema is built with.
#[derive(Debug, Clone)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
    pub aliases: usize,
    /// Requests in one batch.
    pub batch: usize,
    pub introspection: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            depth: 12,
            complexity: 5_000,
            aliases: 30,
            batch: 10,
            introspection: true,
        }
    }
}

/// What the limits measure of a selection set: aliases and field depth, fragments expanded;
/// the depth of introspection (`__schema`, `__type`) apart from that of the data.
#[derive(Debug, Clone, Copy, Default)]
struct Shape {
    aliases: usize,
    depth: usize,
    introspection: usize,
    /// Fields the document asks for once every fragment is expanded in place: what
    /// validation and execution will visit.
    selections: usize,
}

/// The most fields a document may ask for once its fragments are expanded. A fragment bomb
/// (each fragment spreading the next twice) is small as text and huge expanded: 24 levels in
/// 984 bytes are 16 million fields, which async-graphql's validation alone took 20 s to visit.
/// Refused before validation; real queries, the standard introspection one included, ask for
/// a few hundred.
pub const MAX_SELECTIONS: usize = 5_000;

/// How deep an introspection query may nest: graphql-js 16's standard query (what GraphiQL,
/// Apollo, Postman, Insomnia and graphql-codegen send) nests 15 deep, its type references
/// `ofType` nine times; this leaves room for clients that ask a few levels more.
pub const INTROSPECTION_DEPTH: usize = 20;

/// Beyond this many nested selection sets and fragment spreads a document is refused outright.
const MAX_NESTING: usize = 64;

/// Walks a selection set once, each fragment's shape worked out once (so a fragment spread many
/// times costs one walk) — async-graphql's own depth measure, fragments inlined.
fn shape<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    memo: &mut HashMap<&'a str, Option<Shape>>,
    nesting: usize,
) -> Shape {
    if nesting > MAX_NESTING {
        return Shape {
            aliases: usize::MAX / 2,
            depth: usize::MAX / 2,
            introspection: usize::MAX / 2,
            selections: usize::MAX / 2,
        };
    }
    let mut out = Shape::default();
    for s in &set.items {
        let inner = match &s.node {
            Selection::Field(f) => {
                let i = shape(&f.node.selection_set.node, doc, memo, nesting + 1);
                let aliases = i
                    .aliases
                    .saturating_add(usize::from(f.node.alias.is_some()));
                let selections = i.selections.saturating_add(1);
                if matches!(f.node.name.node.as_str(), "__schema" | "__type") {
                    Shape {
                        aliases,
                        depth: 0,
                        introspection: i.depth.max(i.introspection).saturating_add(1),
                        selections,
                    }
                } else {
                    Shape {
                        aliases,
                        depth: i.depth.saturating_add(1),
                        introspection: i.introspection,
                        selections,
                    }
                }
            }
            Selection::InlineFragment(i) => {
                shape(&i.node.selection_set.node, doc, memo, nesting + 1)
            }
            Selection::FragmentSpread(sp) => {
                let name = sp.node.fragment_name.node.as_str();
                match memo.get(name) {
                    Some(Some(known)) => *known,
                    // A cycle: validation refuses it.
                    Some(None) => Shape::default(),
                    None => match doc.fragments.get(&sp.node.fragment_name.node) {
                        Some(f) => {
                            memo.insert(name, None);
                            let known = shape(&f.node.selection_set.node, doc, memo, nesting + 1);
                            memo.insert(name, Some(known));
                            known
                        }
                        None => Shape::default(),
                    },
                }
            }
        };
        out.aliases = out.aliases.saturating_add(inner.aliases);
        out.depth = out.depth.max(inner.depth);
        out.introspection = out.introspection.max(inner.introspection);
        out.selections = out.selections.saturating_add(inner.selections);
    }
    out
}

/// Whether a text holds a control character other than tab, line feed and carriage return
/// (NUL among them, which PostgreSQL refuses to store).
fn has_control(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// The first string in a constant value (a variable's) with a control character, by path.
fn control_in_const(v: &ConstValue, path: &str) -> Option<String> {
    match v {
        ConstValue::String(s) => has_control(s).then(|| path.to_owned()),
        ConstValue::List(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| control_in_const(x, &format!("{path}.{i}"))),
        ConstValue::Object(fields) => fields
            .iter()
            .find_map(|(k, x)| control_in_const(x, &format!("{path}.{k}"))),
        _ => None,
    }
}

/// The first text input of a document with a control character, named as validation errors
/// name fields (`input.title`, `email`); each fragment is looked at once.
fn control_character<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    variables: &Variables,
    seen: &mut std::collections::HashSet<&'a str>,
) -> Option<String> {
    for s in &set.items {
        let found = match &s.node {
            Selection::Field(f) => f
                .node
                .arguments
                .iter()
                .find_map(|(name, value)| {
                    // Variables in place (an undefined one is validation's to refuse).
                    let value = value
                        .node
                        .clone()
                        .into_const_with(|v| {
                            Ok::<_, ()>(variables.get(&v).cloned().unwrap_or_default())
                        })
                        .unwrap_or_default();
                    control_in_const(&value, name.node.as_str())
                })
                .or_else(|| control_character(&f.node.selection_set.node, doc, variables, seen)),
            Selection::InlineFragment(i) => {
                control_character(&i.node.selection_set.node, doc, variables, seen)
            }
            Selection::FragmentSpread(sp) => {
                let name = sp.node.fragment_name.node.as_str();
                if seen.insert(name) {
                    doc.fragments
                        .get(&sp.node.fragment_name.node)
                        .and_then(|f| {
                            control_character(&f.node.selection_set.node, doc, variables, seen)
                        })
                } else {
                    None
                }
            }
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

/// Applies the alias, depth and complexity limits, and gives every error async-graphql makes
/// itself a contract code — decided by where the error arose, never by its message's text.
///
/// An extension makes async-graphql resolve every field of every request on its slower path
/// (each field looked up in the registry and passed through the extensions), so it guards
/// only the schema a request runs on the first time; see [`crate::AppSchema`].
pub struct Guard {
    pub limits: Limits,
    /// The schema's environment, kept by the first request, so that a request run without the
    /// guard can have its errors finished the same way ([`finish`]).
    pub env: Arc<OnceLock<SchemaEnv>>,
}

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension {
            limits: self.limits.clone(),
            ran: std::sync::Mutex::new(None),
            env: self.env.clone(),
        })
    }
}

/// Request data: set once the request passed the limits and validation, so that the same
/// request again may skip them.
#[derive(Clone, Default)]
pub struct Passed(pub Arc<AtomicBool>);

impl Passed {
    /// Whether the request passed.
    pub fn get(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

struct GuardExtension {
    limits: Limits,
    /// The document, when errors' paths need it to be followed (it has aliases).
    ran: std::sync::Mutex<Option<(ExecutableDocument, Option<String>)>>,
    env: Arc<OnceLock<SchemaEnv>>,
}

/// The document a request ran, when its response keys are not all field names (aliases), so
/// that an error's path can be followed through the schema.
#[derive(Clone, Copy)]
pub struct Ran<'a> {
    pub doc: &'a ExecutableDocument,
    pub operation: Option<&'a str>,
}

/// What every response gets before it leaves: a contract code on each error that has none
/// (input coercion errors, "Invalid value for argument …", carry none), and GraphQL's null
/// propagation for each error's field.
pub fn finish(registry: &Registry, resp: &mut Response, ran: Option<Ran<'_>>) {
    if resp.errors.is_empty() {
        return;
    }
    resp.errors = std::mem::take(&mut resp.errors)
        .into_iter()
        .map(|e| coded(e, Code::Validation))
        .collect();
    for e in &resp.errors {
        propagate_null(registry, &mut resp.data, &e.path, ran);
    }
}

/// The fields a response key names in selection sets (fragments looked into), with the type
/// condition each was found under.
fn fields_at<'a>(
    sets: &[(&'a SelectionSet, Option<&'a str>)],
    doc: &'a ExecutableDocument,
    key: &str,
    out: &mut Vec<(&'a async_graphql::parser::types::Field, Option<&'a str>)>,
    depth: usize,
) {
    if depth > MAX_NESTING {
        return;
    }
    for (set, cond) in sets {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let k = f.node.alias.as_ref().unwrap_or(&f.node.name);
                    if k.node.as_str() == key {
                        out.push((&f.node, *cond));
                    }
                }
                Selection::InlineFragment(i) => {
                    let c = i
                        .node
                        .type_condition
                        .as_ref()
                        .map(|t| t.node.on.node.as_str())
                        .or(*cond);
                    fields_at(&[(&i.node.selection_set.node, c)], doc, key, out, depth + 1);
                }
                Selection::FragmentSpread(sp) => {
                    if let Some(f) = doc.fragments.get(&sp.node.fragment_name.node) {
                        let c = Some(f.node.type_condition.node.on.node.as_str());
                        fields_at(&[(&f.node.selection_set.node, c)], doc, key, out, depth + 1);
                    }
                }
            }
        }
    }
}

/// Whether each node along an error's path may be null, by the schema; `None` when the path
/// cannot be followed. Response keys are field names unless the document (`ran`) says
/// otherwise through aliases.
fn nullability(
    registry: &Registry,
    path: &[PathSegment],
    ran: Option<Ran<'_>>,
) -> Option<Vec<bool>> {
    // The selection sets the next path segment is looked up in, when the document is known.
    let mut sets: Option<Vec<(&SelectionSet, Option<&str>)>> = None;
    let root = match ran {
        Some(r) => {
            let op = match r.operation {
                Some(name) => {
                    r.doc
                        .operations
                        .iter()
                        .find(|(n, _)| n.is_some_and(|n| n.as_str() == name))?
                        .1
                }
                None => r.doc.operations.iter().next()?.1,
            };
            sets = Some(vec![(&op.node.selection_set.node, None)]);
            match op.node.ty {
                async_graphql::parser::types::OperationType::Mutation => {
                    registry.mutation_type.clone()?
                }
                _ => registry.query_type.clone(),
            }
        }
        None => {
            let first = match path.first()? {
                PathSegment::Field(f) => f,
                PathSegment::Index(_) => return None,
            };
            [Some(&registry.query_type), registry.mutation_type.as_ref()]
                .into_iter()
                .flatten()
                .find(|t| {
                    registry
                        .types
                        .get(t.as_str())
                        .and_then(|m| m.field_by_name(first))
                        .is_some()
                })?
                .clone()
        }
    };
    let mut ty = format!("{root}!");
    let mut out = Vec::with_capacity(path.len());
    for seg in path {
        let inner = ty.strip_suffix('!').unwrap_or(&ty).to_owned();
        let next = match seg {
            PathSegment::Field(key) => {
                if inner.starts_with('[') {
                    return None;
                }
                let (name, cond) = match (&mut sets, ran) {
                    (Some(current), Some(r)) => {
                        let mut found = Vec::new();
                        fields_at(current, r.doc, key, &mut found, 0);
                        let (first, cond) = *found.first()?;
                        let name = first.name.node.to_string();
                        *current = found
                            .iter()
                            .map(|(f, _)| (&f.selection_set.node, None))
                            .collect();
                        (name, cond.map(str::to_owned))
                    }
                    _ => (key.clone(), None),
                };
                let owner = registry.types.get(inner.as_str())?;
                match owner.field_by_name(&name) {
                    Some(f) => f.ty.clone(),
                    // A union's member, by the fragment's type condition.
                    None => registry
                        .types
                        .get(cond?.as_str())?
                        .field_by_name(&name)?
                        .ty
                        .clone(),
                }
            }
            PathSegment::Index(_) => inner.strip_prefix('[')?.strip_suffix(']')?.to_owned(),
        };
        out.push(!next.ends_with('!'));
        ty = next;
    }
    Some(out)
}

/// GraphQL's null propagation (spec 6.4.4), which async-graphql 7.2 leaves out: it records a
/// field's error and drops the key. The error's field becomes null if it may be; otherwise its
/// nearest nullable ancestor does, or `data` itself.
fn propagate_null(
    registry: &Registry,
    data: &mut async_graphql::Value,
    path: &[PathSegment],
    ran: Option<Ran<'_>>,
) {
    let Some(nullable) = nullability(registry, path, ran) else {
        return;
    };
    let Some(at) = nullable.iter().rposition(|n| *n) else {
        *data = async_graphql::Value::Null;
        return;
    };
    let mut node = data;
    for seg in &path[..at] {
        node = match (seg, node) {
            (PathSegment::Field(f), async_graphql::Value::Object(m)) => {
                match m.get_mut(f.as_str()) {
                    Some(v) => v,
                    None => return,
                }
            }
            (PathSegment::Index(i), async_graphql::Value::List(l)) => match l.get_mut(*i) {
                Some(v) => v,
                None => return,
            },
            _ => return, // an ancestor is null already
        };
    }
    match (&path[at], node) {
        (PathSegment::Field(f), async_graphql::Value::Object(m)) => {
            m.insert(async_graphql::Name::new(f), async_graphql::Value::Null);
        }
        (PathSegment::Index(i), async_graphql::Value::List(l)) => {
            if let Some(v) = l.get_mut(*i) {
                *v = async_graphql::Value::Null;
            }
        }
        _ => {}
    }
}

impl GuardExtension {
    /// The limits a document must keep before it is validated or run, and its text inputs'
    /// characters.
    fn check(&self, doc: &ExecutableDocument, variables: &Variables) -> ServerResult<usize> {
        let mut memo = HashMap::new();
        let mut aliases = 0usize;
        let mut depth = 0usize;
        let mut introspection = 0usize;
        let mut selections = 0usize;
        for (_, op) in doc.operations.iter() {
            let sh = shape(&op.node.selection_set.node, doc, &mut memo, 0);
            aliases = aliases.saturating_add(sh.aliases);
            depth = depth.max(sh.depth);
            introspection = introspection.max(sh.introspection);
            selections = selections.saturating_add(sh.selections);
        }
        if selections > MAX_SELECTIONS {
            return Err(too_complex(format!(
                "Query asks for too many fields once its fragments are expanded ({selections} > {MAX_SELECTIONS})"
            )));
        }
        // Control characters in any text input are refused here, for every field at once and
        // on both databases alike (PostgreSQL cannot store a NUL and would answer INTERNAL).
        let mut seen = std::collections::HashSet::new();
        for (_, op) in doc.operations.iter() {
            if let Some(field) =
                control_character(&op.node.selection_set.node, doc, variables, &mut seen)
            {
                return Err(crate::error::ApiError::validation(
                    field,
                    "must not contain control characters",
                )
                .into_server_error(None));
            }
        }
        if aliases > self.limits.aliases {
            return Err(too_complex(format!(
                "Query has too many aliases ({aliases} > {})",
                self.limits.aliases
            )));
        }
        // Checked before validation, so a document too deep is refused as such even when it
        // is also invalid.
        if depth > self.limits.depth {
            return Err(too_complex(format!(
                "Query is nested too deep ({depth} > {})",
                self.limits.depth
            )));
        }
        if introspection > INTROSPECTION_DEPTH {
            return Err(too_complex(format!(
                "Introspection is nested too deep ({introspection} > {INTROSPECTION_DEPTH})"
            )));
        }
        Ok(aliases)
    }
}

fn too_complex(message: String) -> ServerError {
    coded(ServerError::new(message, None), Code::QueryTooComplex)
}

#[async_trait::async_trait]
impl Extension for GuardExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        self.env.get_or_init(|| ctx.schema_env.clone());
        let mut resp = next.run(ctx).await;
        let ran = self.ran.lock().unwrap_or_else(|p| p.into_inner()).take();
        let ran = ran.as_ref().map(|(doc, operation)| Ran {
            doc,
            operation: operation.as_deref(),
        });
        finish(&ctx.schema_env.registry, &mut resp, ran);
        resp
    }

    /// The document is measured here, before async-graphql's own parse-time checks: its
    /// recursion check expands fragments, so a fragment bomb must be refused first. The
    /// document was parsed already by [`crate::document::prepare`] (with the parser's codes);
    /// a request that skipped it is parsed here.
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        mut request: Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<Request> {
        let variables = std::mem::take(&mut request.variables);
        let doc = request
            .parsed_query()
            .map_err(|e| coded(e, Code::Validation))?;
        let checked = self.check(doc, &variables);
        if matches!(checked, Ok(aliases) if aliases > 0) {
            // Rare, and kept only then: aliased keys are mapped back to fields on an error.
            *self.ran.lock().unwrap_or_else(|p| p.into_inner()) =
                Some((doc.clone(), request.operation_name.clone()));
        }
        request.variables = variables;
        checked?;
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        // The document parsed already (prepare_request); what async-graphql refuses here is
        // refused by its recursion-depth or directive limits.
        next.run(ctx, query, variables)
            .await
            .map_err(|e| coded(e, Code::QueryTooComplex))
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        // The rules' errors are the document's faults; complexity is checked here, on what the
        // rules measured (it needs the schema's field costs).
        let result = next.run(ctx).await.map_err(|errs| {
            errs.into_iter()
                .map(|e| coded(e, Code::Validation))
                .collect::<Vec<_>>()
        })?;
        if result.complexity > self.limits.complexity {
            return Err(vec![too_complex(format!(
                "Query is too complex ({} > {})",
                result.complexity, self.limits.complexity
            ))]);
        }
        if let Some(p) = ctx.data_opt::<Passed>() {
            p.0.store(true, Ordering::Relaxed);
        }
        Ok(result)
    }
}
