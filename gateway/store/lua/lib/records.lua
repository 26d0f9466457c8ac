-- The records of a campaign's recipients. A record is "carrier|parts|owner|reason|claimed_ms|settled_ms" and,
-- once a part of it was marked submitting, "|marked_ms" (Redis's clock at the latest mark): `parts` holds one
-- state letter per SMS part (campaign.hpp part_state: C claimed by the engine and not written yet, I in flight
-- or marked submitting), `owner` the gateway run that claimed it. A record of 6 fields (written before
-- marked_ms existed) has x.t3 nil: its mark time is unknown, and it is written back with 6 fields.
-- Counters are kept exact by recomputing the recipient's summary before and after each change (so a batch
-- applied twice after a lost answer changes nothing the second time) and are written once per batch.
-- Shared by the scripts that change records: parsing, the summary of a record and the counter deltas.
local function parse(rec)
  local c, p, o, r, t1, t2, t3 = string.match(rec, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  if not c then c, p, o, r, t1, t2 = string.match(rec, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$') end
  return {carrier = c, parts = p, owner = o, reason = r, t1 = t1, t2 = t2, t3 = t3}
end
local function unparse(x)
  local rec = x.carrier .. '|' .. x.parts .. '|' .. x.owner .. '|' .. x.reason .. '|' .. x.t1 .. '|' .. x.t2
  if x.t3 then rec = rec .. '|' .. x.t3 end
  return rec
end
-- summary() and accepted() are asked of the same few part strings over and over in a batch: each answer is
-- kept (a table lookup instead of up to five pattern searches).
local summaries, acceptances = {}, {}
local function summary(p)
  local s = summaries[p]
  if s then return s end
  if string.find(p, '[RF]') then s = 'failed'
  elseif string.find(p, '[CI]') then s = 'queued'
  elseif string.find(p, 'U', 1, true) then s = 'uncertain'
  elseif string.find(p, 'S', 1, true) then s = 'pending'
  elseif string.find(p, 'E', 1, true) then s = 'expired'
  else s = 'delivered' end
  summaries[p] = s
  return s
end
local function accepted(p)
  local a = acceptances[p]
  if a == nil then
    a = not string.find(p, '[CIRU]')
    acceptances[p] = a
  end
  return a
end
local finals = {failed = true, uncertain = true, expired = true, delivered = true}
local deltas, carrier_fields = {}, {}
local function bump(counts, carrier, field, by)
  local d = deltas[counts]
  if not d then d = {}; deltas[counts] = d end
  d[field] = (d[field] or 0) + by
  local names = carrier_fields[carrier]
  if not names then names = {}; carrier_fields[carrier] = names end
  local f = names[field]
  if not f then f = 'c:' .. carrier .. ':' .. field; names[field] = f end
  d[f] = (d[f] or 0) + by
end
-- Counts the change of one record from parts `old` to parts `new`; returns true when it settled now.
local function account(counts, carrier, old, new)
  local os, ns = summary(old), summary(new)
  local oa, na = accepted(old), accepted(new)
  if oa ~= na then bump(counts, carrier, 'submitted', na and 1 or -1) end
  if os ~= ns or oa ~= na then
    if finals[os] then
      bump(counts, carrier, os, -1)
      bump(counts, carrier, oa and 'settled_submitted' or 'settled_unsubmitted', -1)
    end
    if finals[ns] then
      bump(counts, carrier, ns, 1)
      bump(counts, carrier, na and 'settled_submitted' or 'settled_unsubmitted', 1)
    end
  end
  return finals[ns] and not finals[os]
end
local function flush_counts()
  for counts, d in pairs(deltas) do
    for field, by in pairs(d) do
      if by ~= 0 then redis.call('HINCRBY', counts, field, by) end
    end
  end
end
local function set_part(p, i, letter) return string.sub(p, 1, i - 1) .. letter .. string.sub(p, i + 1) end
