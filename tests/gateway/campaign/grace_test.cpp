// The grace of a take-over's uncertain parts (issue 13): it counts from when the dead run marked them
// submitting (claim_result::marked_ago, by Redis's clock), not from the take-over, and no such part is sent
// again before the take-over's receipt look-up has answered. The engine is stepped by hand with a fake clock:
// the store's answers are given here, each at the time it is asked but for the look-ups, which the cases
// answer when they choose.
#include <doctest/doctest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "gateway/campaign/engine.hpp"

using namespace loa::campaign;
using namespace std::chrono_literals;

namespace {

// One gateway taking over a dead run's chunk: its numbers on carrier A, one part each, claimed as `taken`.
struct take_over {
  engine e;
  time_point now{std::chrono::hours(1000)};
  std::map<timer_id, time_point> timers;
  std::vector<routed> chunk_numbers;                    // what the chunk's one read gives
  std::map<std::string, claim_result> claims;           // per number (default: fresh)
  std::deque<action::look_up_receipts> looks;           // asked, not yet answered
  std::map<std::string, std::vector<time_point>> sent;  // number -> when each submit was written
  std::vector<outcome> recorded;
  bool chunk_given = false, read_given = false;

  static engine_settings settings() {
    engine_settings s;
    s.campaign = "7";
    s.owner = "g2/1";
    s.lanes = {{"A", 1, ""}};
    s.min_grace = 60s;  // the carrier reports no receipt delay: the grace is min_grace
    return s;
  }
  take_over() : e(settings()) {}

  void perform(engine_actions actions) {
    std::deque<engine_action> queue(actions.begin(), actions.end());  // answered in the order asked
    while (!queue.empty()) {
      auto a = std::move(queue.front());
      queue.pop_front();
      const auto more = respond(a);
      queue.insert(queue.end(), more.begin(), more.end());
    }
  }

  // The store's and the carrier's answer to one action, at `now`.
  engine_actions respond(const engine_action& act) {
    if (const auto* a = std::get_if<action::arm_timer>(&act)) {
      timers[a->id] = now + a->after;
      return {};
    }
    if (const auto* a = std::get_if<action::publish>(&act)) return e.on_published(a->request, now);
    if (const auto* a = std::get_if<action::heartbeat>(&act)) return e.on_heartbeat(a->request, now);
    if (const auto* a = std::get_if<action::check_state>(&act))
      return e.on_state(a->request, loa::broadcast::campaign_state::running, now);
    if (const auto* a = std::get_if<action::take_chunk>(&act)) {
      if (chunk_given) return e.on_chunk(a->request, std::nullopt, false, now);
      chunk_given = true;
      return e.on_chunk(a->request, chunk_grant{"1-0", 0, 1, "g1/1"}, false, now);
    }
    if (const auto* a = std::get_if<action::take_parcel>(&act))
      return e.on_parcel(a->request, std::nullopt, now);
    if (const auto* a = std::get_if<action::read>(&act)) {
      std::vector<routed> got;
      if (!read_given) got = chunk_numbers;
      read_given = true;
      return e.on_read(a->request, std::move(got), false, now);
    }
    if (const auto* a = std::get_if<action::claim>(&act)) {
      std::vector<claim_result> results;
      for (const auto& n : a->numbers) results.push_back(claims.count(n) ? claims.at(n) : claim_result{});
      return e.on_claimed(a->request, std::move(results), false, now);
    }
    if (const auto* a = std::get_if<action::mark_submitting>(&act)) return e.on_marked(a->request, {}, now);
    if (const auto* a = std::get_if<action::submit>(&act)) {
      sent[a->number].push_back(now);
      auto out =
          e.on_answer(a->token, answer{answer_kind::accepted, "m" + std::to_string(a->token), {}, ""}, now);
      const auto more = e.on_carrier("A", 1, 10, {}, now);  // the window slot is free again
      out.insert(out.end(), more.begin(), more.end());
      return out;
    }
    if (const auto* a = std::get_if<action::record>(&act)) {
      recorded.insert(recorded.end(), a->outcomes.begin(), a->outcomes.end());
      return e.on_recorded(a->request, now);
    }
    if (const auto* a = std::get_if<action::ack>(&act)) return e.on_acked(a->request, false, now);
    if (const auto* a = std::get_if<action::release>(&act)) return e.on_acked(a->request, false, now);
    if (const auto* a = std::get_if<action::keep>(&act))
      return e.on_kept(a->request, std::vector<bool>(a->entries.size(), true), now);
    if (const auto* a = std::get_if<action::look_up_receipts>(&act)) {
      looks.push_back(*a);
      return {};
    }
    FAIL("an action the take-over should not ask for (a park?)");
    return {};
  }

