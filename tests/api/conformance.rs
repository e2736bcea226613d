//! What third-party GraphQL tools and hostile clients expect of the HTTP API.

use serde_json::json;

use crate::helpers::{TestApp, code};

/// The query graphql-js 16 (16.15.0) builds with `getIntrospectionQuery()`, byte for byte: the
/// one GraphiQL, Apollo, Postman, Insomnia and graphql-codegen send. Its type references nest
/// `ofType` nine deep.
const STANDARD_INTROSPECTION: &str = include_str!("fixtures/introspection.graphql");

#[tokio::test]
async fn the_standard_introspection_query_loads_the_schema_and_hostile_nesting_stays_refused() {
    let app = TestApp::spawn().await;
    let r = app.gql(None, STANDARD_INTROSPECTION, json!({})).await;
    assert!(r.get("errors").is_none(), "{r}");
    let types = r["data"]["__schema"]["types"].as_array().expect("types");
    for name in ["Project", "ProjectConnection", "Proposal", "DateTime"] {
        assert!(
            types.iter().any(|t| t["name"] == name),
            "{name} is in the schema"
        );
    }
    assert_eq!(r["data"]["__schema"]["queryType"]["name"], "Query");
    assert_eq!(r["data"]["__schema"]["mutationType"]["name"], "Mutation");

    // Nesting past any real client's needs is still refused, inside introspection too.
    let deep = format!(
        "{{__schema{{types{{fields{{type{{{}name{}}}}}}}}}}}",
        "ofType{".repeat(30),
        "}".repeat(30)
    );
    let r = app.gql(None, &deep, json!({})).await;
    assert_eq!(code(&r), "QUERY_TOO_COMPLEX", "{r}");
    app.stop().await;
}
