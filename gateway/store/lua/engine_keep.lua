-- Which of these units does this run still hold (engine_store::keep, asked after its heartbeat lapsed:
-- another run may have taken some over)? A unit may be in any of the streams given.
-- KEYS: the chunk stream, then the backlogs of the run's carriers. ARGV: 1 group, 2 run, then entries.
-- Returns per entry 1 (still this run's) or 0.
--! include lib/work_units.lua
local group, me = ARGV[1], ARGV[2]
local streams = {}
for _, k in ipairs(KEYS) do
  if redis.call('EXISTS', k) == 1 then streams[#streams + 1] = k end
end
local out = {}
for i = 3, #ARGV do
  local ours = 0
  for _, s in ipairs(streams) do
    if holder(s, group, ARGV[i]) == me then ours = 1; break end
  end
  out[#out + 1] = ours
end
return out
