// gateway/api/read_pace.hpp: a body earns time by arriving; waiting spends it.
#include "gateway/api/read_pace.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;

TEST_CASE("read_pace: grace first, then time earned at the minimum rate, spent only while waiting") {
  loa::api::read_pace pace(10s, 1000);  // 1000 bytes a second after 10 s of grace
  CHECK(pace.allowance() == 10s);
  pace.read(0, 4s);  // a client that sends nothing for 4 s
  CHECK(pace.allowance() == 6s);
  pace.read(5000, 1s);  // 5000 bytes earn 5 s
  CHECK(pace.allowance() == 10s);
  pace.read(10, 10s);  // a trickle: 10 bytes in 10 s
  CHECK(pace.allowance() == 10ms);
  pace.read(0, 20ms);
  CHECK(pace.allowance() <= 0s);
}

TEST_CASE("read_pace: a fast client keeps its whole grace whatever the size") {
  loa::api::read_pace pace(10s, 8192);
  for (int i = 0; i < 4096; ++i) pace.read(64 * 1024, 1ms);  // 256 MiB at 64 MiB/s
  CHECK(pace.allowance() > 10s);
}
