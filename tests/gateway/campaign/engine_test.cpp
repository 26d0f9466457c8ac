// The campaign engine stepped through a simulated store, carriers and clock (sim.hpp): no Redis, no socket.
// Each case asserts what the handsets received, when, and what Redis holds at the end.
#include <doctest/doctest.h>

#include <algorithm>
#include <optional>
#include <set>

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
    for (const auto& l : w.gateways[0]->machine->status()) most_held = std::max(most_held, l.queued);
  }
  REQUIRE(w.done());
  CHECK(w.gateways[0]->ended == end_reason::done);
  CHECK(check_everyone(w) == 0);
  // 1800 numbers at 100/s, 900 at 10/s, 300 at 100/s: each carrier's own time, not the slowest one's.
  MESSAGE("simulated spans: A " << w.finished_s("A") << " s, B " << w.finished_s("B") << " s, C "
                                << w.finished_s("C") << " s; most held by a lane " << most_held << "; parked "
                                << w.db.parked_total);
  CHECK(w.finished_s("A") == doctest::Approx(18).epsilon(0.25));
  CHECK(w.finished_s("B") == doctest::Approx(90).epsilon(0.15));
  CHECK(w.finished_s("C") < 20);
  // B's backlog waited in Redis, not in memory.
  CHECK(w.db.parked_total > 0);
  CHECK(most_held <= w.base.lane_memory + 100);
  CHECK(records_with(w, 'C') == 0);
  CHECK(records_with(w, 'I') == 0);
}

namespace {
// 900 on A at 300/s and 200 on B at 10/s over 64 chunks: every chunk holds a few of B's. B's window is wide
// (as a paced bind's is), so its backlog stays below the count at which a lane parks for memory.
world slow_in_every_chunk() {
  world w;
  w.populate(1100, {{"A", 9}, {"B", 2}}, 64, 4);
  w.add_gateway("g1", {make("A", 30, 100ms), make("B", 10, 1s)}, w.base);
  return w;
}
}  // namespace

TEST_CASE("a few slow-lane numbers in every chunk do not pace the fast lane") {
  auto w = slow_in_every_chunk();
  w.start(0);
  for (int s = 0; s < 200 && !w.done(); ++s) w.run_until(w.now + 1s);
  REQUIRE(w.done());
  CHECK(check_everyone(w) == 0);
  MESSAGE("simulated spans: A " << w.finished_s("A") << " s (ideal 3), B " << w.finished_s("B")
                                << " s (ideal 20); parked " << w.db.parked_total);
  CHECK(w.finished_s("A") < 6);
  CHECK(w.finished_s("B") == doctest::Approx(20).epsilon(0.25));
  CHECK(w.db.parked_total <= 200);  // B's numbers, each parked at most once
  CHECK(records_with(w, 'C') == 0);
  CHECK(records_with(w, 'I') == 0);
}

TEST_CASE("a pinning slow lane goes on alone when the fast carrier goes down") {
  auto w = slow_in_every_chunk();
  w.start(0);
  w.run_until(w.start_time + 2s);  // A is part way, B pinning by now
  w.set_up(0, "A", false);
  w.run_until(w.start_time + 40s);
  std::size_t b_sent = 0;
  for (const auto& d : w.deliveries) b_sent += d.carrier == "B";
  CHECK(b_sent == 200);  // every one of B's, A's share parked meanwhile
  CHECK(w.finished_s("B") == doctest::Approx(20).epsilon(0.25));
  w.set_up(0, "A", true);
  for (int s = 0; s < 200 && !w.done(); ++s) w.run_until(w.now + 1s);
  REQUIRE(w.done());
  CHECK(check_everyone(w) == 0);
  CHECK(records_with(w, 'C') == 0);
}

