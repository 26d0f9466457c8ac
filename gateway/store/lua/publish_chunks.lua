-- Publishes a campaign's chunks once: the stream with one entry per chunk (fields from, to: a range of
-- buckets) and its consumer group. Guarded by the meta field `chunks`, written last (a script that fails
-- half way is not rolled back: the next call starts again), so that a second gateway (or a restart)
-- publishes nothing. A campaign an older gateway began counted the buckets below `fanout_counted`: they are
-- marked counted. KEYS: 1 meta, 2 stream, 3 counted-buckets bitmap. ARGV: 1 group, 2 buckets per chunk,
-- 3 buckets. Returns 1 when published now, 0 when it was already.
if redis.call('HEXISTS', KEYS[1], 'chunks') == 1 then return 0 end
local per, total = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('DEL', KEYS[2])
redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[1], '0', 'MKSTREAM')
local n = 0
for from = 0, total - 1, per do
  redis.call('XADD', KEYS[2], '*', 'from', from, 'to', math.min(from + per, total))
  n = n + 1
end
local counted = tonumber(redis.call('HGET', KEYS[1], 'fanout_counted') or '0')
for b = 0, counted - 1 do redis.call('SETBIT', KEYS[3], b, 1) end
redis.call('HSET', KEYS[1], 'chunks_settled', 0, 'chunks', n)
return 1
