-- wrk script: POSTs the GraphQL body in $BODY (or, with $WRITE_BODY and $WRITE_EVERY, one write
-- in every WRITE_EVERY requests, with the bearer token in $TOKEN). Counts non-2xx answers and
-- GraphQL errors as errors. With $WRITE_IDS (comma-separated), each write's `%ID%` becomes the
-- next of those IDs in turn, so that writes can edit a fixed set of rows instead of adding rows.
local body = os.getenv("BODY")
local write_body = os.getenv("WRITE_BODY")
local every = tonumber(os.getenv("WRITE_EVERY") or "0")
local token = os.getenv("TOKEN")
local ids = {}
for id in string.gmatch(os.getenv("WRITE_IDS") or "", "[^,]+") do
  table.insert(ids, id)
end
local n = 0
local w = 0
errors = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  errors = 0
end

request = function()
  n = n + 1
  local headers = {["Content-Type"] = "application/json"}
  if write_body and every > 0 and n % every == 0 then
    headers["Authorization"] = "Bearer " .. token
    if #ids > 0 then
      w = w + 1
      return wrk.format("POST", nil, headers, (string.gsub(write_body, "%%ID%%", ids[(w % #ids) + 1])))
    end
    return wrk.format("POST", nil, headers, write_body)
  end
  return wrk.format("POST", nil, headers, body)
end

response = function(status, headers, resp)
  if status ~= 200 or string.find(resp, '"errors"', 1, true) then
    errors = errors + 1
  end
end

done = function(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do
    total = total + (t:get("errors") or 0)
  end
  io.write(string.format("graphql_errors %d\n", total))
end
