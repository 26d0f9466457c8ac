-- An accepted part's receipt mapping, written after its record shows S (the campaign's slot, a call before),
-- in the mapping's own slot: the mapping for ARGV[2] seconds, and a receipt that came before it (held by
-- match_receipt.lua) read. The held receipt is left in place: the caller deletes it only once it is applied
-- in the campaign's slot (campaign_store::map_receipts), so a gateway killed between the two leaves it for
-- the run that writes this mapping again (applying a receipt twice changes nothing).
-- KEYS: 1 mapping, 2 its held key. ARGV: 1 "campaign|number|part", 2 TTL seconds.
-- Returns the held receipt ("letter|source|reason") or false.
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return redis.call('GET', KEYS[2])