TEST_CASE("a carrier that is down does not delay the others, and its share waits in Redis until it is up") {
  world w;
  w.populate(3000, {{"A", 6}, {"B", 3}, {"C", 1}}, 8, 8);
  auto& g = w.add_gateway("g1", three(), w.base);
  g.carriers.at("B").up = false;
  w.start(0);
  w.run_until(w.start_time + 40s);
  CHECK(w.finished_s("A") == doctest::Approx(18).epsilon(0.25));
  CHECK(w.finished_s("C") < 20);
  CHECK(w.finished_s("B") == 0);  // nothing went to B
  CHECK_FALSE(w.done());
  const auto st = g.machine->status();
  CHECK(lane_of(st, "B").why == lane_block::not_bound);
  CHECK(lane_of(st, "B").since == w.start_time);
  CHECK(lane_of(st, "B").queued == 0);  // not in memory: parked
  CHECK(lane_of(st, "B").parked == 900);
  CHECK(lane_of(st, "A").why == lane_block::none);
  std::size_t backlog = 0;
  for (const auto& p : w.db.backlog["B"]) backlog += p.acked ? 0 : p.numbers.size();
  CHECK(backlog == 900);
  CHECK(w.db.records.size() == 2100);  // A's and C's; none of B's claimed

  w.set_up(0, "B", true);
  for (int s = 0; s < 200 && !w.done(); ++s) w.run_until(w.now + 1s);
  REQUIRE(w.done());
  CHECK(check_everyone(w) == 0);
  // 900 at 10/s once bound at 40 s.
  CHECK(w.finished_s("B") == doctest::Approx(130).epsilon(0.1));
  CHECK(records_with(w, 'C') == 0);
}

TEST_CASE("a carrier that throttles backs up only its own lane") {
  world w;
  w.populate(3000, {{"A", 6}, {"B", 3}, {"C", 1}}, 8, 8);
  auto& g = w.add_gateway("g1", three(), w.base);
  g.carriers.at("B").throttling = true;
  w.at(w.start_time + 30s, [&g] { g.carriers.at("B").throttling = false; });
  w.start(0);
  w.run_until(w.start_time + 20s);
  const auto st = g.machine->status();
  CHECK(lane_of(st, "B").why == lane_block::throttled);
  REQUIRE(lane_of(st, "B").since.has_value());
  CHECK(*lane_of(st, "B").since < w.start_time + 1s);  // since its first refusal, not its last retry
  CHECK(lane_of(st, "B").queued <= 8);                 // its backlog parked after park_after
  CHECK(lane_of(st, "A").why == lane_block::none);
  for (int s = 0; s < 300 && !w.done(); ++s) w.run_until(w.now + 1s);
  REQUIRE(w.done());
  CHECK(check_everyone(w) == 0);
  CHECK(w.finished_s("A") == doctest::Approx(18).epsilon(0.25));
  CHECK(w.finished_s("C") < 20);
  CHECK(w.finished_s("B") == doctest::Approx(120).epsilon(0.15));
  CHECK(w.db.parked_total >= 800);
}

namespace {
// `n` recipients shared 2:1 by A (window 4, 100 ms) and B (window 2), over `chunks` chunks of 2 buckets.
world two_lanes(std::size_t n, std::size_t chunks, duration b_latency, bool receipts, int parts,
                std::size_t units_held_max = 4, duration min_grace = 10s) {
  world w;
  w.populate(n, {{"A", 2}, {"B", 1}}, chunks, 2);
  auto a = make("A", 4, 100ms);
  auto b = make("B", 2, b_latency);
  a.receipts = b.receipts = receipts;
  auto settings = w.base;
  settings.units_held_max = units_held_max;
  settings.min_grace = min_grace;
  w.add_gateway("g1", {a, b}, settings, parts);
  return w;
}

// A small campaign on two carriers, two parts each, for the step-by-step cases.
world small_world(bool receipts) {
  return two_lanes(60, 2, 200ms, receipts, 2);
}

std::size_t clean_run_steps() {
  auto w = small_world(true);
  w.start(0);
  for (int s = 0; s < 100 && !w.done(); ++s) w.run_until(w.now + 1s);
  REQUIRE(w.done());
  return w.steps;
}
}  // namespace

