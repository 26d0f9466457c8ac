-- Records the carriers' answers to submits. KEYS: 1 records, 2 counts. ARGV: 1 now_ms, 2 receipt mapping
-- TTL seconds, 3 campaign id, then groups of 5: number, part (1-based), letter (S R U), receipt mapping key
-- ("" unless S), reason. A part only moves out of I or U, so a repeated batch changes nothing. A receipt that
-- came before its answer was recorded waits at MAPPING:held (see `receipts`) and is applied here at once,
-- when it came from the number the part went to. Returns the carriers of held receipts that did not (one per
-- receipt, for loa_receipts_mismatched_total).
--! include lib/records.lua
local now, ttl, id = ARGV[1], ARGV[2], ARGV[3]
local mismatched = {}
for i = 4, #ARGV, 5 do
  local number, part, letter, dlr, reason = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local rec = redis.call('HGET', KEYS[1], number)
  if rec then
    local x = parse(rec)
    local current = string.sub(x.parts, part, part)
    if current == 'I' or current == 'U' then
      local old = x.parts
      x.parts = set_part(x.parts, part, letter)
      if reason ~= '' and x.reason == '' then x.reason = reason end
      if dlr ~= '' then map_receipt(x, number, part, dlr, dlr .. ':held', id, ttl, mismatched) end
      if account(KEYS[2], x.carrier, old, x.parts) then x.t2 = now end
      redis.call('HSET', KEYS[1], number, unparse(x))
    end
  end
end
flush_counts()
return mismatched
