// The campaign engine's store (gateway/store/engine_store.hpp) against a real redis-server: each script's
// behaviour, two runs sharing a campaign, a run's heartbeat lapsing.
#include "gateway/store/engine_store.hpp"

#include <doctest/doctest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <optional>
#include <set>
#include <thread>

#include "gateway/store/scripts.hpp"
#include "gateway/store/subscriber_store.hpp"
#include "tests/store/running_campaign.hpp"

using namespace loa;
namespace asio = boost::asio;
using namespace std::chrono_literals;
using kind = campaign::claim_result::kind;

namespace {

constexpr std::string_view id = "7";

// Campaign 7 running, its chunks published; a store per run.
struct fixture : test::running_campaign {
  fixture() : running_campaign(id) {
    auto a = run_store("gw-a/1");
    REQUIRE_FALSE(run(a.publish()));
  }
  store::engine_store run_store(std::string owner) {
    return store::engine_store(connection, {std::string(id), std::move(owner)});
  }
  template <class T>
  T run(asio::awaitable<T> work) {
    std::optional<T> result;
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e, T value) {
      if (e) std::rethrow_exception(e);
      result = std::move(value);
    });
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!result && std::chrono::steady_clock::now() < deadline) io.run_one_for(50ms);
    REQUIRE(result);
    return std::move(*result);
  }
  std::string cmd(std::vector<std::string> args) { return server.command(args); }
  std::string record(std::string_view number) {
    return cmd({"HGET", broadcast::campaign_keys::records(id), std::string(number)});
  }
  std::string meta(std::string field) { return cmd({"HGET", broadcast::campaign_keys::meta(id), field}); }

  store::chunk_answer take(store::engine_store& s) {
    store::chunk_answer a;
    REQUIRE_FALSE(run(s.take_chunk(a)));
    return a;
  }
  store::claim_answer claim(store::engine_store& s, std::vector<std::string> numbers, int parts = 1) {
    store::claim_answer a;
    REQUIRE_FALSE(run(s.claim("viettel", parts, numbers, a)));
    return a;
  }
  void beat(store::engine_store& s, campaign::duration ttl) { REQUIRE_FALSE(run(s.heartbeat(ttl))); }
};

}  // namespace

TEST_CASE("engine_store: a heartbeat writes the run's deadline and ttl 0 removes it") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  f.beat(a, 3s);
  const auto deadline = std::stoll(f.cmd({"HGET", store::engine_keys::alive(id), "gw-a/1"}));
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();  // the same machine's clock as redis-server's
  CHECK(deadline >= now + 2000);
  CHECK(deadline <= now + 4000);
  f.beat(a, 0s);
  CHECK(f.cmd({"HEXISTS", store::engine_keys::alive(id), "gw-a/1"}) == "0");
}

TEST_CASE("engine_store: new chunks, then this gateway's previous run's at once") {
  fixture f;
  auto first = f.run_store("gw-a/1");
  f.beat(first, 60s);
  const auto c1 = f.take(first);
  REQUIRE(c1.grant);
  CHECK(c1.grant->previous.empty());
  CHECK(c1.grant->from == 0);
  CHECK(c1.grant->to == broadcast::buckets_per_chunk);
  CHECK(c1.deliveries == 1);
  const auto c2 = f.take(first);  // c1's answer counted as lost: given again once
  REQUIRE(c2.grant);
  CHECK(c2.grant->entry == c1.grant->entry);
  const auto c3 = f.take(first);
  REQUIRE(c3.grant);
  CHECK(c3.grant->entry != c1.grant->entry);

  // The same gateway restarted: its previous run still beats (it died a moment ago), yet its chunks are ours.
  auto second = f.run_store("gw-a/2");
  f.beat(second, 60s);
  std::set<std::string> taken;
  for (int i = 0; i < 2; ++i) {
    const auto c = f.take(second);
    REQUIRE(c.grant);
    CHECK(c.grant->previous == "gw-a/1");
    CHECK(c.deliveries == 2);
    taken.insert(c.grant->entry);
    f.take(second);  // the once-more of the grant above
  }
  CHECK(taken == std::set<std::string>{c1.grant->entry, c3.grant->entry});
}

