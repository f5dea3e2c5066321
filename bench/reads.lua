-- wrk script: the reads of issue 11 under write load, in turn: the dossier page (HTML), the inbox
-- (HTML) and the API list. Session cookie, bearer token and a dossier code from the environment
-- (BENCH_COOKIE, BENCH_TOKEN, BENCH_CODE). Each connection waits BENCH_READ_DELAY ms (default 20)
-- between requests, as officers browsing do, so that the reads measure latency under the write
-- load rather than add a second saturating load. Counts 200 responses.
local paths = { "/can-bo/ho-so/" .. os.getenv("BENCH_CODE"), "/can-bo", "/api/v1/dossiers?limit=20" }
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  ok = 0
  other = 0
  n = 0
end

function delay()
  return tonumber(os.getenv("BENCH_READ_DELAY") or "20")
end

function request()
  n = n + 1
  local path = paths[(n % #paths) + 1]
  local headers = { ["Cookie"] = os.getenv("BENCH_COOKIE"), ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN") }
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("ok")
    o = o + t:get("other")
  end
  io.write(string.format("RESULT ok=%d other=%d rate=%.0f/s p50=%.2fms p99=%.2fms\n",
    c, o, c / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
