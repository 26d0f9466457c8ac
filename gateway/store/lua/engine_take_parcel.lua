-- Gives run ARGV[2] a parcel of one carrier's backlog (engine_store::take_parcel), in order: a parcel this
-- run holds already but does not know it holds (ARGV[4..] are those it knows: an earlier call's answer was
-- lost), one this gateway's previous run left, one of a run whose heartbeat lapsed, a released one, a new
-- one. Only while the campaign is running.
-- KEYS: 1 the backlog stream, 2 meta, 3 alive hash. ARGV: 1 group, 2 run, 3 this gateway's prefix,
-- 4.. the entries of this backlog the run holds.
-- Returns {entry, numbers (joined by ','), previous holder}, or {} when there is none.
--! include lib/work_units.lua
local stream, meta, alive_key = KEYS[1], KEYS[2], KEYS[3]
local group, me, mine = ARGV[1], ARGV[2], ARGV[3]
if redis.call('HGET', meta, 'state') ~= 'running' then return {} end
if redis.call('EXISTS', stream) == 0 then return {} end
local function answer(entry, previous)
  return {entry[1], entry_fields(entry).numbers or '', previous or ''}
end
local known = {}
for i = 4, #ARGV do known[ARGV[i]] = true end
for _, p in ipairs(redis.call('XPENDING', stream, group, '-', '+', #ARGV - 2, me)) do
  if not known[p[1]] then
    local e = redis.call('XRANGE', stream, p[1], p[1])
    if e[1] then return answer(e[1], nil) end
    redis.call('XACK', stream, group, p[1])
  end
end
local entry, previous = take_over(stream, group, me, mine, alive_key, redis_now_ms())
if entry then return answer(entry, previous) end
entry = take_new(stream, group, me)
if entry then return answer(entry, nil) end
return {}
