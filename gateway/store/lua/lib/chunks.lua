-- Chunks: how several gateways share a campaign (docs/REDIS.md "Several gateways").
--
-- Shared by the scripts that move chunks. KEYS: 1 stream, 2 meta, 3 poison hash, 4 chunk errors hash,
-- 5 active campaigns, 6 receipt deadlines. ARGV: 1 group, 2 campaign id, 3 consumer ("GATEWAY/RUN"), 4 the
-- receipt deadline (Unix seconds) to set if this call finishes the campaign; the script's own from 5 on.
-- settle(id) acknowledges a chunk (XACK) and counts it in the meta's `chunks_settled`, once: the call that
-- settles the last chunk moves a running campaign to done (with fanout_done, out of the active set, its
-- receipt deadline set) and returns 'done'.
local stream, meta, poison, errors = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local group, campaign, me, deadline = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local function settle(id)
  if redis.call('XACK', stream, group, id) == 0 then return false end
  local n = redis.call('HINCRBY', meta, 'chunks_settled', 1)
  local total = tonumber(redis.call('HGET', meta, 'chunks') or '')
  if total and n >= total and redis.call('HGET', meta, 'state') == 'running' then
    redis.call('HSET', meta, 'state', 'done', 'fanout_done', '1')
    redis.call('SREM', KEYS[5], campaign)
    redis.call('ZADD', KEYS[6], deadline, campaign)
    return 'done'
  end
  return true
end
local function holder(id)
  local p = redis.call('XPENDING', stream, group, id, id, 1)
  if #p == 0 then return nil, 0 end
  return p[1][2], tonumber(p[1][4])
end