TEST_CASE("engine_store: a run whose heartbeat lapsed loses its chunks to another gateway's run") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  auto b = f.run_store("gw-b/1");
  f.beat(a, 300ms);
  f.beat(b, 60s);
  const auto held = f.take(a);
  REQUIRE(held.grant);
  const auto fresh = f.take(b);  // a beats: b gets a new chunk
  REQUIRE(fresh.grant);
  CHECK(fresh.grant->entry != held.grant->entry);
  CHECK(fresh.grant->previous.empty());
  f.take(b);  // the once-more of that grant
  std::this_thread::sleep_for(400ms);
  const auto over = f.take(b);
  REQUIRE(over.grant);
  CHECK(over.grant->entry == held.grant->entry);
  CHECK(over.grant->previous == "gw-a/1");

  std::vector<bool> ours;
  REQUIRE_FALSE(f.run(a.keep({held.grant->entry}, {"viettel"}, ours)));
  CHECK(ours == std::vector<bool>{false});
  REQUIRE_FALSE(f.run(b.keep({held.grant->entry, fresh.grant->entry}, {"viettel"}, ours)));
  CHECK(ours == std::vector<bool>{true, true});
}

TEST_CASE("engine_store: a released chunk is taken at once, with its error kept for the poison record") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  auto b = f.run_store("gw-b/1");
  f.beat(a, 60s);
  f.beat(b, 60s);
  const auto held = f.take(a);
  REQUIRE(held.grant);
  REQUIRE_FALSE(f.run(a.release("", held.grant->entry, "bucket 3: not a hash")));
  CHECK(f.cmd({"HGET", broadcast::campaign_keys::chunk_errors(id), "0"}) == "bucket 3: not a hash");
  const auto again = f.take(b);
  REQUIRE(again.grant);
  CHECK(again.grant->entry == held.grant->entry);
  CHECK(again.grant->previous == store::released_consumer);
  // Not a's any more: a second release changes nothing.
  REQUIRE_FALSE(f.run(a.release("", held.grant->entry, "")));
  std::vector<bool> ours;
  REQUIRE_FALSE(f.run(b.keep({held.grant->entry}, {}, ours)));
  CHECK(ours == std::vector<bool>{true});
}

TEST_CASE("engine_store: claims write C, answer busy for a live run and take over a dead run's record") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  auto b = f.run_store("gw-b/1");
  f.beat(a, 300ms);
  f.beat(b, 60s);
  auto got = f.claim(a, {"84900000001", "84900000002"}, 2);
  REQUIRE_FALSE(got.refused);
  REQUIRE(got.results.size() == 2);
  CHECK(got.results[0].what == kind::fresh);
  CHECK(f.record("84900000001").starts_with("viettel|CC|gw-a/1||"));
  CHECK(f.cmd({"HGET", broadcast::campaign_keys::counts(id), "parts"}) == "4");

  got = f.claim(a, {"84900000001"}, 2);  // asked again (a lost answer): ours as it is
  CHECK(got.results[0].what == kind::taken);
  CHECK(got.results[0].parts == "CC");
  CHECK(f.cmd({"HGET", broadcast::campaign_keys::counts(id), "parts"}) == "4");

  std::vector<std::string> refused;
  REQUIRE_FALSE(f.run(a.mark_submitting({{"84900000001", 1}}, refused)));
  CHECK(refused.empty());
  got = f.claim(b, {"84900000001", "84900000002"}, 2);
  CHECK(got.results[0].what == kind::busy);
  CHECK(got.results[1].what == kind::busy);

  std::this_thread::sleep_for(400ms);  // a's heartbeat lapses
  got = f.claim(b, {"84900000001", "84900000002"}, 2);
  REQUIRE(got.results.size() == 2);
  CHECK(got.results[0].what == kind::taken);
  CHECK(got.results[0].parts == "IC");
  CHECK(got.results[1].parts == "CC");
  CHECK(f.record("84900000001").starts_with("viettel|IC|gw-b/1||"));

  // The same gateway restarted: its previous run's records are the new run's at once, beating or not.
  f.beat(b, 60s);
  auto b2 = f.run_store("gw-b/2");
  got = f.claim(b2, {"84900000001"}, 2);
  CHECK(got.results[0].what == kind::taken);
  CHECK(f.record("84900000001").starts_with("viettel|IC|gw-b/2||"));

  // A settled record is nobody's work.
  f.cmd({"HSET", broadcast::campaign_keys::records(id), "84900000003", "viettel|SD|gw-a/1||1|2"});
  got = f.claim(b, {"84900000003"}, 2);
  CHECK(got.results[0].what == kind::settled);

  f.cmd({"HSET", broadcast::campaign_keys::meta(id), "state", "cancelled"});
  got = f.claim(b, {"84900000004"}, 2);
  CHECK(got.refused);
  CHECK(got.results.empty());
  CHECK(f.record("84900000004") == "(nil)");
}

