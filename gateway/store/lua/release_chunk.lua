-- Hands a chunk back (this gateway could not read it, or stops): made idle enough that any gateway takes it
-- again after ARGV[6] ms; the error, if any, is kept for the poison record. ARGV: 5 id, 6 ms until it may be
-- taken, 7 the chunk's first bucket, 8 error ("" when none), 9 the idle timeout ms. Returns 1, or 0 when the
-- chunk was not ours any more.
--! include lib/chunks.lua
if holder(ARGV[5]) ~= me then return 0 end
local idle = math.max(0, tonumber(ARGV[9]) - tonumber(ARGV[6]))
redis.call('XCLAIM', stream, group, me, 0, ARGV[5], 'IDLE', idle, 'JUSTID')
if ARGV[8] ~= '' then redis.call('HSET', errors, ARGV[7], ARGV[8]) end
return 1
