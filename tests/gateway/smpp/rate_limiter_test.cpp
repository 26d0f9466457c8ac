#include "gateway/smpp/rate_limiter.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using loa::smpp::rate_limiter;
using loa::smpp::rate_settings;
using clk = rate_limiter::clock;

namespace {
const clk::time_point t0{};

// How many tokens are granted by asking every `step` from t0 to t0 + span.
int granted_over(rate_limiter& r, clk::time_point from, clk::duration span, clk::duration step) {
  int n = 0;
  for (auto t = from; t < from + span; t += step)
    while (r.acquire(t) == clk::duration::zero()) ++n;
  return n;
}
}  // namespace

TEST_CASE("rate_limiter: tps 0 means no limit") {
  rate_limiter r{rate_settings{}, t0};
  CHECK(r.unlimited());
  for (int i = 0; i < 1000; ++i) REQUIRE(r.acquire(t0) == clk::duration::zero());
  r.on_throttled(t0);
  CHECK(r.acquire(t0) == clk::duration::zero());
  CHECK(r.current_tps(t0) == 0);
}

TEST_CASE("rate_limiter: starts with a full bucket of a tenth of a second") {
  rate_limiter r{rate_settings{.tps = 100}, t0};
  CHECK(r.settings().burst == 10);
  for (int i = 0; i < 10; ++i) CHECK(r.acquire(t0) == clk::duration::zero());
  auto wait = r.acquire(t0);
  CHECK(wait > 0ms);
  CHECK(wait <= 10ms);  // one token every 10 ms at 100/s
}

TEST_CASE("rate_limiter: grants tps tokens per second over a long run") {
  rate_limiter r{rate_settings{.tps = 50, .burst = 1}, t0};
  const int n = granted_over(r, t0, 10s, 1ms);
  CHECK(n >= 500);
  CHECK(n <= 501);  // 50/s for 10 s plus the first full bucket
}

TEST_CASE("rate_limiter: the wait it reports is enough") {
  rate_limiter r{rate_settings{.tps = 4, .burst = 1}, t0};
  CHECK(r.acquire(t0) == clk::duration::zero());
  auto wait = r.acquire(t0);
  CHECK(wait == 250ms);
  CHECK(r.acquire(t0 + wait) == clk::duration::zero());
}

TEST_CASE("rate_limiter: a throttle pauses, halves the rate, and the rate climbs back when quiet") {
  rate_settings s{
      .tps = 100, .burst = 1, .pause = 1000ms, .slow_factor = 0.5, .min_factor = 0.125, .recovery = 2000ms};
  rate_limiter r{s, t0};
  r.on_throttled(t0);
  CHECK(r.acquire(t0) == 1000ms);
  CHECK(r.acquire(t0 + 500ms) == 500ms);
  CHECK(r.current_tps(t0 + 1s) == doctest::Approx(50));
  // After the pause it runs at half rate: about 50 in the next second.
  const int n = granted_over(r, t0 + 1s, 1s, 1ms);
  CHECK(n >= 49);
  CHECK(n <= 51);
  // One quiet recovery period after the pause doubles the rate back to tps.
  CHECK(r.current_tps(t0 + 3s) == doctest::Approx(100));
}

TEST_CASE("rate_limiter: repeated throttles lower the rate down to the floor only") {
  rate_settings s{
      .tps = 80, .burst = 1, .pause = 100ms, .slow_factor = 0.5, .min_factor = 0.125, .recovery = 10s};
  rate_limiter r{s, t0};
  for (int i = 0; i < 10; ++i) r.on_throttled(t0 + std::chrono::milliseconds{200 * i});
  const auto last_pause_end = t0 + 1800ms + 100ms;
  CHECK(r.current_tps(t0 + 2s) == doctest::Approx(10));  // 80 * 0.125
  // Recovery is step by step: 10 -> 20 -> 40 -> 80.
  CHECK(r.current_tps(last_pause_end + 10s) == doctest::Approx(20));
  CHECK(r.current_tps(last_pause_end + 20s) == doctest::Approx(40));
  CHECK(r.current_tps(last_pause_end + 30s) == doctest::Approx(80));
  CHECK(r.current_tps(last_pause_end + 90s) == doctest::Approx(80));
}

TEST_CASE("rate_limiter: throttles during the pause (answers to one window) count once") {
  rate_settings s{
      .tps = 80, .burst = 1, .pause = 100ms, .slow_factor = 0.5, .min_factor = 0.125, .recovery = 10s};
  rate_limiter r{s, t0};
  for (int i = 0; i < 10; ++i) r.on_throttled(t0 + std::chrono::milliseconds{i});
  CHECK(r.current_tps(t0 + 1s) == doctest::Approx(40));
  CHECK(r.acquire(t0 + 50ms) == 50ms);  // the pause was not extended either
}

TEST_CASE("rate_limiter: with settle_margin a throttle settles just under what the carrier accepted, then climbs slowly") {
  rate_settings s{.tps = 500, .pause = 0ms, .recovery = 2000ms, .additive_step = 0.02, .settle_margin = 0.97,
                  .holdoff = 1000ms};
  rate_limiter r{s, t0};
  // The carrier took 300 a second for the last two seconds (it allows 300, we sent 500).
  for (int i = 0; i < 600; ++i) r.on_accepted(t0 + std::chrono::microseconds{i * 3333});
  const auto at = t0 + 2s;
  CHECK(r.accepted_rate(at) == doctest::Approx(300).epsilon(0.02));
  r.on_throttled(at);
  CHECK(r.current_tps(at) == doctest::Approx(291).epsilon(0.02));
  CHECK(r.acquire(at + 100ms) == clk::duration::zero());  // no pause: it goes on at the new rate
  r.on_throttled(at + 500ms);                              // answers to the old window: no second cut
  CHECK(r.current_tps(at + 500ms) == doctest::Approx(291).epsilon(0.02));
  // Quiet: +2% of tps (10/s) per 2 s after the holdoff.
  CHECK(r.current_tps(at + 1s + 2s) == doctest::Approx(301).epsilon(0.02));
  CHECK(r.current_tps(at + 1s + 4s) == doctest::Approx(311).epsilon(0.02));
  CHECK(r.current_tps(at + 1s + 60s) == doctest::Approx(500));
}

TEST_CASE("rate_limiter: shared by two binds, the carrier's total stays at tps") {
  rate_limiter shared{rate_settings{.tps = 20, .burst = 1}, t0};
  int a = 0, b = 0;
  for (auto t = t0; t < t0 + 5s; t += 1ms) {
    if (shared.acquire(t) == clk::duration::zero()) ++a;  // bind A asks first ...
    if (shared.acquire(t) == clk::duration::zero()) ++b;  // ... bind B right after
  }
  CHECK(a + b >= 100);
  CHECK(a + b <= 101);
}

TEST_CASE("rate_limiter: time going backwards grants nothing extra") {
  rate_limiter r{rate_settings{.tps = 10, .burst = 1}, t0 + 10s};
  CHECK(r.acquire(t0 + 10s) == clk::duration::zero());
  CHECK(r.acquire(t0 + 5s) > 0ms);
}
