// Why a campaign waits, for `loa status`: until when (quiet hours, --at), which carrier is down and since
// when, who must approve. Fields added to the status document; times in the gateway's utc_offset.
#pragma once

#include <boost/json/object.hpp>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "gateway/broadcast/campaign.hpp"

namespace loa::api {

/// A carrier with no transmitting bind up, and since when (Unix seconds).
struct carrier_down {
  std::string name;
  std::int64_t since_s = 0;
};

/// Adds to the status document `doc` of `spec`: "waiting_reason" (null, "approval", "scheduled",
/// "quiet_hours" or "carrier_down"), "waiting_until" (when it moves on by itself: --at, or the end of the
/// quiet hours; else null), "waiting_since" (since when the carrier is down; else null), "waiting_carriers"
/// (the carriers down, for a running campaign with recipients not yet sent) and "approvers" ([{"name",
/// "display_name"}]: who may release it, for awaiting_approval; else empty).
void add_waiting_reason(boost::json::object& doc, const broadcast::campaign_spec& spec,
                        const broadcast::campaign_counts& counts, const config::configuration& cfg,
                        const std::vector<carrier_down>& down, std::int64_t now_s);

/// The next end of the quiet hours after `now_s` (Unix seconds): the next time the local clock (at the
/// offset) reads quiet.to.
std::int64_t quiet_hours_end(const config::quiet_hours& quiet, std::chrono::minutes utc_offset, std::int64_t now_s);

}  // namespace loa::api
