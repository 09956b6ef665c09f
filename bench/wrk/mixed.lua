-- 95% reads, 5% writes (scenario d): every `period`-th request is the next mutation, the others rotate over the reads.
-- Arguments: <reads file> <mutations file> <period>
local common = dofile("common.lua")
local reads, writes = {}, {}
local period = 20
local sent, nextRead, nextWrite = 0, 0, 0

function init(args)
  local headers = common.headers(args, 4)
  for k, body in ipairs(common.lines(args[1])) do reads[k] = common.request(headers, body) end
  for k, body in ipairs(common.lines(args[2])) do writes[k] = common.request(headers, body) end
  period = tonumber(args[3]) or 20
end

function request()
  sent = sent + 1
  if sent % period == 0 then
    nextWrite = nextWrite % #writes + 1
    return writes[nextWrite]
  end
  nextRead = nextRead % #reads + 1
  return reads[nextRead]
end

done = common.done
