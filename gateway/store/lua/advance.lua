-- Moves a campaign on when it becomes due (scheduled -> waiting -> running), only from the state it was seen
-- in: a campaign cancelled or held for approval a moment before stays so. The active set is the caller's
-- next command (its own slot). KEYS: 1 meta. ARGV: 1 expected state, 2 next state. Returns the state before
-- (false: no such campaign).
local state = redis.call('HGET', KEYS[1], 'state')
if state == ARGV[1] then redis.call('HSET', KEYS[1], 'state', ARGV[2]) end
return state
