-- Creates a campaign unless its idempotency key was used. KEYS: 1 the id counter, 2 the key's guard (or the
-- counter again when no key). ARGV: 1 has_key (0/1), 2 key TTL seconds, 3 meta key prefix ("loa:{c:"),
-- 4 active set, 5 created_ms, 6 ward index prefix, then field/value pairs of the meta hash.
-- Returns {id, existing (0/1)}.
if ARGV[1] == '1' then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {existing, 1} end
end
local id = tostring(redis.call('INCR', KEYS[1]))
local meta = ARGV[3] .. id .. '}:meta'
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', meta, 'id', id, unpack(fields))
redis.call('SADD', ARGV[4], id)
local wards = redis.call('HGET', meta, 'wards')
for w in string.gmatch(wards, '[^\31]+') do
  redis.call('ZADD', ARGV[6] .. w .. '}:campaigns', ARGV[5], id)
end
if ARGV[1] == '1' then redis.call('SET', KEYS[2], id, 'EX', ARGV[2]) end
return {id, 0}
