-- Who a campaign reaches, shared by the fan-out, the dry-run preview and the count the approval rule takes:
-- the numbers in buckets [from, to) of every source (a ward's subscribers, or for a correction the recipients
-- of the campaign it corrects), each once, when it is in one of the groups (any number when no group is
-- given); opted-out numbers apart. Its arguments start at ARGV[a]: a from, a+1 to, a+2 number of sources,
-- then the sources' bucket key prefixes, then the groups. `audience(optout, a)` returns the kept numbers,
-- the groups each matched (';'), and the opted-out numbers.
local function audience(optout, a)
  local from, to, nsources = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local first_group = a + 3 + nsources
  local want, any = {}, #ARGV < first_group
  for i = first_group, #ARGV do want[ARGV[i]] = true end
  local kept, matched, skipped = {}, {}, {}
  for b = from, to - 1 do
    local seen, order = {}, {}
    for w = 1, nsources do
      local kv = redis.call('HGETALL', ARGV[a + 2 + w] .. b)
      for i = 1, #kv, 2 do
        local number = kv[i]
        if not seen[number] then
          local hits = {}
          if not any then
            local groups = string.match(kv[i + 1], '^([^\31]*)')
            for g in string.gmatch(groups, '[^;]+') do
              if want[g] then hits[#hits + 1] = g end
            end
          end
          if any or #hits > 0 then
            seen[number] = true
            order[#order + 1] = number
            matched[number] = table.concat(hits, ';')
          end
        end
      end
    end
    for _, number in ipairs(order) do
      if redis.call('HEXISTS', optout, number) == 1 then
        skipped[#skipped + 1] = {b, number}
      else
        kept[#kept + 1] = {b, number}
      end
    end
  end
  return kept, matched, skipped
end
