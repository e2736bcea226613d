// Starts GraphiQL (from the bundles this server serves) against this server's /graphql.
// An access token goes in the Headers tab: {"Authorization": "Bearer …"}.
const fetcher = GraphiQL.createFetcher({ url: new URL("/graphql", location.href).href });
const defaultQuery = `# Sinergi's GraphQL API. Press the run button (or Ctrl-Enter).
{
  cities(first: 5) {
    totalCount
    edges { node { name province timeZone } }
  }
}
`;
ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: true }),
);
