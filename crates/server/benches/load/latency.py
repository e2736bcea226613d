#!/usr/bin/env python3
"""Sequential latency of the projects search through the API, beside the engine's own time.

For each query of a fixed set, N requests one after another on one kept-alive connection;
prints p50/p99 of the whole round trip and of the engine's time from the same responses (the
`Server-Timing: search;dur=<ms>` header, measured by the API around its call to the engine),
and the API's share: the p50 of each response's round trip minus its engine time. The round
trip of `/healthz` on the same connection is printed first: the floor of HTTP and this client.

usage: latency.py [URL] [N]      (default http://127.0.0.1:8080/graphql, 200)
"""
import http.client
import json
import sys
import time
import urllib.parse

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080/graphql"
N = int(sys.argv[2]) if len(sys.argv) > 2 else 200
QUERIES = {
    "flood warning": '{projects(search:"flood warning",first:20){totalHits processingTimeMs hits{project{id title}}}}',
    "typo: musik": '{projects(search:"musik",first:20){totalHits processingTimeMs hits{highlightedTitle project{id}}}}',
    "prefix: street ligh": '{projects(search:"street ligh",first:20){totalHits processingTimeMs hits{project{id}}}}',
    "filter: water in Maluku": '{projects(filter:{sectors:[WATER],provinces:["Maluku"]},first:20){totalHits processingTimeMs facets{field values{value count}}}}',
    "text + capex sort": '{projects(search:"portal",filter:{minCapexUsd:"1000000"},sort:CAPEX_DESC,first:20){totalHits processingTimeMs hits{project{id}}}}',
    "browse newest": '{projects(sort:NEWEST,first:20){totalHits processingTimeMs hits{project{id title city{name}}}}}',
}


def pct(xs, p):
    xs = sorted(xs)
    return xs[round((len(xs) - 1) * p)]


url = urllib.parse.urlsplit(URL)
conn = http.client.HTTPConnection(url.hostname, url.port or 80)

floor = []
for i in range(N + 10):
    t = time.perf_counter()
    conn.request("GET", "/healthz")
    conn.getresponse().read()
    if i >= 10:
        floor.append((time.perf_counter() - t) * 1000)
print(f"/healthz round trip on the same connection: p50 {pct(floor, .5):.2f} ms\n")

print("| query | API p50 | API p99 | engine p50 | engine p99 | API − engine (p50) | hits |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for name, q in QUERIES.items():
    body = json.dumps({"query": q})
    total, engine, share, hits = [], [], [], 0
    for i in range(N + 10):
        t = time.perf_counter()
        conn.request("POST", url.path, body, {"Content-Type": "application/json"})
        r = conn.getresponse()
        data = json.loads(r.read())
        dt = (time.perf_counter() - t) * 1000
        if "errors" in data:
            sys.exit(f"{name}: {data['errors']}")
        timing = r.getheader("server-timing", "")
        if not timing.startswith("search;dur="):
            sys.exit(f"{name}: no Server-Timing header")
        e = float(timing.split("=", 1)[1])
        if i >= 10:  # warm-up excluded
            total.append(dt)
            engine.append(e)
            share.append(dt - e)
            hits = data["data"]["projects"]["totalHits"]
    print(f"| {name} | {pct(total, .5):.2f} ms | {pct(total, .99):.2f} ms | {pct(engine, .5):.2f} ms | "
          f"{pct(engine, .99):.2f} ms | {pct(share, .5):.2f} ms | {hits} |")
