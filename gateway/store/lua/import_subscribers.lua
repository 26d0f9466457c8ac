-- Upserts a batch. KEYS: 1 groups counter hash, 2 meta hash, 3.. one bucket per row.
-- ARGV: source, time, extra groups (';'), then phone, name, groups (';') per row.
-- A row whose stored source is this import's is a duplicate within the file; its groups still merge.
local source, now = ARGV[1], ARGV[2]
local sep = '\31'
local suffix = sep .. now .. sep .. source  -- the same for every row of the batch
local extra = {}
for g in string.gmatch(ARGV[3], '([^;]+)') do extra[#extra + 1] = g end
local imported, updated, duplicates = 0, 0, 0
local added = {}  -- group -> new members in this batch: one HINCRBY per group, not per row
local function merge(have, order, n, list)
  for g in string.gmatch(list, '([^;]+)') do
    if not have[g] then have[g] = true; n = n + 1; order[n] = g end
  end
  return n
end
local rows = (#ARGV - 3) / 3
for i = 1, rows do
  local key, at = KEYS[2 + i], 3 * i
  local phone, name, groups = ARGV[1 + at], ARGV[2 + at], ARGV[3 + at]
  -- Most rows of an import are new: try that first, one command instead of a read and a write.
  local have, order = {}, {}
  local n = merge(have, order, 0, groups)
  for j = 1, #extra do
    local g = extra[j]
    if not have[g] then have[g] = true; n = n + 1; order[n] = g end
  end
  if redis.call('HSETNX', key, phone, table.concat(order, ';') .. sep .. name .. suffix) == 1 then
    imported = imported + 1
    for j = 1, n do added[order[j]] = (added[order[j]] or 0) + 1 end
  else
    local old = redis.call('HGET', key, phone)
    local old_groups, old_name, _, old_source = string.match(old, '^([^\31]*)\31([^\31]*)\31([^\31]*)\31(.*)$')
    local known, merged = {}, {}
    local m = merge(known, merged, 0, old_groups or '')
    for j = 1, n do
      local g = order[j]
      if not known[g] then known[g] = true; m = m + 1; merged[m] = g; added[g] = (added[g] or 0) + 1 end
    end
    if name == '' then name = old_name or '' end
    if old_source == source then duplicates = duplicates + 1 else updated = updated + 1 end
    redis.call('HSET', key, phone, table.concat(merged, ';') .. sep .. name .. suffix)
  end
end
for g, count in pairs(added) do redis.call('HINCRBY', KEYS[1], g, count) end
if imported > 0 then redis.call('HINCRBY', KEYS[2], 'subscribers', imported) end
return {imported, updated, duplicates}
