-- The dry-run preview of buckets [from, to): nothing is written. KEYS: 1 opt-out hash. ARGV: as
-- audience_prelude from 1. Returns {opted-out count, number, groups matched, number, groups matched, ...}.
--! include lib/audience.lua
local kept, matched, skipped = audience(KEYS[1], 1)
local out = {#skipped}
for _, e in ipairs(kept) do
  out[#out + 1] = e[2]
  out[#out + 1] = matched[e[2]]
end
return out