TEST_CASE("engine_store: a taken record's I parts come with the ms since their mark, by Redis's clock") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  auto b = f.run_store("gw-b/1");
  f.beat(a, 300ms);
  f.claim(a, {"84900000001"}, 2);
  std::vector<std::string> refused;
  REQUIRE_FALSE(f.run(a.mark_submitting({{"84900000001", 1}}, refused)));
  // The mark wrote Redis's time as the record's 7th field.
  const auto marked = broadcast::parse_recipient_record(f.record("84900000001"));
  CHECK(marked.parts == "IC");
  CHECK(marked.owner == "gw-a/1");
  CHECK(marked.claimed_ms > 0);
  CHECK(marked.marked_ms >= marked.claimed_ms);
  const auto text = f.record("84900000001");
  CHECK(std::count(text.begin(), text.end(), '|') == 6);

  // A record written before marks were timed (6 fields): its mark time is unknown.
  f.cmd({"HSET", broadcast::campaign_keys::records(id), "84900000002", "viettel|IC|gw-a/1||1000|"});

  std::this_thread::sleep_for(600ms);  // a's heartbeat lapses; the marked part has waited at least this
  auto got = f.claim(b, {"84900000001", "84900000002"}, 2);
  REQUIRE(got.results.size() == 2);
  CHECK(got.results[0].what == kind::taken);
  CHECK(got.results[0].parts == "IC");
  CHECK(got.results[0].marked_ago >= 600ms);
  CHECK(got.results[0].marked_ago < 10s);
  CHECK(got.results[1].what == kind::taken);
  CHECK(got.results[1].parts == "IC");
  CHECK(got.results[1].marked_ago == campaign::duration::zero());
  // Taken over: the owner rewritten, the other fields (the mark time, or its absence) kept.
  CHECK(broadcast::parse_recipient_record(f.record("84900000001")).marked_ms == marked.marked_ms);
  CHECK(f.record("84900000001").starts_with("viettel|IC|gw-b/1||"));
  CHECK(f.record("84900000002") == "viettel|IC|gw-b/1||1000|");

  // The other scripts read and write both forms: b sends the C parts and the old record's I part again.
  REQUIRE_FALSE(f.run(b.mark_submitting({{"84900000001", 2}, {"84900000002", 1}}, refused)));
  CHECK(refused.empty());
  const auto remarked = broadcast::parse_recipient_record(f.record("84900000002"));
  CHECK(remarked.parts == "IC");
  CHECK(remarked.owner == "gw-b/1");
  CHECK(remarked.claimed_ms == 1000);
  CHECK(remarked.marked_ms >= marked.marked_ms + 600);  // sent again now: its grace counts from now
  REQUIRE_FALSE(f.run(b.record(
      {{"viettel", "84900000001", 1, 'S', "ab21", ""}, {"viettel", "84900000001", 2, 'R', "", "refused"}},
      0)));
  const auto answered = broadcast::parse_recipient_record(f.record("84900000001"));
  CHECK(answered.parts == "SR");
  CHECK(answered.reason == "refused");
  CHECK(answered.settled_ms > 0);
  CHECK(answered.marked_ms > 0);
  got = f.claim(b, {"84900000001"}, 2);
  CHECK(got.results[0].what == kind::settled);
}

TEST_CASE("engine_store: mark moves C to I only in records the run owns") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  auto b = f.run_store("gw-b/1");
  f.beat(a, 60s);
  f.claim(a, {"84900000001"}, 2);
  f.claim(b, {"84900000002"}, 1);
  std::vector<std::string> refused;
  REQUIRE_FALSE(f.run(a.mark_submitting(
      {{"84900000001", 2}, {"84900000002", 1}, {"84900000009", 1}, {"84900000002", 1}}, refused)));
  CHECK(refused == std::vector<std::string>{"84900000002", "84900000009"});
  CHECK(f.record("84900000001").starts_with("viettel|CI|gw-a/1"));
  CHECK(f.record("84900000002").starts_with("viettel|C|gw-b/1"));
  REQUIRE_FALSE(f.run(a.mark_submitting({{"84900000001", 2}}, refused)));  // again: nothing changes
  CHECK(refused.empty());
  CHECK(f.record("84900000001").starts_with("viettel|CI|gw-a/1"));
}

