-- A body never sent before on every request (scenario c): the dashboard query with the n-th variable set, n counting
-- up from an offset the harness gives each run, so no run repeats another's keys. Must match bench/lib/workload.ts.
-- Arguments: <template file: four lines, the body around id, runs and status> <offset> [headers...]
local common = dofile("common.lua")
local parts
local headers
local n = 0
local DATASETS, RUNS = 500, 100
local STATUSES = { "null", '"COMPLETED"', '"FAILED"', '"RUNNING"', '"PENDING"' }

function init(args)
  parts = common.lines(args[1])
  n = tonumber(args[2]) or 0
  headers = common.headers(args, 3)
end

function request()
  local i = n
  n = n + 1
  local id = i % DATASETS + 1
  local runs = math.floor(i / DATASETS) % RUNS + 1
  local status = STATUSES[math.floor(i / (DATASETS * RUNS)) % #STATUSES + 1]
  local body = parts[1] .. id .. parts[2] .. runs .. parts[3] .. status .. parts[4]
  return common.request(headers, body)
end

done = common.done
