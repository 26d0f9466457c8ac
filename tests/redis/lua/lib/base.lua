-- Included by lib/add.lua: shows that includes nest.
local step = tonumber(ARGV[1])
