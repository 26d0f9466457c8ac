-- Claims recipients for one carrier before their parts are submitted: a new record with every part in
-- flight; only while the campaign is running (not once it is held for approval, cancelled or done). KEYS:
-- 1 records, 2 counts, 3 meta. ARGV: 1 owner, 2 carrier, 3 number of parts, 4 now_ms, then numbers.
-- Returns, per number, 1 when claimed now or the existing record (claimed earlier, maybe by us); or, when
-- the campaign is not running, its state ('' when there is none) instead of the list.
local state = redis.call('HGET', KEYS[3], 'state')
if state ~= 'running' then return state or '' end
local owner, carrier, nparts, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local fresh = carrier .. '|' .. string.rep('I', nparts) .. '|' .. owner .. '||' .. now .. '|'
local out, claimed = {}, 0
for i = 5, #ARGV do
  if redis.call('HSETNX', KEYS[1], ARGV[i], fresh) == 1 then
    out[#out + 1] = 1
    claimed = claimed + 1
  else
    out[#out + 1] = redis.call('HGET', KEYS[1], ARGV[i])
  end
end
if claimed > 0 then redis.call('HINCRBY', KEYS[2], 'parts', claimed * nparts) end
return out
