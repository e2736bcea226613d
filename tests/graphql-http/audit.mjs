// Runs graphql-http's server audits (every MUST, SHOULD and MAY of the GraphQL-over-HTTP spec)
// against the URL given, printing one line per audit. Exits 1 when any audit is not "ok": a
// warning (a SHOULD not met) fails as much as an error.
import { serverAudits } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs http://host:port/graphql');
  process.exit(2);
}
let failed = 0;
let total = 0;
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  total += 1;
  if (result.status !== 'ok') {
    failed += 1;
    let detail = result.reason;
    if (result.response) {
      const body = await result.response.text().catch(() => '');
      detail += ` [status ${result.response.status}, content-type ${result.response.headers.get('content-type')}, body ${body.slice(0, 300)}]`;
    }
    console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}: ${detail}`);
  }
}
console.log(`${total - failed} of ${total} audits ok`);
process.exit(failed === 0 ? 0 : 1);
