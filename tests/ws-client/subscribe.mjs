// Subscribes with the graphql-ws library's client (graphql-transport-ws) and prints, one JSON
// line each: {"connected": true} once acknowledged, then every result, then {"complete": true}
// or {"error": ...}. Exits after `count` results, or after 30 s. `variables` is a JSON object.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, query, count = "1", variables = "{}"] = process.argv.slice(2);
const out = (v) => process.stdout.write(JSON.stringify(v) + "\n");
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
  retryAttempts: 0,
  on: { connected: () => out({ connected: true }) },
});
let seen = 0;
setTimeout(() => { out({ timeout: true }); process.exit(2); }, 30000);
client.subscribe(
  { query, variables: JSON.parse(variables) },
  {
    next: (v) => { out(v); if (++seen >= Number(count)) { client.dispose(); process.exit(0); } },
    error: (e) => { out({ error: e instanceof Error ? e.message : e }); process.exit(1); },
    complete: () => { out({ complete: true }); process.exit(0); },
  },
);
