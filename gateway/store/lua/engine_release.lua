-- Hands a work unit back (engine_store::release): held by the consumer 'released', which any run takes at
-- once (its delivery count does not change here; the taker's claim counts). The error, if any, is kept
-- for a chunk's poison record, and the chunk's holding noted 'e' (lib/progress.lua).
-- KEYS: 1 the unit's stream, 2 chunk errors hash, 3 grants hash, 4 progress hash. ARGV: 1 group, 2 run,
-- 3 entry, 4 error ("" when none). Returns 1, or 0 when the unit was not this run's any more.
--! include lib/work_units.lua
--! include lib/progress.lua
local stream, errors, grants = KEYS[1], KEYS[2], KEYS[3]
local group, me, entry, err = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
if redis.call('HGET', grants, me) == entry then redis.call('HDEL', grants, me) end
if redis.call('EXISTS', stream) == 0 or holder(stream, group, entry) ~= me then return 0 end
redis.call('XCLAIM', stream, group, released, 0, entry, 'JUSTID')
if err ~= '' then
  local e = redis.call('XRANGE', stream, entry, entry)
  local from = e[1] and entry_fields(e[1]).from
  if from then
    redis.call('HSET', errors, from, err)
    progress_open(KEYS[4])
    progress_note_chunk(from, 'e')
  end
end
return 1
