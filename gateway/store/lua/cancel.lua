-- Cancels unless finished. The active set is the caller's next command (its own slot). KEYS: 1 meta.
-- Returns the state before.
local state = redis.call('HGET', KEYS[1], 'state')
if not state then return false end
if state ~= 'done' and state ~= 'cancelled' then redis.call('HSET', KEYS[1], 'state', 'cancelled') end
return state
