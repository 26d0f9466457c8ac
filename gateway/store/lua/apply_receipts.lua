-- Applies receipts to one campaign's records, in its own slot: the mappings that name the campaign were read
-- a step before (match_receipt.lua, map_receipt.lua). A receipt is applied only to the part of the number it
-- came from: one from another handset (forged, or a carrier's mistake) changes nothing; and only to a part
-- waiting for it (S), so a receipt applied twice changes nothing the second time. KEYS: 1 records, 2 counts.
-- ARGV: 1 now_ms, then per receipt 5: number, part (1-based), letter (D F E), reason, source (the normalised
-- number it came from, "" when none). Returns per receipt 0 (applied, or nothing to change), 1 (its source is
-- not the recipient) or 2 (no such record).
--! include lib/records.lua
local now = ARGV[1]
local out = {}
for a = 2, #ARGV, 5 do
  local number, part, letter, reason, source = ARGV[a], tonumber(ARGV[a + 1]), ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local rec = redis.call('HGET', KEYS[1], number)
  if not rec then
    out[#out + 1] = 2
  elseif number ~= source then
    out[#out + 1] = 1
  else
    local x = parse(rec)
    if string.sub(x.parts, part, part) == 'S' then
      local old = x.parts
      x.parts = set_part(x.parts, part, letter)
      if reason ~= '' and x.reason == '' then x.reason = reason end
      if account(KEYS[2], x.carrier, old, x.parts) then x.t2 = now end
      redis.call('HSET', KEYS[1], number, unparse(x))
    end
    out[#out + 1] = 0
  end
end
flush_counts()
return out
