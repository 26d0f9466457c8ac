// Mark-ahead (issue 13): a lane marks parts submitting only about a tenth of a second's share of its
// carrier's rate ahead of the writes, so a kill -9 leaves at most that many marked and never written (they
// wait the grace and go out again), and the lane still keeps its carrier at its rate. The simulated carrier
// (sim.hpp, `tps`) queues submits in its binds and writes one every 1/tps, reporting each write.
#include <doctest/doctest.h>

#include <algorithm>

#include "sim.hpp"

using namespace sim;

namespace {

constexpr std::size_t numbers = 3000;  // 5 s at 600/s
constexpr std::size_t bound = 60;      // 600 / 10

world rated(bool engine_knows_tps) {
  world w;
  w.engine_knows_tps = engine_knows_tps;
  w.base.lane_memory = 4096;
  w.base.claim_batch = 200;
  w.populate(numbers, {{"A", 1}}, 8, 8);
  carrier a;
  a.name = "A";
  a.window = 150;  // pacing-bench's window
  a.latency = 100ms;
  a.tps = 600;
  w.add_gateway("g1", {a}, w.base);
  return w;
}

std::size_t delivered_between(const world& w, double from_s, double to_s) {
  std::size_t n = 0;
  for (const auto& d : w.deliveries) {
    const auto at = std::chrono::duration<double>(d.at - w.start_time).count();
    n += at >= from_s && at < to_s;
  }
  return n;
}

// Runs until done; a crash at `crash_step` (0: none) and the gateway back as a new run.
void run(world& w, std::size_t crash_step) {
  if (crash_step > 0) w.crash_at_step = crash_step;
  w.start(0);
  for (int s = 0; s < 1000 && !w.done(); ++s) {
    if (!w.gateways[0]->machine) w.start(0);
    w.run_until(w.now + 100ms);
  }
}

}  // namespace

TEST_CASE("at 600 submits per second no more than 60 parts are marked and unwritten, at full rate") {
  auto w = rated(true);
  run(w, 0);
  REQUIRE(w.done());
  CHECK(w.deliveries.size() == numbers);
  MESSAGE("most marked and unwritten " << w.most_marked_unwritten << ", done sending after "
                                       << w.finished_s("A") << " s (ideal 5)");
  CHECK(w.most_marked_unwritten <= bound);
  CHECK(w.most_marked_unwritten >= bound / 2);  // the bound is used: the binds always have work queued
  // The lane keeps its carrier at its rate: 600 per second once started, and done in about count / tps.
  CHECK(delivered_between(w, 1, 4) >= 3 * 600 * 98 / 100);
  CHECK(w.finished_s("A") < 5.3);
}

TEST_CASE("without the bound a whole window is marked ahead, which the bound shrinks to a tenth of a second") {
  auto w = rated(false);  // the engine not told the rate: only the free window bounds its marks
  run(w, 0);
  REQUIRE(w.done());
  MESSAGE("without the bound: most marked and unwritten " << w.most_marked_unwritten);
  CHECK(w.most_marked_unwritten > 2 * bound);
  CHECK(w.finished_s("A") < 5.3);
}

TEST_CASE("a crash while sending leaves at most a tenth of a second's share marked and unwritten") {
  for (const std::size_t k : {500u, 1500u, 2500u}) {
    CAPTURE(k);
    auto w = rated(true);
    run(w, k);
    REQUIRE(w.done());
    REQUIRE(w.gateways[0]->run == 2);  // it did crash and come back
    MESSAGE("crash at step " << k << ": marked and unwritten " << w.marked_unwritten_at_crash.size()
                             << ", written and unanswered " << w.written_unanswered_at_crash.size());
    CHECK(w.marked_unwritten_at_crash.size() <= bound);
    CHECK_FALSE(w.marked_unwritten_at_crash.empty());  // the binds had work queued when it died
    // Those are sent again after the grace, and only those: nothing is lost and nothing doubles.
    CHECK(w.db.resent == w.marked_unwritten_at_crash.size());
    const auto got = w.received();
    CHECK(got.size() == numbers);
    CHECK(std::all_of(got.begin(), got.end(), [](const auto& kv) { return kv.second == 1; }));
  }
  // Before, the same crash left up to a window (150) less what was written and unanswered.
  auto before = rated(false);
  run(before, 1500);
  REQUIRE(before.done());
  MESSAGE("without the bound, crash at step 1500: marked and unwritten "
          << before.marked_unwritten_at_crash.size());
  CHECK(before.marked_unwritten_at_crash.size() > bound);
}
