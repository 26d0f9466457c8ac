-- Gives this consumer a chunk to work on: first a chunk its own previous life (same GATEWAY, another RUN)
-- left pending, at once; then one idle longer than ARGV[5] ms (its gateway is dead or cut off: XAUTOCLAIM);
-- then a chunk never delivered (XREADGROUP). A chunk taken again past ARGV[6] deliveries is poison: set
-- aside (acknowledged, recorded in the poison hash with the last error seen on it) instead of handed out.
-- ARGV: 5 idle ms, 6 most deliveries, 7 this gateway's prefix ("GATEWAY/"), 8 now_ms.
-- Returns {what, id, from, to, deliveries, previous holder, done, then per chunk set aside: from, to, why}
-- where what is 'chunk', 'none' (nothing to take now) or 'finished' (every chunk settled); done is 1 when
-- setting a chunk aside finished the campaign.
--! include lib/chunks.lua
local idle, most, mine, now = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], ARGV[8]
local aside, done = {}, 0
local state = redis.call('HGET', meta, 'state')
if state ~= 'running' then return {state == 'done' and 'finished' or 'none', '', '', '', '0', '', '0'} end
local function fields(entry)
  local f, kv = {}, entry[2]
  for i = 1, #kv, 2 do f[kv[i]] = kv[i + 1] end
  return f
end
-- A chunk just delivered to us: returned, or set aside when delivered too often.
local function taken(entry, previous)
  local id = entry[1]
  local f = fields(entry)
  local _, count = holder(id)
  if count <= most then
    return {'chunk', id, f.from, f.to, tostring(count), previous or '', tostring(done)}
  end
  local why = redis.call('HGET', errors, f.from) or 'no error recorded (the gateways holding it stopped or died)'
  local text = 'delivered ' .. count .. ' times, last to ' .. (previous or '?') .. '; last error: ' .. why
  redis.call('HSET', poison, f.from .. '-' .. f.to, now .. '|' .. text)
  if settle(id) == 'done' then done = 1 end
  aside[#aside + 1] = f.from
  aside[#aside + 1] = f.to
  aside[#aside + 1] = text
  return nil
end
local function answer(r)
  for _, v in ipairs(aside) do r[#r + 1] = v end
  return r
end
local pending = redis.call('XPENDING', stream, group, '-', '+', 10000)
local holders = {}
for _, p in ipairs(pending) do
  holders[p[1]] = p[2]
  if p[2] ~= me and string.sub(p[2], 1, #mine) == mine then
    local got = redis.call('XCLAIM', stream, group, me, 0, p[1])
    if got[1] then
      local r = taken(got[1], p[2])
      if r then return answer(r) end
    end
  end
end
local start = '0-0'
repeat
  local r = redis.call('XAUTOCLAIM', stream, group, me, idle, start, 'COUNT', 1)
  start = r[1]
  for _, entry in ipairs(r[2]) do
    if entry[1] then
      local out = taken(entry, holders[entry[1]])
      if out then return answer(out) end
    end
  end
until start == '0-0'
local fresh = redis.call('XREADGROUP', 'GROUP', group, me, 'COUNT', 1, 'STREAMS', stream, '>')
if fresh and fresh[1] and fresh[1][2][1] then
  local r = taken(fresh[1][2][1], nil)
  if r then return answer(r) end
end
local settled = tonumber(redis.call('HGET', meta, 'chunks_settled') or '0')
local total = tonumber(redis.call('HGET', meta, 'chunks') or '')
return answer({(total and settled >= total) and 'finished' or 'none', '', '', '', '0', '', tostring(done)})
