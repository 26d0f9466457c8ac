#include "gateway/api/audit_routes.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <charconv>

#include "gateway/api/campaign_routes.hpp"

namespace loa::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
constexpr std::size_t default_limit = 1000;
constexpr std::size_t max_limit = 10000;

json::object entry_document(const broadcast::audit_entry& e, std::chrono::minutes utc_offset) {
  json::object o{{"id", e.id},
                 {"at", format_local_time(e.at_ms / 1000, utc_offset)},
                 {"who", e.who},
                 {"role", e.role},
                 {"action", e.action},
                 {"wards", json::value_from(e.wards)},
                 {"detail", e.detail},
                 {"remote", e.remote}};
  o["campaign"] = e.campaign.empty() ? json::value(nullptr) : json::value(e.campaign);
  o["recipients"] = e.recipients < 0 ? json::value(nullptr) : json::value(e.recipients);
  o["text"] = e.text.empty() ? json::value(nullptr) : json::value(e.text);
  return o;
}

asio::awaitable<response> list(authenticator& auth, broadcast::audit_store& store, std::chrono::minutes utc_offset,
                               request& r, bool whole) {
  response refusal;
  const std::string ward = whole ? std::string() : r.params.at("ward");
  // The whole trail spans every ward: admins of every ward only. A ward's trail: any operator of that ward.
  auto verdict = auth.authorize(r, ward, whole ? config::operator_role::admin : config::operator_role::sender);
  const auto* who = who_or(verdict, refusal);
  if (!who) co_return refusal;
  if (whole && !authenticator::acts_on_every_ward(*who))
    co_return error_response(
        http::status::forbidden,
        fmt::format("operator {} is an admin of {}: the whole trail is for admins of every "
                    "ward; read a ward's trail instead (loa audit --ward W)",
                    who->name, fmt::join(who->wards, ", ")));
  std::int64_t since_ms = 0;
  if (auto s = r.query_one("since")) {
    auto parsed = parse_since(*s, std::chrono::system_clock::now(), utc_offset);
    if (!parsed)
      co_return error_response(http::status::bad_request,
                               "since: '" + *s + "' is not 7d, 24h, 90m, a date like 2026-11-20 or a time like "
                               "2026-11-20T07:30",
                               "since");
    since_ms = *parsed;
  }
  std::size_t limit = default_limit;
  if (auto l = r.query_one("limit")) {
    const auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
    if (ec != std::errc{} || p != l->data() + l->size() || limit == 0 || limit > max_limit)
      co_return error_response(http::status::bad_request, fmt::format("limit: 1 to {}", max_limit), "limit");
  }
  std::vector<broadcast::audit_entry> entries;
  bool truncated = false;
  if (auto ec = co_await store.read(ward, since_ms, limit, entries, truncated))
    co_return error_response(http::status::service_unavailable, "the store (Redis) is unavailable: " + ec.message());
  json::array out;
  for (const auto& e : entries) out.push_back(entry_document(e, utc_offset));
  json::object doc{{"entries", out}, {"truncated", truncated}};
  doc["ward"] = whole ? json::value(nullptr) : json::value(ward);
  co_return json_response(http::status::ok, doc);
}

}  // namespace

audit_recorder::audit_recorder(broadcast::audit_store& store, std::function<void(std::string_view)> warn)
    : store_(store), warn_(std::move(warn)) {}

asio::awaitable<void> audit_recorder::record(const request& r, const config::operator_config& who,
                                             broadcast::audit_entry entry) {
  entry.who = who.name;
  entry.role = std::string(config::to_string(who.role));
  entry.remote = r.remote;
  if (auto ec = co_await store_.append(entry); ec && warn_)
    warn_(fmt::format("audit: could not record {} by {} ({}); the change itself was made", entry.action,
                      entry.who, ec.message()));
}

std::optional<std::int64_t> parse_since(std::string_view s, std::chrono::system_clock::time_point now,
                                        std::chrono::minutes utc_offset) {
  using namespace std::chrono;
  const auto now_ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
  if (s.size() >= 2 && (s.back() == 'd' || s.back() == 'h' || s.back() == 'm')) {
    std::int64_t n = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size() - 1, n);
    if (ec != std::errc{} || p != s.data() + s.size() - 1 || n < 0 || n > 100 * 365 * 24 * 60) return std::nullopt;
    const std::int64_t unit_ms = s.back() == 'd' ? 86'400'000 : s.back() == 'h' ? 3'600'000 : 60'000;
    return now_ms - n * unit_ms;
  }
  const std::string text = s.size() == 10 ? std::string(s) + "T00:00" : std::string(s);
  auto t = parse_local_time(text, utc_offset);
  if (!t) return std::nullopt;
  return *t * 1000;
}

void add_audit_routes(router& routes, authenticator& auth, broadcast::audit_store& store,
                      std::chrono::minutes utc_offset) {
  routes.add(http::verb::get, "/v1/wards/{ward}/audit",
             [&auth, &store, utc_offset](request& r) { return list(auth, store, utc_offset, r, false); });
  routes.add(http::verb::get, "/v1/audit",
             [&auth, &store, utc_offset](request& r) { return list(auth, store, utc_offset, r, true); });
}

}  // namespace loa::api
