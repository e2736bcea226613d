//! Query limits and the codes of errors async-graphql raises itself.

use std::sync::Arc;

use async_graphql::{
    Response, ServerError, ServerResult, ValidationResult, Variables,
    extensions::{
        Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextValidation,
    },
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

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

fn count_aliases(set: &SelectionSet, doc: &ExecutableDocument, depth: usize) -> usize {
    if depth > 64 {
        return usize::MAX / 2;
    }
    set.items
        .iter()
        .map(|s| match &s.node {
            Selection::Field(f) => {
                usize::from(f.node.alias.is_some())
                    + count_aliases(&f.node.selection_set.node, doc, depth + 1)
            }
            Selection::InlineFragment(i) => {
                count_aliases(&i.node.selection_set.node, doc, depth + 1)
            }
            Selection::FragmentSpread(s) => doc
                .fragments
                .get(&s.node.fragment_name.node)
                .map_or(0, |f| {
                    count_aliases(&f.node.selection_set.node, doc, depth + 1)
                }),
        })
        .fold(0usize, usize::saturating_add)
}

fn coded(mut e: ServerError, code: &str) -> ServerError {
    let ext = e.extensions.get_or_insert_with(Default::default);
    if ext.get("code").is_none() {
        ext.set("code", code);
    }
    e
}

/// Adds the alias limit and gives every error async-graphql makes itself a contract code.
pub struct Guard {
    pub max_aliases: usize,
}

impl ExtensionFactory for Guard {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(GuardExtension {
            max_aliases: self.max_aliases,
        })
    }
}

struct GuardExtension {
    max_aliases: usize,
}

#[async_trait::async_trait]
impl Extension for GuardExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let mut resp = next.run(ctx).await;
        // Input coercion errors ("Invalid value for argument …") carry no code of their own.
        resp.errors = resp
            .errors
            .into_iter()
            .map(|e| coded(e, "VALIDATION"))
            .collect();
        resp
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next
            .run(ctx, query, variables)
            .await
            .map_err(|e| coded(e, "VALIDATION"))?;
        let aliases = doc
            .operations
            .iter()
            .map(|(_, op)| count_aliases(&op.node.selection_set.node, &doc, 0))
            .fold(0usize, usize::saturating_add);
        if aliases > self.max_aliases {
            return Err(coded(
                ServerError::new(
                    format!(
                        "Query has too many aliases ({aliases} > {})",
                        self.max_aliases
                    ),
                    None,
                ),
                "QUERY_TOO_COMPLEX",
            ));
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        next.run(ctx).await.map_err(|errs| {
            errs.into_iter()
                .map(|e| {
                    let m = e.message.to_lowercase();
                    let code = if m.contains("too deep")
                        || m.contains("too complex")
                        || m.contains("recursive")
                        || m.contains("directives")
                    {
                        "QUERY_TOO_COMPLEX"
                    } else {
                        "VALIDATION"
                    };
                    coded(e, code)
                })
                .collect()
        })
    }
}
