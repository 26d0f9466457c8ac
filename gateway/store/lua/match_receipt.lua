-- A receipt's first step, in its mapping's own slot (the mapping key is tagged with the carrier and the
-- message id: docs/SCALING.md): the mapping when there is one; else the receipt waits at KEYS[2] for its
-- submit's answer, which map_receipt.lua (the same slot) finds. Atomic against map_receipt, so a receipt is
-- never left waiting beside a mapping written a moment before. KEYS: 1 mapping, 2 its held key. ARGV: 1 the
-- held value "letter|source|reason", 2 how long it is kept (seconds). Returns the mapping
-- ("campaign|number|part"), or false when the receipt is held now.
local m = redis.call('GET', KEYS[1])
if m then return m end
redis.call('SET', KEYS[2], ARGV[1], 'EX', ARGV[2])
return false
