-- Applies receipts. KEYS: per receipt its mapping key (campaign_keys::receipt) then MAPPING:held. ARGV: 1 now_ms,
-- 2 campaign key prefix ("loa:{c:"), 3 how long an unmatched receipt is kept (seconds), then per receipt
-- 3: letter (D F E), reason, source (the normalised number the receipt came from, "" when it is none). A
-- receipt is applied only to the part of the number it came from: one from another handset (forged, or a
-- carrier's mistake) changes nothing. A receipt that matches no submitted part (yet: it may come before the
-- submit's answer is recorded) is kept at MAPPING:held as "letter|source|reason", where engine_record
-- checks and applies it. The records and counts changed are those of the campaign the mapping names, read
-- here: not in KEYS (docs/REDIS.md "Keys not in KEYS"). Returns {the 1-based receipt numbers that matched
-- nothing, those whose source is not the recipient}.
--! include lib/records.lua
local now, prefix, keep = ARGV[1], ARGV[2], ARGV[3]
local unmatched, mismatched = {}, {}
for g = 1, #KEYS / 2 do
  local mapping, held, a = KEYS[2 * g - 1], KEYS[2 * g], 4 + (g - 1) * 3
  local letter, reason, source = ARGV[a], ARGV[a + 1], ARGV[a + 2]
  local m = redis.call('GET', mapping)
  local id, number, part
  if m then id, number, part = string.match(m, '^([^|]*)|([^|]*)|([^|]*)$') end
  local rec = id and redis.call('HGET', prefix .. id .. '}:r', number)
  if rec and number ~= source then
    mismatched[#mismatched + 1] = g
  elseif rec then
    local x = parse(rec)
    part = tonumber(part)
    if string.sub(x.parts, part, part) == 'S' then
      local old = x.parts
      x.parts = set_part(x.parts, part, letter)
      if reason ~= '' and x.reason == '' then x.reason = reason end
      if account(prefix .. id .. '}:counts', x.carrier, old, x.parts) then x.t2 = now end
      redis.call('HSET', prefix .. id .. '}:r', number, unparse(x))
    end
  else
    redis.call('SET', held, letter .. '|' .. source .. '|' .. reason, 'EX', keep)
    unmatched[#unmatched + 1] = g
  end
end
flush_counts()
return {unmatched, mismatched}
