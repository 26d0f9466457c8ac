// Several gateways, one Redis (docs/REDIS.md "Several gateways share a campaign"): two `loa gateway`
// processes with different names share one campaign through its chunk stream, each recipient is sent once
// and the counts are exact; when one of them is killed with -9 the other takes its chunks over once its
// heartbeat has lapsed and finishes the campaign; a chunk that cannot be read is set aside as
// poison after five deliveries, and the campaign still ends.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::file_text;
using test::occurrences;
namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

std::string csv_for(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i) csv += numbers[i] + ",Nguoi dan " + std::to_string(i) + ",all\n";
  return csv;
}

// 100 messages a second per carrier and gateway: 3,000 recipients take several seconds.
test::rig_options at_100_per_second() {
  test::rig_options o;
  o.carrier_lines = "    tps: 100\n";
  return o;
}

std::string key(const std::string& id, const std::string& what) { return "loa:{c:" + id + "}:" + what; }

// Recipients' records of campaign `id` by the gateway that claimed them (the owner's GATEWAY, "host:port").
std::map<std::string, std::int64_t> claims_by_gateway(const test::broadcast_rig& rig, const std::string& id) {
  const auto text = rig.redis.command(
      {"EVAL",
       "local n = {} for _, v in ipairs(redis.call('HVALS', KEYS[1])) do "
       "local owner = string.match(v, '^[^|]*|[^|]*|([^/|]*)') or '?' n[owner] = (n[owner] or 0) + 1 end "
       "local out = {} for k, c in pairs(n) do out[#out + 1] = k .. '=' .. c end return table.concat(out, ' ')",
       "1", key(id, "r")});
  std::map<std::string, std::int64_t> out;
  std::istringstream in(text);
  std::string item;
  while (in >> item) {
    const auto eq = item.rfind('=');
    out[item.substr(0, eq)] = std::stoll(item.substr(eq + 1));
  }
  return out;
}

// How many records the gateway listening on `port` claimed.
std::int64_t claimed_by(const std::map<std::string, std::int64_t>& by, std::uint16_t port) {
  std::int64_t n = 0;
  const auto suffix = ":" + std::to_string(port);
  for (const auto& [gateway, count] : by)
    if (gateway.size() >= suffix.size() && gateway.ends_with(suffix)) n += count;
  return n;
}

std::string describe(const std::map<std::string, std::int64_t>& by) {
  std::string out;
  for (const auto& [gateway, count] : by) out += gateway + "=" + std::to_string(count) + " ";
  return out;
}

// Chunks delivered and not acknowledged.
std::string pending_chunks(const test::broadcast_rig& rig, const std::string& id) {
  return rig.redis.command({"EVAL", "return redis.call('XPENDING', KEYS[1], 'gateways')[1]", "1", key(id, "chunks")});
}

}  // namespace

TEST_CASE("gateways: two gateways share one campaign: each recipient is sent once and the counts are exact") {
  // 100 messages a second per carrier and gateway: 3,000 recipients take several seconds, both gateways work.
  test::broadcast_rig rig(at_100_per_second());
  rig.start_gateway();
  rig.start_second_gateway();
  const auto numbers = test::test_numbers(3000);
  rig.import(csv_for(numbers));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Share test: hop to dan pho 19h"}});
  const auto s = rig.wait_finished(id, 90s);
  INFO(json::serialize(s));
  INFO("logs: ", rig.gateway_log, " ", rig.second_gateway_log);
  CHECK(s.at("state") == "done");
  CHECK(field(s, "recipients") == 3000);
  CHECK(field(s, "submitted") == 3000);
  CHECK(field(s, "delivered") == 3000);
  CHECK(field(s, "parts") == 3000);
  CHECK(field(s, "queued") == 0);
  CHECK(field(s, "pending") == 0);
  CHECK(field(s, "uncertain") == 0);
  CHECK(field(s, "resent") == 0);
  CHECK(s.at("fanout_done") == true);

  const auto got = rig.accepted("Share test");
  CHECK(got.duplicated.empty());
  CHECK(got.by_number.size() == 3000);
  CHECK(got.messages == 3000);

  // Both took a substantial share (each at least a fifth).
  const auto by = claims_by_gateway(rig, id);
  MESSAGE("claims by gateway: ", describe(by));
  CHECK(claimed_by(by, rig.http_port) >= 600);
  CHECK(claimed_by(by, rig.second_http_port) >= 600);
  CHECK(claimed_by(by, rig.http_port) + claimed_by(by, rig.second_http_port) == 3000);

  // Every chunk acknowledged once, none pending, none set aside.
  CHECK(rig.redis.command({"HGET", key(id, "meta"), "chunks"}) == "64");
  CHECK(rig.redis.command({"HGET", key(id, "meta"), "chunks_settled"}) == "64");
  CHECK(pending_chunks(rig, id) == "0");
  CHECK(rig.redis.command({"HLEN", key(id, "poison")}) == "0");
  // The receipt deadline was set by the script that settled the last chunk.
  CHECK(rig.redis.command({"ZSCORE", "loa:campaigns:receipt_deadline", id}) != "(nil)");
  CHECK(rig.redis.command({"SISMEMBER", "loa:campaigns:active", id}) == "0");

  CHECK(rig.stop_second_gateway() == 0);
  CHECK(rig.stop_gateway() == 0);
}

