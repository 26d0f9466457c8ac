-- KEYS: 1 meta. ARGV: 1 next state, 2 approver, 3 now_ms. Returns the state before (nil: no campaign).
local state = redis.call('HGET', KEYS[1], 'state')
if state == 'awaiting_approval' then
  redis.call('HSET', KEYS[1], 'state', ARGV[1], 'approved_by', ARGV[2], 'approved_at_ms', ARGV[3])
end
return state
