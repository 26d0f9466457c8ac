#include "gateway/api/report_routes.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <memory>

#include "gateway/api/campaign_routes.hpp"

namespace loa::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using config::operator_role;

constexpr std::size_t report_scan_step = 1000;  // records per script call while the report reads them all
constexpr std::uint64_t default_page = 1000;
constexpr std::uint64_t max_page = 5000;  // about a megabyte of JSON per page

response redis_failure(std::error_code ec) {
  return error_response(http::status::service_unavailable,
                        "the store (Redis) is unavailable: " + ec.message());
}

json::value local_time_or_null(std::int64_t ms, std::chrono::minutes utc_offset) {
  if (ms <= 0) return nullptr;
  return json::value(format_local_time(ms / 1000, utc_offset));
}

json::object counts_document(const broadcast::outcome_counts& c) {
  return {{"recipients", c.recipients}, {"delivered", c.delivered}, {"failed", c.failed},
          {"expired", c.expired},       {"uncertain", c.uncertain}, {"pending", c.pending},
          {"queued", c.queued},         {"parts", c.parts}};
}

json::object counts_by_name(const std::map<std::string, broadcast::outcome_counts>& by) {
  json::object out;
  for (const auto& [name, c] : by) out[name] = counts_document(c);
  return out;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool parse_unsigned(std::string_view s, std::uint64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && ec == std::errc{} && p == s.data() + s.size();
}

// GET /v1/campaigns/{id}/report: every record is read (a step at a time) and aggregated here.
asio::awaitable<response> report(authenticator& auth, broadcast::campaign_store& campaigns,
                                 broadcast::campaign_reader& reader, std::chrono::minutes utc_offset,
                                 name_sources sources, request& r) {
  broadcast::campaign_spec spec;
  if (auto refusal = co_await load_visible(auth, campaigns, r, operator_role::sender, spec))
    co_return *refusal;
  // Counts first: the records read after them are at least as far along, never behind.
  broadcast::campaign_counts counts;
  if (auto ec = co_await campaigns.counts(spec.id, counts)) co_return redis_failure(ec);
  broadcast::report_builder builder(spec.groups);
  std::string cursor = "0";
  std::vector<broadcast::scanned_recipient> step;
  do {
    if (auto ec = co_await reader.scan(spec, cursor, report_scan_step, step)) co_return redis_failure(ec);
    for (const auto& s : step)
      builder.add(s.number, s.record, broadcast::groups_in_campaign(spec.groups, s.groups.value_or("")));
  } while (cursor != "0");
  const std::int64_t offset_s = utc_offset.count() * 60;
  auto doc = report_document(spec, counts, builder.finish(offset_s), now_seconds(), utc_offset);
  display_names names(sources);
  co_await names.add(doc, spec.wards, spec.groups, spec.created_by);
  if (auto* campaign = doc.if_contains("campaign"); campaign && campaign->is_object())
    co_await names.add(campaign->as_object(), spec.wards, spec.groups, spec.created_by);
  co_return json_response(http::status::ok, doc);
}

// GET /v1/campaigns/{id}/recipients?cursor=C&count=N: one step of the scan, for the CSV of every recipient.
asio::awaitable<response> recipients(authenticator& auth, broadcast::campaign_store& campaigns,
                                     broadcast::campaign_reader& reader, std::chrono::minutes utc_offset,
                                     request& r) {
  broadcast::campaign_spec spec;
  if (auto refusal = co_await load_visible(auth, campaigns, r, operator_role::sender, spec))
    co_return *refusal;
  std::string cursor = r.query_one("cursor").value_or("0");
  std::uint64_t ignored = 0;
  if (!parse_unsigned(cursor, ignored))
    co_return error_response(http::status::bad_request,
                             "cursor: expected the \"cursor\" of the previous page", "cursor");
  std::uint64_t count = default_page;
  if (auto text = r.query_one("count");
      text && (!parse_unsigned(*text, count) || count == 0 || count > max_page))
    co_return error_response(http::status::bad_request, fmt::format("count: 1 to {}", max_page), "count");
  std::vector<broadcast::scanned_recipient> step;
  if (auto ec = co_await reader.scan(spec, cursor, count, step)) co_return redis_failure(ec);
  json::array list;
  for (const auto& s : step) list.push_back(recipient_document(s, spec.groups, utc_offset));
  const json::object doc{{"cursor", cursor}, {"recipients", std::move(list)}};
  co_return json_response(http::status::ok, doc);
}

}  // namespace

json::object report_document(const broadcast::campaign_spec& spec, const broadcast::campaign_counts& counts,
                             const broadcast::campaign_report& report, std::int64_t generated_at_s,
                             std::chrono::minutes utc_offset) {
  json::array reasons;
  for (const auto& [reason, count] : report.failure_reasons)
    reasons.push_back(json::object{{"reason", reason}, {"count", count}});
  const auto& d = report.delivery;
  json::array points;
  for (const auto& p : report.timeline.points)
    points.push_back(json::object{{"at", format_local_time(p.at_ms / 1000, utc_offset)},
                                  {"delivered", p.delivered},
                                  {"failed", p.failed}});
  return {{"campaign", status_document(spec, counts, utc_offset)},
          {"generated_at", format_local_time(generated_at_s, utc_offset)},
          {"by_carrier", counts_by_name(report.by_carrier)},
          {"by_group", counts_by_name(report.by_group)},
          {"failure_reasons", std::move(reasons)},
          {"delivery_seconds",
           {{"count", d.count}, {"p50", d.p50}, {"p90", d.p90}, {"p99", d.p99}, {"max", d.max}}},
          {"timeline", {{"bucket_seconds", report.timeline.bucket_seconds}, {"points", std::move(points)}}}};
}

json::object recipient_document(const broadcast::scanned_recipient& r,
                                const std::vector<std::string>& campaign_groups,
                                std::chrono::minutes utc_offset) {
  const auto state = broadcast::summarise(r.record.parts);
  json::array groups;
  for (auto& g : broadcast::groups_in_campaign(campaign_groups, r.groups.value_or("")))
    groups.emplace_back(g);
  return {{"phone", r.number},
          {"carrier", r.record.carrier},
          {"state", broadcast::to_string(state)},
          {"parts", r.record.parts.size()},
          {"part_states", r.record.parts},
          {"reason", broadcast::reported_reason(state, r.record.reason)},
          {"groups", std::move(groups)},
          {"subscribed", r.groups.has_value()},
          {"submitted_at", local_time_or_null(r.record.claimed_ms, utc_offset)},
          {"settled_at", local_time_or_null(r.record.settled_ms, utc_offset)}};
}

void add_report_routes(router& routes, authenticator& auth, broadcast::campaign_store& campaigns,
                       redis::connection& connection, std::chrono::minutes utc_offset, name_sources names) {
  auto reader = std::make_shared<broadcast::campaign_reader>(connection);
  routes.add(http::verb::get, "/v1/campaigns/{id}/report",
             [&auth, &campaigns, reader, utc_offset, names](request& r) {
               return report(auth, campaigns, *reader, utc_offset, names, r);
             });
  routes.add(http::verb::get, "/v1/campaigns/{id}/recipients",
             [&auth, &campaigns, reader, utc_offset](request& r) {
               return recipients(auth, campaigns, *reader, utc_offset, r);
             });
}

}  // namespace loa::api
