-- Shared by the scenario scripts (loaded with dofile; wrk runs with bench/wrk as its working directory).
-- No response() callback anywhere: defining one makes wrk parse every response in Lua, which would slow the load
-- generator and flatter the slower variants. Hit rates are read from the server (cacheStats) instead.
local common = {}

-- Non-empty lines of a file: request bodies are written one per line (JSON has no raw newlines).
function common.lines(path)
  local lines = {}
  for line in io.lines(path) do
    if #line > 0 then lines[#lines + 1] = line end
  end
  if #lines == 0 then error("no lines in " .. path) end
  return lines
end

-- Request headers: JSON content type plus "Name: value" arguments from position `from` on.
function common.headers(args, from)
  local headers = { ["Content-Type"] = "application/json" }
  for k = from, #args do
    local name, value = string.match(args[k], "^([^:]+):%s*(.*)$")
    if name then headers[name] = value end
  end
  return headers
end

function common.request(headers, body)
  return wrk.format("POST", "/graphql", headers, body)
end

-- One line the harness parses (bench/lib/wrk.ts). Latencies in microseconds.
function common.done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
    '"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latency_us":{"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end

return common
