#include "gateway/broadcast/subscriber_store.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "gateway/redis/exec.hpp"

namespace loa::broadcast {
namespace {

namespace asio = boost::asio;
using redis::command;
using redis::exec;
constexpr char separator = '\x1f';

// Upserts a batch. KEYS: 1 groups counter hash, 2 meta hash, 3.. one bucket per row.
// ARGV: source, time, extra groups (';'), then phone, name, groups (';') per row.
// A row whose stored source is this import's is a duplicate within the file; its groups still merge.
constexpr std::string_view import_script = R"lua(
local source, now = ARGV[1], ARGV[2]
local sep = '\31'
local suffix = sep .. now .. sep .. source  -- the same for every row of the batch
local extra = {}
for g in string.gmatch(ARGV[3], '([^;]+)') do extra[#extra + 1] = g end
local imported, updated, duplicates = 0, 0, 0
local added = {}  -- group -> new members in this batch: one HINCRBY per group, not per row
local function merge(have, order, n, list)
  for g in string.gmatch(list, '([^;]+)') do
    if not have[g] then have[g] = true; n = n + 1; order[n] = g end
  end
  return n
end
local rows = (#ARGV - 3) / 3
for i = 1, rows do
  local key, at = KEYS[2 + i], 3 * i
  local phone, name, groups = ARGV[1 + at], ARGV[2 + at], ARGV[3 + at]
  -- Most rows of an import are new: try that first, one command instead of a read and a write.
  local have, order = {}, {}
  local n = merge(have, order, 0, groups)
  for j = 1, #extra do
    local g = extra[j]
    if not have[g] then have[g] = true; n = n + 1; order[n] = g end
  end
  if redis.call('HSETNX', key, phone, table.concat(order, ';') .. sep .. name .. suffix) == 1 then
    imported = imported + 1
    for j = 1, n do added[order[j]] = (added[order[j]] or 0) + 1 end
  else
    local old = redis.call('HGET', key, phone)
    local old_groups, old_name, _, old_source = string.match(old, '^([^\31]*)\31([^\31]*)\31([^\31]*)\31(.*)$')
    local known, merged = {}, {}
    local m = merge(known, merged, 0, old_groups or '')
    for j = 1, n do
      local g = order[j]
      if not known[g] then known[g] = true; m = m + 1; merged[m] = g; added[g] = (added[g] or 0) + 1 end
    end
    if name == '' then name = old_name or '' end
    if old_source == source then duplicates = duplicates + 1 else updated = updated + 1 end
    redis.call('HSET', key, phone, table.concat(merged, ';') .. sep .. name .. suffix)
  end
end
for g, count in pairs(added) do redis.call('HINCRBY', KEYS[1], g, count) end
if imported > 0 then redis.call('HINCRBY', KEYS[2], 'subscribers', imported) end
return {imported, updated, duplicates}
)lua";

// Takes groups (`drop`, ';'; every group when '') off one record, or the record, keeping the ward's group
// sizes and subscriber count exact. 1 when it changed something.
constexpr std::string_view remove_prelude = R"lua(
local function remove_record(bucket, groups_key, meta, phone, drop_list)
  local old = redis.call('HGET', bucket, phone)
  if not old then return 0 end
  local fields, at = {}, 1
  for field in string.gmatch(old .. '\31', '([^\31]*)\31') do fields[at] = field; at = at + 1 end
  local have = {}
  for g in string.gmatch(fields[1] or '', '([^;]+)') do have[#have + 1] = g end
  local drop = {}
  for g in string.gmatch(drop_list, '([^;]+)') do drop[g] = true end
  local whole = drop_list == ''
  local keep, changed = {}, false
  for _, g in ipairs(have) do
    if whole or drop[g] then
      changed = true
      if redis.call('HINCRBY', groups_key, g, -1) <= 0 then redis.call('HDEL', groups_key, g) end
    else
      keep[#keep + 1] = g
    end
  end
  if whole or #keep == 0 then
    redis.call('HDEL', bucket, phone)
    redis.call('HINCRBY', meta, 'subscribers', -1)
    return 1
  end
  if changed then
    fields[1] = table.concat(keep, ';')
    redis.call('HSET', bucket, phone, table.concat(fields, '\31'))
    return 1
  end
  return 0
end
)lua";

// KEYS: bucket, groups counter, meta. ARGV: phone, groups (';').
constexpr std::string_view remove_call = R"lua(
return remove_record(KEYS[1], KEYS[2], KEYS[3], ARGV[1], ARGV[2])
)lua";

// Which wards hold a number, and which of them an operator's scope reaches. A ward's keys are
// `prefix .. ward .. '}:...'` (keys::ward_prefix).
constexpr std::string_view holders_prelude = R"lua(
local function holders(wards_key, prefix, phone, bucket)
  local found = {}
  for _, w in ipairs(redis.call('SMEMBERS', wards_key)) do
    if redis.call('HEXISTS', prefix .. w .. '}:sub:' .. bucket, phone) == 1 then found[#found + 1] = w end
  end
  return found
end
-- Of `held`, the wards of `scope`: '*' for every ward, else ward names separated by ';'.
local function in_scope(held, scope)
  if scope == '*' then return held end
  local mine, out = {}, {}
  for w in string.gmatch(scope, '[^;]+') do mine[w] = true end
  for _, w in ipairs(held) do if mine[w] then out[#out + 1] = w end end
  return out
end
)lua";

// An operator records a citizen's choice, only for a number a ward of their scope holds (every ward's scope:
// any number). KEYS: wards set, opt-outs, forgotten opt-outs. ARGV: phone, bucket, ward prefix, scope,
// '1' out / '0' in, the opt-out's value, the number's SHA-256. {0}: out of scope; else {1, the holders}.
constexpr std::string_view scoped_choice_call = R"lua(
local held = holders(KEYS[1], ARGV[3], ARGV[1], ARGV[2])
if ARGV[4] ~= '*' and #in_scope(held, ARGV[4]) == 0 then return {0} end
if ARGV[5] == '1' then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[6])
else
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('SREM', KEYS[3], ARGV[7])
end
return {1, unpack(held)}
)lua";

// Forgets a number in the wards of a scope; once no ward holds it, its port record and opt-out too (the
// opt-out kept as its hash). KEYS: wards set, opt-outs, forgotten opt-outs, ported. ARGV: phone, bucket, ward
// prefix, scope, the number's SHA-256. {0}: nothing of the scope held it; else {1, the wards it left}.
constexpr std::string_view scoped_forget_call = R"lua(
local held = holders(KEYS[1], ARGV[3], ARGV[1], ARGV[2])
local targets = in_scope(held, ARGV[4])
if ARGV[4] ~= '*' and #targets == 0 then return {0} end
for _, w in ipairs(targets) do
  local p = ARGV[3] .. w .. '}:'
  remove_record(p .. 'sub:' .. ARGV[2], p .. 'groups', p .. 'meta', ARGV[1], '')
end
local cleared = 0
if #targets == #held then  -- no ward holds it any more: what is kept across wards goes too
  cleared = redis.call('HDEL', KEYS[4], ARGV[1])
  if redis.call('HDEL', KEYS[2], ARGV[1]) == 1 then
    redis.call('SADD', KEYS[3], ARGV[5])
    cleared = 1
  end
end
if #targets == 0 and cleared == 0 then return {0} end
return {1, unpack(targets)}
)lua";

const std::string& remove_script() {
  static const std::string script = std::string(remove_prelude) + std::string(remove_call);
  return script;
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out.push_back(sep);
    out += p;
  }
  return out;
}

