#include "gateway/api/campaign_preview.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/json.hpp>

#include <cmath>
#include <map>

#include "gateway/broadcast/subscriber_store.hpp"
#include "gateway/common/plain_json.hpp"
#include "segments/keyboard_residue.hpp"

namespace loa::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;

// Buckets per script call: a 30,000-household ward is 16 calls of about 2,000 numbers each.
constexpr std::uint64_t buckets_per_step = 256;

double price_of(const config::configuration& cfg, const std::string& carrier) {
  const auto* c = cfg.find_carrier(carrier);
  return c ? c->price_per_part : 0;
}

}  // namespace

asio::awaitable<response> preview_campaign(broadcast::campaign_store& campaigns, const campaign_hooks& hooks,
                                           const broadcast::campaign_spec& spec, const campaign_plan& plan) {
  const auto& cfg = *hooks.cfg;
  std::map<std::string, std::uint64_t> by_carrier;
  std::map<std::string, std::uint64_t> by_group;
  for (const auto& g : spec.groups) by_group[g] = 0;  // a group nobody is in shows as 0, not missing
  std::uint64_t recipients = 0, skipped = 0;
  for (std::uint64_t from = 0; from < broadcast::buckets_per_ward; from += buckets_per_step) {
    broadcast::audience_page page;
    const auto to = std::min(from + buckets_per_step, broadcast::buckets_per_ward);
    if (auto ec = co_await campaigns.preview(spec, from, to, page))
      co_return error_response(http::status::service_unavailable,
                               "the store (Redis) is unavailable: " + ec.message());
    skipped += page.skipped_optout;
    recipients += page.recipients.size();
    for (const auto& [number, groups] : page.recipients) {
      ++by_carrier[hooks.route(number)];
      for (const auto& g : groups) ++by_group[g];
    }
  }

  json::object carriers;
  double cost = 0;
  std::uint64_t parts = 0;
  bool priced = true;
  for (const auto& [name, count] : by_carrier) {
    const auto it = plan.carriers.find(name);
    const std::size_t per_message = it == plan.carriers.end() ? plan.parts_per_message : it->second.parts;
    const double price = price_of(cfg, name);
    priced = priced && price > 0;
    const double carrier_cost = static_cast<double>(count * per_message) * price;
    cost += carrier_cost;
    parts += count * per_message;
    carriers[name] = json::object{{"recipients", count},
                                  {"parts_per_message", per_message},
                                  {"parts", count * per_message},
                                  {"encoding", it == plan.carriers.end() ? plan.encoding : it->second.encoding},
                                  {"price_per_part", price},
                                  {"cost", plain_number(carrier_cost)}};
  }
  json::object groups;
  for (const auto& [name, count] : by_group) groups[name] = count;

  json::object doc{{"dry_run", true},
                   {"wards", json::value_from(spec.wards)},
                   {"groups", json::value_from(spec.groups)},
                   {"text", plan.text},
                   {"chars", plan.chars},
                   {"encoding", plan.encoding},
                   {"parts_per_message", plan.parts_per_message},
                   {"recipients", recipients},
                   {"skipped_optout", skipped},
                   {"parts", parts},
                   {"by_carrier", carriers},
                   {"by_group", groups},
                   {"cost", plain_number(cost)},
                   {"currency", cfg.currency},
                   // false when a carrier has no price_per_part: the cost is then a lower bound
                   {"cost_complete", priced},
                   {"confirm_above", cfg.confirmation.above_recipients},
                   {"needs_confirmation", recipients > cfg.confirmation.above_recipients},
                   {"urgent", spec.urgent},
                   {"estimated_recipients", spec.estimated_recipients},
                   {"approval_above", cfg.approval.above_recipients},
                   // the rule of the real send: urgent, or the groups' sizes summed above approval_above
                   {"needs_approval", spec.state == broadcast::campaign_state::awaiting_approval},
                   {"state", broadcast::to_string(spec.state)}};
  doc["due_at"] = spec.due_at_s ? json::value(format_local_time(spec.due_at_s, cfg.gateway.utc_offset))
                                : json::value(nullptr);
  doc["corrects"] = spec.corrects.empty() ? json::value(nullptr) : json::value(spec.corrects);
  doc["resend_failed"] = spec.resends.empty() ? json::value(nullptr) : json::value(spec.resends);
  // Mistakes a person sees at once on the phone and the official does not in the terminal.
  const auto keystrokes = segments::keyboard_off_words(spec.text);
  json::array warnings;
  if (!keystrokes.empty())
    warnings.emplace_back(fmt::format("the text looks typed with the Vietnamese keyboard off (Telex or VNI keys "
                                      "left in: {}): switch it on and type the text again",
                                      fmt::join(keystrokes, ", ")));
  doc["keyboard_off_words"] = json::value_from(keystrokes);
  doc["warnings"] = std::move(warnings);
  display_names names(hooks.names());
  co_await names.add(doc, spec.wards, spec.groups, spec.created_by);
  co_return json_response(http::status::ok, doc);
}

}  // namespace loa::api
