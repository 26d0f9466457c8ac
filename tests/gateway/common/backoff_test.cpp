#include "gateway/common/backoff.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using loa::backoff;
using loa::backoff_settings;

TEST_CASE("backoff: without jitter it doubles from the initial delay up to the cap") {
  backoff b{backoff_settings{10s, 2.0, 120s, 0.0}};
  CHECK(b.next() == 10s);
  CHECK(b.next() == 20s);
  CHECK(b.next() == 40s);
  CHECK(b.next() == 80s);
  CHECK(b.next() == 120s);
  CHECK(b.next() == 120s);
  CHECK(b.attempts() == 6);
  b.reset();
  CHECK(b.attempts() == 0);
  CHECK(b.next() == 10s);
}

TEST_CASE("backoff: factor e as go-smpp") {
  backoff b{backoff_settings{10s, 2.718281828, 120s, 0.0}};
  CHECK(b.next() == 10s);
  CHECK(b.next() == 27183ms);
  CHECK(b.next() == 73891ms);
  CHECK(b.next() == 120s);
}

TEST_CASE("backoff: jitter stays within its band and never exceeds the cap") {
  backoff b{backoff_settings{10s, 2.0, 120s, 0.2}, 42};
  const auto first = b.next();
  CHECK(first >= 8s);
  CHECK(first <= 12s);
  const auto second = b.next();
  CHECK(second >= 16s);
  CHECK(second <= 24s);
  for (int i = 0; i < 3; ++i) b.next();  // 40, 80, 120 (capped)
  bool below_cap = false;
  for (int i = 0; i < 200; ++i) {
    auto d = b.next();
    CHECK(d >= 96s);  // cap - 20 %
    CHECK(d <= 120s);
    if (d < 120s) below_cap = true;
  }
  CHECK(below_cap);  // jitter still spreads the binds once the cap is reached
  backoff c{backoff_settings{10s, 2.0, 120s, 0.2}, 43};
  CHECK(c.next() != first);  // the draws depend on the seed
}

TEST_CASE("backoff: the same seed gives the same delays") {
  backoff a{backoff_settings{}, 7};
  backoff b{backoff_settings{}, 7};
  for (int i = 0; i < 10; ++i) CHECK(a.next() == b.next());
}

TEST_CASE("backoff: nonsense settings are clamped") {
  backoff b{backoff_settings{500s, 0.5, 120s, 3.0}, 1};
  CHECK(b.settings().initial == 120s);
  CHECK(b.settings().factor == 1.0);
  CHECK(b.settings().jitter == 1.0);
  for (int i = 0; i < 50; ++i) {
    auto d = b.next();
    CHECK(d >= 0s);
    CHECK(d <= 120s);
  }
  CHECK(b.slowest() == 120s);
}

TEST_CASE("backoff: many attempts do not overflow") {
  backoff b{backoff_settings{10s, 2.0, 120s, 0.0}};
  for (int i = 0; i < 5000; ++i) b.next();
  CHECK(b.next() == 120s);
}