TEST_CASE("a crash between any two steps loses nothing, and doubles nothing when receipts come") {
  const auto total = clean_run_steps();
  REQUIRE(total > 100);
  std::size_t crashes_with_uncertain = 0;
  for (std::size_t k = 1; k <= total; ++k) {
    CAPTURE(k);
    auto w = small_world(true);
    w.crash_at_step = k;
    w.start(0);
    w.run_until(w.now + 1ms);
    for (int s = 0; s < 200 && !w.done(); ++s) {
      if (!w.gateways[0]->machine) w.start(0);  // the same gateway comes back as a new run
      w.run_until(w.now + 500ms);
    }
    REQUIRE(w.done());
    CHECK(check_everyone(w, 2) == 0);  // what was written and unanswered is resolved by its receipt
    CHECK(records_with(w, 'C') == 0);
    CHECK(records_with(w, 'I') == 0);
    CHECK(records_with(w, 'U') == 0);
    // Only parts marked submitting and never written (the crash fell between the mark and the write) are
    // sent again, after the grace: they were never delivered, so nothing doubles.
    CHECK(w.db.resent == w.marked_unwritten_at_crash.size());
    crashes_with_uncertain += !w.written_unanswered_at_crash.empty();
  }
  CHECK(crashes_with_uncertain > 0);  // some crashes did leave parts written and unanswered
}

namespace {
// One chunk held at a time: a crash's uncertain parts would pin the only chunk for their whole grace (a
// minute) if they counted against the chunks held.
world one_chunk_world(bool receipts) {
  return two_lanes(300, 10, 100ms, receipts, 1, 1, 60s);
}
}  // namespace

TEST_CASE("a crash's uncertain parts do not hold the reading up: the rest goes out long before their grace") {
  for (const bool receipts : {false, true}) {
    CAPTURE(receipts);
    std::size_t total = 0;
    {
      auto w = one_chunk_world(receipts);
      w.start(0);
      for (int s = 0; s < 200 && !w.done(); ++s) w.run_until(w.now + 1s);
      REQUIRE(w.done());
      total = w.steps;
    }
    std::size_t with_uncertain = 0, done_early = 0;
    for (std::size_t k = 1; k <= total; k += 3) {
      CAPTURE(k);
      auto w = one_chunk_world(receipts);
      w.crash_at_step = k;
      w.start(0);
      w.run_until(w.now + 1ms);
      std::optional<time_point> crashed;
      for (int s = 0; s < 400 && !w.done(); ++s) {
        if (!w.gateways[0]->machine) {
          crashed = w.now;
          w.start(0);  // the same gateway comes back as a new run
        }
        w.run_until(w.now + 500ms);
        if (crashed && w.now == *crashed + 40s) {
          // Well within the grace (60 s), everything but the parts the crash left uncertain has gone out.
          std::set<std::string> uncertain;
          for (const auto& key : w.written_unanswered_at_crash) uncertain.insert(key.first);
          for (const auto& key : w.marked_unwritten_at_crash) uncertain.insert(key.first);
          const auto got = w.received();
          std::size_t missing = 0;
          for (const auto& [number, carrier] : w.db.route)
            missing += !uncertain.count(number) && !got.count({number, 1});
          CHECK(missing == 0);
          // Parts never written wait for their grace (no receipt can come); so do written ones without one.
          if (!w.marked_unwritten_at_crash.empty() || (!receipts && !uncertain.empty())) CHECK_FALSE(w.done());
        }
      }
      REQUIRE(w.done());
      // With receipts, and nothing marked but unwritten, the campaign ends long before the grace.
      if (crashed && receipts && w.marked_unwritten_at_crash.empty()) {
        CHECK(w.now - *crashed < 40s);
        done_early += !w.written_unanswered_at_crash.empty();
      }
      check_everyone(w);
      std::set<std::pair<std::string, int>> doubled;
      for (const auto& [key, n] : w.received())
        if (n > 1) doubled.insert(key);
      // Nothing doubled but the uncertain no receipt resolved, sent again once.
      CHECK(doubled == (receipts ? std::set<std::pair<std::string, int>>{} : w.written_unanswered_at_crash));
      CHECK(w.db.resent == doubled.size() + w.marked_unwritten_at_crash.size());
      CHECK(records_with(w, 'I') == 0);
      CHECK(records_with(w, 'C') == 0);
      with_uncertain += !w.written_unanswered_at_crash.empty();
    }
    CHECK(with_uncertain > 0);
    if (receipts) CHECK(done_early > 0);  // crashes that left written parts, all resolved by their receipts
  }
}

