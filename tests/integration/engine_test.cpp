// The campaign engine end to end (docs/ENGINE.md), with the real gateway, Redis and simulators: each
// carrier's lane goes at its own pace, a carrier that is down or throttles holds back only its own recipients
// (parked in Redis, its lane in the status says why), and of two gateways a killed one's work is taken over
// within seconds, a stopped one's handed back at once. No recipient is lost; none is sent twice except parts
// sent again because their answer was lost (counted in `resent`).
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <functional>
#include <thread>

#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::file_text;
namespace json = boost::json;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

std::string csv_for(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i)
    csv += numbers[i] + ",Nguoi dan " + std::to_string(i) + ",all\n";
  return csv;
}

// `viettel` numbers of viettel (8496...) and `vinaphone` of vinaphone (8491...).
std::vector<std::string> numbers_of(std::size_t viettel, std::size_t vinaphone) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < viettel; ++i) out.push_back(fmt::format("8496{:07}", 1000000 + i * 7));
  for (std::size_t i = 0; i < vinaphone; ++i) out.push_back(fmt::format("8491{:07}", 1000000 + i * 7));
  return out;
}

// A count of one carrier in the status's by_carrier (0 before it has any).
std::int64_t of_carrier(const json::object& s, const std::string& carrier, const std::string& name) {
  const auto* by = s.if_contains("by_carrier");
  if (!by || !by->is_object()) return 0;
  const auto* c = by->as_object().if_contains(carrier);
  return c && c->is_object() ? field(c->as_object(), name) : 0;
}

// The carrier's lane in the status's lanes, or nullptr.
const json::object* lane_of(const json::object& s, const std::string& carrier) {
  const auto* lanes = s.if_contains("lanes");
  if (!lanes || !lanes->is_array()) return nullptr;
  for (const auto& l : lanes->as_array())
    if (l.is_object() && l.as_object().if_contains("carrier") &&
        l.as_object().at("carrier") == carrier.c_str())
      return &l.as_object();
  return nullptr;
}

// Parts the answering gateway's lanes hold uncertain (written, answer lost: waiting for a receipt or the grace).
std::int64_t lanes_uncertain(const json::object& s) {
  const auto* lanes = s.if_contains("lanes");
  if (!lanes || !lanes->is_array()) return 0;
  std::int64_t n = 0;
  for (const auto& l : lanes->as_array())
    if (l.is_object()) n += field(l.as_object(), "uncertain");
  return n;
}

std::string waiting_reason(const json::object& s, const std::string& carrier) {
  const auto* l = lane_of(s, carrier);
  if (!l || !l->at("waiting_reason").is_string()) return {};
  return std::string(l->at("waiting_reason").as_string());
}

// Polls the status until `done` says so (bounded); the last status.
json::object poll_until(test::broadcast_rig& rig, const std::string& id,
                        const std::function<bool(const json::object&)>& done, std::chrono::seconds limit,
                        const std::function<void(const json::object&)>& each = {}) {
  const auto until = clock_type::now() + limit;
  json::object s;
  while (clock_type::now() < until) {
    if (rig.try_status(id, s)) {
      if (each) each(s);
      if (done(s)) return s;
    }
    std::this_thread::sleep_for(50ms);
  }
  return s;
}

std::string key(const std::string& id, const std::string& what) {
  return "loa:{c:" + id + "}:" + what;
}

// Records of campaign `id` claimed by the gateway listening on `port` (owners are "host:PORT/RUN").
std::int64_t claimed_by(const test::broadcast_rig& rig, const std::string& id, std::uint16_t port) {
  const auto n = rig.redis.command({"EVAL",
                                    "local n = 0 for _, v in ipairs(redis.call('HVALS', KEYS[1])) do "
                                    "if string.find(v, ARGV[1], 1, true) then n = n + 1 end end return n",
                                    "1", key(id, "r"), fmt::format(":{}/", port)});
  return std::stoll(n);
}

test::rig_options at_100_per_second() {
  test::rig_options o;
  o.carrier_lines = "    tps: 100\n";
  return o;
}

