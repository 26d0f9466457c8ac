// The Lua scripts behind campaign_store (key schema: docs/REDIS.md). Each takes a batch, so that a campaign
// of 100,000 recipients costs a few hundred script calls, not hundreds of thousands of round trips.
//
// A recipient's record is "carrier|parts|owner|reason|claimed_ms|settled_ms": `parts` holds one state letter
// per SMS part (campaign.hpp part_state), `owner` the gateway run that claimed it. Counters are kept exact
// by recomputing the recipient's summary before and after each change (so a batch applied twice after a lost
// answer changes nothing the second time) and are written once per batch.
#pragma once

#include <string_view>

namespace loa::broadcast::scripts {

// Shared by the scripts that change records: parsing, the summary of a record and the counter deltas.
inline constexpr std::string_view record_prelude = R"lua(
local function parse(rec)
  local c, p, o, r, t1, t2 = string.match(rec, '^([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)|([^|]*)$')
  return {carrier = c, parts = p, owner = o, reason = r, t1 = t1, t2 = t2}
end
local function unparse(x)
  return x.carrier .. '|' .. x.parts .. '|' .. x.owner .. '|' .. x.reason .. '|' .. x.t1 .. '|' .. x.t2
end
local function summary(p)
  if string.find(p, '[RF]') then return 'failed' end
  if string.find(p, 'I', 1, true) then return 'queued' end
  if string.find(p, 'U', 1, true) then return 'uncertain' end
  if string.find(p, 'S', 1, true) then return 'pending' end
  if string.find(p, 'E', 1, true) then return 'expired' end
  return 'delivered'
end
local function accepted(p) return not string.find(p, '[IRU]') end
local finals = {failed = true, uncertain = true, expired = true, delivered = true}
local deltas = {}
local function bump(counts, carrier, field, by)
  local d = deltas[counts]
  if not d then d = {}; deltas[counts] = d end
  d[field] = (d[field] or 0) + by
  local f = 'c:' .. carrier .. ':' .. field
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
)lua";

// Creates a campaign unless its idempotency key was used. KEYS: 1 the id counter, 2 the key's guard (or the
// counter again when no key). ARGV: 1 has_key (0/1), 2 key TTL seconds, 3 meta key prefix ("loa:{c:"),
// 4 active set, 5 created_ms, 6 ward index prefix, then field/value pairs of the meta hash.
// Returns {id, existing (0/1)}.
inline constexpr std::string_view create = R"lua(
if ARGV[1] == '1' then
  local existing = redis.call('GET', KEYS[2])
  if existing then return {existing, 1} end
end
local id = tostring(redis.call('INCR', KEYS[1]))
local meta = ARGV[3] .. id .. '}:meta'
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', meta, 'id', id, unpack(fields))
redis.call('SADD', ARGV[4], id)
local wards = redis.call('HGET', meta, 'wards')
for w in string.gmatch(wards, '[^\31]+') do
  redis.call('ZADD', ARGV[6] .. w .. '}:campaigns', ARGV[5], id)
end
if ARGV[1] == '1' then redis.call('SET', KEYS[2], id, 'EX', ARGV[2]) end
return {id, 0}
)lua";