TEST_CASE("engine_store: record moves parts out of C, I and U and hands an unwritten I back as C") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  auto b = f.run_store("gw-b/1");
  f.claim(a, {"84900000001", "84900000002"}, 2);
  std::vector<std::string> refused;
  REQUIRE_FALSE(f.run(a.mark_submitting({{"84900000001", 1}, {"84900000001", 2}, {"84900000002", 1}}, refused)));
  // b may not hand a's part back; a may.
  REQUIRE_FALSE(f.run(b.record({{"viettel", "84900000002", 1, 'C', "", ""}}, 0)));
  CHECK(f.record("84900000002").starts_with("viettel|IC|"));
  REQUIRE_FALSE(f.run(a.record({{"viettel", "84900000002", 1, 'C', "", ""},
                                {"viettel", "84900000001", 1, 'S', "ab12", ""},
                                {"viettel", "84900000001", 2, 'U', "", "no answer"}},
                               2)));
  CHECK(f.record("84900000002").starts_with("viettel|CC|"));
  CHECK(f.record("84900000001").starts_with("viettel|SU|gw-a/1|no answer|"));
  CHECK(f.cmd({"GET", broadcast::campaign_keys::receipt("viettel", "ab12")}) == "7|84900000001|1");
  CHECK(f.cmd({"HGET", broadcast::campaign_keys::counts(id), "resent"}) == "2");
  // Applied twice, nothing changes; a late answer moves U to S.
  REQUIRE_FALSE(f.run(a.record({{"viettel", "84900000001", 1, 'R', "", "late"},
                                {"viettel", "84900000001", 2, 'S', "ab13", ""}},
                               0)));
  CHECK(f.record("84900000001").starts_with("viettel|SS|gw-a/1|no answer|"));
  // A C part refused at once (the text cannot go through the carrier).
  REQUIRE_FALSE(f.run(a.record({{"viettel", "84900000002", 2, 'R', "", "unsendable"}}, 0)));
  CHECK(f.record("84900000002").starts_with("viettel|CR|gw-a/1|unsendable|"));
}

TEST_CASE("engine_store: park gives back unwritten claims into a parcel that another run takes") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  auto b = f.run_store("gw-b/1");
  f.beat(a, 60s);
  f.beat(b, 60s);
  f.claim(a, {"84900000001", "84900000002"}, 2);
  std::vector<std::string> refused;
  REQUIRE_FALSE(f.run(a.mark_submitting({{"84900000002", 1}}, refused)));
  REQUIRE_FALSE(f.run(a.park("viettel", {"84900000001", "84900000002", "84900000003"}, 41)));
  CHECK(f.record("84900000001") == "(nil)");                    // all C: given back
  CHECK(f.record("84900000002").starts_with("viettel|IC|"));    // written: kept
  CHECK(f.cmd({"HGET", broadcast::campaign_keys::counts(id), "parts"}) == "2");
  CHECK(f.meta("parcels_open") == "1");
  REQUIRE_FALSE(f.run(a.park("viettel", {"84900000001", "84900000002", "84900000003"}, 41)));  // again
  CHECK(f.meta("parcels_open") == "1");
  CHECK(f.cmd({"XLEN", store::engine_keys::backlog(id, "viettel")}) == "1");

  std::optional<campaign::parcel_grant> parcel;
  REQUIRE_FALSE(f.run(b.take_parcel("mobifone", parcel)));
  CHECK_FALSE(parcel);
  REQUIRE_FALSE(f.run(b.take_parcel("viettel", parcel)));
  REQUIRE(parcel);
  CHECK(parcel->numbers == std::vector<std::string>{"84900000001", "84900000002", "84900000003"});
  CHECK(parcel->previous.empty());
  // b asks again (its answer was lost): the parcel it holds; a finds none.
  std::optional<campaign::parcel_grant> again;
  REQUIRE_FALSE(f.run(b.take_parcel("viettel", again)));
  REQUIRE(again);
  CHECK(again->entry == parcel->entry);
  REQUIRE_FALSE(f.run(a.take_parcel("viettel", again)));
  CHECK_FALSE(again);
  // b names the parcel it holds: it wants another, and there is none (a run may hold several).
  REQUIRE_FALSE(f.run(b.take_parcel("viettel", again, {parcel->entry})));
  CHECK_FALSE(again);

  auto got = f.claim(b, parcel->numbers, 2);
  CHECK(got.results[0].what == kind::fresh);
  CHECK(got.results[1].what == kind::busy);  // a lives and holds it
  CHECK(got.results[2].what == kind::fresh);

  bool done_now = true;
  REQUIRE_FALSE(f.run(b.ack("viettel", parcel->entry, done_now)));
  CHECK_FALSE(done_now);
  CHECK(f.meta("parcels_open") == "0");
  REQUIRE_FALSE(f.run(b.ack("viettel", parcel->entry, done_now)));  // again: counted once
  CHECK(f.meta("parcels_open") == "0");
  CHECK(f.cmd({"XLEN", store::engine_keys::backlog(id, "viettel")}) == "0");
}

