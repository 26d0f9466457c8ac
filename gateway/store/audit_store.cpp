#include "gateway/store/audit_store.hpp"

#include <algorithm>
#include <charconv>

#include "gateway/store/field_list.hpp"
#include "gateway/redis/exec.hpp"

namespace loa::broadcast {
namespace {

namespace asio = boost::asio;
constexpr std::string_view global_cap = "1000000";
constexpr std::string_view ward_cap = "100000";

template <class T>
T to_number(std::string_view s, T otherwise) {
  T v{};
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} ? v : otherwise;
}

audit_entry parse_entry(const redis::reply& r) {
  audit_entry e;
  const auto& parts = r.elements();
  if (parts.size() != 2) return e;
  e.id = parts[0].str();
  e.at_ms = to_number<std::int64_t>(std::string_view(e.id).substr(0, e.id.find('-')), 0);
  const auto& kv = parts[1].elements();
  for (std::size_t i = 0; i + 1 < kv.size(); i += 2) {
    const auto& k = kv[i].str();
    const auto& v = kv[i + 1].str();
    if (k == "who") e.who = v;
    else if (k == "role") e.role = v;
    else if (k == "action") e.action = v;
    else if (k == "wards") e.wards = split_fields(v);
    else if (k == "campaign") e.campaign = v;
    else if (k == "recipients") e.recipients = to_number<std::int64_t>(v, -1);
    else if (k == "text") e.text = v;
    else if (k == "detail") e.detail = v;
    else if (k == "remote") e.remote = v;
  }
  return e;
}

}  // namespace

std::string audit_keys::ward(std::string_view ward) {
  return "loa:{w:" + std::string(ward) + "}:audit";
}

audit_store::audit_store(redis::connection& connection) : connection_(connection) {}

asio::awaitable<std::error_code> audit_store::append(const audit_entry& e) {
  std::vector<std::string> fields{"who",      e.who,      "role", e.role, "action", e.action, "wards", join_fields(e.wards),
                                  "campaign", e.campaign, "recipients", std::to_string(e.recipients),
                                  "text",     e.text,     "detail", e.detail, "remote", e.remote};
  constexpr std::size_t wards_value = 7;  // fields[6] is "wards"
  redis::request req;
  auto add = [&](const std::string& key, std::string_view cap) {
    std::vector<std::string> args{"XADD", key, "MAXLEN", "~", std::string(cap), "*"};
    args.insert(args.end(), fields.begin(), fields.end());
    req.push_range(args);
  };
  add(std::string(audit_keys::global), global_cap);
  for (const auto& w : e.wards) {
    if (e.ward_alone) fields[wards_value] = w;
    add(audit_keys::ward(w), ward_cap);
  }
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  co_return ec;
}

asio::awaitable<std::error_code> audit_store::read(std::string_view ward, std::int64_t since_ms, std::size_t limit,
                                                   std::vector<audit_entry>& out, bool& truncated) {
  const std::string key = ward.empty() ? std::string(audit_keys::global) : audit_keys::ward(ward);
  // Newest first, one more than asked so that we know when there were more; then put back in time order.
  auto req = redis::command("XREVRANGE", key, "+", std::to_string(std::max<std::int64_t>(since_ms, 0)), "COUNT",
                            std::to_string(limit + 1));
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  out.clear();
  for (const auto& r : resp[0].elements()) out.push_back(parse_entry(r));
  truncated = out.size() > limit;
  if (truncated) out.resize(limit);
  std::reverse(out.begin(), out.end());
  co_return std::error_code{};
}

}  // namespace loa::broadcast
