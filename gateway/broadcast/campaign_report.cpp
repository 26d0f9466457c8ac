#include "gateway/broadcast/campaign_report.hpp"

#include <algorithm>
#include <cmath>

namespace loa::broadcast {
namespace {

// Widths a person reads without arithmetic: a chart by 7 s or 23 min intervals is hard to follow.
constexpr std::int64_t bucket_widths_s[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                            600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const auto q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

// The interval of width `width_s` that holds `t_ms`, aligned in local time.
std::int64_t bucket_of(std::int64_t t_ms, std::int64_t width_s, std::int64_t utc_offset_s) {
  return floor_div(t_ms + utc_offset_s * 1000, width_s * 1000);
}

std::uint64_t buckets_needed(std::int64_t from_ms, std::int64_t to_ms, std::int64_t width_s,
                             std::int64_t utc_offset_s) {
  return static_cast<std::uint64_t>(bucket_of(to_ms, width_s, utc_offset_s) -
                                    bucket_of(from_ms, width_s, utc_offset_s)) +
         1;
}

// Milliseconds to seconds with one decimal: what an official needs, and stable in tests.
double tenths_of_seconds(std::int64_t ms) {
  return std::round(static_cast<double>(ms) / 100.0) / 10.0;
}

// Nearest-rank percentile of sorted values: the smallest value with at least p% of them at or below it.
std::int64_t nearest_rank(const std::vector<std::int64_t>& sorted, std::uint64_t p) {
  const std::uint64_t n = sorted.size();
  const std::uint64_t rank = std::max<std::uint64_t>(1, (p * n + 99) / 100);
  return sorted[static_cast<std::size_t>(rank - 1)];
}

}  // namespace

std::string_view to_string(recipient_state s) noexcept {
  switch (s) {
    case recipient_state::delivered:
      return "delivered";
    case recipient_state::failed:
      return "failed";
    case recipient_state::expired:
      return "expired";
    case recipient_state::uncertain:
      return "uncertain";
    case recipient_state::pending:
      return "pending";
    case recipient_state::queued:
      return "queued";
  }
  return "unknown";
}

recipient_state summarise(std::string_view parts) noexcept {
  const auto has = [parts](std::string_view letters) { return parts.find_first_of(letters) != parts.npos; };
  if (has("RF")) return recipient_state::failed;
  if (has("CI")) return recipient_state::queued;  // C: claimed by the engine, not written yet
  if (has("U")) return recipient_state::uncertain;
  if (has("S")) return recipient_state::pending;
  if (has("E")) return recipient_state::expired;
  return recipient_state::delivered;
}

std::string_view reported_reason(recipient_state s, std::string_view reason) noexcept {
  const bool final_miss =
      s == recipient_state::failed || s == recipient_state::expired || s == recipient_state::uncertain;
  return final_miss ? reason : std::string_view{};
}

std::vector<std::string> groups_in_campaign(const std::vector<std::string>& campaign_groups,
                                            std::string_view subscriber_groups) {
  std::vector<std::string_view> held;
  while (!subscriber_groups.empty()) {
    const auto end = subscriber_groups.find(';');
    held.push_back(subscriber_groups.substr(0, end));
    if (end == std::string_view::npos) break;
    subscriber_groups.remove_prefix(end + 1);
  }
  std::vector<std::string> out;
  for (const auto& g : campaign_groups)
    if (std::find(held.begin(), held.end(), g) != held.end()) out.push_back(g);
  return out;
}

void outcome_counts::add(recipient_state s, std::size_t part_count) {
  ++recipients;
  parts += part_count;
  switch (s) {
    case recipient_state::delivered:
      ++delivered;
      break;
    case recipient_state::failed:
      ++failed;
      break;
    case recipient_state::expired:
      ++expired;
      break;
    case recipient_state::uncertain:
      ++uncertain;
      break;
    case recipient_state::pending:
      ++pending;
      break;
    case recipient_state::queued:
      ++queued;
      break;
  }
}

std::int64_t timeline_bucket_seconds(std::int64_t from_ms, std::int64_t to_ms, std::int64_t utc_offset_s) {
  if (to_ms < from_ms) to_ms = from_ms;
  for (const auto w : bucket_widths_s)
    if (buckets_needed(from_ms, to_ms, w, utc_offset_s) <= max_timeline_points) return w;
  // Longer than 60 days (receipts can come very late): whole days, as few as fit.
  constexpr std::int64_t day = 86400;
  std::int64_t days =
      std::max<std::int64_t>(1, (to_ms - from_ms) / 1000 / day / std::int64_t{max_timeline_points});
  while (buckets_needed(from_ms, to_ms, days * day, utc_offset_s) > max_timeline_points) ++days;
  return days * day;
}

report_builder::report_builder(std::vector<std::string> campaign_groups)
    : campaign_groups_(std::move(campaign_groups)) {
  for (const auto& g : campaign_groups_) by_group_[g];
}

bool report_builder::add(std::string_view number, const recipient_record& record,
                         const std::vector<std::string>& groups) {
  if (!seen_.emplace(number).second) return false;
  const auto state = summarise(record.parts);
  const auto parts = record.parts.size();
  by_carrier_[record.carrier].add(state, parts);
  if (groups.empty()) by_group_[std::string(no_longer_subscribed)].add(state, parts);
  for (const auto& g : groups) by_group_[g].add(state, parts);

  const auto reason = reported_reason(state, record.reason);
  if (state == recipient_state::failed || state == recipient_state::expired ||
      state == recipient_state::uncertain)
    ++reasons_[std::string(reason.empty() ? no_reason : reason)];

  if (record.claimed_ms > 0 && (first_claimed_ms_ == 0 || record.claimed_ms < first_claimed_ms_))
    first_claimed_ms_ = record.claimed_ms;
  if (record.settled_ms > 0 && (state == recipient_state::delivered || state == recipient_state::failed))
    outcomes_.emplace_back(record.settled_ms, state == recipient_state::delivered);
  // A record settled by another gateway whose clock is behind can look settled before it was claimed.
  if (state == recipient_state::delivered && record.claimed_ms > 0 && record.settled_ms > 0)
    delivery_ms_.push_back(std::max<std::int64_t>(0, record.settled_ms - record.claimed_ms));
  return true;
}

campaign_report report_builder::finish(std::int64_t utc_offset_s) const {
  campaign_report out;
  out.by_carrier = by_carrier_;
  out.by_group = by_group_;

  for (const auto& [reason, count] : reasons_) out.failure_reasons.push_back({reason, count});
  // reasons_ is ordered by reason: a stable sort by count keeps ties in that order.
  std::stable_sort(out.failure_reasons.begin(), out.failure_reasons.end(),
                   [](const reason_count& a, const reason_count& b) { return a.count > b.count; });

  if (!delivery_ms_.empty()) {
    auto sorted = delivery_ms_;
    std::sort(sorted.begin(), sorted.end());
    out.delivery.count = sorted.size();
    out.delivery.p50 = tenths_of_seconds(nearest_rank(sorted, 50));
    out.delivery.p90 = tenths_of_seconds(nearest_rank(sorted, 90));
    out.delivery.p99 = tenths_of_seconds(nearest_rank(sorted, 99));
    out.delivery.max = tenths_of_seconds(sorted.back());
  }

  std::int64_t from = first_claimed_ms_, to = 0;
  for (const auto& [at, delivered] : outcomes_) {
    if (from == 0 || at < from) from = at;
    to = std::max(to, at);
  }
  out.timeline.bucket_seconds = timeline_bucket_seconds(from, std::max(from, to), utc_offset_s);
  if (outcomes_.empty()) return out;
  const auto width = out.timeline.bucket_seconds;
  const auto first = bucket_of(from, width, utc_offset_s);
  const auto last = bucket_of(to, width, utc_offset_s);
  for (auto b = first; b <= last; ++b)
    out.timeline.points.push_back({b * width * 1000 - utc_offset_s * 1000, 0, 0});
  for (const auto& [at, delivered] : outcomes_) {
    auto& p = out.timeline.points[static_cast<std::size_t>(bucket_of(at, width, utc_offset_s) - first)];
    ++(delivered ? p.delivered : p.failed);
  }
  return out;
}

}  // namespace loa::broadcast