// Both gateways run a campaign of 3,000 recipients with `text`; returns once the second has claimed 300.
std::string shared_by_two(test::broadcast_rig& rig, const std::string& text) {
  rig.start_gateway();
  rig.start_second_gateway();
  rig.import(csv_for(test::test_numbers(3000)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", text}});
  std::int64_t second = 0;
  for (int i = 0; i < 600 && second < 300; ++i) {
    std::this_thread::sleep_for(20ms);
    second = claimed_by(rig, id, rig.second_http_port);
  }
  REQUIRE(second >= 300);
  return id;
}

void check_nothing_lost(const json::object& s, std::int64_t recipients) {
  INFO(json::serialize(s));
  CHECK(s.at("state") == "done");
  CHECK(field(s, "recipients") == recipients);
  CHECK(field(s, "queued") == 0);
  CHECK(field(s, "pending") == 0);
  CHECK(field(s, "failed") == 0);
  CHECK(field(s, "delivered") + field(s, "uncertain") == recipients);
}

}  // namespace

// Viettel's 900 take 3 s at its pace, vinaphone's 200 take 20 s at its own.
test::rig_options uneven_rig() {
  test::rig_options o;
  o.viettel_lines = "    tps: 300\n";
  o.vinaphone_lines = "    tps: 10\n";
  return o;
}

TEST_CASE("engine: uneven shares: each carrier's recipients all go, once, each at its carrier's pace") {
  test::broadcast_rig rig(uneven_rig());
  rig.start_gateway();
  rig.import(csv_for(numbers_of(900, 200)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Uneven shares"}});
  const auto mid = poll_until(
      rig, id, [](const json::object& s) { return of_carrier(s, "viettel", "submitted") >= 900; }, 60s);
  INFO(json::serialize(mid));
  INFO("log: ", rig.gateway_log);
  REQUIRE(of_carrier(mid, "viettel", "submitted") == 900);
  MESSAGE("when viettel's 900 were submitted, vinaphone had ", of_carrier(mid, "vinaphone", "submitted"),
          " of 200 (10/s)");
  REQUIRE(lane_of(mid, "vinaphone") != nullptr);
  // The lane counts what it wrote to the bind, the status what Redis recorded as answered: read in one GET
  // but not at one instant, so the lane may be ahead by what is in flight.
  const auto lane = *lane_of(mid, "vinaphone");
  CHECK(field(lane, "sent") >= of_carrier(mid, "vinaphone", "submitted"));
  CHECK(field(lane, "sent") <= of_carrier(mid, "vinaphone", "submitted") + field(lane, "in_flight"));

  const auto s = rig.wait_finished(id, 90s);
  check_nothing_lost(s, 1100);
  CHECK(field(s, "delivered") == 1100);
  const auto got = rig.accepted("Uneven shares");
  CHECK(got.duplicated.empty());
  CHECK(got.messages == 1100);
}

// With a few slow-lane numbers in each chunk, the slow lane pins the chunks held until it sends them; once
// it has pinned them for pin_after while viettel waits for work, it parks what chunks give it and sends from
// its parcels (docs/ENGINE.md "Slow lanes"), so viettel's 900 go at viettel's pace.
TEST_CASE("engine: uneven shares: the fast carrier is not held back by the slow one") {
  test::broadcast_rig rig(uneven_rig());
  rig.start_gateway();
  rig.import(csv_for(numbers_of(900, 200)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Uneven pace"}});
  const auto mid = poll_until(
      rig, id, [](const json::object& s) { return of_carrier(s, "viettel", "submitted") >= 900; }, 60s);
  INFO(json::serialize(mid));
  REQUIRE(of_carrier(mid, "viettel", "submitted") == 900);
  CHECK(of_carrier(mid, "vinaphone", "submitted") < 150);
}

TEST_CASE("engine: a carrier that is down holds back only its own recipients, parked until it binds") {
  test::rig_options o;
  o.vinaphone_args = {"--refuse-binds-ms", "12000"};  // down for the first 12 s
  test::broadcast_rig rig(o);
  rig.start_gateway_unbound();
  rig.import(csv_for(numbers_of(300, 100)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "One carrier down"}});
  const auto mid = poll_until(
      rig, id, [](const json::object& s) { return of_carrier(s, "viettel", "delivered") >= 300; }, 60s);
  INFO(json::serialize(mid));
  INFO("log: ", rig.gateway_log);
  REQUIRE(of_carrier(mid, "viettel", "delivered") == 300);
  if (of_carrier(mid, "vinaphone", "submitted") == 0) {  // still down (the machine may have been very slow)
    CHECK(mid.at("state") == "running");
    CHECK(waiting_reason(mid, "vinaphone") == "not bound");
    const auto* lane = lane_of(mid, "vinaphone");
    REQUIRE(lane != nullptr);
    CHECK(field(*lane, "parked") + field(*lane, "queued") == 100);
    CHECK(lane->at("waiting_since").is_string());
  }
  // Once it binds, its parked recipients go out.
  const auto s = rig.wait_finished(id, 90s);
  check_nothing_lost(s, 400);
  CHECK(field(s, "delivered") == 400);
  const auto got = rig.accepted("One carrier down");
  CHECK(got.duplicated.empty());
  CHECK(got.messages == 400);
}

TEST_CASE("engine: a carrier that throttles holds back only its own lane, which says so") {
  test::rig_options o;
  o.vinaphone_args = {"--tps", "10"};  // the gateway is configured for 200/s: most submits are throttled
  o.vinaphone_lines = "    tps: 200\n";
  test::broadcast_rig rig(o);
  rig.start_gateway();
  rig.import(csv_for(numbers_of(400, 100)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Throttling carrier"}});
  bool seen_throttled = false;
  const auto mid = poll_until(
      rig, id, [](const json::object& s) { return of_carrier(s, "viettel", "delivered") >= 400; }, 60s,
      [&](const json::object& s) {
        seen_throttled |= waiting_reason(s, "vinaphone") == "throttled by the carrier";
      });
  INFO(json::serialize(mid));
  INFO("log: ", rig.gateway_log);
  REQUIRE(of_carrier(mid, "viettel", "delivered") == 400);
  CHECK(of_carrier(mid, "vinaphone", "submitted") < 100);
  const auto s = poll_until(
      rig, id, [](const json::object& x) { return x.at("state") == "done" && field(x, "pending") == 0; }, 90s,
      [&](const json::object& x) {
        seen_throttled |= waiting_reason(x, "vinaphone") == "throttled by the carrier";
      });
  CHECK(seen_throttled);
  check_nothing_lost(s, 500);
  CHECK(field(s, "delivered") == 500);
  CHECK(rig.accepted("Throttling carrier").duplicated.empty());
}

TEST_CASE(
    "engine: of two gateways one killed with -9: the survivor takes its work over within 5 s, nothing lost") {
  test::broadcast_rig rig(at_100_per_second());
  const auto id = shared_by_two(rig, "Engine takeover");
  rig.kill_second_gateway();
  const auto killed = clock_type::now();
  const auto dead = fmt::format(":{}/", rig.second_http_port);
  std::optional<double> took_over_s;
  while (!took_over_s && clock_type::now() - killed < 30s) {
    const auto log = file_text(rig.gateway_log);
    for (auto at = log.find("took over"); at != std::string::npos; at = log.find("took over", at + 1))
      if (log.find(dead, at) < log.find('\n', at))
        took_over_s = std::chrono::duration<double>(clock_type::now() - killed).count();
    std::this_thread::sleep_for(50ms);
  }
  INFO("logs: ", rig.gateway_log, " ", rig.second_gateway_log);
  REQUIRE(took_over_s.has_value());
  MESSAGE("the survivor took the dead gateway's work over after ", *took_over_s, " s");
  CHECK(*took_over_s <= 5.0);

  // The survivor goes on at once: the parts the dead gateway left written (or marked) and unanswered wait
  // for a receipt or their grace (limits.uncertain_grace, 1 min) beside the chunks it reads, not in their
  // place. Well within that minute every other recipient is delivered.
  const auto rest = poll_until(
      rig, id, [](const json::object& x) { return field(x, "delivered") + lanes_uncertain(x) >= 3000; }, 40s);
  const auto rest_s = std::chrono::duration<double>(clock_type::now() - killed).count();
  INFO(json::serialize(rest));
  CHECK(field(rest, "delivered") + lanes_uncertain(rest) == 3000);
  MESSAGE("all but the ", lanes_uncertain(rest), " uncertain parts delivered ", rest_s,
          " s after the kill (grace 60 s)");

  const auto s = rig.wait_finished(id, 120s);
  MESSAGE("campaign done ", std::chrono::duration<double>(clock_type::now() - killed).count(),
          " s after the kill; resent ", field(s, "resent"));
  check_nothing_lost(s, 3000);
  // Sent twice only what was written when the gateway died and sent again after the grace period.
  const auto got = rig.accepted("Engine takeover");
  MESSAGE("received twice: ", got.duplicated.size());
  CHECK(static_cast<std::int64_t>(got.duplicated.size()) <= field(s, "resent"));
  CHECK(got.by_number.size() == 3000);
}

TEST_CASE("engine: of two gateways one stopped with SIGTERM: it hands its work back at once, nothing lost") {
  test::broadcast_rig rig(at_100_per_second());
  const auto id = shared_by_two(rig, "Engine handover");
  CHECK(rig.stop_second_gateway() == 0);
  // Gone: no heartbeat left, no chunk or parcel still held by it.
  const auto mine = fmt::format(":{}/", rig.second_http_port);
  const auto alive = rig.redis.command(
      {"EVAL", "return table.concat(redis.call('HKEYS', KEYS[1]), ' ')", "1", key(id, "alive")});
  INFO("alive: ", alive);
  CHECK(alive.find(mine) == std::string::npos);
  const auto holders = rig.redis.command(
      {"EVAL",
       "local out = {} for _, c in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], 'gateways')) do "
       "if c[4] > 0 then out[#out + 1] = c[2] end end return table.concat(out, ' ')",
       "1", key(id, "chunks")});
  INFO("chunks held by: ", holders);
  CHECK(holders.find(mine) == std::string::npos);

  const auto s = rig.wait_finished(id, 60s);
  INFO("logs: ", rig.gateway_log, " ", rig.second_gateway_log);
  check_nothing_lost(s, 3000);
  CHECK(field(s, "delivered") == 3000);
  CHECK(field(s, "uncertain") == 0);
  const auto got = rig.accepted("Engine handover");
  CHECK(got.duplicated.empty());
  CHECK(got.messages == 3000);
}
