-- A campaign run's heartbeat: the run is alive until now + ttl, by Redis's clock (the gateways' clocks may
-- disagree); ttl 0: it is gone (stopped), so another run takes its units at once. Runs silent for an hour
-- are forgotten (a run missing from the hash counts as lapsed too).
-- KEYS: 1 loa:{c:ID}:alive. ARGV: 1 run ("GATEWAY/RUN"), 2 ttl ms. Returns Redis's time (ms).
--! include lib/clock.lua
local now, ttl = redis_now_ms(), tonumber(ARGV[2])
if ttl > 0 then
  redis.call('HSET', KEYS[1], ARGV[1], now + ttl)
else
  redis.call('HDEL', KEYS[1], ARGV[1])
end
local kv = redis.call('HGETALL', KEYS[1])
for i = 1, #kv, 2 do
  if tonumber(kv[i + 1]) < now - 3600000 then redis.call('HDEL', KEYS[1], kv[i]) end
end
return now
