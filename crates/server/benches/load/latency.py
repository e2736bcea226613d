#!/usr/bin/env python3
"""Sequential latency of the projects search through the API, beside the engine's own time.

For each query of a fixed set, N requests one after another; prints p50/p99 of the whole round
trip and of the engine's processingTimeMs from the same responses, so the API's share is read
against the engine measured in the same run.

usage: latency.py [URL] [N]      (default http://127.0.0.1:8080/graphql, 200)
"""
import json
import sys
import time
import urllib.request

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


print("| query | API p50 | API p99 | engine p50 | engine p99 | API − engine (p50) | hits |")
print("| --- | --- | --- | --- | --- | --- | --- |")
for name, q in QUERIES.items():
    body = json.dumps({"query": q}).encode()
    total, engine, hits = [], [], 0
    for i in range(N + 10):
        req = urllib.request.Request(URL, body, {"Content-Type": "application/json"})
        t = time.perf_counter()
        with urllib.request.urlopen(req) as r:
            data = json.load(r)
        dt = (time.perf_counter() - t) * 1000
        if "errors" in data:
            sys.exit(f"{name}: {data['errors']}")
        if i >= 10:  # warm-up excluded
            total.append(dt)
            engine.append(data["data"]["projects"]["processingTimeMs"])
            hits = data["data"]["projects"]["totalHits"]
    print(f"| {name} | {pct(total, .5):.2f} ms | {pct(total, .99):.2f} ms | {pct(engine, .5)} ms | "
          f"{pct(engine, .99)} ms | {pct(total, .5) - pct(engine, .5):.2f} ms | {hits} |")
