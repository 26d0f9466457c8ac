-- Which wards hold the number, and the reply pushed to each, in one script (the wards are few).
-- KEYS: wards set, unknown replies. ARGV: phone, bucket, the reply, ward prefix.
--! include lib/holders.lua
local found = holders(KEYS[1], ARGV[4], ARGV[1], ARGV[2])
for _, w in ipairs(found) do
  local key = ARGV[4] .. w .. '}:replies'
  redis.call('LPUSH', key, ARGV[3])
  redis.call('LTRIM', key, 0, 9999)
end
if #found == 0 then
  redis.call('LPUSH', KEYS[2], ARGV[3])
  redis.call('LTRIM', KEYS[2], 0, 9999)
end
return found
