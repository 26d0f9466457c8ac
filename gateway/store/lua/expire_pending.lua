-- Counts parts still waiting for a receipt as expired once their validity period (and a grace) is over: the
-- SMSC gave up on them, and an official should not wait for ever. KEYS: 1 records, 2 counts. ARGV: 1 now_ms,
-- 2 HSCAN cursor, 3 count. Returns the next cursor ("0" when the scan is complete).
--! include lib/records.lua
local scan = redis.call('HSCAN', KEYS[1], ARGV[2], 'COUNT', ARGV[3])
local kv = scan[2]
for i = 1, #kv, 2 do
  local x = parse(kv[i + 1])
  if string.find(x.parts, 'S', 1, true) then
    local old = x.parts
    x.parts = string.gsub(x.parts, 'S', 'E')
    if x.reason == '' then x.reason = 'no receipt within the validity period' end
    if account(KEYS[2], x.carrier, old, x.parts) then x.t2 = ARGV[1] end
    redis.call('HSET', KEYS[1], kv[i], unparse(x))
  end
end
flush_counts()
return scan[1]
