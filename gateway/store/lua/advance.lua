-- Moves a campaign on when it becomes due (scheduled -> waiting -> running), only from the state it was seen
-- in: a campaign cancelled or held for approval a moment before stays so. KEYS: 1 meta, 2 active set.
-- ARGV: 1 id, 2 expected state, 3 next state. Returns the state before (false: no such campaign).
local state = redis.call('HGET', KEYS[1], 'state')
if state == ARGV[2] then
  redis.call('HSET', KEYS[1], 'state', ARGV[3])
  if ARGV[3] == 'done' or ARGV[3] == 'cancelled' then
    redis.call('SREM', KEYS[2], ARGV[1])
  else
    redis.call('SADD', KEYS[2], ARGV[1])
  end
end
return state
