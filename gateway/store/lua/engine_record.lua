-- Records what the carriers answered (engine_store::record). A part moves to S, R or U only out of C, I or U
-- (so a batch applied twice changes nothing the second time; U -> S is an answer that came late), and back
-- to C (a batch marked but not written: handed back) only out of I and only in a record this run owns.
-- An S's receipt mapping is written after this, in the mapping's own slot (campaign_store::map_receipts:
-- Redis Cluster, docs/SCALING.md), with a receipt that came before it; until then it waits in KEYS[3]
-- (mapping key -> "number|part|carrier"), so that a gateway killed in between leaves it to whoever takes
-- its chunk over (engine_store::take_chunk replays it).
-- A part moved to S, R or U is progress for its number's chunk (lib/progress.lua).
-- KEYS: 1 records, 2 counts, 3 mappings to write, 4 progress hash. ARGV: 1 mapping TTL s (unused here),
-- 2 campaign id, 3 run, 4 now ms, then groups of 5: number, part (1-based), letter (S R U C), the mapping key
-- ("" when none), reason.
-- Returns the 1-based groups whose mapping is to be written: those moved to S now, and those found S already
-- (the batch asked again: its mappings may not have been written).
--! include lib/records.lua
--! include lib/progress.lua
local ttl, id, me, now = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local to_map = {}
progress_open(KEYS[4])
local function pend(g, number, part, key, carrier)
  to_map[#to_map + 1] = g
  redis.call('HSET', KEYS[3], key, number .. '|' .. part .. '|' .. carrier)
end
for i = 5, #ARGV, 5 do
  local number, part, letter, key, reason = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local k = key ~= '' and 1 or 0
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
      if k > 0 and letter == 'S' then pend((i - 5) / 5 + 1, number, part, key, x.carrier) end
      if account(KEYS[2], x.carrier, old, x.parts) then x.t2 = now end
      if letter ~= 'C' and x.parts ~= old then progress_note(number, 'p') end
      redis.call('HSET', KEYS[1], number, unparse(x))
    elseif k > 0 and letter == 'S' and current == 'S' then
      pend((i - 5) / 5 + 1, number, part, key, x.carrier)
    end
  end
end
flush_counts()
return to_map
