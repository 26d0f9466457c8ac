// Issue 12, "approval can be skipped", end to end against real processes (broadcast_rig.hpp): a group name
// that is not the group it looks like, and an audience that grows after the send was accepted, must not
// let a large send out without a second person.
#include <doctest/doctest.h>

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <thread>

#include "tests/fixtures/redis_server.hpp"
#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::loa_cli;
namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

test::rig_options approval_above(int n, std::string carrier_lines = {}) {
  test::rig_options o;
  o.top_lines = "approval:\n  above_recipients: " + std::to_string(n) + "\n";
  o.carrier_lines = std::move(carrier_lines);
  return o;
}

std::string csv_of(const std::vector<std::string>& numbers, const std::string& groups) {
  std::string csv = "phone,name,groups\n";
  for (const auto& n : numbers) csv += n + ",," + groups + "\n";
  return csv;
}

std::string local_time_in(std::chrono::seconds from_now) {
  const auto t = std::chrono::system_clock::now() + from_now;
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  const std::time_t tt = s;
  std::tm utc{};
  gmtime_r(&tt, &utc);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return out;
}

// Numbers whose subscriber bucket (number mod 4096) lies in [first_bucket, first_bucket + 64): the fan-out
// reads buckets in order, 64 to a chunk, so these are all in one chunk. Alternately viettel and vinaphone.
std::vector<std::string> numbers_in_chunk(std::size_t count, std::uint64_t first_bucket) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < count; ++i) {
    const std::uint64_t base = i % 2 ? 84910000000ULL : 84960000000ULL;
    const std::uint64_t aligned = base - base % 4096 + 4096;
    out.push_back(std::to_string(aligned + 4096 * (i / 128) + first_bucket + (i / 2) % 64));
  }
  return out;
}

std::vector<json::object> audit_entries(test::broadcast_rig& rig, const std::string& action) {
  auto [code, doc] = rig.call(verb::get, "/v1/wards/long-thuy/audit?since=1h");
  REQUIRE(code == 200);
  std::vector<json::object> out;
  for (const auto& e : doc.at("entries").as_array())
    if (e.at("action").as_string() == action) out.push_back(e.as_object());
  return out;
}

}  // namespace

TEST_CASE("approval bypass: a group name with a control character is refused, not sent to the group") {
  test::broadcast_rig rig(approval_above(100));
  rig.start_gateway();
  rig.import(csv_of(test::test_numbers(300), "ho-gia-dinh"));

  // The attack: the estimate looked the name up as written (0 people), the stored list lost the U+001F.
  auto [code, body] = rig.call(verb::post, "/v1/campaigns",
                               json::serialize(json::object{{"ward", "long-thuy"},
                                                            {"group", "ho-gia-dinh\x1f"},
                                                            {"text", "Thong bao cat nuoc"}}));
  INFO(json::serialize(body));
  CHECK(code == 400);
  CHECK(body.at("field") == "groups");
  CHECK(body.at("error") == "groups: group \"ho-gia-dinh\\u001f\": control character U+001F");
  // ';' would split into two groups in a subscriber's record; a ward with U+001F would split the stored list.
  std::tie(code, body) = rig.call(verb::post, "/v1/campaigns",
                                  json::serialize(json::object{{"ward", "long-thuy"},
                                                               {"groups", json::array{"ho-gia-dinh;to-1"}},
                                                               {"text", "Thong bao cat nuoc"}}));
  CHECK(code == 400);
  CHECK(std::string(body.at("error").as_string()).find("';' separates groups") != std::string::npos);
  std::tie(code, body) = rig.call(verb::post, "/v1/campaigns",
                                  json::serialize(json::object{{"wards", json::array{"long-thuy\x1fkhac"}},
                                                               {"group", "ho-gia-dinh"},
                                                               {"text", "Thong bao cat nuoc"}}));
  CHECK(code == 400);
  CHECK(body.at("field") == "wards");
  // The CLI says the same, exit 1.
  auto r = loa_cli(rig, {"send", "--ward", "long-thuy", "--group", "ho-gia-dinh\x1f", "--text", "Thong bao cat nuoc",
                         "--yes"});
  CHECK(r.exit == 1);
  CHECK(r.err.find("control character U+001F") != std::string::npos);
  std::this_thread::sleep_for(1500ms);
  CHECK(rig.accepted("Thong bao cat nuoc").messages == 0);
}

