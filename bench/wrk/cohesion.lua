-- wrk script for bench/run.py. Environment:
--   BENCH_TOKEN  bearer token sent with every request (optional)
--   BENCH_OFFSET where in the plan to start (optional)
--   BENCH_PLAN   file of requests, one a line, tab-separated:
--                  GET    <path>
--                  POST   <path>  <file holding the JSON body>
--                  PATCH  <path>  <JSON body>      (If-Match: the last ETag seen for <path>)
--                the lines are taken in turn, each thread starting at its own offset.
-- done() prints one JSON line: requests, seconds, req/s, p50/p99 (ms), errors, non-2xx.

local token = os.getenv("BENCH_TOKEN")
local plan_file = os.getenv("BENCH_PLAN")

local function read_all(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

local function load_plan()
  local plan = {}
  for line in io.lines(plan_file) do
    if line ~= "" then
      local parts = {}
      for p in string.gmatch(line, "[^\t]+") do parts[#parts + 1] = p end
      local item = { method = parts[1], path = parts[2] }
      if item.method == "POST" then
        item.body = read_all(parts[3])
      elseif item.method == "PATCH" then
        item.body = parts[3]
      end
      plan[#plan + 1] = item
    end
  end
  return plan
end

local counter = 1
local threads = {}

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  threads[#threads + 1] = thread
end

local plan = load_plan()
local index
local etags = {}
local has_patch = false
for _, item in ipairs(plan) do
  if item.method == "PATCH" then has_patch = true end
end

function init(args)
  -- BENCH_OFFSET: where this run starts, so a run does not repeat the writes of the one before
  -- (the warm-up's) with ETags it has not seen.
  index = ((tonumber(os.getenv("BENCH_OFFSET") or "0") or 0) + (id or 1) * 7919) % #plan
  base_headers = { ["Content-Type"] = "application/json" }
  if token and token ~= "" then
    base_headers["Authorization"] = "Bearer " .. token
  end
end

function request()
  index = index % #plan + 1
  local item = plan[index]
  if item.method == "GET" then
    return wrk.format("GET", item.path, base_headers)
  end
  local headers = {}
  for k, v in pairs(base_headers) do headers[k] = v end
  if item.method == "PATCH" then
    headers["If-Match"] = etags[item.path] or '"1"'
  end
  return wrk.format(item.method, item.path, headers, item.body)
end

-- Only a plan with writes needs the answers (parsing them costs the client time): an
-- objective's answer names its id first, and its ETag is the next If-Match for its path.
if has_patch then
  function response(status, headers, body)
    local etag = headers["ETag"]
    if etag and body then
      local oid = string.match(body, '^{"id":(%d+),"plan_id"')
      if oid then etags["/api/v1/objectives/" .. oid] = etag end
    end
  end
end

function done(summary, latency, requests)
  local seconds = summary.duration / 1e6
  local non2xx = summary.errors.status
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.3f, "p99_ms": %.3f, ' ..
    '"max_ms": %.3f, "connect_errors": %d, "read_errors": %d, "write_errors": %d, ' ..
    '"timeouts": %d, "non_2xx": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, non2xx))
end
