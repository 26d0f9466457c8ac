// gateway/common/log_throttle.hpp: one line per interval, and the count of those held back.
#include "gateway/common/log_throttle.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_CASE("log_throttle: the first occurrence is logged, then one per interval with the count held back") {
  loa::log_throttle t(10s);
  const auto start = loa::log_throttle::clock::time_point{} + 1h;
  std::uint64_t held_back = 99;
  CHECK(t.allow(start, held_back));
  CHECK(held_back == 0);
  for (int i = 1; i <= 1000; ++i) CHECK_FALSE(t.allow(start + std::chrono::milliseconds(i), held_back));
  CHECK(t.allow(start + 10s, held_back));
  CHECK(held_back == 1000);
  CHECK_FALSE(t.allow(start + 19s, held_back));
  CHECK(t.allow(start + 25s, held_back));
  CHECK(held_back == 1);
}
