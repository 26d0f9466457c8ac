-- What a chunk's current holder got done, which is how engine_take_chunk.lua tells a crash that was not the
-- chunk's fault from a poison chunk. The progress hash (KEYS: engine_keys::progress) holds per chunk (field
-- FROM, its first bucket) one letter for its current holding, reset at each delivery: 'p' progress (a number
-- claimed for the first time, or a part's answer recorded), 'a' parts marked for writing (no answer since),
-- 'e' handed back with an error, 'r' read to its end (engine_store::read) and nothing else, absent: nothing.
-- A letter only replaces a weaker one (p > a = e > r). A number's chunk is found as the fan-out found it:
-- its bucket is the number's value modulo the buckets of a ward (subscriber_store.cpp bucket_of), its chunk
-- the one whose buckets hold that; both sizes are the hash's fields `buckets` and `per` (engine_store::
-- publish). Without them nothing is noted (every delivery then counts against the chunk, as before).
local progress_rank = {r = 1, a = 2, e = 2, p = 3}
local progress_key, progress_buckets, progress_per
local progress_noted = {}  -- chunk -> the letter it holds after this call's notes

local function progress_open(key)
  if not key then return end  -- a caller that names no progress hash notes nothing
  local layout = redis.call('HMGET', key, 'buckets', 'per')
  progress_key, progress_buckets, progress_per = key, tonumber(layout[1]), tonumber(layout[2])
end

-- The first bucket of the chunk holding `number` (digits read as bucket_of reads them, up to the first
-- other character; the modulo taken digit by digit, so exact for any length).
local function chunk_of(number)
  local v = 0
  for i = 1, #number do
    local d = string.byte(number, i) - 48
    if d < 0 or d > 9 then break end
    v = (v * 10 + d) % progress_buckets
  end
  return tostring(v - v % progress_per)
end

-- Notes `what` for chunk `chunk` (its first bucket, a string) unless it holds a stronger letter.
local function progress_note_chunk(chunk, what)
  local noted = progress_noted[chunk]
  if noted and progress_rank[noted] >= progress_rank[what] then return end
  if what ~= 'p' then
    local current = redis.call('HGET', progress_key, chunk)
    if current and progress_rank[current] and progress_rank[current] >= progress_rank[what] then
      progress_noted[chunk] = current
      return
    end
  end
  redis.call('HSET', progress_key, chunk, what)
  progress_noted[chunk] = what
end

-- Notes `what` for the chunk of `number`.
local function progress_note(number, what)
  if progress_buckets and progress_per and progress_per > 0 then progress_note_chunk(chunk_of(number), what) end
end
