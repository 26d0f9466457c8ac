-- An operator records a citizen's choice, only for a number a ward of their scope holds (every ward's scope:
-- any number). KEYS: wards set, opt-outs, forgotten opt-outs. ARGV: phone, bucket, ward prefix, scope,
-- '1' out / '0' in, the opt-out's value, the number's SHA-256. {0}: out of scope; else {1, the holders}.
--! include lib/holders.lua
local held = holders(KEYS[1], ARGV[3], ARGV[1], ARGV[2])
if ARGV[4] ~= '*' and #in_scope(held, ARGV[4]) == 0 then return {0} end
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[6])
else
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('SREM', KEYS[3], ARGV[7])
end
return {1, unpack(held)}
