-- wrk load test of the projects search through the API: a fixed set of queries, in turn.
-- wrk -t2 -c16 -d30s --latency -s crates/server/benches/load/search.lua http://127.0.0.1:8080/graphql
local queries = {
  '{"query":"{projects(search:\\"flood warning\\",first:20){totalHits hits{project{id title}}}}"}',
  '{"query":"{projects(search:\\"musik\\",first:20){totalHits hits{highlightedTitle project{id}}}}"}',
  '{"query":"{projects(search:\\"street ligh\\",first:20){totalHits hits{project{id}}}}"}',
  '{"query":"{projects(filter:{sectors:[WATER],provinces:[\\"Maluku\\"]},first:20){totalHits facets{field values{value count}}}}"}',
  '{"query":"{projects(search:\\"portal\\",filter:{minCapexUsd:\\"1000000\\"},sort:CAPEX_DESC,first:20){totalHits hits{project{id}}}}"}',
  '{"query":"{projects(sort:NEWEST,first:20){totalHits hits{project{id title city{name}}}}}"}',
}
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, queries[(i % #queries) + 1])
end
