-- The fan-out: the audience of buckets [from, to), counted into `recipients` and `skipped_optout` for the
-- buckets not counted before (one bit per bucket in KEYS[3]: a chunk read again, by this gateway after a
-- restart or by another after a take-over, does not count twice, however the reads are cut). Reads come
-- first and writes after, so a read that fails (a damaged bucket) leaves nothing half counted. The approval
-- rule, again: when the count passes ARGV[1] (-1: no rule) and nobody approved the campaign, it is held for
-- approval in the same step, so that claims (which need `running`) stop before one recipient more than the
-- threshold is sent. A cancelled campaign's fan-out reads and writes nothing more (returns {0}): the cancel
-- recorded what it stopped. KEYS: 1 counts, 2 opt-out hash, 3 the counted-buckets bitmap, 4 meta. ARGV: 1 the
-- threshold, 2 now_ms, then audience_prelude's from 3. Returns {1 when this call held it else 0, numbers...}.
--! include lib/audience.lua
--! include lib/hold.lua
if redis.call('HGET', KEYS[4], 'state') == 'cancelled' then return {0} end  -- a cancel's counts are final
local kept, _, skipped_numbers = audience(KEYS[2], 3)
local from, to = tonumber(ARGV[3]), tonumber(ARGV[4])
local fresh = {}
for b = from, to - 1 do fresh[b] = redis.call('GETBIT', KEYS[3], b) == 0 end
local out, counted, skipped = {0}, 0, 0
for _, e in ipairs(kept) do
  out[#out + 1] = e[2]
  if fresh[e[1]] then counted = counted + 1 end
end
for _, e in ipairs(skipped_numbers) do
  if fresh[e[1]] then skipped = skipped + 1 end
end
for b = from, to - 1 do
  if fresh[b] then redis.call('SETBIT', KEYS[3], b, 1) end
end
if skipped > 0 then redis.call('HINCRBY', KEYS[1], 'skipped_optout', skipped) end
if counted > 0 then
  local total = redis.call('HINCRBY', KEYS[1], 'recipients', counted)
  local above = tonumber(ARGV[1])
  if above >= 0 and total > above and redis.call('HEXISTS', KEYS[4], 'approved_by') == 0 then
    local reason = 'the audience grew past ' .. above .. ' while it was sent (' .. total .. ' counted so far)'
    if hold_for_approval(KEYS[4], {running = true}, reason, total, above, ARGV[2]) == 'running' then out[1] = 1 end
  end
end
return out
