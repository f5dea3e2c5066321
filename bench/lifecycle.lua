-- wrk script: full lifecycles, one per connection at a time (run with as many threads as
-- connections): intake by reception, then transfer, transfer, approve, approve, issue, return, each
-- by its officer with the version from the previous answer. Tokens from BENCH_TOKENS (reception,
-- specialist, head, director, clerk; comma-separated). Counts completed lifecycles.
local intake = '{"procedureCode":"2.000488","caseCode":"TH1","channel":"counter",' ..
  '"applicant":{"kind":"person","name":"Nguyễn Văn Thử","idNumber":"092095001234"},' ..
  '"documents":[{"component":"Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp","form":"original","count":1},' ..
  '{"component":"Căn cước hoặc hộ chiếu của người được cấp Phiếu","form":"original","count":1}]}'
local steps = { {1, "transfer", ""}, {2, "transfer", ""}, {3, "approve", ""}, {4, "approve", ""},
                {5, "issue", ',"number":"B-1"'}, {1, "return", ""} }
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  tokens = {}
  for t in string.gmatch(os.getenv("BENCH_TOKENS"), "[^,]+") do table.insert(tokens, t) end
  step, code, version, completed, failed = 0, nil, 0, 0, 0
end

local function headers(user)
  return { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. tokens[user] }
end

function request()
  if step == 0 then return wrk.format("POST", "/api/v1/dossiers", headers(1), intake) end
  local s = steps[step]
  return wrk.format("POST", "/api/v1/dossiers/" .. code .. "/actions", headers(s[1]),
    '{"action":"' .. s[2] .. '","version":' .. version .. s[3] .. '}')
end

function response(status, hdrs, body)
  if status ~= 200 and status ~= 201 then
    failed = failed + 1
    step = 0
    return
  end
  code = string.match(body, '"code"%s*:%s*"([^"]+)"')
  version = tonumber(string.match(body, '"version"%s*:%s*(%d+)'))
  if step == #steps then
    completed = completed + 1
    step = 0
  else
    step = step + 1
  end
end

function done(summary, latency, requests)
  local c, f = 0, 0
  for _, t in ipairs(threads) do
    c = c + t:get("completed")
    f = f + t:get("failed")
  end
  io.write(string.format("RESULT lifecycles=%d failed=%d rate=%.1f/s p50=%.2fms p99=%.2fms\n",
    c, f, c / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
