// The delivery report's aggregation (gateway/broadcast/campaign_report): states from part letters, counts per
// carrier and group, failure reasons, exact percentiles and the timeline's interval.
#include "gateway/broadcast/campaign_report.hpp"

#include <doctest/doctest.h>

using namespace loa::broadcast;

namespace {

constexpr std::int64_t t0 = 1'795'000'000'000;  // a Unix time in ms (2026)

recipient_record record(std::string carrier, std::string parts, std::int64_t claimed_ms = t0,
                        std::int64_t settled_ms = 0, std::string reason = {}) {
  return {std::move(carrier), std::move(parts), "gw/1", std::move(reason), claimed_ms, settled_ms};
}

}  // namespace

TEST_CASE("report: a recipient's state follows the letters of its parts like the Lua summary") {
  CHECK(summarise("DDD") == recipient_state::delivered);
  CHECK(summarise("DFD") == recipient_state::failed);
  CHECK(summarise("RII") == recipient_state::failed);  // a refusal is final even while others travel
  CHECK(summarise("DIS") == recipient_state::queued);
  CHECK(summarise("DUS") == recipient_state::uncertain);
  CHECK(summarise("DSE") == recipient_state::pending);
  CHECK(summarise("DE") == recipient_state::expired);
  CHECK(to_string(recipient_state::uncertain) == "uncertain");
  // A reason left from an uncertain part that was resent and delivered says nothing of the outcome.
  CHECK(reported_reason(recipient_state::delivered, "bind dropped").empty());
  CHECK(reported_reason(recipient_state::failed, "UNDELIV err:001") == "UNDELIV err:001");
  CHECK(groups_in_campaign({"even", "odd", "all"}, "all;elderly;even") ==
        std::vector<std::string>{"even", "all"});
  CHECK(groups_in_campaign({"even"}, "").empty());
}

TEST_CASE("report: counts per carrier and per group, a recipient in two groups counts in each") {
  report_builder b({"elderly", "youth"});
  CHECK(b.add("84960000001", record("viettel", "DDD", t0, t0 + 2000), {"elderly", "youth"}));
  CHECK(b.add("84960000002", record("viettel", "DFD", t0, t0 + 3000, "UNDELIV err:001"), {"elderly"}));
  CHECK(b.add("84910000003", record("vinaphone", "SS", t0), {"youth"}));
  CHECK(b.add("84910000004", record("vinaphone", "II", t0), {}));  // removed from the ward since
  CHECK_FALSE(b.add("84960000001", record("viettel", "DDD", t0, t0 + 2000), {"elderly", "youth"}));  // again
  const auto r = b.finish();

  REQUIRE(r.by_carrier.size() == 2);
  const auto& viettel = r.by_carrier.at("viettel");
  CHECK(viettel.recipients == 2);
  CHECK(viettel.delivered == 1);
  CHECK(viettel.failed == 1);
  CHECK(viettel.parts == 6);
  const auto& vina = r.by_carrier.at("vinaphone");
  CHECK(vina.recipients == 2);
  CHECK(vina.pending == 1);
  CHECK(vina.queued == 1);
  CHECK(vina.parts == 4);

  REQUIRE(r.by_group.size() == 3);
  CHECK(r.by_group.at("elderly") == outcome_counts{2, 1, 1, 0, 0, 0, 0, 6});
  CHECK(r.by_group.at("youth") == outcome_counts{2, 1, 0, 0, 0, 1, 0, 5});
  CHECK(r.by_group.at(std::string(no_longer_subscribed)) == outcome_counts{1, 0, 0, 0, 0, 0, 1, 2});
}

TEST_CASE("report: a campaign group nobody is in still shows with zeros") {
  report_builder b({"a", "b"});
  b.add("84960000001", record("viettel", "D", t0, t0 + 1000), {"a"});
  const auto r = b.finish();
  REQUIRE(r.by_group.count("b") == 1);
  CHECK(r.by_group.at("b") == outcome_counts{});
  CHECK(r.by_group.count(std::string(no_longer_subscribed)) == 0);
}

TEST_CASE("report: failure reasons count final misses only, most frequent first, ties by reason") {
  report_builder b({"g"});
  int n = 0;
  auto add = [&](std::string parts, std::string reason) {
    b.add("8496" + std::to_string(1000000 + n++),
          record("viettel", std::move(parts), t0, t0 + 1000, std::move(reason)), {"g"});
  };
  add("F", "UNDELIV err:001");
  add("R", "ESME_RINVDSTADR");
  add("F", "UNDELIV err:001");
  add("E", "no receipt within the validity period");
  add("U", "ESME_RINVDSTADR");
  add("F", "");
  add("D", "bind dropped");  // delivered after a resend: not a failure
  add("S", "bind dropped");  // still travelling: not yet a failure
  const auto r = b.finish();
  // Failed and expired only, so that they add up to those counts (5 here); the uncertain one apart.
  REQUIRE(r.failure_reasons.size() == 4);
  CHECK(r.failure_reasons[0] == reason_count{"UNDELIV err:001", 2});
  CHECK(r.failure_reasons[1] == reason_count{std::string(no_reason), 1});
  CHECK(r.failure_reasons[2] == reason_count{"ESME_RINVDSTADR", 1});
  CHECK(r.failure_reasons[3] == reason_count{"no receipt within the validity period", 1});
  REQUIRE(r.uncertain_reasons.size() == 1);
  CHECK(r.uncertain_reasons[0] == reason_count{"ESME_RINVDSTADR", 1});
}

