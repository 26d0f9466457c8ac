// keyed_buckets with a fake clock: bursts, refill, independence of keys, and the bound on keys.
#include "gateway/api/keyed_buckets.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace loa::api;
using namespace std::chrono_literals;
using clock_type = keyed_buckets::clock;

TEST_CASE("keyed buckets: a burst, then one token per 1/rate, and the wait says when") {
  keyed_buckets b({.per_second = 2, .burst = 3});
  const clock_type::time_point t0{};
  for (int i = 0; i < 3; ++i) CHECK(b.take("a", t0) == 0s);
  CHECK(b.wait("a", t0) == 500ms);
  CHECK(b.take("a", t0) == 500ms);  // refused: takes nothing
  CHECK(b.take("a", t0 + 499ms) > 0s);
  CHECK(b.take("a", t0 + 500ms) == 0s);
  CHECK(b.take("a", t0 + 500ms) > 0s);
  // A long pause refills to the burst, never beyond.
  for (int i = 0; i < 3; ++i) CHECK(b.take("a", t0 + 1h) == 0s);
  CHECK(b.take("a", t0 + 1h) > 0s);
}

TEST_CASE("keyed buckets: keys do not share, wait() takes nothing, a key never seen waits for nothing") {
  keyed_buckets b({.per_second = 1, .burst = 1});
  const clock_type::time_point t0{};
  CHECK(b.wait("x", t0) == 0s);
  CHECK(b.wait("x", t0) == 0s);
  CHECK(b.take("x", t0) == 0s);
  CHECK(b.wait("x", t0) == 1s);
  CHECK(b.take("y", t0) == 0s);
  CHECK(b.take("x", t0 + 1s) == 0s);
}

TEST_CASE("keyed buckets: the decay is gradual: a key that keeps failing at the rate stays limited") {
  keyed_buckets b({.per_second = 10.0 / 60, .burst = 10});  // 10 a minute
  clock_type::time_point t{};
  for (int i = 0; i < 10; ++i) CHECK(b.take("10.0.0.1", t) == 0s);
  // One more every 6 s is all it gets, however long it keeps trying.
  int granted = 0;
  for (int s = 0; s < 600; ++s) {
    t += 1s;
    if (b.take("10.0.0.1", t) == 0s) ++granted;
  }
  CHECK(granted == 100);
}

TEST_CASE(
    "keyed buckets: a flood of distinct keys stays within max_keys and does not wash out a limited key") {
  keyed_buckets b({.per_second = 1, .burst = 2, .max_keys = 100});
  const clock_type::time_point t0{};
  CHECK(b.take("attacker", t0) == 0s);
  CHECK(b.take("attacker", t0) == 0s);
  CHECK(b.take("attacker", t0) > 0s);
  for (int i = 0; i < 100'000; ++i) b.take("k" + std::to_string(i), t0);
  CHECK(b.size() == 100);
  CHECK(b.take("attacker", t0) > 0s);  // still limited
  CHECK(b.take("newcomer", t0) > 0s);  // no room, so refused (for a limit of failures: fail closed)
  // Once buckets have refilled, their keys make room again.
  CHECK(b.take("newcomer", t0 + 10s) == 0s);
  CHECK(b.size() <= 100);
  // A long key costs no more than max_key_bytes: keys differing only beyond that are one key.
  keyed_buckets c({.per_second = 1, .burst = 1});
  const std::string base(keyed_buckets::max_key_bytes, 'k');
  CHECK(c.take(base + "1", t0) == 0s);
  CHECK(c.take(base + "2", t0) > 0s);
}

TEST_CASE("keyed buckets: a rate or burst of 0 is no limit") {
  keyed_buckets b({.per_second = 0, .burst = 0});
  for (int i = 0; i < 1000; ++i) CHECK(b.take("a", clock_type::time_point{}) == 0s);
  CHECK(b.size() == 0);
}