// Who a campaign reaches, shared by the fan-out, the dry-run preview and the count the approval rule takes:
// the numbers in buckets [from, to) of every source (a ward's subscribers, or for a correction the recipients
// of the campaign it corrects), each once, when it is in one of the groups (any number when no group is
// given); opted-out numbers apart. Its arguments start at ARGV[a]: a from, a+1 to, a+2 number of sources,
// then the sources' bucket key prefixes, then the groups. `audience(optout, a)` returns the kept numbers,
// the groups each matched (';'), and the opted-out numbers.
inline constexpr std::string_view audience_prelude = R"lua(
local function audience(optout, a)
  local from, to, nsources = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
  local first_group = a + 3 + nsources
  local want, any = {}, #ARGV < first_group
  for i = first_group, #ARGV do want[ARGV[i]] = true end
  local kept, matched, skipped = {}, {}, {}
  for b = from, to - 1 do
    local seen, order = {}, {}
    for w = 1, nsources do
      local kv = redis.call('HGETALL', ARGV[a + 2 + w] .. b)
      for i = 1, #kv, 2 do
        local number = kv[i]
        if not seen[number] then
          local hits = {}
          if not any then
            local groups = string.match(kv[i + 1], '^([^\31]*)')
            for g in string.gmatch(groups, '[^;]+') do
              if want[g] then hits[#hits + 1] = g end
            end
          end
          if any or #hits > 0 then
            seen[number] = true
            order[#order + 1] = number
            matched[number] = table.concat(hits, ';')
          end
        end
      end
    end
    for _, number in ipairs(order) do
      if redis.call('HEXISTS', optout, number) == 1 then
        skipped[#skipped + 1] = {b, number}
      else
        kept[#kept + 1] = {b, number}
      end
    end
  end
  return kept, matched, skipped
end
)lua";

// The one transition into awaiting_approval after creation (the approval rule applied again: see
// approval_rule.hpp): the campaign of meta hash `meta`, when its state is in the set `from`, waits for an
// approver, with why, the audience counted and the threshold. It stays in the active set. Returns the state
// before (false: no such campaign); it changed only when that was in `from`.
inline constexpr std::string_view hold_prelude = R"lua(
local function hold_for_approval(meta, from, reason, audience, above, now)
  local state = redis.call('HGET', meta, 'state')
  if state and from[state] then
    redis.call('HSET', meta, 'state', 'awaiting_approval', 'approval_reason', reason,
               'approval_recipients', audience, 'approval_above', above, 'held_at_ms', now)
  end
  return state
end
)lua";

// Holds a campaign for approval (hold_prelude). KEYS: 1 meta. ARGV: 1 reason, 2 audience, 3 threshold,
// 4 now_ms, then the states it may be held from. Returns the state before.
inline constexpr std::string_view hold = R"lua(
local from = {}
for i = 5, #ARGV do from[ARGV[i]] = true end
return hold_for_approval(KEYS[1], from, ARGV[1], ARGV[2], ARGV[3], ARGV[4])
)lua";

// The exact audience of buckets [from, to), for the approval rule: nothing is written. KEYS: 1 opt-out hash.
// ARGV: as audience_prelude from 1. Returns {kept, opted out}.
inline constexpr std::string_view count_audience = R"lua(
local kept, _, skipped = audience(KEYS[1], 1)
return {#kept, #skipped}
)lua";

// The fan-out: the audience of buckets [from, to), counted into `recipients` and `skipped_optout` for the
// buckets not counted before (one bit per bucket in KEYS[3]: a chunk read again, by this gateway after a
// restart or by another after a take-over, does not count twice, however the reads are cut). Reads come
// first and writes after, so a read that fails (a damaged bucket) leaves nothing half counted. The approval
// rule, again: when the count passes ARGV[1] (-1: no rule) and nobody approved the campaign, it is held for
// approval in the same step, so that claims (which need `running`) stop before one recipient more than the
// threshold is sent. KEYS: 1 counts, 2 opt-out hash, 3 the counted-buckets bitmap, 4 meta. ARGV: 1 the
// threshold, 2 now_ms, then audience_prelude's from 3. Returns {1 when this call held it else 0, numbers...}.
inline constexpr std::string_view fanout = R"lua(
local kept, _, skipped_numbers = audience(KEYS[2], 3)
local from, to = tonumber(ARGV[3]), tonumber(ARGV[4])
local fresh = {}
for b = from, to - 1 do fresh[b] = redis.call('GETBIT', KEYS[3], b) == 0 end
local out, counted, skipped = {0}, 0, 0
for _, e in ipairs(kept) do
  out[#out + 1] = e[2]
  if fresh[e[1]] then counted = counted + 1 end
end
for _, e in ipairs(skipped_numbers) do
  if fresh[e[1]] then skipped = skipped + 1 end
end
for b = from, to - 1 do
  if fresh[b] then redis.call('SETBIT', KEYS[3], b, 1) end
end
if skipped > 0 then redis.call('HINCRBY', KEYS[1], 'skipped_optout', skipped) end
if counted > 0 then
  local total = redis.call('HINCRBY', KEYS[1], 'recipients', counted)
  local above = tonumber(ARGV[1])
  if above >= 0 and total > above and redis.call('HEXISTS', KEYS[4], 'approved_by') == 0 then
    local reason = 'the audience grew past ' .. above .. ' while it was sent (' .. total .. ' counted so far)'
    if hold_for_approval(KEYS[4], {running = true}, reason, total, above, ARGV[2]) == 'running' then out[1] = 1 end
  end
end
return out
)lua";

// The dry-run preview of buckets [from, to): nothing is written. KEYS: 1 opt-out hash. ARGV: as
// audience_prelude from 1. Returns {opted-out count, number, groups matched, number, groups matched, ...}.
inline constexpr std::string_view preview = R"lua(
local kept, matched, skipped = audience(KEYS[1], 1)
local out = {#skipped}
for _, e in ipairs(kept) do
  out[#out + 1] = e[2]
  out[#out + 1] = matched[e[2]]
end
return out
)lua";

// For a correction: copies the recipients who received a campaign (every part accepted and none failed or
// expired: delivered, still pending, or uncertain) into 4096 buckets like a ward's, which the correction's
// fan-out then reads. Idempotent. KEYS: 1 the campaign's records. ARGV: 1 HSCAN cursor, 2 count, 3 bucket key
// prefix. Returns {next cursor ("0" at the end), recipients found in this step}.
inline constexpr std::string_view collect_received = R"lua(
local scan = redis.call('HSCAN', KEYS[1], ARGV[1], 'COUNT', ARGV[2])
local kv, found = scan[2], 0
for i = 1, #kv, 2 do
  local s = summary(parse(kv[i + 1]).parts)
  if s == 'delivered' or s == 'pending' or s == 'uncertain' then
    redis.call('HSET', ARGV[3] .. (tonumber(kv[i]) % 4096), kv[i], '')
    found = found + 1
  end
end
return {scan[1], found}
)lua";

// Claims recipients for one carrier before their parts are submitted: a new record with every part in
// flight; only while the campaign is running (not once it is held for approval, cancelled or done). KEYS:
// 1 records, 2 counts, 3 meta. ARGV: 1 owner, 2 carrier, 3 number of parts, 4 now_ms, then numbers.
// Returns, per number, 1 when claimed now or the existing record (claimed earlier, maybe by us); or, when
// the campaign is not running, its state ('' when there is none) instead of the list.
inline constexpr std::string_view claim = R"lua(
local state = redis.call('HGET', KEYS[3], 'state')
if state ~= 'running' then return state or '' end
local owner, carrier, nparts, now = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4]
local fresh = carrier .. '|' .. string.rep('I', nparts) .. '|' .. owner .. '||' .. now .. '|'
local out, claimed = {}, 0
for i = 5, #ARGV do
  if redis.call('HSETNX', KEYS[1], ARGV[i], fresh) == 1 then
    out[#out + 1] = 1
    claimed = claimed + 1
  else
    out[#out + 1] = redis.call('HGET', KEYS[1], ARGV[i])
  end
end
if claimed > 0 then redis.call('HINCRBY', KEYS[2], 'parts', claimed * nparts) end
return out
)lua";

// Takes over records a dead gateway run left with parts in flight, to send those parts again (policy
// resend). KEYS: 1 records, 2 counts. ARGV: 1 owner, then numbers. Returns per number the parts letters after
// the take-over ("" when there was nothing in flight any more).
inline constexpr std::string_view reclaim = R"lua(
local out, resent = {}, 0
for i = 2, #ARGV do
  local rec = redis.call('HGET', KEYS[1], ARGV[i])
  local x = rec and parse(rec)
  if x and x.owner ~= ARGV[1] and string.find(x.parts, 'I', 1, true) then
    x.owner = ARGV[1]
    redis.call('HSET', KEYS[1], ARGV[i], unparse(x))
    local _, n = string.gsub(x.parts, 'I', 'I')
    resent = resent + n
    out[#out + 1] = x.parts
  else
    out[#out + 1] = ''
  end
end
if resent > 0 then redis.call('HINCRBY', KEYS[2], 'resent', resent) end
return out
)lua";

// Records the carriers' answers to submits. KEYS: 1 records, 2 counts. ARGV: 1 now_ms, 2 receipt mapping
// TTL seconds, 3 campaign id, then groups of 5: number, part (1-based), letter (S R U), receipt mapping key
// ("" unless S), reason. A part only moves out of I or U, so a repeated batch changes nothing. A receipt that
// came before its answer was recorded waits at MAPPING:held (see `receipts`) and is applied here at once,
// when it came from the number the part went to. Returns the carriers of held receipts that did not (one per
// receipt, for loa_receipts_mismatched_total).
inline constexpr std::string_view outcomes = R"lua(
local now, ttl, id = ARGV[1], ARGV[2], ARGV[3]
local mismatched = {}
for i = 4, #ARGV, 5 do
  local number, part, letter, dlr, reason = ARGV[i], tonumber(ARGV[i + 1]), ARGV[i + 2], ARGV[i + 3], ARGV[i + 4]
  local rec = redis.call('HGET', KEYS[1], number)
  if rec then
    local x = parse(rec)
    local current = string.sub(x.parts, part, part)
    if current == 'I' or current == 'U' then
      local old = x.parts
      x.parts = set_part(x.parts, part, letter)
      if reason ~= '' and x.reason == '' then x.reason = reason end
      if dlr ~= '' then
        redis.call('SET', dlr, id .. '|' .. number .. '|' .. part, 'EX', ttl)
        local held = redis.call('GET', dlr .. ':held')
        if held then
          -- letter|source|reason; a receipt from another handset than the recipient's is not applied
          local receipt_letter, source, receipt_reason = string.match(held, '^(.)|([^|]*)|(.*)$')
          if source == number then
            x.parts = set_part(x.parts, part, receipt_letter)
            if receipt_reason ~= '' and x.reason == '' then x.reason = receipt_reason end
          else
            mismatched[#mismatched + 1] = x.carrier
          end
          redis.call('DEL', dlr .. ':held')
        end
      end
      if account(KEYS[2], x.carrier, old, x.parts) then x.t2 = now end
      redis.call('HSET', KEYS[1], number, unparse(x))
    end
  end
end
flush_counts()
return mismatched
)lua";

// Applies receipts. ARGV: 1 now_ms, 2 campaign key prefix ("loa:{c:"), 3 how long an unmatched receipt is
// kept (seconds), then groups of 4: receipt mapping key, letter (D F E), reason, source (the normalised
// number the receipt came from, "" when it is none). A receipt is applied only to the part of the number it
// came from: one from another handset (forged, or a carrier's mistake) changes nothing. A receipt that
// matches no submitted part (yet: it may come before the submit's answer is recorded) is kept at MAPPING:held
// as "letter|source|reason", where the `outcomes` script checks and applies it. Returns {the 1-based group
// numbers that matched nothing, those whose source is not the recipient}.
inline constexpr std::string_view receipts = R"lua(
local now, prefix, keep = ARGV[1], ARGV[2], ARGV[3]
local unmatched, mismatched = {}, {}
for i = 4, #ARGV, 4 do
  local m = redis.call('GET', ARGV[i])
  local id, number, part
  if m then id, number, part = string.match(m, '^([^|]*)|([^|]*)|([^|]*)$') end
  local rec = id and redis.call('HGET', prefix .. id .. '}:r', number)
  if rec and number ~= ARGV[i + 3] then
    mismatched[#mismatched + 1] = (i - 4) / 4 + 1
  elseif rec then
    local x = parse(rec)
    part = tonumber(part)
    if string.sub(x.parts, part, part) == 'S' then
      local old = x.parts
      x.parts = set_part(x.parts, part, ARGV[i + 1])
      if ARGV[i + 2] ~= '' and x.reason == '' then x.reason = ARGV[i + 2] end
      if account(prefix .. id .. '}:counts', x.carrier, old, x.parts) then x.t2 = now end
      redis.call('HSET', prefix .. id .. '}:r', number, unparse(x))
    end
  else
    redis.call('SET', ARGV[i] .. ':held', ARGV[i + 1] .. '|' .. ARGV[i + 3] .. '|' .. ARGV[i + 2], 'EX', keep)
    unmatched[#unmatched + 1] = (i - 4) / 4 + 1
  end
end
flush_counts()
return {unmatched, mismatched}
)lua";

// Counts parts still waiting for a receipt as expired once their validity period (and a grace) is over: the
// SMSC gave up on them, and an official should not wait for ever. KEYS: 1 records, 2 counts. ARGV: 1 now_ms,
// 2 HSCAN cursor, 3 count. Returns the next cursor ("0" when the scan is complete).
inline constexpr std::string_view expire_pending = R"lua(
local scan = redis.call('HSCAN', KEYS[1], ARGV[2], 'COUNT', ARGV[3])
local kv = scan[2]
for i = 1, #kv, 2 do
  local x = parse(kv[i + 1])
  if string.find(x.parts, 'S', 1, true) then
    local old = x.parts
    x.parts = string.gsub(x.parts, 'S', 'E')
    if x.reason == '' then x.reason = 'no receipt within the validity period' end
    if account(KEYS[2], x.carrier, old, x.parts) then x.t2 = ARGV[1] end
    redis.call('HSET', KEYS[1], kv[i], unparse(x))
  end
end
flush_counts()
return scan[1]
)lua";

// --- Chunks: how several gateways share a campaign (docs/REDIS.md "Several gateways") -------------------
//
// Publishes a campaign's chunks once: the stream with one entry per chunk (fields from, to: a range of
// buckets) and its consumer group. Guarded by the meta field `chunks`, written last (a script that fails
// half way is not rolled back: the next call starts again), so that a second gateway (or a restart)
// publishes nothing. A campaign an older gateway began counted the buckets below `fanout_counted`: they are
// marked counted. KEYS: 1 meta, 2 stream, 3 counted-buckets bitmap. ARGV: 1 group, 2 buckets per chunk,
// 3 buckets. Returns 1 when published now, 0 when it was already.
inline constexpr std::string_view publish_chunks = R"lua(
if redis.call('HEXISTS', KEYS[1], 'chunks') == 1 then return 0 end
local per, total = tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('DEL', KEYS[2])
redis.call('XGROUP', 'CREATE', KEYS[2], ARGV[1], '0', 'MKSTREAM')
local n = 0
for from = 0, total - 1, per do
  redis.call('XADD', KEYS[2], '*', 'from', from, 'to', math.min(from + per, total))
  n = n + 1
end
local counted = tonumber(redis.call('HGET', KEYS[1], 'fanout_counted') or '0')
for b = 0, counted - 1 do redis.call('SETBIT', KEYS[3], b, 1) end
redis.call('HSET', KEYS[1], 'chunks_settled', 0, 'chunks', n)
return 1
)lua";

// Shared by the scripts that move chunks. KEYS: 1 stream, 2 meta, 3 poison hash, 4 chunk errors hash,
// 5 active campaigns, 6 receipt deadlines. ARGV: 1 group, 2 campaign id, 3 consumer ("GATEWAY/RUN"), 4 the
// receipt deadline (Unix seconds) to set if this call finishes the campaign; the script's own from 5 on.
// settle(id) acknowledges a chunk (XACK) and counts it in the meta's `chunks_settled`, once: the call that
// settles the last chunk moves a running campaign to done (with fanout_done, out of the active set, its
// receipt deadline set) and returns 'done'.
inline constexpr std::string_view chunk_prelude = R"lua(
local stream, meta, poison, errors = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local group, campaign, me, deadline = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local function settle(id)
  if redis.call('XACK', stream, group, id) == 0 then return false end
  local n = redis.call('HINCRBY', meta, 'chunks_settled', 1)
  local total = tonumber(redis.call('HGET', meta, 'chunks') or '')
  if total and n >= total and redis.call('HGET', meta, 'state') == 'running' then
    redis.call('HSET', meta, 'state', 'done', 'fanout_done', '1')
    redis.call('SREM', KEYS[5], campaign)
    redis.call('ZADD', KEYS[6], deadline, campaign)
    return 'done'
  end
  return true
end
local function holder(id)
  local p = redis.call('XPENDING', stream, group, id, id, 1)
  if #p == 0 then return nil, 0 end
  return p[1][2], tonumber(p[1][4])
end
)lua";

// Gives this consumer a chunk to work on: first a chunk its own previous life (same GATEWAY, another RUN)
// left pending, at once; then one idle longer than ARGV[5] ms (its gateway is dead or cut off: XAUTOCLAIM);
// then a chunk never delivered (XREADGROUP). A chunk taken again past ARGV[6] deliveries is poison: set
// aside (acknowledged, recorded in the poison hash with the last error seen on it) instead of handed out.
// ARGV: 5 idle ms, 6 most deliveries, 7 this gateway's prefix ("GATEWAY/"), 8 now_ms.
// Returns {what, id, from, to, deliveries, previous holder, done, then per chunk set aside: from, to, why}
// where what is 'chunk', 'none' (nothing to take now) or 'finished' (every chunk settled); done is 1 when
// setting a chunk aside finished the campaign.
inline constexpr std::string_view take_chunk = R"lua(
local idle, most, mine, now = tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7], ARGV[8]
local aside, done = {}, 0
local state = redis.call('HGET', meta, 'state')
if state ~= 'running' then return {state == 'done' and 'finished' or 'none', '', '', '', '0', '', '0'} end
local function fields(entry)
  local f, kv = {}, entry[2]
  for i = 1, #kv, 2 do f[kv[i]] = kv[i + 1] end
  return f
