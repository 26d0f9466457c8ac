-- Applies receipts. ARGV: 1 now_ms, 2 campaign key prefix ("loa:{c:"), 3 how long an unmatched receipt is
-- kept (seconds), then groups of 4: receipt mapping key, letter (D F E), reason, source (the normalised
-- number the receipt came from, "" when it is none). A receipt is applied only to the part of the number it
-- came from: one from another handset (forged, or a carrier's mistake) changes nothing. A receipt that
-- matches no submitted part (yet: it may come before the submit's answer is recorded) is kept at MAPPING:held
-- as "letter|source|reason", where the `outcomes` script checks and applies it. Returns {the 1-based group
-- numbers that matched nothing, those whose source is not the recipient}.
--! include lib/records.lua
local now, prefix, keep = ARGV[1], ARGV[2], ARGV[3]
local unmatched, mismatched = {}, {}
for i = 4, #ARGV, 4 do
  local m = redis.call('GET', ARGV[i])
  local id, number, part
  if m then id, number, part = string.match(m, '^([^|]*)|([^|]*)|([^|]*)$') end
  local rec = id and redis.call('HGET', prefix .. id .. '}:r', number)
  if rec and number ~= ARGV[i + 3] then
    mismatched[#mismatched + 1] = (i - 4) / 4 + 1
  elseif rec then
    local x = parse(rec)
    part = tonumber(part)
    if string.sub(x.parts, part, part) == 'S' then
      local old = x.parts
      x.parts = set_part(x.parts, part, ARGV[i + 1])
      if ARGV[i + 2] ~= '' and x.reason == '' then x.reason = ARGV[i + 2] end
      if account(prefix .. id .. '}:counts', x.carrier, old, x.parts) then x.t2 = now end
      redis.call('HSET', prefix .. id .. '}:r', number, unparse(x))
    end
  else
    redis.call('SET', ARGV[i] .. ':held', ARGV[i + 1] .. '|' .. ARGV[i + 3] .. '|' .. ARGV[i + 2], 'EX', keep)
    unmatched[#unmatched + 1] = (i - 4) / 4 + 1
  end
end
flush_counts()
return {unmatched, mismatched}
