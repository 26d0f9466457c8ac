#include "gateway/smpp/rate_limiter.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <random>
#include <vector>

#include "tests/gateway/smpp/carrier_model.hpp"

using namespace std::chrono_literals;
using loa::smpp::rate_limiter;
using loa::smpp::rate_settings;
using loa::test::carrier_model;
using loa::test::carrier_run;
using loa::test::drive;
using clk = rate_limiter::clock;

namespace {
const clk::time_point t0{};

// Every time the pacer grants when asked every `step` from `from` for `span`.
std::vector<clk::time_point> grants_over(rate_limiter& r, clk::time_point from, clk::duration span,
                                         clk::duration step) {
  std::vector<clk::time_point> out;
  for (auto t = from; t < from + span; t += step)
    while (r.acquire(t) == clk::duration::zero()) out.push_back(t);
  return out;
}

// The most grants any window [a, a + 1 s) holds, whatever a.
std::size_t most_in_any_second(const std::vector<clk::time_point>& times) {
  std::size_t most = 0, first = 0;
  for (std::size_t last = 0; last < times.size(); ++last) {
    while (times[last] - times[first] >= 1s) ++first;
    most = std::max(most, last - first + 1);
  }
  return most;
}

// The most grants at one instant.
std::size_t longest_burst(const std::vector<clk::time_point>& times) {
  std::size_t most = 0, run = 0;
  for (std::size_t i = 0; i < times.size(); ++i) {
    run = i > 0 && times[i] == times[i - 1] ? run + 1 : 1;
    most = std::max(most, run);
  }
  return most;
}
}  // namespace

TEST_CASE("rate_limiter: tps 0 means no limit") {
  rate_limiter r{rate_settings{}, t0};
  CHECK(r.unlimited());
  for (int i = 0; i < 1000; ++i) REQUIRE(r.acquire(t0) == clk::duration::zero());
  r.on_throttled(t0, t0);
  CHECK(r.acquire(t0) == clk::duration::zero());
  CHECK(r.current_tps(t0) == 0);
}

TEST_CASE("rate_limiter: a tenth of a second's share back to back at most, then one per 1/tps") {
  rate_limiter r{rate_settings{.tps = 100, .guard = 0ms}, t0};
  for (int i = 0; i < 10; ++i) CHECK(r.acquire(t0) == clk::duration::zero());
  const auto wait = r.acquire(t0);
  CHECK(wait > 0ms);
  CHECK(wait <= 10ms);
  const auto grants = grants_over(r, t0 + 1ms, 3s, 1ms);
  CHECK(longest_burst(grants) == 1);  // after the first tenth, one at a time
  for (std::size_t i = 1; i < grants.size(); ++i) CHECK(grants[i] - grants[i - 1] >= 10ms);
}

