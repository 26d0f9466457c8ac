-- KEYS: 1 a counter. ARGV: 1 by how much. Returns the new value.
--! include lib/add.lua
return add(KEYS[1])