std::string now_seconds() {
  return std::to_string(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::uint64_t bucket_of(std::string_view phone) {
  std::uint64_t value = 0;
  std::from_chars(phone.data(), phone.data() + phone.size(), value);
  return value % buckets_per_ward;
}

// A scope as the scripts take it: '*' for every ward, else the wards separated by ';'.
std::string script_scope(const ward_scope& scope) {
  return scope.every_ward ? "*" : join(scope.wards, ';');
}

// {0} or {1, ward...} from the scoped scripts.
void read_change(const redis::reply& answer, number_change& change) {
  const auto& items = answer.elements();
  change.allowed = !items.empty() && items[0].integer() == 1;
  change.wards.clear();
  for (std::size_t i = 1; i < items.size(); ++i) change.wards.push_back(items[i].str());
  std::sort(change.wards.begin(), change.wards.end());
}

std::string script_groups(const std::vector<std::string>& groups) {
  // ';' and the unit separator delimit stored fields: a group name holding them would corrupt the record.
  std::vector<std::string> clean;
  for (const auto& g : groups)
    if (g.find(';') == std::string::npos && g.find(separator) == std::string::npos) clean.push_back(g);
  return join(clean, ';');
}

}  // namespace

namespace keys {
std::string bucket(std::string_view ward, std::uint64_t index) {
  return "loa:{w:" + std::string(ward) + "}:sub:" + std::to_string(index);
}
std::string bucket(std::string_view ward, std::string_view phone) {
  return bucket(ward, bucket_of(phone));
}
std::string replies(std::string_view ward) {
  return "loa:{w:" + std::string(ward) + "}:replies";
}

std::string groups(std::string_view ward) {
  return "loa:{w:" + std::string(ward) + "}:groups";
}
std::string group_names(std::string_view ward) {
  return "loa:{w:" + std::string(ward) + "}:group_names";
}
std::string meta(std::string_view ward) {
  return "loa:{w:" + std::string(ward) + "}:meta";
}
}  // namespace keys

std::string encode_record(const subscriber_record& r) {
  return join(r.groups, ';') + separator + r.name + separator + r.consent_time + separator + r.consent_source;
}

subscriber_record decode_record(std::string_view value) {
  subscriber_record r;
  std::vector<std::string> fields;
  std::size_t at = 0;
  while (true) {
    const auto end = value.find(separator, at);
    fields.emplace_back(value.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at));
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  fields.resize(4);
  r.groups = split_groups(fields[0]);
  r.name = std::move(fields[1]);
  r.consent_time = std::move(fields[2]);
  r.consent_source = std::move(fields[3]);
  return r;
}

std::string sha256_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(digits[digest[i] >> 4]);
    hex.push_back(digits[digest[i] & 0xF]);
  }
  return hex;
}