end
-- A chunk just delivered to us: returned, or set aside when delivered too often.
local function taken(entry, previous)
  local id = entry[1]
  local f = fields(entry)
  local _, count = holder(id)
  if count <= most then
    return {'chunk', id, f.from, f.to, tostring(count), previous or '', tostring(done)}
  end
  local why = redis.call('HGET', errors, f.from) or 'no error recorded (the gateways holding it stopped or died)'
  local text = 'delivered ' .. count .. ' times, last to ' .. (previous or '?') .. '; last error: ' .. why
  redis.call('HSET', poison, f.from .. '-' .. f.to, now .. '|' .. text)
  if settle(id) == 'done' then done = 1 end
  aside[#aside + 1] = f.from
  aside[#aside + 1] = f.to
  aside[#aside + 1] = text
  return nil
end
local function answer(r)
  for _, v in ipairs(aside) do r[#r + 1] = v end
  return r
end
local pending = redis.call('XPENDING', stream, group, '-', '+', 10000)
local holders = {}
for _, p in ipairs(pending) do
  holders[p[1]] = p[2]
  if p[2] ~= me and string.sub(p[2], 1, #mine) == mine then
    local got = redis.call('XCLAIM', stream, group, me, 0, p[1])
    if got[1] then
      local r = taken(got[1], p[2])
      if r then return answer(r) end
    end
  end
end
local start = '0-0'
repeat
  local r = redis.call('XAUTOCLAIM', stream, group, me, idle, start, 'COUNT', 1)
  start = r[1]
  for _, entry in ipairs(r[2]) do
    if entry[1] then
      local out = taken(entry, holders[entry[1]])
      if out then return answer(out) end
    end
  end
until start == '0-0'
local fresh = redis.call('XREADGROUP', 'GROUP', group, me, 'COUNT', 1, 'STREAMS', stream, '>')
if fresh and fresh[1] and fresh[1][2][1] then
  local r = taken(fresh[1][2][1], nil)
  if r then return answer(r) end
end
local settled = tonumber(redis.call('HGET', meta, 'chunks_settled') or '0')
local total = tonumber(redis.call('HGET', meta, 'chunks') or '')
return answer({(total and settled >= total) and 'finished' or 'none', '', '', '', '0', '', tostring(done)})
)lua";

// Keeps this consumer's chunks from looking idle (XCLAIM to itself, JUSTID: the delivery count stays).
// ARGV from 5: the chunks' ids. Returns per id 1, or 0 when the chunk is no longer ours (another gateway
// took it over, or it was settled).
inline constexpr std::string_view keep_chunks = R"lua(
local out = {}
for i = 5, #ARGV do
  if holder(ARGV[i]) == me then
    redis.call('XCLAIM', stream, group, me, 0, ARGV[i], 'JUSTID')
    out[#out + 1] = 1
  else
    out[#out + 1] = 0
  end
end
return out
)lua";

// A chunk whose every recipient is settled: acknowledged. ARGV: 5 id. Returns 'done' when it was the
// campaign's last, 1 otherwise.
inline constexpr std::string_view ack_chunk = R"lua(
if settle(ARGV[5]) == 'done' then return 'done' end
return 1
)lua";

// Hands a chunk back (this gateway could not read it, or stops): made idle enough that any gateway takes it
// again after ARGV[6] ms; the error, if any, is kept for the poison record. ARGV: 5 id, 6 ms until it may be
// taken, 7 the chunk's first bucket, 8 error ("" when none), 9 the idle timeout ms. Returns 1, or 0 when the
// chunk was not ours any more.
inline constexpr std::string_view release_chunk = R"lua(
if holder(ARGV[5]) ~= me then return 0 end
local idle = math.max(0, tonumber(ARGV[9]) - tonumber(ARGV[6]))
redis.call('XCLAIM', stream, group, me, 0, ARGV[5], 'IDLE', idle, 'JUSTID')
if ARGV[8] ~= '' then redis.call('HSET', errors, ARGV[7], ARGV[8]) end
return 1
)lua";

}  // namespace loa::broadcast::scripts