TEST_CASE(
    "report: delivery-time percentiles are nearest-rank over delivered recipients, in tenths of seconds") {
  report_builder b({"g"});
  // 100 delivered recipients taking 1.0, 2.0, ... 100.0 s, one failed after 500 s (not counted).
  for (int i = 1; i <= 100; ++i)
    b.add("8496" + std::to_string(1000000 + i), record("viettel", "DD", t0, t0 + i * 1000), {"g"});
  b.add("84969999999", record("viettel", "DF", t0, t0 + 500'000), {"g"});
  auto r = b.finish();
  CHECK(r.delivery.count == 100);
  CHECK(r.delivery.p50 == 50.0);
  CHECK(r.delivery.p90 == 90.0);
  CHECK(r.delivery.p99 == 99.0);
  CHECK(r.delivery.max == 100.0);

  // Three values: nearest rank is ceil(p * n / 100): p50 is the 2nd, p90 and p99 the 3rd. Rounded to 0.1 s.
  report_builder small({"g"});
  small.add("84960000001", record("viettel", "D", t0, t0 + 1234), {"g"});
  small.add("84960000002", record("viettel", "D", t0, t0 + 250), {"g"});
  small.add("84960000003", record("viettel", "D", t0, t0 + 7960), {"g"});
  r = small.finish();
  CHECK(r.delivery.count == 3);
  CHECK(r.delivery.p50 == doctest::Approx(1.2));
  CHECK(r.delivery.p90 == doctest::Approx(8.0));
  CHECK(r.delivery.p99 == doctest::Approx(8.0));
  CHECK(r.delivery.max == doctest::Approx(8.0));

  report_builder none({"g"});
  none.add("84960000001", record("viettel", "SS", t0), {"g"});
  CHECK(none.finish().delivery.count == 0);
}

TEST_CASE("report: the timeline interval is the narrowest readable width with at most 60 points") {
  CHECK(timeline_bucket_seconds(t0, t0) == 1);
  CHECK(timeline_bucket_seconds(t0, t0 + 59'000) == 1);   // 60 one-second intervals
  CHECK(timeline_bucket_seconds(t0, t0 + 60'000) == 2);   // 61 would be too many
  CHECK(timeline_bucket_seconds(t0, t0 + 250'000) == 5);  // 4 min 10 s
  CHECK(timeline_bucket_seconds(t0, t0 + 20 * 60'000) == 30);
  CHECK(timeline_bucket_seconds(t0, t0 + 45 * 60'000) == 60);
  CHECK(timeline_bucket_seconds(t0, t0 + 3 * 3'600'000) == 300);
  CHECK(timeline_bucket_seconds(t0, t0 + 30 * 3'600'000) == 3600);
  CHECK(timeline_bucket_seconds(t0, t0 + 4 * 86'400'000LL) == 7200);
  CHECK(timeline_bucket_seconds(t0, t0 + 20 * 86'400'000LL) == 43200);
  CHECK(timeline_bucket_seconds(t0, t0 + 50 * 86'400'000LL) == 86400);
  // Beyond 60 days: whole days, still at most 60 points.
  const auto wide = timeline_bucket_seconds(t0, t0 + 200 * 86'400'000LL);
  CHECK(wide % 86400 == 0);
  CHECK(wide > 86400);
  CHECK((t0 / 1000 + 200 * 86400) / wide - (t0 / 1000) / wide + 1 <= 60);
}

TEST_CASE("report: the timeline holds every interval from the first submit to the last outcome") {
  report_builder b({"g"});
  // Submitted at t0 (a whole minute); delivered at 0.5 s and 2.5 s, failed at 2.7 s; one expired later,
  // which is not plotted and does not stretch the range.
  const std::int64_t start = (t0 / 60000) * 60000;
  b.add("84960000001", record("viettel", "D", start, start + 500), {"g"});
  b.add("84960000002", record("viettel", "D", start, start + 2500), {"g"});
  b.add("84960000003", record("viettel", "F", start, start + 2700, "UNDELIV"), {"g"});
  b.add("84960000004", record("viettel", "E", start, start + 900'000, "no receipt"), {"g"});
  const auto r = b.finish(7 * 3600);
  CHECK(r.timeline.bucket_seconds == 1);
  REQUIRE(r.timeline.points.size() == 3);
  CHECK(r.timeline.points[0].at_ms == start);
  CHECK(r.timeline.points[0].delivered == 1);
  CHECK(r.timeline.points[1].at_ms == start + 1000);
  CHECK(r.timeline.points[1].delivered == 0);  // an empty interval is kept: the chart shows the gap
  CHECK(r.timeline.points[2].delivered == 1);
  CHECK(r.timeline.points[2].failed == 1);

  // Intervals of an hour or more are aligned on local time: 3-hour ones start at 00:00, 03:00... at +07:00.
  report_builder day({"g"});
  const std::int64_t local_midnight = 1'795'046'400'000 - 7 * 3'600'000;  // 2026-11-19 00:00 +07:00
  day.add("84960000001", record("viettel", "D", local_midnight + 3'600'000, local_midnight + 3'700'000),
          {"g"});
  day.add("84960000002",
          record("viettel", "D", local_midnight + 3'600'000, local_midnight + 5 * 86'400'000LL), {"g"});
  const auto d = day.finish(7 * 3600);
  CHECK(d.timeline.bucket_seconds == 3 * 3600);
  REQUIRE_FALSE(d.timeline.points.empty());
  CHECK(d.timeline.points.front().at_ms == local_midnight);
  CHECK(d.timeline.points.size() <= max_timeline_points);
  std::uint64_t delivered = 0;
  for (const auto& p : d.timeline.points) delivered += p.delivered;
  CHECK(delivered == 2);
}
