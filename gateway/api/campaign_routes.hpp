// /v1 routes for campaigns (CONTRACT.md's `loa send`, `loa status`, `loa cancel`); docs/API.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "gateway/api/audit_routes.hpp"
#include "gateway/api/auth.hpp"
#include "gateway/api/display_names.hpp"
#include "gateway/api/waiting_reason.hpp"
#include "gateway/broadcast/approval_store.hpp"
#include "gateway/api/http.hpp"
#include "gateway/broadcast/campaign_store.hpp"
#include "gateway/broadcast/subscriber_store.hpp"

namespace loa::api {

/// How a campaign's text goes out through one carrier.
struct carrier_plan {
  std::string encoding;  ///< gsm7 | ucs2
  std::size_t parts = 0;
};

/// How a campaign's text will go out (the same for every carrier unless a carrier splits differently).
struct campaign_plan {
  std::string encoding;  ///< gsm7 | ucs2
  std::size_t parts_per_message = 0;  ///< the most any carrier needs
  std::string text;                   ///< what the phone shows, after the accent policy
  std::size_t chars = 0;
  std::map<std::string, carrier_plan> carriers;
};

/// What the routes need from the gateway around them.
/// One carrier's lane of a campaign as this gateway's campaign engine runs it (`lanes` of the status).
struct campaign_lane {
  std::string carrier;
  std::uint64_t queued = 0, parked = 0, in_flight = 0, uncertain = 0, sent = 0;
  std::string waiting_reason;        ///< "not bound", "throttled by the carrier", ... ("" when it sends)
  std::int64_t waiting_since_s = 0;  ///< Unix seconds (0 when it does not wait)
};

struct campaign_hooks {
  const config::configuration* cfg = nullptr;
  /// Checks the text against every carrier's split; an error message (naming the carrier) or the plan.
  std::function<std::optional<std::string>(const broadcast::campaign_spec&, campaign_plan&)> check;
  /// The carrier a stored number goes to (ported numbers included).
  std::function<std::string(std::string_view number)> route;
  /// A campaign was created: the scheduler should look now.
  std::function<void()> changed;
  /// A campaign was cancelled: its runner should stop claiming now.
  std::function<void(const std::string& id)> cancelled;
  /// The lanes of a campaign this gateway fans out now (empty when it runs none of it). Optional.
  std::function<std::vector<campaign_lane>(const std::string& id)> lanes;
  /// Where sends, cancels and approvals are recorded (nullptr: not recorded).
  audit_recorder* audit = nullptr;
  /// Releases sends that wait for approval.
  broadcast::approval_store* approvals = nullptr;
  /// The carriers with no transmitting bind up now (for why a running campaign waits); unset: none.
  std::function<std::vector<carrier_down>()> carriers_down;
  /// Where groups' display names are read (set by add_campaign_routes).
  broadcast::subscriber_store* subscribers = nullptr;
  /// Where the answers' names for people come from.
  name_sources names() const { return {cfg, subscribers}; }
};

/// Adds POST /v1/campaigns (with "dry_run": true, the preview of campaign_preview.hpp),
/// POST /v1/campaigns/{id}/approve, GET /v1/campaigns/{id}, POST /v1/campaigns/{id}/cancel.
void add_campaign_routes(router& routes, authenticator& auth, broadcast::campaign_store& campaigns,
                         broadcast::subscriber_store& subscribers, campaign_hooks hooks);

/// The one rule for every route about a campaign: its caller may act on every ward of it.
bool reaches_every_ward(const config::operator_config& who, const broadcast::campaign_spec& spec);

/// The campaign named by the path's {id}, loaded into `spec` when the caller (with at least `role`) may act
/// on every ward of it; otherwise the response to send (401/403, 404 when a ward of it is not the caller's,
/// as for a missing one; 503 when Redis is down). Every route about one campaign goes through here. `who`,
/// when given, is set to the caller.
boost::asio::awaitable<std::optional<response>> load_visible(authenticator& auth,
                                                             broadcast::campaign_store& campaigns, request& r,
                                                             config::operator_role role,
                                                             broadcast::campaign_spec& spec,
                                                             const config::operator_config** who = nullptr);

/// Reads --at: "YYYY-MM-DDTHH:MM[:SS]" (or a space for T) in local time at `utc_offset`, or with "Z" or
/// "+HH:MM"/"-HH:MM" after it. Unix seconds, or nullopt when it is not such a time.
std::optional<std::int64_t> parse_local_time(std::string_view text, std::chrono::minutes utc_offset);

/// Unix seconds as local ISO 8601 with the offset ("2026-11-23T07:30:00+07:00").
std::string format_local_time(std::int64_t unix_seconds, std::chrono::minutes utc_offset);

/// The status document of CONTRACT.md (`loa status ID --json`).
boost::json::object status_document(const broadcast::campaign_spec& spec, const broadcast::campaign_counts& counts,
                                    std::chrono::minutes utc_offset);

}  // namespace loa::api