TEST_CASE(
    "a crash between any two steps doubles only what was written and unanswered when no receipt comes") {
  const auto total = clean_run_steps();
  std::size_t doubled_total = 0;
  for (std::size_t k = 1; k <= total; ++k) {
    CAPTURE(k);
    auto w = small_world(false);
    w.crash_at_step = k;
    w.start(0);
    w.run_until(w.now + 1ms);
    for (int s = 0; s < 200 && !w.done(); ++s) {
      if (!w.gateways[0]->machine) w.start(0);
      w.run_until(w.now + 500ms);
    }
    REQUIRE(w.done());
    check_everyone(w, 2);
    // Sent twice: exactly the parts the crash left written and unanswered (resent after the grace).
    std::set<std::pair<std::string, int>> doubled;
    for (const auto& [key, n] : w.received())
      if (n > 1) doubled.insert(key);
    CHECK(doubled == w.written_unanswered_at_crash);
    CHECK(w.db.resent == doubled.size() + w.marked_unwritten_at_crash.size());
    doubled_total += doubled.size();
  }
  CHECK(doubled_total > 0);
}

TEST_CASE("cancel at any step: nothing is written after it and every answer is recorded") {
  const auto total = clean_run_steps();
  std::size_t cancelled_runs = 0, cut_short = 0;
  for (std::size_t k = 1; k <= total; ++k) {
    CAPTURE(k);
    auto w = small_world(true);
    w.cancel_at_step = k;
    w.start(0);
    for (int s = 0; s < 60 && !w.gateways[0]->ended; ++s) w.run_until(w.now + 500ms);
    if (!w.cancelled) continue;  // the campaign finished before step k
    ++cancelled_runs;
    REQUIRE(w.gateways[0]->ended == end_reason::cancelled);
    cut_short += w.written.size() < 120;
    CHECK(w.written_after_cancel == 0);
    CHECK(records_with(w, 'I') == 0);  // what the binds held was answered and recorded
    for (const auto& d : w.deliveries) {
      const auto& parts = w.db.records.at(d.number).parts;
      const char letter = parts[static_cast<std::size_t>(d.part - 1)];
      CHECK_MESSAGE((letter == 'S' || letter == 'D'), d.number << " part " << d.part << " is " << letter);
    }
  }
  CHECK(cancelled_runs > total / 2);
  CHECK(cut_short > total / 2);  // the cancel stopped the fan-out part way
}

namespace {
world two_gateways(std::size_t recipients) {
  world w;
  w.populate(recipients, {{"A", 2}, {"B", 1}}, 8, 8);
  w.add_gateway("g1", {make("A", 4, 100ms), make("B", 2, 100ms)}, w.base);
  w.add_gateway("g2", {make("A", 4, 100ms), make("B", 2, 100ms)}, w.base);
  return w;
}

// When g2 first took a chunk that g1's run held, as seconds after `since` (-1: never).
double takeover_after(const world& w, time_point since) {
  for (std::size_t i = 0; i < w.db.takes.size(); ++i)
    if (w.db.takes[i].first == "g2/1" && w.db.previous_holders[i] == "g1/1")
      return std::chrono::duration<double>(w.db.take_times[i] - since).count();
  return -1;
}
}  // namespace

