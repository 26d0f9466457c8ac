-- Takes groups (`drop`, ';'; every group when '') off one record, or the record, keeping the ward's group
-- sizes and subscriber count exact. 1 when it changed something.
local function remove_record(bucket, groups_key, meta, phone, drop_list)
  local old = redis.call('HGET', bucket, phone)
  if not old then return 0 end
  local fields, at = {}, 1
  for field in string.gmatch(old .. '\31', '([^\31]*)\31') do fields[at] = field; at = at + 1 end
  local have = {}
  for g in string.gmatch(fields[1] or '', '([^;]+)') do have[#have + 1] = g end
  local drop = {}
  for g in string.gmatch(drop_list, '([^;]+)') do drop[g] = true end
  local whole = drop_list == ''
  local keep, changed = {}, false
  for _, g in ipairs(have) do
    if whole or drop[g] then
      changed = true
      if redis.call('HINCRBY', groups_key, g, -1) <= 0 then redis.call('HDEL', groups_key, g) end
    else
      keep[#keep + 1] = g
    end
  end
  if whole or #keep == 0 then
    redis.call('HDEL', bucket, phone)
    redis.call('HINCRBY', meta, 'subscribers', -1)
    return 1
  end
  if changed then
    fields[1] = table.concat(keep, ';')
    redis.call('HSET', bucket, phone, table.concat(fields, '\31'))
    return 1
  end
  return 0
end
