-- For a correction: copies the recipients who received a campaign (every part accepted and none failed or
-- expired: delivered, still pending, or uncertain) into 4096 buckets like a ward's, which the correction's
-- fan-out then reads; with ARGV[4] 'failed', for a resend (--resend-failed), those whose message failed or
-- expired instead. Idempotent. KEYS: 1 the campaign's records. ARGV: 1 HSCAN cursor, 2 count, 3 bucket key
-- prefix, 4 'received' (the default) or 'failed'. Returns {next cursor ("0" at the end), recipients found in
-- this step}.
--! include lib/records.lua
local scan = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local kv, found, failed = scan[2], 0, ARGV[4] == 'failed'
for i = 1, #kv, 2 do
  local s = summary(parse(kv[i + 1]).parts)
  local take = s == 'delivered' or s == 'pending' or s == 'uncertain'
  if failed then take = s == 'failed' or s == 'expired' end
  if take then
    redis.call('HSET', ARGV[3] .. (tonumber(kv[i]) % 4096), kv[i], '')
    found = found + 1
  end
end
return {scan[1], found}
