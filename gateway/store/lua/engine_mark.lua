-- Marks parts "submitting" just before they are written to a bind (engine_store::mark_submitting): C -> I,
-- only in records this run owns (a run whose heartbeat lapsed may have lost them to another: that one sends
-- them, this one must not). A part already I (a mark asked again, or an uncertain part sent again) stays.
-- Counters do not change (C and I are both queued). A part marked is an attempt on its number's chunk
-- (lib/progress.lua: 'a' until an answer is recorded).
-- Each record marked gets Redis's time now as its 7th field, marked_ms (lib/records.lua), also when its part
-- was I already: a run that takes the record over after a crash counts the grace of its I parts from the
-- latest write, never from an earlier one (engine_claim.lua answers how long ago that was).
-- KEYS: 1 records, 2 progress hash. ARGV: 1 run, then pairs: number, part (1-based).
-- Returns the numbers refused (not this run's record, or none), each once.
--! include lib/clock.lua
--! include lib/records.lua
--! include lib/progress.lua
local me = ARGV[1]
local refused, seen, changed = {}, {}, {}
local order = {}
local now = redis_now_ms()
progress_open(KEYS[2])
for i = 2, #ARGV, 2 do
  local number, part = ARGV[i], tonumber(ARGV[i + 1])
  local x = changed[number]
  if not x and not seen[number] then
    local rec = redis.call('HGET', KEYS[1], number)
    x = rec and parse(rec)
    if x and x.owner == me then
      changed[number] = x
      order[#order + 1] = number
    else
      x = nil
      seen[number] = true
      refused[#refused + 1] = number
    end
  end
  if x then
    local letter = string.sub(x.parts, part, part)
    if letter == 'C' then
      x.parts = set_part(x.parts, part, 'I')
      progress_note(number, 'a')
    end
    if letter == 'C' or letter == 'I' then x.t3 = tostring(now) end
  end
end
for _, number in ipairs(order) do redis.call('HSET', KEYS[1], number, unparse(changed[number])) end
return refused
