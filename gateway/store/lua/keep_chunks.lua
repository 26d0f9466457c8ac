-- Keeps this consumer's chunks from looking idle (XCLAIM to itself, JUSTID: the delivery count stays).
-- ARGV from 5: the chunks' ids. Returns per id 1, or 0 when the chunk is no longer ours (another gateway
-- took it over, or it was settled).
--! include lib/chunks.lua
local out = {}
for i = 5, #ARGV do
  if holder(ARGV[i]) == me then
    redis.call('XCLAIM', stream, group, me, 0, ARGV[i], 'JUSTID')
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
