-- Forgets a number in the wards of a scope; once no ward holds it, its port record and opt-out too (the
-- opt-out kept as its hash). KEYS: wards set, opt-outs, forgotten opt-outs, ported. ARGV: phone, bucket, ward
-- prefix, scope, the number's SHA-256. {0}: nothing of the scope held it; else {1, the wards it left}.
--! include lib/subscribers.lua
--! include lib/holders.lua
local held = holders(KEYS[1], ARGV[3], ARGV[1], ARGV[2])
local targets = in_scope(held, ARGV[4])
if ARGV[4] ~= '*' and #targets == 0 then return {0} end
for _, w in ipairs(targets) do
  local p = ARGV[3] .. w .. '}:'
  remove_record(p .. 'sub:' .. ARGV[2], p .. 'groups', p .. 'meta', ARGV[1], '')
end
local cleared = 0
if #targets == #held then  -- no ward holds it any more: what is kept across wards goes too
  cleared = redis.call('HDEL', KEYS[4], ARGV[1])
  if redis.call('HDEL', KEYS[2], ARGV[1]) == 1 then
    redis.call('SADD', KEYS[3], ARGV[5])
    cleared = 1
  end
end
if #targets == 0 and cleared == 0 then return {0} end
return {1, unpack(targets)}