TEST_CASE("rate_limiter: no one-second window of any phase sees more than tps, however it is asked") {
  for (const double tps : {7.0, 50.0, 200.0, 1000.0}) {
    CAPTURE(tps);
    std::mt19937 rng(static_cast<std::uint32_t>(tps));
    rate_limiter r{rate_settings{.tps = tps}, t0};
    std::vector<clk::time_point> grants;
    auto t = t0;
    // Asked at random moments, now and then after a long quiet spell (a bucket would then burst).
    for (int i = 0; i < 20'000; ++i) {
      t += std::chrono::microseconds{rng() % 8 == 0 ? rng() % 1'500'000 : rng() % 3'000};
      while (r.acquire(t) == clk::duration::zero()) grants.push_back(t);
    }
    CHECK(most_in_any_second(grants) <= static_cast<std::size_t>(tps));
    CHECK(longest_burst(grants) <= std::max<std::size_t>(1, static_cast<std::size_t>(tps / 10)));
  }
}

TEST_CASE("rate_limiter: asked steadily it grants tps a second, less the guard") {
  rate_limiter r{rate_settings{.tps = 50}, t0};
  const auto n = grants_over(r, t0, 10s, 1ms).size();
  CHECK(n >= 490);  // 50 per 1.01 s for 10 s
  CHECK(n <= 500);
}

TEST_CASE("rate_limiter: the wait it reports is enough") {
  rate_limiter r{rate_settings{.tps = 4, .burst = 1, .guard = 0ms}, t0};
  CHECK(r.acquire(t0) == clk::duration::zero());
  const auto wait = r.acquire(t0);
  CHECK(wait == 250ms);
  CHECK(r.acquire(t0 + wait) == clk::duration::zero());
}

TEST_CASE("rate_limiter: a throttle settles just under what the carrier accepted in the second before") {
  rate_limiter r{rate_settings{.tps = 500}, t0};
  // We sent 500 a second; the carrier took the first 300 of its window and throttled the next one.
  std::vector<clk::time_point> sent;
  for (auto t = t0; sent.size() < 301; t += 1ms)
    while (sent.size() < 301 && r.acquire(t) == clk::duration::zero()) sent.push_back(t);
  for (std::size_t i = 0; i < 300; ++i) r.on_accepted(sent[i]);
  CHECK(r.accepted_in_second_before(sent[300]) == 300);
  const auto now = sent[300] + 2ms;
  r.on_throttled(sent[300], now);
  CHECK(r.learned_tps() == 300);
  CHECK(r.current_tps(now) == doctest::Approx(297));
  // The window holds the next submit until enough of the last second's have left it: not before the carrier's
  // window (which began at the first accepted one) has ended.
  const auto next = grants_over(r, now, 2s, 1ms);
  REQUIRE_FALSE(next.empty());
  CHECK(next.front() >= sent[0] + 1s);
  // Answers to submits sent before the cut change nothing.
  r.on_throttled(sent[300] + 1ms, now + 1ms);
  CHECK(r.current_tps(now + 1ms) == doctest::Approx(297));
}

namespace {
// Grants n submits 4 ms apart from `from` (the pacer allows them: tps 1000) and returns their times.
std::vector<clk::time_point> send_spaced(rate_limiter& r, clk::time_point from, int n) {
  std::vector<clk::time_point> sent;
  for (int i = 0; i < n; ++i) {
    const auto t = from + std::chrono::milliseconds{4 * i};
    REQUIRE(r.acquire(t) == clk::duration::zero());
    sent.push_back(t);
  }
  return sent;
}
}  // namespace

TEST_CASE("rate_limiter: quiet, it climbs back to the learned level, and above it probes only after a rest") {
  rate_settings s{.tps = 1000, .settle_margin = 0.9, .probe_after = 5000ms, .probe_step = 0.02, .probe_rest = 600s};
  rate_limiter r{s, t0};
  const auto sent = send_spaced(r, t0 + 1ms, 201);  // the carrier took 200 and throttled the 201st
  const auto cut = sent[200] + 2ms;
  r.on_throttled(sent[200], cut);
  CHECK(r.learned_tps() == 200);
  CHECK(r.current_tps(cut) == doctest::Approx(180));
  CHECK_FALSE(r.probing(cut));
  // Up by 2 % every 5 quiet seconds while a window sees no more than the level: 180 -> 198.8 in 25 s ...
  CHECK(r.current_tps(cut + 5s) == doctest::Approx(180 * 1.02));
  CHECK(r.current_tps(cut + 25s) == doctest::Approx(180 * std::pow(1.02, 5)));
  // ... and no further (202.8 a second could go over the 200 the carrier allows) for probe_rest.
  CHECK(r.current_tps(cut + 599s) == doctest::Approx(180 * std::pow(1.02, 5)));
  CHECK(r.probing(cut + 600s));
  CHECK(r.current_tps(cut + 600s) == doctest::Approx(180 * std::pow(1.02, 6)));
}

TEST_CASE("rate_limiter: a throttle at a probe level steps back to the last clean rate, no cut, no pause") {
  rate_settings s{.tps = 1000, .probe_after = 5000ms, .probe_step = 0.02, .probe_rest = 600s};
  rate_limiter r{s, t0};
  const auto sent = send_spaced(r, t0 + 1ms, 201);
  const auto cut = sent[200] + 2ms;
  r.on_throttled(sent[200], cut);
  CHECK(r.current_tps(cut) == doctest::Approx(198));
  // 600 s later it probes at 201.96, which still fits (a window sees at most 201 of ours), then at 206 ...
  const auto probe = cut + 605s;
  CHECK(r.current_tps(probe) == doctest::Approx(198 * 1.02 * 1.02));
  // ... which the carrier throttles: back to 201.96, at once, and a next submit one interval later.
  const auto at = send_spaced(r, probe, 1).front();
  r.on_throttled(at, at + 2ms);
  CHECK(r.current_tps(at + 2ms) == doctest::Approx(198 * 1.02));
  CHECK(r.learned_tps() == 200);
  CHECK_FALSE(r.probing(at + 2ms));
  CHECK(r.acquire(at + 2ms + 6ms) == clk::duration::zero());
  // It rests at the level it confirmed.
  CHECK(r.current_tps(at + 599s) == doctest::Approx(198 * 1.02));
}

TEST_CASE("rate_limiter: a carrier that accepted nothing sends it to the floor, not to zero") {
  rate_limiter r{rate_settings{.tps = 80, .min_factor = 0.125}, t0};
  r.on_throttled(t0, t0);
  CHECK(r.current_tps(t0) == doctest::Approx(10));
  CHECK(r.acquire(t0 + 200ms) == clk::duration::zero());
}

TEST_CASE("rate_limiter: time going backwards grants nothing extra") {
  rate_limiter r{rate_settings{.tps = 10, .burst = 1}, t0 + 10s};
  CHECK(r.acquire(t0 + 10s) == clk::duration::zero());
  CHECK(r.acquire(t0 + 5s) > 0ms);
}

// ---- against a carrier that counts in fixed one-second windows, 20 simulated seconds
// --------------------------

namespace {
// The checks every scenario shares: throttled at most `max_share` of the submits; from `settle_by` on, at
// least 95% of `real` a second on average and 90% in every second (a probe above the real rate costs the
// tail of one carrier window: that second dips).
void check_run(const carrier_run& run, double max_share, int settle_by, double real) {
  MESSAGE(run.describe());
  CHECK(static_cast<double>(run.throttled) <= max_share * static_cast<double>(run.submits));
  double sum = 0;
  for (std::size_t s = static_cast<std::size_t>(settle_by); s < run.per_second.size(); ++s) {
    CAPTURE(s);
    CHECK(static_cast<double>(run.per_second[s]) >= 0.9 * real);
    sum += static_cast<double>(run.per_second[s]);
  }
  CHECK(sum / static_cast<double>(run.per_second.size() - static_cast<std::size_t>(settle_by)) >=
        0.95 * real);
}
}  // namespace

TEST_CASE("pacing vs a fixed-window carrier: tps right -> nothing throttled, whatever the window's phase") {
  for (const double tps : {50.0, 60.0, 200.0}) {
    for (const auto phase : {0ms, 1ms, 370ms, 999ms}) {
      CAPTURE(tps);
      CAPTURE(phase.count());
      carrier_model carrier{{.tps = tps, .phase = phase}};
      const auto run = drive(rate_settings{.tps = tps}, carrier, {});
      CAPTURE(run.describe());
      CHECK(run.throttled == 0);
      // Within 2% of tps over the run (the guard costs 1%).
      CHECK(static_cast<double>(run.accepted) >= 0.98 * tps * 20);
    }
  }
}

TEST_CASE(
    "pacing vs a fixed-window carrier: configured 1,000, really 200 -> settled within 3 s at 95% of it") {
  for (const auto phase : {0ms, 20ms, 50ms, 150ms, 500ms, 900ms}) {
    CAPTURE(phase.count());
    carrier_model carrier{{.tps = 200, .phase = phase}};
    const auto run = drive(rate_settings{.tps = 1000}, carrier, {});
    check_run(run, 0.02, 3, 200);
  }
}

TEST_CASE("pacing vs a fixed-window carrier: configured 200, really 50 -> settled within 3 s at 95% of it") {
  for (const auto phase : {0ms, 60ms, 400ms, 800ms}) {
    CAPTURE(phase.count());
    carrier_model carrier{{.tps = 50, .phase = phase}};
    const auto run = drive(rate_settings{.tps = 200}, carrier, {});
    check_run(run, 0.02, 3, 50);
  }
}

TEST_CASE("pacing vs a fixed-window carrier: four binds share one pacer and one per-system_id limit") {
  carrier_model carrier{{.tps = 200, .phase = 330ms}};
  const auto run = drive(rate_settings{.tps = 1000}, carrier, {.binds = 4});
  check_run(run, 0.02, 3, 200);
  for (const auto n : run.per_bind) CHECK(n >= run.accepted / 4 - 100);  // each bind does its share
}

TEST_CASE("pacing vs a fixed-window carrier: per-bind windows of different phases, configured 1,000") {
  // Two binds, each allowed 100/s in windows that begin when it bound (170 ms apart), 200/s in all.
  carrier_model carrier{{.tps = 0, .per_bind_tps = 100, .bind_phases = {40ms, 210ms}}};
  const auto run = drive(rate_settings{.tps = 1000}, carrier, {.binds = 2});
  check_run(run, 0.02, 3, 200);
}

TEST_CASE("pacing vs a fixed-window carrier: a longer answer time (50 ms, window 100) still settles") {
  carrier_model carrier{{.tps = 200, .phase = 250ms}};
  const auto run =
      drive(rate_settings{.tps = 1000}, carrier, {.binds = 2, .window = 100, .answer_after = 50ms});
  check_run(run, 0.02, 3, 200);
}
