-- One HSCAN step of the records, each with its subscriber's groups, read in the same call so that a report of
-- 100,000 recipients costs a hundred round trips. KEYS: 1 records. ARGV: 1 cursor, 2 count, 3 buckets per
-- ward, then the wards' bucket key prefixes. The bucket is the number mod the bucket count, as
-- subscriber_store computes it: exact in Lua's doubles for numbers far below 2^53. Returns {next cursor,
-- {number, record, groups or nil, ...}}.
local scan = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local kv, per_ward, out = scan[2], tonumber(ARGV[3]), {}
for i = 1, #kv, 2 do
  local number, groups = kv[i], false
  local n = tonumber(number)
  if n then
    local bucket = string.format('%d', n % per_ward)
    for w = 4, #ARGV do
      local sub = redis.call('HGET', ARGV[w] .. bucket, number)
      if sub then
        groups = string.match(sub, '^([^\31]*)')
        break
      end
    end
  end
  out[#out + 1] = number
  out[#out + 1] = kv[i + 1]
  out[#out + 1] = groups
end
return {scan[1], out}
