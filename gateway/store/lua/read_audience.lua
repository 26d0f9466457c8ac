-- One source's share of an audience (the fan-out, the dry-run preview and the approval count): the numbers of
-- buckets [from, to) of one ward's subscribers, or of a correction's or a resend's buckets, with the
-- campaign's groups each is in; nothing is written. Every key is of that one source, so of one Redis Cluster
-- slot; the opt-outs and the campaign's counts are read and written by calls of their own
-- (gateway/store/audience_reader.cpp, docs/SCALING.md). KEYS: the buckets [from, to) in order. ARGV: 1 from,
-- then the groups (none: everyone in the buckets). Returns {bucket, number, groups matched (';'), ...}.
local from = tonumber(ARGV[1])
local want, any = {}, #ARGV < 2
for i = 2, #ARGV do want[ARGV[i]] = true end
local out = {}
for k = 1, #KEYS do
  local kv = redis.call('HGETALL', KEYS[k])
  for i = 1, #kv, 2 do
    local hits = {}
    if not any then
      local groups = string.match(kv[i + 1], '^([^\31]*)')
      for g in string.gmatch(groups, '[^;]+') do
        if want[g] then hits[#hits + 1] = g end
      end
    end
    if any or #hits > 0 then
      out[#out + 1] = from + k - 1
      out[#out + 1] = kv[i]
      out[#out + 1] = table.concat(hits, ';')
    end
  end
end
return out
