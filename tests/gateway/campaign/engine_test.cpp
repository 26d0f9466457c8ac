// The campaign engine stepped through a simulated store, carriers and clock (sim.hpp): no Redis, no socket.
// Each case asserts what the handsets received, when, and what Redis holds at the end.
#include <doctest/doctest.h>

#include <algorithm>

#include "sim.hpp"

using namespace sim;

namespace {

carrier make(std::string name, std::size_t window, duration latency) {
  carrier c;
  c.name = std::move(name);
  c.window = window;
  c.latency = latency;
  return c;
}

// A: 100 submits/s, B: 10/s, C: 100/s.
std::vector<carrier> three() {
  return {make("A", 10, 100ms), make("B", 2, 200ms), make("C", 5, 50ms)};
}

// Every recipient got every part at least once; returns how many parts went out more than once.
std::size_t check_everyone(const world& w, std::size_t parts = 1) {
  const auto got = w.received();
  std::size_t doubled = 0;
  for (const auto& [number, carrier] : w.db.route)
    for (int p = 1; p <= static_cast<int>(parts); ++p) {
      auto it = got.find({number, p});
      CHECK_MESSAGE(it != got.end(), number << " part " << p << " never sent");
      if (it != got.end() && it->second > 1) doubled += static_cast<std::size_t>(it->second - 1);
    }
  return doubled;
}

std::size_t records_with(const world& w, char letter) {
  std::size_t n = 0;
  for (const auto& [number, r] : w.db.records) n += r.parts.find(letter) != std::string::npos;
  return n;
}

const lane_status& lane_of(const std::vector<lane_status>& all, const std::string& carrier) {
  return *std::find_if(all.begin(), all.end(), [&](const lane_status& l) { return l.carrier == carrier; });
}

}  // namespace

TEST_CASE("uneven shares finish each at its own carrier's pace") {
  world w;
  w.populate(3000, {{"A", 6}, {"B", 3}, {"C", 1}}, 8, 8);
  w.add_gateway("g1", three(), w.base);
  w.start(0);
  std::size_t most_held = 0;
  for (int s = 0; s < 200 && !w.done(); ++s) {
    w.run_until(w.now + 1s);
    for (const auto& l : w.gateways[0]->machine->status(w.now)) most_held = std::max(most_held, l.queued);
  }
  REQUIRE(w.done());
  CHECK(w.gateways[0]->ended == end_reason::done);
  CHECK(check_everyone(w) == 0);
  // 1800 numbers at 100/s, 900 at 10/s, 300 at 100/s: each carrier's own time, not the slowest one's.
  CHECK(w.finished_s("A") == doctest::Approx(18).epsilon(0.25));
  CHECK(w.finished_s("B") == doctest::Approx(90).epsilon(0.15));
  CHECK(w.finished_s("C") < 20);
  // B's backlog waited in Redis, not in memory.
  CHECK(w.db.parked_total > 0);
  CHECK(most_held <= w.base.lane_memory + 100);
  CHECK(records_with(w, 'C') == 0);
  CHECK(records_with(w, 'I') == 0);
}
