#include "gateway/api/waiting_reason.hpp"

#include <boost/json.hpp>

#include "gateway/api/auth.hpp"
#include "gateway/api/campaign_routes.hpp"

namespace loa::api {

namespace json = boost::json;
using broadcast::campaign_state;

std::int64_t quiet_hours_end(const config::quiet_hours& quiet, std::chrono::minutes utc_offset, std::int64_t now_s) {
  constexpr std::int64_t day = 86400;
  const std::int64_t local = now_s + utc_offset.count() * 60;
  const std::int64_t time_of_day = ((local % day) + day) % day;
  const std::int64_t end = std::chrono::duration_cast<std::chrono::seconds>(quiet.to).count();
  std::int64_t wait = (end - time_of_day + day) % day;
  if (wait == 0) wait = day;  // the window ends now: the next end is tomorrow (the scheduler moves it on)
  return now_s + wait;
}

namespace {

// Approvers (or admins) of every ward of the campaign, other than its sender: who may run `loa approve`.
json::array approvers_of(const broadcast::campaign_spec& spec, const config::configuration& cfg) {
  json::array out;
  for (const auto& o : cfg.operators) {
    if (o.role == config::operator_role::sender || o.name == spec.created_by) continue;
    bool every = !spec.wards.empty();
    for (const auto& w : spec.wards) every = every && authenticator::may_act_on(o, w);
    if (every) out.push_back(json::object{{"name", o.name}, {"display_name", cfg.operator_name(o.name)}});
  }
  return out;
}

}  // namespace

void add_waiting_reason(json::object& doc, const broadcast::campaign_spec& spec,
                        const broadcast::campaign_counts& counts, const config::configuration& cfg,
                        const std::vector<carrier_down>& down, std::int64_t now_s) {
  const auto offset = cfg.gateway.utc_offset;
  json::value reason = nullptr, until = nullptr, since = nullptr;
  json::array carriers, approvers;
  switch (spec.state) {
    case campaign_state::awaiting_approval:
      reason = "approval";
      approvers = approvers_of(spec, cfg);
      break;
    case campaign_state::scheduled:
      reason = "scheduled";
      if (spec.due_at_s > 0) until = format_local_time(spec.due_at_s, offset);
      break;
    case campaign_state::waiting:
      reason = "quiet_hours";
      if (cfg.gateway.quiet) until = format_local_time(quiet_hours_end(*cfg.gateway.quiet, offset, now_s), offset);
      break;
    case campaign_state::running: {
      // A carrier down holds the numbers routed to it; named while some recipients are not yet sent.
      if (counts.fanout_done && counts.queued() == 0) break;
      std::int64_t earliest = 0;
      for (const auto& c : down) {
        carriers.emplace_back(c.name);
        if (earliest == 0 || (c.since_s > 0 && c.since_s < earliest)) earliest = c.since_s;
      }
      if (!carriers.empty()) {
        reason = "carrier_down";
        if (earliest > 0) since = format_local_time(earliest, offset);
      }
      break;
    }
    default:
      break;
  }
  doc["waiting_reason"] = reason;
  doc["waiting_until"] = until;
  doc["waiting_since"] = since;
  doc["waiting_carriers"] = std::move(carriers);
  doc["approvers"] = std::move(approvers);
}

}  // namespace loa::api
