#include "gateway/api/campaign_list.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <limits>
#include <set>

#include "gateway/api/audit_routes.hpp"
#include "gateway/api/campaign_routes.hpp"

namespace loa::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
constexpr std::size_t default_limit = 50;
constexpr std::size_t max_limit = 500;
// Campaigns read (meta and counts) per request at most: a state filter that matches little stops here.
constexpr std::size_t max_examined = 5000;

response store_down(std::error_code ec) {
  return error_response(http::status::service_unavailable, "the store (Redis) is unavailable: " + ec.message());
}

// What the caller asked for, checked.
struct list_query {
  std::string ward;  // "" for every ward the caller has
  std::optional<broadcast::campaign_state> state;
  std::int64_t since_ms = 0;
  std::size_t limit = default_limit;
};

std::optional<response> read_query(const request& r, std::chrono::minutes utc_offset, list_query& q) {
  if (auto s = r.query_one("state")) {
    q.state = broadcast::parse_campaign_state(*s);
    if (!q.state)
      return error_response(http::status::bad_request,
                            fmt::format("state: '{}' is not a campaign state; one of {}", *s,
                                        broadcast::campaign_state_names()),
                            "state");
  }
  if (auto s = r.query_one("since")) {
    auto parsed = parse_since(*s, std::chrono::system_clock::now(), utc_offset);
    if (!parsed)
      return error_response(http::status::bad_request,
                            "since: '" + *s + "' is not 7d, 24h, 90m, a date like 2026-11-20 or a time like "
                            "2026-11-20T07:30",
                            "since");
    q.since_ms = *parsed;
  }
  if (auto l = r.query_one("limit")) {
    const auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), q.limit);
    if (ec != std::errc{} || p != l->data() + l->size() || q.limit == 0 || q.limit > max_limit)
      return error_response(http::status::bad_request, fmt::format("limit: 1 to {}", max_limit), "limit");
  }
  return std::nullopt;
}

// The wards' campaign indexes merged, newest first, each campaign once, in rounds of `batch` per ward. A
// round is complete down to the newest of the oldest times of the wards that filled their batch; the next
// round reads from there (inclusive: `seen` drops what was taken).
class index_merger {
 public:
  index_merger(broadcast::campaign_store& store, std::vector<std::string> wards, std::int64_t since_ms,
               std::size_t batch)
      : store_(store), wards_(std::move(wards)), since_ms_(since_ms), batch_(batch) {}

  // The next campaigns in order (empty when there are no more).
  asio::awaitable<std::error_code> next(std::vector<broadcast::indexed_campaign>& out) {
    out.clear();
    while (out.empty() && !finished_) {
      std::vector<std::vector<broadcast::indexed_campaign>> per_ward;
      if (auto ec = co_await store_.ward_campaigns(wards_, since_ms_, until_ms_, batch_, per_ward)) co_return ec;
      std::int64_t floor = since_ms_;
      bool any_full = false;
      for (const auto& list : per_ward)
        if (list.size() >= batch_) {
          any_full = true;
          floor = std::max(floor, list.back().created_at_ms);
        }
      for (const auto& list : per_ward)
        for (const auto& c : list)
          if (c.created_at_ms >= floor && seen_.insert(c.id).second) out.push_back(c);
      std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
        if (a.created_at_ms != b.created_at_ms) return a.created_at_ms > b.created_at_ms;
        return a.id.size() != b.id.size() ? a.id.size() > b.id.size() : a.id > b.id;
      });
      // More than a batch of one ward's campaigns in one millisecond would read the same round forever.
      finished_ = !any_full || (out.empty() && floor == until_ms_);
      until_ms_ = floor;
    }
    co_return std::error_code{};
  }

 private:
  broadcast::campaign_store& store_;
  std::vector<std::string> wards_;
  std::int64_t since_ms_;
  std::int64_t until_ms_ = std::numeric_limits<std::int64_t>::max();
  std::size_t batch_;
  std::set<std::string> seen_;
  bool finished_ = false;
};

asio::awaitable<response> list(authenticator& auth, broadcast::campaign_store& store, std::chrono::minutes utc_offset,
                               name_sources sources, request& r) {
  list_query q;
  q.ward = r.query_one("ward").value_or("");
  response refusal;
  auto verdict = auth.authorize(r, q.ward, config::operator_role::sender);
  const auto* who = who_or(verdict, refusal);
  if (!who) co_return refusal;
  if (auto bad = read_query(r, utc_offset, q)) co_return *bad;

  std::vector<std::string> wards;
  if (!q.ward.empty()) {
    wards.push_back(q.ward);
  } else if (!authenticator::acts_on_every_ward(*who)) {
    wards = who->wards;
  } else if (auto ec = co_await store.indexed_wards(wards)) {
    co_return store_down(ec);
  }

  index_merger merger(store, std::move(wards), q.since_ms, std::max(q.limit, default_limit));
  json::array out;
  display_names names(sources);
  std::size_t examined = 0;
  bool truncated = false;
  std::vector<broadcast::indexed_campaign> batch;
  while (!truncated) {
    if (auto ec = co_await merger.next(batch)) co_return store_down(ec);
    if (batch.empty()) break;
    for (const auto& c : batch) {
      if (out.size() == q.limit || examined == max_examined) {
        truncated = true;
        break;
      }
      ++examined;
      broadcast::campaign_spec spec;
      bool found = false;
      if (auto ec = co_await store.load(c.id, spec, found)) co_return store_down(ec);
      // A campaign of a ward the caller does not act on stays unseen, as for GET /v1/campaigns/{id}.
      if (!found || !reaches_every_ward(*who, spec) || (q.state && spec.state != *q.state)) continue;
      broadcast::campaign_counts counts;
      if (auto ec = co_await store.counts(spec.id, counts)) co_return store_down(ec);
      auto doc = status_document(spec, counts, utc_offset);
      co_await names.add(doc, spec.wards, spec.groups, spec.created_by);
      out.push_back(std::move(doc));
    }
  }
  json::object doc{{"campaigns", std::move(out)}, {"truncated", truncated}};
  doc["ward"] = q.ward.empty() ? json::value(nullptr) : json::value(q.ward);
  doc["state"] = q.state ? json::value(broadcast::to_string(*q.state)) : json::value(nullptr);
  co_return json_response(http::status::ok, doc);
}

}  // namespace

void add_campaign_list_route(router& routes, authenticator& auth, broadcast::campaign_store& campaigns,
                             std::chrono::minutes utc_offset, name_sources names) {
  routes.add(http::verb::get, "/v1/campaigns", [&auth, &campaigns, utc_offset, names](request& r) {
    return list(auth, campaigns, utc_offset, names, r);
  });
}

}  // namespace loa::api