TEST_CASE("two gateways share the chunks, and a survivor takes a dead one's within 5 s") {
  auto w = two_gateways(1200);
  w.start(0);
  w.start(1);
  w.run_until(w.start_time + 5s);
  const auto g1_had =
      std::count_if(w.db.chunks.begin(), w.db.chunks.end(), [](const auto& c) { return c.holder == "g1/1"; });
  REQUIRE(g1_had > 0);
  const auto died = w.now;
  w.crash(0);
  for (int s = 0; s < 200 && !w.done(); ++s) w.run_until(w.now + 1s);
  REQUIRE(w.done());
  const auto after = takeover_after(w, died);
  CHECK(after > 0);
  CHECK(after <= 5.0);
  CHECK(check_everyone(w) == 0);  // g1's written and unanswered parts were resolved by their receipts
  CHECK(records_with(w, 'I') == 0);
  CHECK(records_with(w, 'C') == 0);
  // Both gateways sent: the work was shared before the death.
  std::map<std::string, std::size_t> by_gateway;
  for (const auto& d : w.deliveries) ++by_gateway[d.gateway];
  CHECK(by_gateway["g1"] > 100);
  CHECK(by_gateway["g2"] > 100);
  CHECK(w.gateways[1]->ended == end_reason::done);
}

TEST_CASE("a stopped gateway hands its chunks back at once") {
  auto w = two_gateways(1200);
  w.start(0);
  w.start(1);
  w.run_until(w.start_time + 3s);
  const auto stopped_at = w.now;
  w.stop(0);
  for (int s = 0; s < 200 && !w.done(); ++s) w.run_until(w.now + 1s);
  REQUIRE(w.done());
  CHECK(w.gateways[0]->ended == end_reason::stopped);
  CHECK_FALSE(w.db.alive.count("g1/1"));  // its heartbeat removed: nobody waits for its ttl
  const auto after = takeover_after(w, stopped_at);
  CHECK(after >= 0);
  // Its answers (0.1 s), the release, then g2's next poll (at most 1 s): not the ttl + poll (4 s) of a death.
  CHECK(after < 2.0);
  CHECK(check_everyone(w) == 0);
  CHECK(w.db.resent == 0);
}

TEST_CASE("a bind that drops: its unanswered parts are resolved by receipts, else resent after the grace") {
  for (const bool receipts : {true, false}) {
    CAPTURE(receipts);
    world w;
    w.populate(400, {{"A", 1}}, 2, 4);
    auto a = make("A", 10, 500ms);
    a.receipts = receipts;
    w.add_gateway("g1", {a}, w.base);
    w.start(0);
    w.run_until(w.start_time + 2s + 250ms);  // mid-window: ten parts written, none answered
    REQUIRE(w.gateways[0]->unanswered.size() == 10);
    w.set_up(0, "A", false);
    CHECK(w.gateways[0]->machine->status()[0].uncertain == 10);
    w.run_until(w.now + 3s);
    w.set_up(0, "A", true);
    for (int s = 0; s < 200 && !w.done(); ++s) w.run_until(w.now + 1s);
    REQUIRE(w.done());
    const auto doubled = check_everyone(w);
    CHECK(doubled == (receipts ? 0u : 10u));
    CHECK(w.gateways[0]->machine->resent_total() == (receipts ? 0u : 10u));
    CHECK(records_with(w, 'U') == 0);
  }
}

TEST_CASE("limits.uncertain report: a dropped bind's unanswered parts are recorded uncertain, never resent") {
  world w;
  w.populate(400, {{"A", 1}}, 2, 4);
  auto a = make("A", 10, 500ms);
  a.receipts = false;
  auto settings = w.base;
  settings.uncertain = uncertain_policy::report;
  w.add_gateway("g1", {a}, settings);
  w.start(0);
  w.run_until(w.start_time + 2s + 250ms);
  w.set_up(0, "A", false);
  const auto dropped = w.now;
  w.run_until(w.now + 3s);
  w.set_up(0, "A", true);
  for (int s = 0; s < 200 && !w.done(); ++s) w.run_until(w.now + 1s);
  REQUIRE(w.done());
  CHECK(check_everyone(w) == 0);
  CHECK(records_with(w, 'U') == 10);
  CHECK(w.gateways[0]->machine->resent_total() == 0);
  // Not before the grace (min_grace 10 s here: the receipt delay is 2 s).
  CHECK(w.now - dropped >= 10s);
}

