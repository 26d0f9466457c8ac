-- Cancels unless finished. KEYS: 1 meta, 2 active set. ARGV: 1 id. Returns the state before.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return false end
if state ~= 'done' and state ~= 'cancelled' then
  redis.call('HSET', KEYS[1], 'state', 'cancelled')
  redis.call('SREM', KEYS[2], ARGV[1])
end
return state
