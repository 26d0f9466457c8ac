-- A chunk whose every recipient is settled: acknowledged. ARGV: 5 id. Returns 'done' when it was the
-- campaign's last, 1 otherwise.
--! include lib/chunks.lua
if settle(ARGV[5]) == 'done' then return 'done' end
return 1