TEST_CASE("the grace is three receipt delays, at least min_grace, at most the validity") {
  world w;
  w.populate(100, {{"A", 1}}, 1, 2);
  auto a = make("A", 10, 500ms);
  a.receipts = false;
  a.receipt_delay = 40s;  // 3 x 40 s = 120 s > min_grace
  w.add_gateway("g1", {a}, w.base);
  w.start(0);
  w.run_until(w.start_time + 2s + 250ms);
  w.set_up(0, "A", false);
  const auto dropped = w.now;
  w.set_up(0, "A", true);
  w.run_until(dropped + 119s);
  CHECK(w.gateways[0]->machine->resent_total() == 0);
  w.run_until(dropped + 121s);
  CHECK(w.gateways[0]->machine->resent_total() == 10);
}

TEST_CASE(
    "held for approval mid fan-out: claims nothing more, hands its chunks back, resumes once approved") {
  world w;
  w.populate(600, {{"A", 2}, {"B", 1}}, 4, 4);
  w.add_gateway("g1", {make("A", 4, 100ms), make("B", 2, 100ms)}, w.base);
  w.hold_at_read = 3;
  w.start(0);
  for (int s = 0; s < 60 && !w.gateways[0]->ended; ++s) w.run_until(w.now + 500ms);
  REQUIRE(w.gateways[0]->ended == end_reason::held);
  const auto sent_before = w.deliveries.size();
  CHECK(sent_before > 0);
  CHECK(sent_before < 600);
  CHECK(records_with(w, 'I') == 0);  // what the binds held was answered and recorded
  CHECK(std::none_of(w.db.chunks.begin(), w.db.chunks.end(),
                     [](const auto& c) { return !c.acked && !c.released && c.delivered; }));  // none kept
  w.run_until(w.now + 10s);
  CHECK(w.deliveries.size() == sent_before);  // nothing goes out while it waits
  // An approver moves it back to running; the gateway runs it again.
  w.db.state = loa::broadcast::campaign_state::running;
  w.hold_at_read.reset();
  w.start(0);
  for (int s = 0; s < 200 && !w.done(); ++s) w.run_until(w.now + 1s);
  REQUIRE(w.done());
  CHECK(check_everyone(w) == 0);
  CHECK(records_with(w, 'C') == 0);
}

TEST_CASE("store requests that fail are issued again: nothing lost, nothing doubled") {
  for (std::size_t n : {2u, 3u, 7u}) {
    CAPTURE(n);
    auto w = small_world(true);
    w.fail_every = n;
    w.start(0);
    for (int s = 0; s < 200 && !w.done(); ++s) w.run_until(w.now + 1s);
    REQUIRE(w.done());
    CHECK(w.store_calls > 100);
    CHECK(check_everyone(w, 2) == 0);
    CHECK(records_with(w, 'C') == 0);
    CHECK(records_with(w, 'I') == 0);
  }
}

TEST_CASE("memory stays flat in the campaign's size: a campaign four times larger holds no more") {
  auto peak_for = [](std::size_t recipients) {
    world w;
    w.populate(recipients, {{"A", 6}, {"B", 3}, {"C", 1}}, 8, 8);
    w.add_gateway("g1", three(), w.base);
    w.start(0);
    std::size_t peak = 0;
    for (int s = 0; s < 2000 && !w.done(); ++s) {
      w.run_until(w.now + 250ms);
      std::size_t held = 0;
      for (const auto& l : w.gateways[0]->machine->status()) held += l.queued + l.in_flight + l.uncertain;
      peak = std::max(peak, held);
    }
    REQUIRE(w.done());
    CHECK(check_everyone(w) == 0);
    return peak;
  };
  const auto small = peak_for(2000);
  const auto large = peak_for(8000);
  MESSAGE("numbers held in memory at most: " << small << " for 2,000 recipients, " << large << " for 8,000");
  CHECK(large <= small + small / 4);
  CHECK(large < 8000 / 10);
}
