-- Parks numbers of one carrier (engine_store::park): one parcel on the carrier's backlog (created with its
-- consumer group on first use), this run's records of them whose every part is C (claimed, never written)
-- deleted so that whoever takes the parcel claims them afresh, and the meta's parcels_open + 1 (the
-- campaign is not done while a parcel is open). Asked again with the same token it adds nothing.
-- KEYS: 1 backlog stream, 2 records, 3 meta, 4 counts, 5 parcels hash (run|token -> entry).
-- ARGV: 1 group, 2 run, 3 token, then numbers. Returns the parcel's entry.
--! include lib/records.lua
local backlog, records, meta, counts, parcels = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local group, me = ARGV[1], ARGV[2]
local guard = me .. '|' .. ARGV[3]
local earlier = redis.call('HGET', parcels, guard)
if earlier then return earlier end
if redis.call('EXISTS', backlog) == 0 then redis.call('XGROUP', 'CREATE', backlog, group, '0', 'MKSTREAM') end
local numbers, given_back = {}, 0
for i = 4, #ARGV do
  numbers[#numbers + 1] = ARGV[i]
  local rec = redis.call('HGET', records, ARGV[i])
  if rec then
    local x = parse(rec)
    if x.owner == me and not string.find(x.parts, '[^C]') then
      redis.call('HDEL', records, ARGV[i])
      given_back = given_back + #x.parts
    end
  end
end
local entry = redis.call('XADD', backlog, '*', 'numbers', table.concat(numbers, ','), 'by', me)
redis.call('HINCRBY', meta, 'parcels_open', 1)
if given_back > 0 then redis.call('HINCRBY', counts, 'parts', -given_back) end
redis.call('HSET', parcels, guard, entry)
return entry
