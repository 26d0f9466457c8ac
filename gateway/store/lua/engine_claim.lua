-- Claims recipients for one carrier before their parts are written (engine_store::claim): a new record has
-- every part C (claimed, not written). A record of this run is answered as it is (a claim asked again after
-- a lost answer); a record still to finish (a C or I part) of this gateway's previous run (it restarted) or
-- of a run whose heartbeat lapsed is taken over (owner rewritten to this run); one of a live run answers busy.
-- Only while the campaign is running. A new record is progress for its chunk (lib/progress.lua).
-- KEYS: 1 records, 2 counts, 3 meta, 4 alive hash, 5 progress hash. ARGV: 1 run, 2 carrier, 3 number of parts, 4 this
-- gateway's prefix ("GATEWAY/"), then numbers.
-- Returns per number 'f' (new), 's' (settled: nothing left to do), 't' .. parts (this run's now: its letters)
-- or 'b' (busy); or, when the campaign is not running, its state ('' when there is none) instead of the list.
-- A taken record with an I part and a known mark time (marked_ms, engine_mark.lua) is 't' .. parts .. '|' ..
-- the ms since that mark, by Redis's clock (never a gateway's): the grace of those parts counts from then.
--! include lib/work_units.lua
--! include lib/records.lua
--! include lib/progress.lua
local state = redis.call('HGET', KEYS[3], 'state')
if state ~= 'running' then return state or '' end
local me, carrier, nparts, mine = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local now = redis_now_ms()
progress_open(KEYS[5])
local fresh = carrier .. '|' .. string.rep('C', nparts) .. '|' .. me .. '||' .. now .. '|'
local out, claimed = {}, 0
local function taken(x)
  if x.t3 and string.find(x.parts, 'I', 1, true) then
    return 't' .. x.parts .. '|' .. math.max(0, now - (tonumber(x.t3) or now))
  end
  return 't' .. x.parts
end
for i = 5, #ARGV do
  local number = ARGV[i]
  if redis.call('HSETNX', KEYS[1], number, fresh) == 1 then
    out[#out + 1] = 'f'
    claimed = claimed + 1
    progress_note(number, 'p')
  else
    local x = parse(redis.call('HGET', KEYS[1], number))
    if not string.find(x.parts, '[CI]') then
      out[#out + 1] = 's'
    elseif x.owner == me then
      out[#out + 1] = taken(x)
    elseif string.sub(x.owner, 1, #mine) ~= mine and alive(KEYS[4], x.owner, now) then
      out[#out + 1] = 'b'
    else
      x.owner = me
      redis.call('HSET', KEYS[1], number, unparse(x))
      out[#out + 1] = taken(x)
    end
  end
end
if claimed > 0 then redis.call('HINCRBY', KEYS[2], 'parts', claimed * nparts) end
return out