subscriber_store::subscriber_store(redis::connection& connection) : connection_(connection) {}

asio::awaitable<std::error_code> subscriber_store::import_batch(std::string_view ward,
                                                                const std::vector<subscriber_row>& rows,
                                                                const std::vector<std::string>& extra_groups,
                                                                std::string_view source,
                                                                import_counts& counts) {
  if (rows.empty()) co_return std::error_code{};
  std::vector<std::string> command{"EVAL", std::string(import_script), std::to_string(2 + rows.size()),
                                   keys::groups(ward), keys::meta(ward)};
  command.reserve(command.size() + rows.size() * 4 + 3);
  for (const auto& row : rows) command.push_back(keys::bucket(ward, row.phone));
  command.emplace_back(source);
  command.push_back(now_seconds());
  command.push_back(script_groups(extra_groups));
  for (const auto& row : rows) {
    command.push_back(row.phone);
    std::string name = row.name;
    std::replace(name.begin(), name.end(), separator, ' ');
    command.push_back(std::move(name));
    command.push_back(script_groups(row.groups));
  }
  redis::request req;
  req.push_range(command);
  req.push("SADD", keys::wards, ward);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  const auto& result = resp[0].elements();
  if (result.size() == 3) {
    counts.imported += static_cast<std::uint64_t>(result[0].integer());
    counts.updated += static_cast<std::uint64_t>(result[1].integer());
    counts.duplicates += static_cast<std::uint64_t>(result[2].integer());
  }
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::remove(std::string_view ward, std::string_view phone,
                                                          const std::vector<std::string>& groups,
                                                          bool& removed) {
  redis::request req;
  req.push("EVAL", remove_script(), 3, keys::bucket(ward, phone), keys::groups(ward), keys::meta(ward), phone,
           script_groups(groups));
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  removed = resp[0].integer() == 1;
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::set_opt_out(std::string_view phone, bool opted_out,
                                                               std::string_view source) {
  redis::request req;
  if (opted_out) {
    req.push("HSET", keys::optout, phone, now_seconds() + separator + std::string(source));
  } else {
    req.push("HDEL", keys::optout, phone);
    req.push("SREM", keys::forgotten_optouts, sha256_hex(phone));
  }
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  co_return ec;
}

asio::awaitable<std::error_code> subscriber_store::is_opted_out(std::string_view phone, bool& opted_out) {
  redis::request req;
  req.push("HEXISTS", keys::optout, phone);
  req.push("SISMEMBER", keys::forgotten_optouts, sha256_hex(phone));
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  opted_out = resp[0].integer() == 1 || resp[1].integer() == 1;
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::set_opt_out(std::string_view phone, bool opted_out,
                                                               std::string_view source,
                                                               const ward_scope& scope,
                                                               number_change& change) {
  static const std::string script = std::string(holders_prelude) + std::string(scoped_choice_call);
  auto [ec, resp] = co_await exec(
      connection_, command("EVAL", script, 3, keys::wards, keys::optout, keys::forgotten_optouts, phone,
                           bucket_of(phone), keys::ward_prefix, script_scope(scope), opted_out ? "1" : "0",
                           now_seconds() + separator + std::string(source), sha256_hex(phone)));
  if (ec) co_return ec;
  read_change(resp[0], change);
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::forget(std::string_view phone, const ward_scope& scope,
                                                          number_change& change) {
  static const std::string script =
      std::string(remove_prelude) + std::string(holders_prelude) + std::string(scoped_forget_call);
  auto [ec, resp] =
      co_await exec(connection_, command("EVAL", script, 4, keys::wards, keys::optout,
                                         keys::forgotten_optouts, keys::ported, phone, bucket_of(phone),
                                         keys::ward_prefix, script_scope(scope), sha256_hex(phone)));
  if (ec) co_return ec;
  read_change(resp[0], change);
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::count(std::string_view ward, std::string_view group,
                                                         std::uint64_t& n) {
  redis::request req;
  if (group.empty()) {
    req.push("HGET", keys::meta(ward), "subscribers");
  } else {
    req.push("HGET", keys::groups(ward), group);
  }
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  n = 0;
  if (!resp[0].is_nil())
    std::from_chars(resp[0].str().data(), resp[0].str().data() + resp[0].str().size(), n);
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::groups(std::string_view ward,
                                                          std::map<std::string, std::uint64_t>& out) {
  auto [ec, resp] = co_await exec(connection_, command("HGETALL", keys::groups(ward)));
  if (ec) co_return ec;
  const auto& items = resp[0].elements();
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) {
    std::int64_t n = 0;
    std::from_chars(items[i + 1].str().data(), items[i + 1].str().data() + items[i + 1].str().size(), n);
    if (n > 0) out[items[i].str()] = static_cast<std::uint64_t>(n);
  }
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::group_names(std::string_view ward,
                                                               std::map<std::string, std::string>& out) {
  auto [ec, resp] = co_await exec(connection_, command("HGETALL", keys::group_names(ward)));
  if (ec) co_return ec;
  const auto& items = resp[0].elements();
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) out[items[i].str()] = items[i + 1].str();
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::set_group_name(std::string_view ward, std::string_view group,
                                                                  std::string_view name) {
  // Built before the co_await: gcc 12 double-frees a ?: temporary inside a co_await expression.
  auto req = name.empty() ? command("HDEL", keys::group_names(ward), group)
                          : command("HSET", keys::group_names(ward), group, name);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  co_return ec;
}

asio::awaitable<std::error_code> subscriber_store::set_ported(std::string_view phone,
                                                              std::string_view carrier) {
  auto [ec, resp] = co_await exec(connection_, command("HSET", keys::ported, phone, carrier));
  co_return ec;
}

asio::awaitable<std::error_code> subscriber_store::ported(std::map<std::string, std::string>& out) {
  auto [ec, resp] = co_await exec(connection_, command("HGETALL", keys::ported));
  if (ec) co_return ec;
  const auto& items = resp[0].elements();
  for (std::size_t i = 0; i + 1 < items.size(); i += 2) out[items[i].str()] = items[i + 1].str();
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::groups_of(std::string_view ward,
                                                             const std::vector<std::string>& numbers,
                                                             std::vector<std::vector<std::string>>& out) {
  out.assign(numbers.size(), {});
  if (numbers.empty()) co_return std::error_code{};
  redis::request req;
  for (const auto& n : numbers) req.push("HGET", keys::bucket(ward, n), n);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  for (std::size_t i = 0; i < numbers.size() && i < resp.size(); ++i)
    if (!resp[i].is_nil()) out[i] = decode_record(resp[i].str()).groups;
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::get(std::string_view ward, std::string_view phone,
                                                       subscriber_record& out, bool& found) {
  auto [ec, resp] = co_await exec(connection_, command("HGET", keys::bucket(ward, phone), phone));
  if (ec) co_return ec;
  found = !resp[0].is_nil();
  if (found) {
    out = decode_record(resp[0].str());
    out.phone = std::string(phone);
  }
  co_return std::error_code{};
}

// Which wards hold the number, and the reply pushed to each, in one script (the wards are few).
// KEYS: wards set, unknown replies. ARGV: phone, bucket, the reply, ward prefix.
static constexpr std::string_view keep_reply_call = R"lua(
local found = holders(KEYS[1], ARGV[4], ARGV[1], ARGV[2])
for _, w in ipairs(found) do
  local key = ARGV[4] .. w .. '}:replies'
  redis.call('LPUSH', key, ARGV[3])
  redis.call('LTRIM', key, 0, 9999)
end
if #found == 0 then
  redis.call('LPUSH', KEYS[2], ARGV[3])
  redis.call('LTRIM', KEYS[2], 0, 9999)
end
return found
)lua";

asio::awaitable<std::error_code> subscriber_store::keep_reply(const stored_reply& reply,
                                                              std::vector<std::string>& wards) {
  static const std::string script = std::string(holders_prelude) + std::string(keep_reply_call);
  const std::string value = reply.time + separator + reply.phone + separator + reply.carrier + separator + reply.text;
  auto [ec, resp] =
      co_await exec(connection_, command("EVAL", script, 2, keys::wards, keys::unknown_replies, reply.phone,
                                         bucket_of(reply.phone), value, keys::ward_prefix));
  if (ec) co_return ec;
  wards.clear();
  for (const auto& e : resp[0].elements()) wards.push_back(e.str());
  co_return std::error_code{};
}

asio::awaitable<std::error_code> subscriber_store::replies(std::string_view ward, std::size_t limit,
                                                           std::vector<stored_reply>& out) {
  auto [ec, resp] = co_await exec(connection_, command("LRANGE", keys::replies(ward), 0, limit == 0 ? 0 : limit - 1));
  if (ec) co_return ec;
  out.clear();
  for (const auto& e : resp[0].elements()) {
    std::string_view v = e.str();
    stored_reply r;
    std::string* fields[] = {&r.time, &r.phone, &r.carrier};
    for (auto* f : fields) {
      const auto cut = v.find(separator);
      *f = std::string(v.substr(0, cut));
      v = cut == std::string_view::npos ? std::string_view{} : v.substr(cut + 1);
    }
    r.text = std::string(v);
    out.push_back(std::move(r));
  }
  co_return std::error_code{};
}

}  // namespace loa::broadcast
