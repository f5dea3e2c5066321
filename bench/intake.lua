-- wrk script: POST /api/v1/dossiers with a fresh Idempotency-Key per request.
-- Token from the environment: BENCH_TOKEN. Counts 201 responses per thread.
local threads = {}
local counter = 0
local body = '{"procedureCode":"2.000488","caseCode":"TH1","channel":"counter",' ..
  '"applicant":{"kind":"person","name":"Nguyễn Văn Thử","idNumber":"092095001234"},' ..
  '"documents":[{"component":"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp","form":"original","count":1},' ..
  '{"component":"Căn cước hoặc hộ chiếu của người được cấp Phiếu","form":"original","count":1}]}'

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  created = 0
  other = 0
  prefix = tostring(id) .. "-" .. tostring(math.random(1, 1000000000)) .. "-"
end

function request()
  counter = counter + 1
  local headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN"),
    ["Idempotency-Key"] = prefix .. counter,
  }
  return wrk.format("POST", "/api/v1/dossiers", headers, body)
end

function response(status, headers, body)
  if status == 201 then created = created + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  local c, o = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("created")
    o = o + t:get("other")
  end
  local seconds = summary.duration / 1e6
  io.write(string.format("RESULT created=%d other=%d rate=%.0f/s p50=%.2fms p99=%.2fms\n",
    c, o, c / seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
