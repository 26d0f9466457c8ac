// The delivery report of a campaign (CONTRACT.md's `loa report`): counts per carrier and per group, failure
// reasons, delivery-time percentiles and a timeline, aggregated from the recipients' records one at a time.
// Pure: campaign_reader does the reading, the API turns the result into JSON.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "gateway/broadcast/campaign_store.hpp"

namespace loa::broadcast {

/// A recipient's state, from its parts' letters (the `summary` of gateway/store/lua/lib/records.lua).
enum class recipient_state { delivered, failed, expired, uncertain, pending, queued };

std::string_view to_string(recipient_state s) noexcept;
/// failed if any part is R or F, queued if any is I, uncertain if any U, pending if any S, expired if any E,
/// else delivered.
recipient_state summarise(std::string_view parts) noexcept;

/// The reason worth showing: a delivered or still-travelling recipient may keep the reason of a part that was
/// uncertain and then resent, which says nothing about its outcome.
std::string_view reported_reason(recipient_state s, std::string_view reason) noexcept;

/// The campaign's groups (`campaign_groups`) that a subscriber's groups (`subscriber_groups`, the stored
/// "a;b;c") hold, in the campaign's order.
std::vector<std::string> groups_in_campaign(const std::vector<std::string>& campaign_groups,
                                            std::string_view subscriber_groups);

/// Where the report counts a recipient who is no longer in any of the campaign's groups.
inline constexpr std::string_view no_longer_subscribed = "(no longer subscribed)";
/// Where it counts a failure whose record holds no reason.
inline constexpr std::string_view no_reason = "(no reason given)";

/// Counts of recipients (with a record) in one carrier or group.
struct outcome_counts {
  std::uint64_t recipients = 0, delivered = 0, failed = 0, expired = 0, uncertain = 0, pending = 0,
                queued = 0;
  std::uint64_t parts = 0;  ///< SMS parts of these recipients
  void add(recipient_state s, std::size_t parts);
  bool operator==(const outcome_counts&) const = default;
};

/// One failure reason and how many recipients it befell.
struct reason_count {
  std::string reason;
  std::uint64_t count = 0;
  bool operator==(const reason_count&) const = default;
};

/// How long delivered recipients took from submit to the receipt, in seconds rounded to 0.1 s; nearest-rank
/// percentiles over every delivered recipient (exact, not estimated).
struct delivery_seconds {
  std::uint64_t count = 0;
  double p50 = 0, p90 = 0, p99 = 0, max = 0;
};

/// Recipients delivered and failed in one interval [at_ms, at_ms + bucket).
struct timeline_point {
  std::int64_t at_ms = 0;
  std::uint64_t delivered = 0, failed = 0;
};

/// Deliveries and failures over time, every interval from the first submit to the last outcome (empty ones
/// too, so that a chart's gaps are true).
struct timeline {
  std::int64_t bucket_seconds = 0;
  std::vector<timeline_point> points;
};

/// At most this many points in a timeline.
inline constexpr std::size_t max_timeline_points = 60;

/// The narrowest of 1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10, 15, 30 min, 1, 2, 3, 6, 12 h, 1 d (then whole days)
/// whose intervals, aligned on multiples of themselves in local time (`utc_offset_s` east of UTC), cover
/// [from_ms, to_ms] in at most max_timeline_points.
std::int64_t timeline_bucket_seconds(std::int64_t from_ms, std::int64_t to_ms, std::int64_t utc_offset_s = 0);

/// Everything the report says beyond the campaign's status.
struct campaign_report {
  std::map<std::string, outcome_counts> by_carrier;
  std::map<std::string, outcome_counts> by_group;  ///< every campaign group, even when empty
  std::vector<reason_count> failure_reasons;       ///< most frequent first, ties by reason
  delivery_seconds delivery;
  broadcast::timeline timeline;
};

/// Fed the campaign's records one recipient at a time (in any order; a number seen twice, as HSCAN may
/// return it, counts once).
class report_builder {
 public:
  explicit report_builder(std::vector<std::string> campaign_groups);

  /// Counts one recipient; `groups` are the campaign's groups it is in (groups_in_campaign), empty when it
  /// is in none any more. False when `number` was counted already.
  bool add(std::string_view number, const recipient_record& record, const std::vector<std::string>& groups);

  /// The report; timeline intervals are aligned in local time, `utc_offset_s` east of UTC (a day is a local
  /// day).
  campaign_report finish(std::int64_t utc_offset_s = 0) const;

 private:
  std::vector<std::string> campaign_groups_;
  std::unordered_set<std::string> seen_;
  std::map<std::string, outcome_counts> by_carrier_, by_group_;
  std::map<std::string, std::uint64_t> reasons_;
  std::vector<std::int64_t> delivery_ms_;
  // Outcomes to plot: (settled_ms, delivered?).
  std::vector<std::pair<std::int64_t, bool>> outcomes_;
  std::int64_t first_claimed_ms_ = 0;
};

}  // namespace loa::broadcast