TEST_CASE("gateways: one of two killed with -9 mid-campaign: the other takes its chunks over and finishes") {
  auto options = at_100_per_second();
  // What the dead gateway left unanswered waits for a receipt for uncertain_grace, then is only reported.
  options.top_lines = "limits:\n  uncertain: report\n  uncertain_grace: 3s\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  rig.start_second_gateway();
  rig.import(csv_for(test::test_numbers(3000)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Takeover test"}});
  // Wait until the second gateway has claimed a fair number, then kill it.
  std::int64_t second_at_kill = 0;
  for (int i = 0; i < 600 && second_at_kill < 300; ++i) {
    std::this_thread::sleep_for(20ms);
    second_at_kill = claimed_by(claims_by_gateway(rig, id), rig.second_http_port);
  }
  REQUIRE(second_at_kill >= 300);
  rig.kill_second_gateway();
  const auto mid = rig.status(id);
  CHECK(field(mid, "submitted") < 3000);

  // Its chunks are taken over once its heartbeat lapsed (3 s); the first gateway finishes the campaign.
  const auto s = rig.wait_finished(id, 120s);
  INFO(json::serialize(s));
  INFO("logs: ", rig.gateway_log, " ", rig.second_gateway_log);
  CHECK(s.at("state") == "done");
  CHECK(field(s, "recipients") == 3000);
  CHECK(field(s, "queued") == 0);
  CHECK(field(s, "pending") == 0);
  CHECK(field(s, "failed") == 0);
  CHECK(field(s, "delivered") + field(s, "uncertain") == 3000);
  // Only what the dead gateway had in flight is uncertain (its binds' windows and a quarter more, per
  // carrier 50 + 25, twice for answers received and not yet written), and it is never sent again
  // (limits.uncertain: report).
  CHECK(field(s, "uncertain") <= 2 * (50 + 25));
  CHECK(field(s, "resent") == 0);
  const auto got = rig.accepted("Takeover test");
  CHECK(got.duplicated.empty());
  CHECK(got.messages <= 3000);
  CHECK(static_cast<std::int64_t>(got.messages) >= field(s, "delivered"));

  // The survivor took the dead gateway's chunks over (its consumer name is "host:PORT/RUN").
  const auto log = file_text(rig.gateway_log);
  const auto dead = ":" + std::to_string(rig.second_http_port) + "/";
  CHECK(log.find("took over buckets") != std::string::npos);
  CHECK(log.find(dead) != std::string::npos);
  CHECK(pending_chunks(rig, id) == "0");
  CHECK(rig.redis.command({"HGET", key(id, "meta"), "chunks_settled"}) == "64");
  const auto by = claims_by_gateway(rig, id);
  INFO("claims by gateway: ", describe(by));
  // The survivor took over the dead gateway's records it had left open (claimed, or written and unanswered:
  // at most its binds' windows and a quarter more per carrier); those it had settled stay its own.
  CHECK(claimed_by(by, rig.second_http_port) >= second_at_kill - 2 * (50 + 25));
  CHECK(claimed_by(by, rig.http_port) + claimed_by(by, rig.second_http_port) == 3000);
}

TEST_CASE("gateways: one of two stopped with SIGTERM hands its chunks back and the other goes on at once") {
  test::broadcast_rig rig(at_100_per_second());
  rig.start_gateway();
  rig.start_second_gateway();
  rig.import(csv_for(test::test_numbers(3000)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Handover test"}});
  std::int64_t second_at_stop = 0;
  for (int i = 0; i < 600 && second_at_stop < 300; ++i) {
    std::this_thread::sleep_for(20ms);
    second_at_stop = claimed_by(claims_by_gateway(rig, id), rig.second_http_port);
  }
  REQUIRE(second_at_stop >= 300);
  // A clean stop: what its binds hold is answered and recorded, its chunks acknowledged or handed back.
  CHECK(rig.stop_second_gateway() == 0);
  const auto s = rig.wait_finished(id, 60s);
  INFO(json::serialize(s));
  INFO("logs: ", rig.gateway_log, " ", rig.second_gateway_log);
  CHECK(s.at("state") == "done");
  CHECK(field(s, "recipients") == 3000);
  CHECK(field(s, "delivered") == 3000);
  CHECK(field(s, "uncertain") == 0);
  CHECK(field(s, "queued") == 0);
  const auto got = rig.accepted("Handover test");
  CHECK(got.duplicated.empty());
  CHECK(got.messages == 3000);
  CHECK(pending_chunks(rig, id) == "0");
  CHECK(rig.redis.command({"HGET", key(id, "meta"), "chunks_settled"}) == "64");
}

TEST_CASE("gateways: a chunk that cannot be read is set aside as poison after five deliveries and the campaign ends") {
  test::broadcast_rig rig;
  rig.start_gateway();
  rig.start_second_gateway();
  const auto numbers = test::test_numbers(600);
  rig.import(csv_for(numbers));
  // Bucket 650 of the ward becomes a string: the fan-out script fails on it (WRONGTYPE), every time, on
  // every gateway: the chunk of buckets 640-703 can never be read. The numbers in that chunk are not sent.
  constexpr std::uint64_t bad_bucket = 650, chunk_from = 640, chunk_to = 704;
  CHECK(rig.redis.command({"SET", "loa:{w:long-thuy}:sub:" + std::to_string(bad_bucket), "damaged"}) == "OK");
  std::set<std::string> in_chunk;
  for (const auto& n : numbers) {
    std::uint64_t value = 0;
    std::from_chars(n.data(), n.data() + n.size(), value);
    if (value % 4096 >= chunk_from && value % 4096 < chunk_to) in_chunk.insert(n);
  }
  REQUIRE(!in_chunk.empty());
  const auto expected = static_cast<std::int64_t>(numbers.size() - in_chunk.size());

  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Poison test"}});
  const auto s = rig.wait_finished(id, 60s);
  INFO(json::serialize(s));
  INFO("logs: ", rig.gateway_log, " ", rig.second_gateway_log);
  CHECK(s.at("state") == "done");
  CHECK(field(s, "recipients") == expected);
  CHECK(field(s, "delivered") == expected);
  CHECK(field(s, "queued") == 0);

  CHECK(rig.redis.command({"HLEN", key(id, "poison")}) == "1");
  const auto why = rig.redis.command({"HGET", key(id, "poison"), fmt::format("{}-{}", chunk_from, chunk_to)});
  INFO("poison record: ", why);
  CHECK(why.find("delivered 6 times") != std::string::npos);
  CHECK(why.find("WRONGTYPE") != std::string::npos);
  CHECK(pending_chunks(rig, id) == "0");
  CHECK(rig.redis.command({"HGET", key(id, "meta"), "chunks_settled"}) == "64");
  // Five failed reads, handed back each time, between the two gateways; then set aside once, with a warning.
  const auto logs = file_text(rig.gateway_log) + file_text(rig.second_gateway_log);
  CHECK(occurrences(logs, "; handed back") == 5);
  CHECK(occurrences(logs, "set aside as poison") == 1);

  const auto got = rig.accepted("Poison test");
  CHECK(got.duplicated.empty());
  CHECK(static_cast<std::int64_t>(got.messages) == expected);
  for (const auto& n : in_chunk) CHECK(got.by_number.count(n) == 0);
}