TEST_CASE("approval bypass: names are checked and NFC-normalised wherever they come in") {
  test::broadcast_rig rig(approval_above(100));
  rig.start_gateway();
  const std::string nfc = "tr\xc6\xb0\xe1\xbb\x9fng-khu";        // trưởng-khu, precomposed
  const std::string nfd = "tru\xcc\x9bo\xcc\x9b\xcc\x89ng-khu";  // the same, decomposed (a Mac's keyboard)
  const auto numbers = test::test_numbers(150);
  // The CSV's groups column: NFD written, stored as NFC; a bad group makes its row invalid, naming it.
  std::string csv = csv_of(numbers, nfd);
  csv += "0912000001,,to-1;ho\x1f\n";
  const auto path = test::temp_path("loa-import") + ".csv";
  std::ofstream(path) << csv;
  auto r = loa_cli(rig, {"--json", "subscribers", "import", path, "--ward", "long-thuy"});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  auto doc = json::parse(r.out);
  CHECK(field(doc.as_object(), "imported") == 150);
  REQUIRE(doc.at("invalid").as_array().size() == 1);
  CHECK(field(doc.at("invalid").at(0).as_object(), "line") == 152);
  CHECK(doc.at("invalid").at(0).at("reason") == "groups: group \"ho\\u001f\": control character U+001F");

  // One group, whichever way it is spelled.
  auto [code, groups] = rig.call(verb::get, "/v1/wards/long-thuy/groups");
  REQUIRE(code == 200);
  REQUIRE(groups.at("groups").as_array().size() == 1);
  CHECK(groups.at("groups").at(0).at("name").as_string() == nfc);
  r = loa_cli(rig, {"--json", "subscribers", "count", "--ward", "long-thuy", "--group", nfd});
  CHECK(field(json::parse(r.out).as_object(), "count") == 150);
  // So the estimate of a send to the NFD spelling is the group's size: above 100, it waits.
  auto [sent_code, sent] = rig.call(verb::post, "/v1/campaigns",
                                    json::serialize(json::object{{"ward", "long-thuy"},
                                                                 {"group", nfd},
                                                                 {"text", "Hop truong khu 19h"}}));
  CHECK(sent_code == 201);
  CHECK(field(sent.as_object(), "estimated_recipients") == 150);
  CHECK(sent.at("state") == "awaiting_approval");
  const auto status = rig.status(std::string(sent.at("id").as_string()));
  CHECK(status.at("groups").at(0).as_string() == nfc);
  CHECK(status.at("approval_reason") == "an estimated 150 recipients > 100");

  // --group of an import (the query string), and a subscriber added with a body.
  r = loa_cli(rig, {"subscribers", "import", path, "--ward", "long-thuy", "--group", "to-1;to-2"});
  CHECK(r.exit == 1);
  CHECK(r.err.find("group \"to-1;to-2\": ';' separates groups") != std::string::npos);
  auto [add_code, added] = rig.call(verb::put, "/v1/wards/long-thuy/subscribers/0912000002",
                                    json::serialize(json::object{{"groups", json::array{"to-1\xe2\x80\x8b"}}}));
  CHECK(add_code == 400);
  CHECK(added.at("error") == "groups: group \"to-1\\u200b\": invisible character U+200B");
  r = loa_cli(rig, {"subscribers", "add", "0912000003", "--ward", "long-thuy", "--group", " to-1"});
  CHECK(r.exit == 1);
  CHECK(r.err.find("spaces before or after the name") != std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("approval bypass: a send scheduled to a group that grew past the threshold waits for an approver") {
  test::broadcast_rig rig(approval_above(100));
  rig.start_gateway();
  const auto numbers = test::test_numbers(151);
  // Scheduled while the group has one household (a group nobody is in is refused): estimate 1, no approval.
  rig.import(csv_of({numbers.front()}, "ho-moi"));
  auto [code, created] = rig.call(verb::post, "/v1/campaigns",
                                  json::serialize(json::object{{"ward", "long-thuy"},
                                                               {"group", "ho-moi"},
                                                               {"text", "Hop dan ho moi 19h"},
                                                               {"at", local_time_in(4s)}}));
  INFO(json::serialize(created));
  REQUIRE(code == 201);
  CHECK(created.at("state") == "scheduled");
  CHECK(field(created.as_object(), "estimated_recipients") == 1);
  const std::string id(created.at("id").as_string());
  // Before it is due, the group grows past approval.above_recipients.
  rig.import(csv_of(numbers, "ho-moi"));

  json::object s;
  for (int i = 0; i < 100 && (s = rig.status(id)).at("state") == "scheduled"; ++i) std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(1500ms);  // a runner, had one started, would have sent by now
  s = rig.status(id);
  CHECK(s.at("state") == "awaiting_approval");
  CHECK(s.at("approval_reason") == "the audience grew to 151 recipients > 100 after it was created");
  CHECK(field(s, "approval_recipients") == 151);
  CHECK(rig.accepted("Hop dan ho moi").messages == 0);
  const auto holds = audit_entries(rig, "held_for_approval");
  REQUIRE(holds.size() == 1);
  CHECK(holds[0].at("who") == "gateway");
  CHECK(holds[0].at("campaign").as_string() == id);
  CHECK(field(holds[0], "recipients") == 151);
  CHECK(std::string(holds[0].at("detail").as_string()).find("was scheduled") != std::string::npos);
  auto r = loa_cli(rig, {"status", id});
  CHECK(r.out.find("waits for an approver because the audience grew to 151 recipients > 100") != std::string::npos);

  // An approver releases it; the approval covers it as approved.
  CHECK(rig.call_as("demo-token-lan", verb::post, "/v1/campaigns/" + id + "/approve").first == 200);
  s = rig.wait_finished(id);
  CHECK(field(s, "delivered") == 151);
  CHECK(s.at("approved_by") == "lan");
  CHECK(rig.accepted("Hop dan ho moi").messages == 151);
}

TEST_CASE("approval bypass: an audience that grows while it is sent stops at the threshold and waits") {
  // Carriers held to 20 messages a second: the fan-out reads the first chunk's 1,200, then takes no other
  // chunk until a carrier's backlog is down to a few windows (about 17 s), leaving the group time to grow in
  // the last chunk, which it has not read yet, even on a loaded machine.
  test::broadcast_rig rig(approval_above(1300, "    tps: 20\n"));
  rig.start_gateway();
  const auto first = numbers_in_chunk(1200, 0);    // read in the first chunk
  const auto later = numbers_in_chunk(200, 4032);  // in the last chunk, read last
  rig.import(csv_of(first, "to-7"));
  const auto id = rig.send({{"group", "to-7"}, {"text", "Lich tiem chung to 7"}});
  CHECK(rig.status(id).at("state") == "running");  // 1,200: no approval needed when it was sent
  rig.import(csv_of(later, "to-7"));

  json::object s;
  for (int i = 0; i < 600 && (s = rig.status(id)).at("state") == "running"; ++i) std::this_thread::sleep_for(100ms);
  INFO(json::serialize(s));
  REQUIRE(s.at("state") == "awaiting_approval");
  CHECK(field(s, "approval_recipients") == 1400);
  // Held by whichever sees the growth first: the gateway's recount after the import, or the fan-out reading
  // the last chunk (the engine may read it before the recount runs). Both stop it at the same threshold.
  const std::string reason(s.at("approval_reason").as_string());
  CHECK((reason == "the audience grew to 1400 recipients > 1300 after it was created" ||
         reason == "the audience grew past 1300 while it was sent (1400 counted so far)"));
  // Nothing more goes out while it waits: what the binds held is answered, the rest is not claimed.
  std::this_thread::sleep_for(3s);
  const auto sent_while_waiting = rig.accepted("Lich tiem chung to 7").messages;
  CHECK(sent_while_waiting <= 1300);
  std::this_thread::sleep_for(2s);
  CHECK(rig.accepted("Lich tiem chung to 7").messages == sent_while_waiting);
  CHECK(rig.status(id).at("state") == "awaiting_approval");
  const auto holds = audit_entries(rig, "held_for_approval");
  REQUIRE(holds.size() == 1);
  CHECK(field(holds[0], "recipients") == 1400);
  CHECK(std::string(holds[0].at("detail").as_string()).find("was running") != std::string::npos);

  CHECK(rig.call_as("demo-token-lan", verb::post, "/v1/campaigns/" + id + "/approve").first == 200);
  s = rig.wait_finished(id, 150s);
  CHECK(s.at("state") == "done");
  CHECK(field(s, "delivered") == 1400);
  const auto all = rig.accepted("Lich tiem chung to 7");
  CHECK(all.messages == 1400);
  CHECK(all.duplicated.empty());
}
