-- Redis's own clock in ms: every gateway's heartbeat is written and compared against the same clock, so the
-- gateways' clocks may disagree.
local function redis_now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