TEST_CASE("engine_store: a run holds several parcels of a carrier, and a lost answer is still made good") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  f.beat(a, 60s);
  REQUIRE_FALSE(f.run(a.park("viettel", {"84900000001"}, 41)));
  REQUIRE_FALSE(f.run(a.park("viettel", {"84900000002"}, 42)));
  std::optional<campaign::parcel_grant> first, second, again;
  REQUIRE_FALSE(f.run(a.take_parcel("viettel", first)));
  REQUIRE(first);
  REQUIRE_FALSE(f.run(a.take_parcel("viettel", second, {first->entry})));  // names what it holds
  REQUIRE(second);
  CHECK(second->entry != first->entry);
  REQUIRE_FALSE(f.run(a.take_parcel("viettel", again, {first->entry})));  // second's answer lost
  REQUIRE(again);
  CHECK(again->entry == second->entry);
  REQUIRE_FALSE(f.run(a.take_parcel("viettel", again, {first->entry, second->entry})));
  CHECK_FALSE(again);
}

TEST_CASE("engine_store: a dead run's parcel is taken over") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  auto b = f.run_store("gw-b/1");
  f.beat(a, 300ms);
  REQUIRE_FALSE(f.run(a.park("viettel", {"84900000001"}, 1)));
  std::optional<campaign::parcel_grant> parcel;
  REQUIRE_FALSE(f.run(a.take_parcel("viettel", parcel)));
  REQUIRE(parcel);
  std::optional<campaign::parcel_grant> other;
  REQUIRE_FALSE(f.run(b.take_parcel("viettel", other)));
  CHECK_FALSE(other);
  std::this_thread::sleep_for(400ms);
  REQUIRE_FALSE(f.run(b.take_parcel("viettel", other)));
  REQUIRE(other);
  CHECK(other->entry == parcel->entry);
  CHECK(other->previous == "gw-a/1");
}

TEST_CASE("engine_store: the campaign is not done while a parcel is open") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  f.beat(a, 60s);
  REQUIRE_FALSE(f.run(a.park("viettel", {"84900000001"}, 1)));
  const auto chunks = std::stoull(f.meta("chunks"));
  bool done_now = false;
  std::uint64_t acked = 0;
  auto c = f.take(a);
  for (; c.grant; c = f.take(a)) {  // an acknowledged grant is not given once more
    REQUIRE_FALSE(f.run(a.ack("", c.grant->entry, done_now)));
    CHECK_FALSE(done_now);
    ++acked;
  }
  CHECK(acked == chunks);
  CHECK(f.meta("chunks_settled") == std::to_string(chunks));
  CHECK(f.meta("state") == "running");
  CHECK_FALSE(c.finished);

  std::optional<campaign::parcel_grant> parcel;
  REQUIRE_FALSE(f.run(a.take_parcel("viettel", parcel)));
  REQUIRE(parcel);
  REQUIRE_FALSE(f.run(a.ack("viettel", parcel->entry, done_now)));
  CHECK(done_now);
  CHECK(f.meta("state") == "done");
  CHECK(f.meta("fanout_done") == "1");
  CHECK(f.cmd({"SISMEMBER", std::string(broadcast::campaign_keys::active), std::string(id)}) == "0");
  CHECK(f.cmd({"ZSCORE", std::string(broadcast::campaign_keys::receipt_deadlines), std::string(id)}) != "(nil)");
  c = f.take(a);
  CHECK(c.finished);
  REQUIRE_FALSE(f.run(a.ack("viettel", parcel->entry, done_now)));  // asked again after a lost answer
  CHECK(done_now);

  std::optional<broadcast::campaign_state> state;
  REQUIRE_FALSE(f.run(a.check_state(state)));
  CHECK(state == broadcast::campaign_state::done);
}

