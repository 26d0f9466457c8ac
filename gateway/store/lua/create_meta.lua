-- Writes a new campaign's meta hash, once: the id was drawn (and its idempotency key's guard set) by calls
-- of their own, and the active set and the wards' indexes are written after, each its own command, so that
-- no call spans two Redis Cluster slots (docs/SCALING.md). Two creators racing with the same key meet here:
-- the first writes, the second finds it. KEYS: 1 meta. ARGV: 1 id, then field/value pairs. Returns {1 when
-- written now else 0, the state, created_at_ms}.
if redis.call('EXISTS', KEYS[1]) == 0 then
  local fields = {}
  for i = 2, #ARGV do fields[#fields + 1] = ARGV[i] end
  redis.call('HSET', KEYS[1], 'id', ARGV[1], unpack(fields))
  return {1, redis.call('HGET', KEYS[1], 'state'), redis.call('HGET', KEYS[1], 'created_at_ms') or '0'}
end
return {0, redis.call('HGET', KEYS[1], 'state') or '', redis.call('HGET', KEYS[1], 'created_at_ms') or '0'}
