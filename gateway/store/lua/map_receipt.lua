-- An accepted part's receipt mapping, written after its record shows S (the campaign's slot, a call before),
-- in the mapping's own slot: the mapping for ARGV[2] seconds, and a receipt that came before it (held by
-- match_receipt.lua) taken. KEYS: 1 mapping, 2 its held key. ARGV: 1 "campaign|number|part", 2 TTL seconds.
-- Returns the held receipt ("letter|source|reason", applied by the caller in the campaign's slot) or false.
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
local held = redis.call('GET', KEYS[2])
if held then redis.call('DEL', KEYS[2]) end
return held