TEST_CASE("engine_store: an unmatched receipt is found by its carrier and source, and applied once recorded") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  f.claim(a, {"84900000001"}, 1);
  std::vector<std::string> refused;
  REQUIRE_FALSE(f.run(a.mark_submitting({{"84900000001", 1}}, refused)));  // written; its answer is lost

  std::vector<std::size_t> unmatched, mismatched;
  REQUIRE_FALSE(f.run(store::engine_store::apply_receipts(
      f.connection,
      {{"viettel", "ff01", 'D', "", "84900000001"}, {"viettel", "ff02", 'D', "", ""},
       {"mobifone", "ff03", 'D', "", "84900000001"}},
      unmatched, mismatched)));
  CHECK(unmatched == std::vector<std::size_t>{0, 1, 2});

  std::vector<store::receipt_found> found;
  REQUIRE_FALSE(f.run(a.look_up_receipts("viettel", {"84900000001", "84900000002"}, found)));
  REQUIRE(found.size() == 1);
  CHECK(found[0].number == "84900000001");
  CHECK(found[0].message_id == "ff01");

  // The engine records the part S under that id: the held receipt is applied.
  REQUIRE_FALSE(f.run(a.record({{"viettel", "84900000001", 1, 'S', "ff01", ""}}, 0)));
  CHECK(f.record("84900000001").starts_with("viettel|D|gw-a/1"));
  REQUIRE_FALSE(f.run(a.look_up_receipts("viettel", {"84900000001"}, found)));
  CHECK(found.empty());
  CHECK(f.cmd({"SCARD", store::engine_keys::receipts_from("viettel", "84900000001")}) == "0");

  // A receipt held under an id the engine records for another number came from another handset: dropped.
  f.claim(a, {"84900000002"}, 1);
  REQUIRE_FALSE(f.run(a.mark_submitting({{"84900000002", 1}}, refused)));
  REQUIRE_FALSE(f.run(store::engine_store::apply_receipts(f.connection, {{"viettel", "ff04", 'D', "", "84900000009"}},
                                                          unmatched, mismatched)));
  std::vector<std::string> dropped;
  REQUIRE_FALSE(f.run(a.record({{"viettel", "84900000002", 1, 'S', "ff04", ""}}, 0, &dropped)));
  CHECK(dropped == std::vector<std::string>{"viettel"});
  CHECK(f.record("84900000002").starts_with("viettel|S|gw-a/1"));
}

TEST_CASE("engine_store: a campaign settled while held for approval is done at its next take once running") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  f.beat(a, 60s);
  std::vector<std::string> held;
  for (auto c = f.take(a); c.grant; c = f.take(a))
    if (held.empty() || held.back() != c.grant->entry) held.push_back(c.grant->entry);
  f.cmd({"HSET", broadcast::campaign_keys::meta(id), "state", "awaiting_approval"});
  bool done_now = true;
  for (const auto& e : held) {
    REQUIRE_FALSE(f.run(a.ack("", e, done_now)));
    CHECK_FALSE(done_now);
  }
  CHECK(f.meta("chunks_settled") == f.meta("chunks"));
  f.cmd({"HSET", broadcast::campaign_keys::meta(id), "state", "running"});  // approved
  auto c = f.take(a);
  CHECK_FALSE(c.grant);
  CHECK(c.finished);
  CHECK(f.meta("state") == "done");
}

TEST_CASE("engine_store: a read gives the buckets' numbers, and a damaged bucket as a failure, not an error") {
  fixture f;
  auto a = f.run_store("gw-a/1");
  broadcast::campaign_spec spec;
  spec.id = std::string(id);
  spec.wards = {"w1"};
  f.cmd({"HSET", broadcast::keys::bucket("w1", std::uint64_t{5}), "84900000005", "\x1f"});
  f.cmd({"HSET", broadcast::keys::bucket("w1", std::uint64_t{7}), "84900000007", "\x1f"});
  store::read_answer got;
  REQUIRE_FALSE(f.run(a.read(spec, 0, 8, -1, got)));
  CHECK(got.failed.empty());
  CHECK_FALSE(got.held);
  CHECK(got.numbers == std::vector<std::string>{"84900000005", "84900000007"});

  f.cmd({"SET", broadcast::keys::bucket("w1", std::uint64_t{9}), "not a hash"});
  REQUIRE_FALSE(f.run(a.read(spec, 8, 16, -1, got)));
  CHECK(got.numbers.empty());
  CHECK(got.failed.starts_with("reading buckets 8-15: "));
  CHECK(got.failed.find("WRONGTYPE") != std::string::npos);
}

namespace {

// The `k`th number (k >= 0) whose bucket is `bucket` (a number's bucket is its value modulo the ward's buckets).
std::string number_in_bucket(std::uint64_t bucket, std::uint64_t k) {
  const std::uint64_t base = 84900000000 - 84900000000 % broadcast::buckets_per_ward + broadcast::buckets_per_ward;
  return std::to_string(base + k * broadcast::buckets_per_ward + bucket);
}

// Gateway gw-a crashes and restarts again and again: run `n` takes what run n - 1 held, at once.
struct crashing_gateway {
  explicit crashing_gateway(fixture& on) : f(on) {}
  fixture& f;
  int n = 0;
  std::optional<store::engine_store> run;
  store::chunk_answer take_next() {
    run.emplace(f.run_store("gw-a/" + std::to_string(++n)));
    f.beat(*run, 60s);
    return f.take(*run);
  }
};

}  // namespace

