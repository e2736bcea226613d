#!/usr/bin/env bash
# A soak: the mixed load at constant size for a long time, to tell a leak or an unbounded cache
# from the allocator keeping pages or from data that grows. 200 clients, one request in ten a
# write; the writes edit 200 drafts in turn (updateProject), so the data does not grow and
# memory has nothing to follow but the requests. Each minute it logs in again (tokens last 15
# minutes), runs wrk for 60 s and prints req/s, p99, errors, the server's RSS and anonymous
# memory and the search outbox's backlog (changes not yet in the index), then the same after
# 30 s idle at the end.
#
# usage: crates/server/benches/load/soak.sh [sqlite|postgres] [minutes]   (defaults: postgres 60)
#   PostgreSQL at $SINERGI_BENCH_PG (default postgres://postgres@127.0.0.1:5432), database
#   sinergi_soak, dropped and recreated. $SINERGI_BENCH_BIN runs that binary instead of building.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
DB_KIND=${1:-postgres}
MINUTES=${2:-60}
PORT=${SINERGI_BENCH_PORT:-18090}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sinergi-target}"
if [ -n "${SINERGI_BENCH_BIN:-}" ]; then
  BIN=$SINERGI_BENCH_BIN # another build of the server, to compare
else
  cargo build -q --release -p sinergi-server
  BIN="$CARGO_TARGET_DIR/release/sinergi"
fi
WORK=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
export SINERGI_DATA_DIR="$WORK/data" SINERGI_LOG=warn SINERGI_BIND="127.0.0.1:$PORT"
if [ "$DB_KIND" = postgres ]; then
  PG=${SINERGI_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS sinergi_soak WITH (FORCE)" -c "CREATE DATABASE sinergi_soak"
  export SINERGI_DATABASE_URL="$PG/sinergi_soak?sslmode=disable"
fi
"$BIN" seed --scale 1 >/dev/null
"$BIN" create-admin --email bench@bench.example --password bench-password-1 >/dev/null
"$BIN" serve 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/graphql"
gql() { curl -sf "$URL" -H 'content-type: application/json' "${@:2}" -d "$1"; }
token() {
  gql '{"query":"mutation{login(email:\"bench@bench.example\",password:\"bench-password-1\"){accessToken}}"}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])'
}
CITY=$(gql '{"query":"{cities(first:1,province:\"Maluku\"){edges{node{id}}}}"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["cities"]["edges"][0]["node"]["id"])')
INPUT='{"title":"Soak draft","summary":"s","description":"d","dimensions":["LIVING"],"sector":"WATER","capex":{"amount":"1000000","currency":"USD"},"acceptedFinancing":["PPP"],"timelineMonths":12,"proposalDeadline":"2030-01-01T00:00:00Z"}'
TOKEN=$(token)
IDS=$(for _ in $(seq 1 200); do
  gql "{\"query\":\"mutation(\$i:ProjectInput!){createProject(cityId:\\\"$CITY\\\",input:\$i){id}}\",\"variables\":{\"i\":$INPUT}}" \
    -H "authorization: Bearer $TOKEN" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["createProject"]["id"])'
done | paste -sd, -)
READ="{\"query\":\"{city(id:\\\"$CITY\\\"){projects(first:20){edges{node{id title city{name}}}}}}\"}"
WRITE="{\"query\":\"mutation(\$i:ProjectInput!){updateProject(id:\\\"%ID%\\\",input:\$i){id}}\",\"variables\":{\"i\":$INPUT}}"
mem() {
  awk '/VmRSS/{r=$2} /RssAnon/{a=$2} END{printf "%.0f MB RSS, %.0f MB anonymous", r/1024, a/1024}' "/proc/$SERVER/status"
  curl -s "http://127.0.0.1:$PORT/readyz" | python3 -c 'import json,sys; print(", search backlog", json.load(sys.stdin)["outboxBacklog"])'
}
printf '%s, %s minutes of 60 s runs, 200 connections, wrk -t2 on the same 2 cores\n' "$DB_KIND" "$MINUTES"
printf 'fresh: %s\n' "$(mem | paste -sd' ' -)"
for minute in $(seq 1 "$MINUTES"); do
  out=$(BODY="$READ" WRITE_BODY="$WRITE" WRITE_EVERY=10 WRITE_IDS="$IDS" TOKEN="$(token)" \
    wrk -t2 -c200 -d60s --latency -s crates/server/benches/load/graphql.lua "$URL")
  python3 - "$minute" "$(mem | paste -sd' ' -)" <<PY
import re, sys
out = """$out"""
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
p99 = re.search(r"\s99%\s+(\S+)", out).group(1)
errs = int(re.search(r"graphql_errors (\d+)", out).group(1))
m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
errs += int(m.group(1)) if m else 0
t = re.search(r"Socket errors: (.*)", out)
print(f"minute {sys.argv[1]:>3}: {rps:,.0f} req/s, p99 {p99}, {errs} errors{', socket ' + t.group(1) if t else ''}; {sys.argv[2]}")
PY
done
sleep 30
printf 'after 30 s idle: %s\n' "$(mem | paste -sd' ' -)"
