-- Acknowledges a settled work unit (engine_store::ack): a chunk counts into the meta's chunks_settled, a
-- parcel leaves its backlog and parcels_open - 1, each once (XACK says whether this call settled it). The
-- call that settles the campaign's last open unit moves a running campaign to done (fanout_done, its receipt
-- deadline kept; the caller takes it out of the active set). Asked again after its answer was lost, it
-- answers 'done' when the campaign is done.
-- KEYS: 1 the unit's stream (chunks or a backlog), 2 meta, 3 grants hash. ARGV: 1 group, 2 campaign id, 3 run, 4 receipt deadline (Unix s), 5 entry, 6 'chunk' or
-- 'parcel'. Returns 'done' or 1.
--! include lib/work_units.lua
local stream, meta, grants = KEYS[1], KEYS[2], KEYS[3]
local group, campaign, me, deadline, entry, kind = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
if redis.call('HGET', grants, me) == entry then redis.call('HDEL', grants, me) end
if redis.call('EXISTS', stream) == 0 or redis.call('XACK', stream, group, entry) == 0 then
  if redis.call('HGET', meta, 'state') == 'done' and all_settled(meta) then return 'done' end
  return 1
end
if kind == 'parcel' then
  redis.call('XDEL', stream, entry)
  redis.call('HINCRBY', meta, 'parcels_open', -1)
else
  redis.call('HINCRBY', meta, 'chunks_settled', 1)
end
if finish_if_settled(meta, deadline) then return 'done' end
return 1
