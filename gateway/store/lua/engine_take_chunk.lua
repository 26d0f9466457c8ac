-- Gives run ARGV[3] a chunk of the campaign (engine_store::take_chunk), in order: the chunk this run was
-- granted by its last call, when still held (that call's answer may have been lost: returned once more),
-- a chunk this gateway's previous run left, a chunk of a run whose heartbeat lapsed, a released chunk, a new
-- one. A chunk is poison when its last ARGV[6] holdings each ended without progress (lib/progress.lua: no
-- number of it claimed for the first time, no answer recorded) in failure: handed back with an error, died
-- before reading it to its end, or died after marking parts and before any answer. Set aside (acknowledged,
-- settled, recorded in the poison hash with the last error seen on it) instead of handed out. The rule is
-- there for the chunk whose data crashes every gateway that takes it: without it, each would die in turn
-- and the campaign never end. A crash is not the chunk's fault when the chunk made progress (a kill -9, a
-- power cut: the same chunks are held again at once by the restarted gateway): such a holding starts the
-- count again. A holding that read the chunk to its end and only waited (for the receipts or the grace of
-- parts written before a crash) neither counts nor starts it again.
-- KEYS: 1 chunk stream, 2 meta, 3 poison hash, 4 chunk errors hash, 5 alive hash, 6 grants hash (run -> the
-- entry its last call was granted), 7 progress hash.
-- ARGV: 1 group, 2 campaign id, 3 run, 4 receipt deadline (Unix s) should this call finish the campaign,
-- 5 this gateway's prefix ("GATEWAY/"), 6 most deliveries, 7 now (ms, for the poison record).
-- Returns {what, entry, from, to, deliveries, previous holder, done, then per chunk set aside: from, to, why}:
-- what is 'chunk', 'none' (nothing free now) or 'finished' (every chunk and parcel settled); done is 1 when
-- setting a chunk aside finished the campaign.
--! include lib/work_units.lua
local stream, meta, poison, errors, alive_key, grants = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local progress = KEYS[7]
local group, campaign, me, deadline, mine, most, wall = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5],
  tonumber(ARGV[6]), ARGV[7]
local state = redis.call('HGET', meta, 'state')
if state ~= 'running' then return {state == 'done' and 'finished' or 'none', '', '', '', '0', '', '0'} end
local now = redis_now_ms()
local aside, done = {}, 0
local function answer(r)
  for _, v in ipairs(aside) do r[#r + 1] = v end
  return r
end
-- How many holdings of chunk `from` in a row ended in failure without progress, now that it is delivered for
-- the `count`th time; its new holding starts with nothing noted.
local function failed_holdings(from, count)
  local last = redis.call('HGET', progress, from)
  local field = from .. ':failed'
  redis.call('HDEL', progress, from)
  if count <= 1 or last == 'p' then
    redis.call('HDEL', progress, field)
    return 0
  end
  if last == 'r' then return tonumber(redis.call('HGET', progress, field) or '0') end
  return redis.call('HINCRBY', progress, field, 1)
end
-- A chunk just delivered to us: returned, or set aside when it keeps failing without progress.
local function taken(entry, previous)
  local id = entry[1]
  local f = entry_fields(entry)
  local _, count = holder(stream, group, id)
  local failed = failed_holdings(f.from, count)
  if failed < most then
    redis.call('HSET', grants, me, id)
    return {'chunk', id, f.from, f.to, tostring(count), previous or '', tostring(done)}
  end
  local why = redis.call('HGET', errors, f.from) or 'no error recorded (the gateways holding it stopped or died)'
  local text = 'delivered ' .. count .. ' times, ' .. failed .. ' failed holdings since its last progress, last to '
    .. (previous or '?') .. '; last error: ' .. why
  redis.call('HSET', poison, f.from .. '-' .. f.to, wall .. '|' .. text)
  if redis.call('XACK', stream, group, id) == 1 then
    redis.call('HINCRBY', meta, 'chunks_settled', 1)
    if finish_if_settled(meta, deadline) then done = 1 end
  end
  aside[#aside + 1] = f.from
  aside[#aside + 1] = f.to
  aside[#aside + 1] = text
  return nil
end
local last = redis.call('HGET', grants, me)
if last then
  redis.call('HDEL', grants, me)
  if holder(stream, group, last) == me then
    local e = redis.call('XRANGE', stream, last, last)
    if e[1] then
      local f = entry_fields(e[1])
      local _, count = holder(stream, group, last)
      return {'chunk', last, f.from, f.to, tostring(count), '', '0'}
    end
  end
end
while true do
  local entry, previous = take_over(stream, group, me, mine, alive_key, now)
  if not entry then break end
  local r = taken(entry, previous)
  if r then return answer(r) end
end
while true do
  local entry = take_new(stream, group, me)
  if not entry then break end
  local r = taken(entry, nil)
  if r then return answer(r) end
end
-- Settled while held for approval and running again since: done now.
if finish_if_settled(meta, deadline) then done = 1 end
return answer({all_settled(meta) and 'finished' or 'none', '', '', '', '0', '', tostring(done)})
