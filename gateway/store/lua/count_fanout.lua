-- The fan-out's count, in the campaign's own slot: buckets [from, to) not counted before (one bit per bucket
-- in KEYS[2]: a chunk read again, by this gateway after a restart or by another after a take-over, does not
-- count twice, however the reads are cut) add their recipients and opted-out numbers to `recipients` and
-- `skipped_optout`. The audience itself was read just before, from the wards' slots (read_audience.lua).
-- The approval rule, again: when the count passes ARGV[1] (-1: no rule) and nobody approved the campaign, it
-- is held for approval in the same step, so that claims (which need `running`) stop before one recipient
-- more than the threshold is sent. A cancelled campaign counts nothing more: the cancel recorded what it
-- stopped. KEYS: 1 counts, 2 the counted-buckets bitmap, 3 meta. ARGV: 1 the threshold, 2 now_ms, 3 from,
-- then per bucket from on: kept, opted out. Returns {1 when this call held it else 0, 1 when cancelled}.
--! include lib/hold.lua
if redis.call('HGET', KEYS[3], 'state') == 'cancelled' then return {0, 1} end  -- a cancel's counts are final
local from = tonumber(ARGV[3])
local counted, skipped = 0, 0
for i = 4, #ARGV, 2 do
  local b = from + (i - 4) / 2
  if redis.call('GETBIT', KEYS[2], b) == 0 then
    redis.call('SETBIT', KEYS[2], b, 1)
    counted = counted + tonumber(ARGV[i])
    skipped = skipped + tonumber(ARGV[i + 1])
  end
end
local out = {0, 0}
if skipped > 0 then redis.call('HINCRBY', KEYS[1], 'skipped_optout', skipped) end
if counted > 0 then
  local total = redis.call('HINCRBY', KEYS[1], 'recipients', counted)
  local above = tonumber(ARGV[1])
  if above >= 0 and total > above and redis.call('HEXISTS', KEYS[3], 'approved_by') == 0 then
    local reason = 'the audience grew past ' .. above .. ' while it was sent (' .. total .. ' counted so far)'
    if hold_for_approval(KEYS[3], {running = true}, reason, total, above, ARGV[2]) == 'running' then out[1] = 1 end
  end
end
return out
