--! include lib/base.lua
local function add(key) return redis.call('INCRBY', key, step) end