TEST_CASE("engine_store: a chunk whose holdings keep failing without progress is set aside after the bound") {
  // The rule is there for the chunk that crashes every gateway taking it: without it the campaign never ends.
  fixture f;
  crashing_gateway gw(f);
  const auto held_before = number_in_bucket(3, 0);  // claimed by a run before these, never written
  f.cmd({"HSET", broadcast::campaign_keys::records(id), held_before, "viettel|C|gw-a/0||1|"});
  std::string entry;
  for (int delivery = 1; delivery <= 5; ++delivery) {
    const auto c = gw.take_next();
    REQUIRE(c.grant);
    CHECK(c.set_aside.empty());
    CHECK(c.deliveries == static_cast<std::uint64_t>(delivery));
    if (delivery == 1) entry = c.grant->entry;
    CHECK(c.grant->entry == entry);
    CHECK(c.grant->from == 0);
    if (delivery == 2) {  // handed back with an error
      REQUIRE_FALSE(f.run(gw.run->release("", entry, "bucket 3: not a hash")));
    } else if (delivery == 3) {  // took over a claimed number, marked it, died before its answer
      const auto got = f.claim(*gw.run, {held_before});
      REQUIRE(got.results.size() == 1);
      CHECK(got.results[0].what == kind::taken);
      std::vector<std::string> refused;
      REQUIRE_FALSE(f.run(gw.run->mark_submitting({{held_before, 1}}, refused)));
      CHECK(refused.empty());
    }  // else: died before reading it to its end
  }
  const auto c = gw.take_next();
  REQUIRE(c.set_aside.size() == 1);
  CHECK(c.set_aside[0].from == 0);
  CHECK(c.set_aside[0].to == broadcast::buckets_per_chunk);
  INFO(c.set_aside[0].why);
  CHECK(c.set_aside[0].why.find("delivered 6 times, 5 failed holdings since its last progress") !=
        std::string::npos);
  CHECK(c.set_aside[0].why.find("bucket 3: not a hash") != std::string::npos);
  REQUIRE(c.grant);
  CHECK(c.grant->entry != entry);  // the next chunk instead
  CHECK(f.cmd({"HLEN", broadcast::campaign_keys::poison(id)}) == "1");
  CHECK(f.meta("chunks_settled") == "1");
}

TEST_CASE("engine_store: a chunk that makes progress between crashes is never set aside, however many") {
  fixture f;
  crashing_gateway gw(f);
  std::string entry;
  std::vector<std::string> claimed;
  for (int delivery = 1; delivery <= 25; ++delivery) {
    const auto c = gw.take_next();
    REQUIRE(c.grant);
    CHECK(c.set_aside.empty());
    CHECK(c.deliveries == static_cast<std::uint64_t>(delivery));
    if (delivery == 1) entry = c.grant->entry;
    CHECK(c.grant->entry == entry);
    // Four crashes in a row with nothing done, then one holding that gets something done before its crash:
    // a number claimed for the first time, or (every other time) an answer recorded.
    if (delivery % 5 != 0) continue;
    if (delivery % 10 == 5 || claimed.empty()) {
      const auto n = number_in_bucket(static_cast<std::uint64_t>(delivery) % broadcast::buckets_per_chunk,
                                      static_cast<std::uint64_t>(delivery));
      CHECK(f.claim(*gw.run, {n}).results.at(0).what == kind::fresh);
      claimed.push_back(n);
    } else {
      std::vector<std::string> refused;
      f.claim(*gw.run, {claimed.back()});
      REQUIRE_FALSE(f.run(gw.run->mark_submitting({{claimed.back(), 1}}, refused)));
      REQUIRE_FALSE(f.run(gw.run->record({{"viettel", claimed.back(), 1, 'S', "id" + claimed.back(), ""}}, 0)));
      CHECK(f.record(claimed.back()).starts_with("viettel|S|"));
    }
  }
  CHECK(f.cmd({"HLEN", broadcast::campaign_keys::poison(id)}) == "0");
  CHECK(f.meta("chunks_settled") == "0");
}

