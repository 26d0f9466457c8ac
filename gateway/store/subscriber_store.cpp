#include "gateway/store/subscriber_store.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <charconv>
#include <chrono>

#include "gateway/redis/exec.hpp"
#include "gateway/store/scripts.hpp"

namespace loa::broadcast {
namespace {

namespace asio = boost::asio;
using redis::command;
using redis::exec;
using redis::script_command;
namespace scripts = loa::store::scripts;
constexpr char separator = '\x1f';

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
  std::vector<std::string> command{std::to_string(2 + rows.size()), keys::groups(ward), keys::meta(ward)};
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
  req.push_script_range(scripts::import_subscribers, command);
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
  req.push_script(scripts::remove_subscriber, 3, keys::bucket(ward, phone), keys::groups(ward), keys::meta(ward),
                  phone, script_groups(groups));
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

// The wards that hold `phone`: `loa:wards`, then the number's bucket in each, one pipelined HEXISTS per ward
// (each its ward's slot): no request touches two slots as one (docs/SCALING.md).
asio::awaitable<std::error_code> subscriber_store::holders(std::string_view phone, std::vector<std::string>& out) {
  out.clear();
  auto [ec, resp] = co_await exec(connection_, command("SMEMBERS", keys::wards));
  if (ec) co_return ec;
  std::vector<std::string> wards;
  for (const auto& e : resp[0].elements()) wards.push_back(e.str());
  if (wards.empty()) co_return std::error_code{};
  redis::request req;
  for (const auto& w : wards) req.push("HEXISTS", keys::bucket(w, phone), phone);
  auto [ec2, found] = co_await exec(connection_, std::move(req));
  if (ec2) co_return ec2;
  for (std::size_t i = 0; i < wards.size(); ++i)
    if (found[i].integer() == 1) out.push_back(wards[i]);
  co_return std::error_code{};
}

namespace {
// Of `held`, the wards of `scope`.
std::vector<std::string> in_scope(const std::vector<std::string>& held, const ward_scope& scope) {
  if (scope.every_ward) return held;
  std::vector<std::string> out;
  for (const auto& w : held)
    if (std::find(scope.wards.begin(), scope.wards.end(), w) != scope.wards.end()) out.push_back(w);
  return out;
}
}  // namespace

// Who holds it first, then the global opt-out: separate calls (the wards' slots, then `loa:optout`'s).
asio::awaitable<std::error_code> subscriber_store::set_opt_out(std::string_view phone, bool opted_out,
                                                               std::string_view source,
                                                               const ward_scope& scope,
                                                               number_change& change) {
  change = {};
  std::vector<std::string> held;
  if (auto ec = co_await holders(phone, held)) co_return ec;
  if (!scope.every_ward && in_scope(held, scope).empty()) co_return std::error_code{};
  if (auto ec = co_await set_opt_out(phone, opted_out, source)) co_return ec;
  change.allowed = true;
  change.wards = std::move(held);
  std::sort(change.wards.begin(), change.wards.end());
  co_return std::error_code{};
}

// The removal in each ward of the scope that holds it (remove_subscriber.lua, the ward's slot); once no ward
// holds it, its port record and opt-out (kept as its hash), each a command of its own.
asio::awaitable<std::error_code> subscriber_store::forget(std::string_view phone, const ward_scope& scope,
                                                          number_change& change) {
  change = {};
  std::vector<std::string> held;
  if (auto ec = co_await holders(phone, held)) co_return ec;
  auto targets = in_scope(held, scope);
  if (!scope.every_ward && targets.empty()) co_return std::error_code{};
  for (const auto& w : targets) {
    bool removed = false;
    if (auto ec = co_await remove(w, phone, {}, removed)) co_return ec;
  }
  bool cleared = false;
  if (targets.size() == held.size()) {  // no ward holds it any more: what is kept across wards goes too
    redis::request req;
    req.push("HDEL", keys::ported, phone);
    req.push("HDEL", keys::optout, phone);
    auto [ec, resp] = co_await exec(connection_, std::move(req));
    if (ec) co_return ec;
    cleared = resp[0].integer() == 1 || resp[1].integer() == 1;
    if (resp[1].integer() == 1) {
      auto [ec2, added] = co_await exec(connection_, command("SADD", keys::forgotten_optouts, sha256_hex(phone)));
      if (ec2) co_return ec2;
    }
  }
  if (targets.empty() && !cleared) co_return std::error_code{};
  change.allowed = true;
  change.wards = std::move(targets);
  std::sort(change.wards.begin(), change.wards.end());
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

asio::awaitable<std::error_code> subscriber_store::keep_reply(const stored_reply& reply,
                                                              std::vector<std::string>& wards) {
  const std::string value = reply.time + separator + reply.phone + separator + reply.carrier + separator + reply.text;
  if (auto ec = co_await holders(reply.phone, wards)) co_return ec;
  // One list per ward that holds the number (each in its ward's slot), else the unknown numbers' list.
  redis::request req;
  auto push = [&](const std::string& key) {
    req.push("LPUSH", key, value);
    req.push("LTRIM", key, 0, 9999);
  };
  for (const auto& w : wards) push(keys::replies(w));
  if (wards.empty()) push(std::string(keys::unknown_replies));
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  co_return ec;
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
