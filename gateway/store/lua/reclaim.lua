-- Takes over records a dead gateway run left with parts in flight, to send those parts again (policy
-- resend). KEYS: 1 records, 2 counts. ARGV: 1 owner, then numbers. Returns per number the parts letters after
-- the take-over ("" when there was nothing in flight any more).
--! include lib/records.lua
local out, resent = {}, 0
for i = 2, #ARGV do
  local rec = redis.call('HGET', KEYS[1], ARGV[i])
  local x = rec and parse(rec)
  if x and x.owner ~= ARGV[1] and string.find(x.parts, 'I', 1, true) then
    x.owner = ARGV[1]
    redis.call('HSET', KEYS[1], ARGV[i], unparse(x))
    local _, n = string.gsub(x.parts, 'I', 'I')
    resent = resent + n
    out[#out + 1] = x.parts
  else
    out[#out + 1] = ''
  end
end
if resent > 0 then redis.call('HINCRBY', KEYS[2], 'resent', resent) end
return out
