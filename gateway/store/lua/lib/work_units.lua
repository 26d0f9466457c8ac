--! include lib/clock.lua
-- Work units (chunks of loa:{c:ID}:chunks, parcels of loa:{c:ID}:backlog:CARRIER): stream entries read by a
-- consumer group and held, in its pending list, by the consumer named after a run ("GATEWAY/RUN"). A run is
-- alive while its deadline in the alive hash (run -> ms, heartbeat.lua) is ahead of Redis's clock; a unit
-- handed back is held by the consumer 'released'.
local released = 'released'

-- True while `run` beats.
local function alive(alive_key, run, now)
  local deadline = redis.call('HGET', alive_key, run)
  return deadline ~= false and tonumber(deadline) > now
end

-- The consumer holding entry `id` and how often it was delivered (nil, 0: nobody holds it).
local function holder(stream, group, id)
  local p = redis.call('XPENDING', stream, group, id, id, 1)
  if #p == 0 then return nil, 0 end
  return p[1][2], tonumber(p[1][4])
end

-- A unit for `me` held by someone who will not finish it, in order: a unit this gateway's previous run left
-- (consumer starting with `mine`, "GATEWAY/"), a unit of a run whose heartbeat lapsed, a released unit.
-- Returns its entry (now held by `me`, the delivery count +1) and the consumer that held it, or nil.
local function take_over(stream, group, me, mine, alive_key, now)
  local pending = redis.call('XPENDING', stream, group, '-', '+', 10000)
  local best, best_rank, best_holder
  for _, p in ipairs(pending) do
    local who, rank = p[2], nil
    if who == me then
      rank = nil
    elseif who == released then
      rank = 3
    elseif string.sub(who, 1, #mine) == mine then
      rank = 1
    elseif not alive(alive_key, who, now) then
      rank = 2
    end
    if rank and (not best_rank or rank < best_rank) then
      best, best_rank, best_holder = p[1], rank, who
      if rank == 1 then break end
    end
  end
  if not best then return nil end
  local got = redis.call('XCLAIM', stream, group, me, 0, best)
  if not got[1] then  -- deleted meanwhile: drop it from the pending list and look again
    redis.call('XACK', stream, group, best)
    return take_over(stream, group, me, mine, alive_key, now)
  end
  return got[1], best_holder
end

-- A unit never delivered, now held by `me`, or nil.
local function take_new(stream, group, me)
  local fresh = redis.call('XREADGROUP', 'GROUP', group, me, 'COUNT', 1, 'STREAMS', stream, '>')
  if fresh and fresh[1] and fresh[1][2][1] then return fresh[1][2][1] end
  return nil
end

-- An entry's fields as a table.
local function entry_fields(entry)
  local f, kv = {}, entry[2]
  for i = 1, #kv, 2 do f[kv[i]] = kv[i + 1] end
  return f
end

-- The campaign is done once every chunk is settled and no parcel is open (a parked number waits in one).
-- Moves a running campaign to done (fanout_done, and its receipt deadline kept in the meta); true when this
-- call did. The active set and the deadlines (other slots) are the caller's next commands
-- (campaign_store::retire), and the schedulers' sweep should it die before them.
local function finish_if_settled(meta, deadline)
  local total = tonumber(redis.call('HGET', meta, 'chunks') or '')
  local settled = tonumber(redis.call('HGET', meta, 'chunks_settled') or '0')
  local open = tonumber(redis.call('HGET', meta, 'parcels_open') or '0')
  if total and settled >= total and open <= 0 and redis.call('HGET', meta, 'state') == 'running' then
    redis.call('HSET', meta, 'state', 'done', 'fanout_done', '1', 'receipt_deadline_s', deadline)
    return true
  end
  return false
end

-- Every chunk settled and no parcel open (whatever the state).
local function all_settled(meta)
  local total = tonumber(redis.call('HGET', meta, 'chunks') or '')
  local settled = tonumber(redis.call('HGET', meta, 'chunks_settled') or '0')
  local open = tonumber(redis.call('HGET', meta, 'parcels_open') or '0')
  return total ~= nil and settled >= total and open <= 0
end
