-- The exact audience of buckets [from, to), for the approval rule: nothing is written. KEYS: 1 opt-out hash.
-- ARGV: as audience_prelude from 1. Returns {kept, opted out}.
--! include lib/audience.lua
local kept, _, skipped = audience(KEYS[1], 1)
return {#kept, #skipped}