TEST_CASE("engine_store: holdings that read a chunk to its end and only wait neither fail nor start the count again") {
  fixture f;
  crashing_gateway gw(f);
  broadcast::campaign_spec spec;
  spec.id = std::string(id);
  spec.wards = {"w1"};
  f.cmd({"HSET", broadcast::keys::bucket("w1", std::uint64_t{5}), number_in_bucket(5, 0), "\x1f"});
  store::read_answer got;
  std::string entry;
  // 1-3: died before reading it to its end (2 read its first buckets only); 4-13: read it all, then waited
  // (for the grace of parts written before a crash) and died; 14-15: died before reading it to its end.
  for (int delivery = 1; delivery <= 15; ++delivery) {
    const auto c = gw.take_next();
    REQUIRE(c.grant);
    CHECK(c.set_aside.empty());
    if (delivery == 1) entry = c.grant->entry;
    CHECK(c.grant->entry == entry);
    if (delivery == 2) REQUIRE_FALSE(f.run(gw.run->read(spec, 0, 8, -1, got)));
    if (delivery >= 4 && delivery <= 13) {
      REQUIRE_FALSE(f.run(gw.run->read(spec, 0, 8, -1, got)));
      REQUIRE_FALSE(f.run(gw.run->read(spec, 8, broadcast::buckets_per_chunk, -1, got)));
      CHECK(got.failed.empty());
    }
  }
  const auto c = gw.take_next();
  REQUIRE(c.set_aside.size() == 1);
  INFO(c.set_aside[0].why);
  CHECK(c.set_aside[0].why.find("delivered 16 times, 5 failed holdings since") != std::string::npos);
}

namespace {

// What a kill -9 of run gw-a/1 between an answer's calls leaves: `number`'s part 1 answered (S) with
// `message_id`, its receipt mapping still to write (in the campaign's slot), and its receipt come meanwhile,
// held. Returns the mapping's key.
std::string answered_unmapped_receipt_held(fixture& f, const std::string& number, const std::string& message_id) {
  auto first = f.run_store("gw-a/1");
  f.beat(first, 60s);
  REQUIRE(f.take(first).grant);
  const auto mapping = broadcast::campaign_keys::receipt("viettel", message_id);
  f.cmd({"HSET", broadcast::campaign_keys::records(id), number, "viettel|S|gw-a/1||1|"});
  f.cmd({"HSET", broadcast::campaign_keys::mappings_to_write(id), mapping, number + "|1|viettel"});
  f.cmd({"SET", mapping + ":held", "D|" + number + "|"});
  return mapping;
}

}  // namespace

TEST_CASE("engine_store: mappings a dead run recorded but never wrote are written by the run that takes its chunk") {
  // The answers are recorded in the campaign's slot and their receipt mappings written in their own, a call
  // later (Redis Cluster): a kill -9 in between leaves the mapping pending in the campaign's slot.
  fixture f;
  const std::string number = "84961000001";
  const auto mapping = answered_unmapped_receipt_held(f, number, "m-1");

  auto second = f.run_store("gw-a/2");  // the same gateway restarted
  f.beat(second, 60s);
  const auto over = f.take(second);
  REQUIRE(over.grant);
  CHECK(over.grant->previous == "gw-a/1");
  CHECK(f.cmd({"GET", mapping}) == std::string(id) + "|" + number + "|1");
  CHECK(f.record(number).substr(0, 10) == "viettel|D|");
  CHECK(f.cmd({"EXISTS", mapping + ":held"}) == "0");
  CHECK(f.cmd({"HLEN", broadcast::campaign_keys::mappings_to_write(id)}) == "0");
}

TEST_CASE("engine_store: a held receipt read by a run killed before applying it is applied by the run that takes over") {
  // map_receipt (the mapping's slot) and apply_receipts (the campaign's) are two calls: a kill -9 between them
  // once left the held receipt deleted and never applied, its part pending for ever.
  fixture f;
  const std::string number = "84961000002";
  const auto mapping = answered_unmapped_receipt_held(f, number, "m-2");
  // The dead run's map_receipt call, and then nothing: killed.
  f.cmd({"EVAL", std::string(store::scripts::map_receipt.text), "2", mapping, mapping + ":held",
         std::string(id) + "|" + number + "|1", "3600"});
  CHECK(f.record(number).substr(0, 10) == "viettel|S|");

  auto second = f.run_store("gw-a/2");
  f.beat(second, 60s);
  REQUIRE(f.take(second).grant);
  CHECK(f.record(number).substr(0, 10) == "viettel|D|");
  CHECK(f.cmd({"EXISTS", mapping + ":held"}) == "0");
  CHECK(f.cmd({"HLEN", broadcast::campaign_keys::mappings_to_write(id)}) == "0");
}
