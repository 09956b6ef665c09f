-- Rotates over a fixed set of request bodies (scenarios a, b, e, f).
-- Arguments: <bodies file> [extra "Name: value" headers...]
local common = dofile("common.lua")
local requests = {}
local count = 0
local position = 0

function init(args)
  local headers = common.headers(args, 2)
  for k, body in ipairs(common.lines(args[1])) do requests[k] = common.request(headers, body) end
  count = #requests
end

function request()
  position = position % count + 1
  return requests[position]
end

done = common.done