  // The clock moves to `until`, firing the timers that expire on the way, each at its own time.
  void advance_to(time_point until) {
    while (true) {
      std::optional<std::pair<timer_id, time_point>> next;
      for (const auto& [id, at] : timers)
        if (at <= until && (!next || at < next->second)) next = {id, at};
      if (!next) break;
      timers.erase(next->first);
      now = std::max(now, next->second);
      perform(e.on_timer(next->first, now));
    }
    now = until;
  }

  // Starts the run with carrier A bound (10 free slots): the chunk is taken, read and its numbers claimed.
  time_point begin() {
    perform(e.start(now));
    perform(e.on_carrier("A", 1, 10, {}, now));
    return now;
  }

  // Answers the oldest look-up: `found` (number -> message id) come first as receipts, then the answer.
  void answer_look_up(const std::map<std::string, std::string>& found = {}) {
    REQUIRE_FALSE(looks.empty());
    const auto look = looks.front();
    looks.pop_front();
    for (const auto& [number, id] : found) {
      engine_actions out;
      CHECK(e.on_receipt(look.carrier, number, id, now, out));
      perform(std::move(out));
    }
    perform(e.on_looked_up(look.request, now));
  }

  void uncertain(const std::string& number, duration marked_ago) {
    chunk_numbers.push_back({number, "A"});
    claim_result r;
    r.what = claim_result::kind::taken;
    r.parts = "I";
    r.marked_ago = marked_ago;
    claims[number] = r;
  }
};

}  // namespace

TEST_CASE("a take-over's uncertain part waits only what is left of its grace since it was marked") {
  take_over t;
  t.uncertain("84900000050", 50s);  // marked 50 s before the take-over: 10 s of its grace left
  t.uncertain("84900000070", 70s);  // marked 70 s before: its grace is over
  t.uncertain("84900000000", 0s);   // a 6-field record: its mark time unknown, the whole grace from now
  const auto t0 = t.begin();
  REQUIRE(t.looks.size() == 1);
  CHECK(t.looks.front().numbers.size() == 3);
  CHECK(t.sent.empty());  // nothing before the look-up answers, not even the one whose grace is over

  t.advance_to(t0 + 100ms);
  t.answer_look_up();  // nothing found
  REQUIRE(t.sent.count("84900000070") == 1);
  CHECK(t.sent["84900000070"].front() == t0 + 100ms);  // at once

  t.advance_to(t0 + 9900ms);
  CHECK(t.sent.count("84900000050") == 0);
  t.advance_to(t0 + 10500ms);
  REQUIRE(t.sent.count("84900000050") == 1);
  CHECK(t.sent["84900000050"].front() == t0 + 10s);

  t.advance_to(t0 + 59s);
  CHECK(t.sent.count("84900000000") == 0);
  t.advance_to(t0 + 61s);
  REQUIRE(t.sent.count("84900000000") == 1);
  CHECK(t.sent["84900000000"].front() == t0 + 60s);

  // Each went out once, and the lane counts them sent, none uncertain any longer.
  for (const auto& [number, times] : t.sent) CHECK_MESSAGE(times.size() == 1, number);
  CHECK(t.e.resent_total() == 3);
  CHECK(t.e.status().at(0).uncertain == 0);
}

TEST_CASE(
    "no part is sent again before the take-over's receipt look-up answers, and a receipt it finds resolves "
    "its part") {
  take_over t;
  t.uncertain("84900000001", 70s);
  t.uncertain("84900000002", 70s);
  const auto t0 = t.begin();
  REQUIRE(t.looks.size() == 1);

  // Redis slow to answer the look-up: well past both graces, still nothing sent again.
  t.advance_to(t0 + 120s);
  CHECK(t.sent.empty());
  CHECK(t.e.status().at(0).uncertain == 2);

  // It finds a receipt from 84900000002: that part was taken by the carrier, under that id.
  t.answer_look_up({{"84900000002", "dlr-2"}});
  REQUIRE(t.sent.count("84900000001") == 1);
  CHECK(t.sent["84900000001"].front() == t0 + 120s);
  t.advance_to(t0 + 300s);
  CHECK(t.sent.count("84900000002") == 0);
  CHECK(t.e.resent_total() == 1);
  const auto resolved = std::find_if(t.recorded.begin(), t.recorded.end(),
                                     [](const outcome& o) { return o.number == "84900000002"; });
  REQUIRE(resolved != t.recorded.end());
  CHECK(resolved->letter == 'S');
  CHECK(resolved->message_id == "dlr-2");
}
