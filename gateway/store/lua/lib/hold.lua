-- The one transition into awaiting_approval after creation (the approval rule applied again: see
-- approval_rule.hpp): the campaign of meta hash `meta`, when its state is in the set `from`, waits for an
-- approver, with why, the audience counted and the threshold. It stays in the active set. Returns the state
-- before (false: no such campaign); it changed only when that was in `from`.
local function hold_for_approval(meta, from, reason, audience, above, now)
  local state = redis.call('HGET', meta, 'state')
  if state and from[state] then
    redis.call('HSET', meta, 'state', 'awaiting_approval', 'approval_reason', reason,
               'approval_recipients', audience, 'approval_above', above, 'held_at_ms', now)
  end
  return state
end
