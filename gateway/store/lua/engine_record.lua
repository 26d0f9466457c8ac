-- Records what the carriers answered (engine_store::record). A part moves to S, R or U only out of C, I or U
-- (so a batch applied twice changes nothing the second time; U -> S is an answer that came late), and back
-- to C (a batch marked but not written: handed back) only out of I and only in a record this run owns.
-- An S writes its receipt mapping (carrier's normalised id -> "campaign|number|part"); a receipt that came
-- before (held at MAPPING:held as "letter|source|reason" by engine_receipts.lua) is applied at once when it
-- came from the recipient's number, and dropped otherwise.
-- KEYS: 1 records, 2 counts, then per S outcome its mapping key and held key.
-- ARGV: 1 mapping TTL s, 2 campaign id, 3 run, 4 now ms, then groups of 5: number, part (1-based), letter
-- (S R U C), the KEYS index of its mapping key (0: none), reason.
-- Returns the carriers of held receipts dropped (one per receipt, for loa_receipts_mismatched_total).
--! include lib/records.lua
local ttl, id, me, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local mismatched = {}
for i = 5, #ARGV, 5 do
  local number, part, letter, k, reason = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], tonumber(ARGV[i + 3]),
    ARGV[i + 4]
  local rec = redis.call('HGET', KEYS[1], number)
  if rec then
    local x = parse(rec)
    local current = string.sub(x.parts, part, part)
    local moves
    if letter == 'C' then
      moves = current == 'I' and x.owner == me
    else
      moves = current == 'C' or current == 'I' or current == 'U'
    end
    if moves then
      local old = x.parts
      x.parts = set_part(x.parts, part, letter)
      if reason ~= '' and x.reason == '' then x.reason = reason end
      if k > 0 then map_receipt(x, number, part, KEYS[k], KEYS[k + 1], id, ttl, mismatched) end
      if account(KEYS[2], x.carrier, old, x.parts) then x.t2 = now end
      redis.call('HSET', KEYS[1], number, unparse(x))
    end
  end
end
flush_counts()
return mismatched
