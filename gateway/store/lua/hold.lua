-- Holds a campaign for approval (hold_prelude). KEYS: 1 meta. ARGV: 1 reason, 2 audience, 3 threshold,
-- 4 now_ms, then the states it may be held from. Returns the state before.
--! include lib/hold.lua
local from = {}
for i = 5, #ARGV do from[ARGV[i]] = true end
return hold_for_approval(KEYS[1], from, ARGV[1], ARGV[2], ARGV[3], ARGV[4])
