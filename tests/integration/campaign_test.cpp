// Campaigns end to end against real processes (tests/integration/broadcast_rig.hpp): every subscriber of the
// groups gets the notice once, receipts are matched across carriers and id bases, and nothing is lost or sent
// twice by accident when the gateway is killed, a carrier drops its bind or Redis restarts.
#include <doctest/doctest.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <boost/json.hpp>

#include <csignal>
#include <fstream>
#include <set>
#include <thread>

#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::loa_cli;
namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

const std::string notice =
    "UBND phường Long Thủy thông báo: Lịch tiêm chủng vắc xin sởi - rubella cho trẻ từ 1 đến 5 tuổi vào thứ "
    "Hai 23/11/2026, 7h30 tại Trạm Y tế phường. Mang theo sổ tiêm chủng.";

// CSV rows for `numbers`, each in group "all" and, by position, in "even" or "odd".
std::string csv_for(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i)
    csv += numbers[i] + ",Người dân " + std::to_string(i) + ",all;" + (i % 2 ? "odd" : "even") + "\n";
  return csv;
}

// The records of `id` that are not settled, as "number=record" lines (for failure messages).
std::string unsettled(const test::broadcast_rig& rig, const std::string& id) {
  return rig.redis.command(
      {"EVAL",
       "local kv = redis.call('HGETALL', KEYS[1]) local out = {} "
       "for i = 1, #kv, 2 do if string.find(kv[i + 1], '|[^|]*[CIS][^|]*|') then "
       "out[#out + 1] = kv[i] .. '=' .. kv[i + 1] end end return table.concat(out, ' ')",
       "1", "loa:{c:" + id + "}:r"});
}

// Every recipient ends delivered or uncertain; none is queued or pending; the counts add up.
void check_settled(const test::broadcast_rig& rig, const std::string& id, const json::object& s,
                   std::int64_t recipients) {
  INFO(json::serialize(s));
  INFO("not settled: ", unsettled(rig, id));
  INFO("gateway log: ", rig.gateway_log);
  CHECK(s.at("state") == "done");
  CHECK(field(s, "recipients") == recipients);
  CHECK(field(s, "queued") == 0);
  CHECK(field(s, "pending") == 0);
  CHECK(field(s, "failed") == 0);
  CHECK(field(s, "delivered") + field(s, "uncertain") == recipients);
}

// Quiet hours from two hours ago to two hours ahead (Vietnam time): now is inside them.
std::string quiet_now() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto minute = (std::chrono::duration_cast<std::chrono::minutes>(now).count() + 7 * 60) % 1440;
  auto hhmm = [](long m) {
    m = (m % 1440 + 1440) % 1440;
    return fmt::format("{:02}:{:02}", m / 60, m % 60);
  };
  return fmt::format("  quiet_hours: {{ from: \"{}\", to: \"{}\" }}\n", hhmm(minute - 120), hhmm(minute + 120));
}

}  // namespace

TEST_CASE("broadcast: a notice reaches every subscriber of the groups once: opted-out numbers are skipped") {
  test::broadcast_rig rig;
  rig.start_gateway();
  const auto numbers = test::test_numbers(300);
  rig.import(csv_for(numbers));
  // Three numbers opt out, one of them only in "odd": the union of the groups still skips it.
  for (const auto& n : {numbers[0], numbers[1], numbers[7]})
    CHECK(rig.call(verb::post, "/v1/subscribers/" + n + "/optout").first == 200);

  const auto id = rig.send({{"groups", json::array{"even", "odd"}}, {"text", notice}});
  const auto s = rig.wait_finished(id);
  INFO(json::serialize(s));
  CHECK(s.at("state") == "done");
  CHECK(field(s, "recipients") == 297);
  CHECK(field(s, "skipped_optout") == 3);
  CHECK(field(s, "submitted") == 297);
  CHECK(field(s, "delivered") == 297);
  CHECK(field(s, "queued") == 0);
  CHECK(field(s, "pending") == 0);
  CHECK(field(s, "parts") == 297 * 3);
  // Routed by prefix; receipts matched on both carriers (vinaphone's receipts write ids in decimal).
  const auto& by = s.at("by_carrier").as_object();
  CHECK(field(by.at("viettel").as_object(), "delivered") == 149);    // 150 even positions, one opted out
  CHECK(field(by.at("vinaphone").as_object(), "delivered") == 148);  // 150 odd positions, two opted out

  const auto got = rig.accepted("Long Thủy");
  CHECK(got.duplicated.empty());
  CHECK(got.by_number.size() == 297);
  CHECK(got.messages == 297);
  for (const auto& n : {numbers[0], numbers[1], numbers[7]}) CHECK(got.by_number.count(n) == 0);
}

TEST_CASE("broadcast: the same --key twice creates one campaign: bad requests name the field") {
  test::broadcast_rig rig;
  rig.start_gateway();
  rig.import(csv_for(test::test_numbers(20)));
  const json::object body{{"ward", "long-thuy"}, {"groups", json::array{"all"}}, {"text", "Hop to dan pho 19h"},
                          {"key", "bulletin-2026-47"}};
  auto [first_status, first] = rig.call(verb::post, "/v1/campaigns", json::serialize(body));
  CHECK(first_status == 201);
  CHECK(first.at("existing") == false);
  auto [second_status, second] = rig.call(verb::post, "/v1/campaigns", json::serialize(body));
  CHECK(second_status == 200);
  CHECK(second.at("existing") == true);
  CHECK(second.at("id") == first.at("id"));
  const auto s = rig.wait_finished(std::string(first.at("id").as_string()));
  CHECK(field(s, "delivered") == 20);
  CHECK(rig.accepted("Hop to dan pho").messages == 20);

  auto refused = [&](json::object b, const std::string& field_name) {
    auto [code, reply] = rig.call(verb::post, "/v1/campaigns", json::serialize(b));
    INFO(json::serialize(reply));
    CHECK(code == 400);
    CHECK(reply.at("field").as_string() == field_name);
  };
  refused({{"ward", "long-thuy"}, {"groups", json::array{"all"}}}, "text");
  refused({{"ward", "long-thuy"}, {"text", "x"}}, "groups");
  refused({{"ward", "long-thuy"}, {"groups", json::array{"all"}}, {"text", "x"}, {"accents", "some"}}, "accents");
  refused({{"ward", "long-thuy"}, {"groups", json::array{"all"}}, {"text", "x"}, {"at", "tomorrow"}}, "at");
  refused({{"ward", "long-thuy"}, {"groups", json::array{"all"}}, {"text", std::string(2000, 'x')}}, "text");
  auto [code, reply] = rig.call(verb::post, "/v1/campaigns",
                                json::serialize(json::object{{"ward", "an-phu"}, {"groups", json::array{"all"}},
                                                             {"text", "x"}}));
  CHECK(code == 404);  // a ward no operator has: a typo, not a permission problem (mistakes_test.cpp)
  CHECK(reply.at("field") == "ward");
  CHECK(rig.call(verb::get, "/v1/campaigns/999").first == 404);
}

TEST_CASE("broadcast: cancel stops what is not yet submitted: --at and quiet hours hold a campaign back") {
  // 100 messages a second: the campaign of 400 takes seconds, long enough to cancel in the middle.
  test::broadcast_rig rig({.carrier_lines = "    tps: 50\n", .gateway_lines = quiet_now()});
  rig.start_gateway();
  rig.import(csv_for(test::test_numbers(400)));
  // Inside quiet hours: waits, unless urgent.
  const auto quiet = rig.send({{"groups", json::array{"all"}}, {"text", "Quiet test"}});
  std::this_thread::sleep_for(1500ms);
  CHECK(rig.status(quiet).at("state") == "waiting");
  CHECK(field(rig.status(quiet), "submitted") == 0);
  // Urgent sends wait for a second person first (lan, the ward's approver).
  const auto approve = [&](const std::string& id) {
    CHECK(rig.status(id).at("state") == "awaiting_approval");
    CHECK(rig.call_as("demo-token-lan", verb::post, "/v1/campaigns/" + id + "/approve").first == 200);
  };
  const auto later = rig.send({{"groups", json::array{"all"}}, {"text", "Later test"}, {"urgent", true},
                               {"at", "2099-01-01T07:30"}});
  approve(later);
  CHECK(rig.status(later).at("state") == "scheduled");
  CHECK(rig.status(later).at("due_at") == "2099-01-01T07:30:00+07:00");

  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Cancel test"}, {"urgent", true}});
  approve(id);
  auto s = rig.wait_for(id, "submitted", 50);
  REQUIRE(field(s, "submitted") >= 50);
  auto [code, cancelled] = rig.call(verb::post, "/v1/campaigns/" + id + "/cancel");
  CHECK(code == 200);
  CHECK(cancelled.at("cancelled") == true);
  CHECK(cancelled.at("state") == "cancelled");
  // What the binds already held (a window each, sent at the carrier's rate) still goes out; nothing after.
  std::this_thread::sleep_for(2500ms);
  const auto before = rig.accepted("Cancel test").messages;
  std::this_thread::sleep_for(1000ms);
  CHECK(rig.accepted("Cancel test").messages == before);
  CHECK(before < 300);
  s = rig.status(id);
  CHECK(s.at("state") == "cancelled");
  CHECK(field(s, "submitted") == static_cast<std::int64_t>(before));
  auto [again_code, again] = rig.call(verb::post, "/v1/campaigns/" + id + "/cancel");
  CHECK(again.at("cancelled") == false);
  CHECK(rig.call(verb::post, "/v1/campaigns/" + quiet + "/cancel").second.at("cancelled") == true);
  CHECK(rig.accepted("Quiet test").messages == 0);
}

TEST_CASE("broadcast: kill -9 in the middle: the restarted gateway goes on and sends nobody twice") {
  // Parts whose answer the kill lost wait for a receipt for uncertain_grace, then are only reported.
  test::broadcast_rig rig(
      {.carrier_lines = "    tps: 400\n", .top_lines = "limits:\n  uncertain: report\n  uncertain_grace: 3s\n"});
  rig.start_gateway();
  const auto numbers = test::test_numbers(1600);
  rig.import(csv_for(numbers));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Crash test"}});
  auto s = rig.wait_for(id, "submitted", 300);
  REQUIRE(field(s, "submitted") >= 300);
  rig.kill_gateway();
  const auto at_kill = rig.accepted("Crash test").messages;
  CHECK(at_kill < 1600);
  rig.start_gateway();
  s = rig.wait_finished(id, 40s);
  check_settled(rig, id, s, 1600);
  // Parts in flight at the kill are reported uncertain (limits.uncertain: report): never sent again.
  CHECK(field(s, "uncertain") <= 2 * (20 + 5) * 2);
  const auto got = rig.accepted("Crash test");
  CHECK(got.duplicated.empty());
  CHECK(got.messages <= 1600);
  CHECK(static_cast<std::int64_t>(got.messages) >= field(s, "delivered"));
}

TEST_CASE("broadcast: with limits.uncertain resend, what was in flight at a kill is sent again and counted") {
  test::broadcast_rig rig(
      {.carrier_lines = "    tps: 400\n", .top_lines = "limits:\n  uncertain: resend\n  uncertain_grace: 3s\n"});
  rig.start_gateway();
  rig.import(csv_for(test::test_numbers(1200)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Resend test"}});
  REQUIRE(field(rig.wait_for(id, "submitted", 300), "submitted") >= 300);
  rig.kill_gateway();
  rig.start_gateway();
  const auto s = rig.wait_finished(id, 40s);
  INFO(json::serialize(s));
  check_settled(rig, id, s, 1200);
  CHECK(field(s, "uncertain") == 0);
  CHECK(field(s, "delivered") == 1200);
  const auto got = rig.accepted("Resend test");
  CHECK(got.by_number.size() == 1200);
  // Duplicates are at most what was resent, and the report says how many were resent.
  CHECK(static_cast<std::int64_t>(got.duplicated.size()) <= field(s, "resent"));
}

TEST_CASE("broadcast: a carrier that drops its bind every 150 submits: the campaign pauses and goes on") {
  test::broadcast_rig rig({.viettel_args = {"--drop-after", "150"}, .top_lines = "limits:\n  uncertain_grace: 3s\n"});
  rig.start_gateway();
  rig.import(csv_for(test::test_numbers(1000)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Drop test"}});
  const auto s = rig.wait_finished(id, 60s);
  check_settled(rig, id, s, 1000);
  const auto got = rig.accepted("Drop test");
  CHECK(got.duplicated.empty());
  // Submits cut off by the drop were never answered (the simulator took none of them): sent again once no
  // receipt came within the grace (limits.uncertain: resend, the default), never twice on a handset.
  CHECK(field(s, "delivered") >= 900);
}

namespace {

// Whether process `pid` ignores SIGPIPE (the SigIgn mask of /proc/PID/status, in hex).
bool ignores_sigpipe(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.starts_with("SigIgn:")) return (std::stoull(line.substr(7), nullptr, 16) >> (SIGPIPE - 1)) & 1U;
  return false;
}

}  // namespace

TEST_CASE("broadcast: Redis killed and restarted mid-campaign: the campaign resumes and loses nothing") {
  test::broadcast_rig rig({.carrier_lines = "    tps: 300\n"});
  rig.start_gateway();
  rig.import(csv_for(test::test_numbers(1200)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Redis test"}});
  REQUIRE(field(rig.wait_for(id, "submitted", 200), "submitted") >= 200);
  // hiredis writes with write(2): were SIGPIPE not ignored, a Redis dying while a request is being written
  // would end the gateway silently (one cluster failover run in three under ASan before the fix).
  CHECK(ignores_sigpipe(rig.gateway_pid()));
  rig.redis.kill();
  std::this_thread::sleep_for(1s);
  rig.redis.restart();
  const auto s = rig.wait_finished(id, 40s);
  check_settled(rig, id, s, 1200);
  CHECK(field(s, "delivered") == 1200);  // the gateway lived: every answer was kept until Redis took it
  const auto got = rig.accepted("Redis test");
  CHECK(got.duplicated.empty());
  CHECK(got.messages == 1200);
  CHECK(rig.stop_gateway() == 0);
}


TEST_CASE("cli: loa send --wait follows the campaign to its final counts, status and cancel answer as CONTRACT says") {
  test::broadcast_rig rig({.viettel_args = {"--fail-rate", "0"}});
  rig.start_gateway();
  rig.import(csv_for(test::test_numbers(120)));
  auto r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "even", "--text", notice, "--wait"});
  INFO(r.out);
  CHECK(r.exit == 0);
  auto v = json::parse(r.out).as_object();
  const std::string id(v.at("id").as_string());
  CHECK(v.at("state") == "done");
  CHECK(field(v, "recipients") == 60);
  CHECK(field(v, "delivered") == 60);
  CHECK(field(v, "parts") == 180);

  r = loa_cli(rig, {"status", id});
  CHECK(r.exit == 0);
  CHECK(r.out.find("delivered") != std::string::npos);
  r = loa_cli(rig, {"--json", "cancel", id});
  CHECK(r.exit == 0);
  CHECK(json::parse(r.out).at("cancelled") == false);  // done: nothing to cancel

  // The same key twice from cron: one campaign.
  r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "odd", "--text", "Hop to dan pho 19h",
                    "--key", "weekly-47", "--yes"});
  CHECK(r.exit == 0);
  const auto first = json::parse(r.out).at("id");
  r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "odd", "--text", "Hop to dan pho 19h",
                    "--key", "weekly-47", "--yes"});
  CHECK(json::parse(r.out).at("id") == first);
  CHECK(json::parse(r.out).at("existing") == true);
  rig.wait_finished(std::string(first.as_string()));
  CHECK(rig.accepted("Hop to dan pho").messages == 60);

  r = loa_cli(rig, {"send", "--ward", "an-phu", "--group", "all", "--text", "x"});
  CHECK(r.exit == 1);  // a ward no operator has: a typo, exit 1 (another operator's ward: 2, mistakes_test.cpp)
  r = loa_cli(rig, {"send", "--ward", "long-thuy", "--group", "all", "--text", ""});
  CHECK(r.exit == 1);
}

TEST_CASE("cli: loa send --wait exits 4 when some messages failed") {
  test::broadcast_rig rig({.viettel_args = {"--fail-rate", "1"}});
  rig.start_gateway();
  rig.import(csv_for(test::test_numbers(10)));
  const auto r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "all", "--text", "Fail test", "--wait"});
  INFO(r.out);
  CHECK(r.exit == 4);
  const auto v = json::parse(r.out).as_object();
  CHECK(field(v, "failed") + field(v, "expired") == 5);  // the five viettel numbers; vinaphone delivers
  CHECK(field(v, "delivered") == 5);
}

TEST_CASE("broadcast: parts without a receipt after the validity period count as expired") {
  // Receipts an hour late: the campaign is done with everything pending.
  test::broadcast_rig rig({.viettel_args = {"--receipt-delay-ms", "3600000"},
                           .vinaphone_args = {"--receipt-delay-ms", "3600000"}});
  rig.start_gateway();
  rig.import(csv_for(test::test_numbers(40)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Expiry test"}, {"validity_s", 600}});
  auto s = rig.wait_for(id, "pending", 40);
  CHECK(field(s, "pending") == 40);
  // The deadline is the validity period plus an hour; move it to now instead of waiting.
  for (int i = 0; i < 50 && rig.redis.command({"ZSCORE", "loa:campaigns:receipt_deadline", id}) == "(nil)"; ++i)
    std::this_thread::sleep_for(100ms);
  CHECK(rig.redis.command({"ZADD", "loa:campaigns:receipt_deadline", "0", id}) == "0");
  s = rig.wait_for(id, "expired", 40);
  INFO(json::serialize(s));
  CHECK(field(s, "expired") == 40);
  CHECK(field(s, "pending") == 0);
  CHECK(field(s, "delivered") == 0);
  CHECK(field(s, "submitted") == 40);
}

TEST_CASE("cli: loa send --template fills in the notice, with the Vietnamese date, and sends it") {
  test::broadcast_rig rig;
  rig.start_gateway();
  rig.import(csv_for(test::test_numbers(8)));
  auto r = loa_cli(rig, {"--json", "send", "--ward", "long-thuy", "--group", "all", "--template", "hop-to-dan-pho",
                         "--var", "to_dan_pho=tổ dân phố 5", "--var", "gio=19:30", "--var", "ngay=2026-11-28",
                         "--var", "dia_diem=Nhà văn hóa tổ 5", "--var", "noi_dung=bầu tổ trưởng", "--wait"});
  INFO(r.out);
  CHECK(r.exit == 0);
  const auto v = json::parse(r.out).as_object();
  CHECK(field(v, "delivered") == 8);
  // The template's accent policy (auto) chose the person-written unaccented variant: one phone's copy.
  const auto text = std::string(v.at("text").as_string());
  CHECK(text.find("luc 19h30") != std::string::npos);
  CHECK(text.find("28/11/2026") != std::string::npos);
  CHECK(rig.accepted("luc 19h30").messages == 8);

  r = loa_cli(rig, {"send", "--ward", "long-thuy", "--group", "all", "--template", "hop-to-dan-pho", "--var",
                    "gio=25:00"});
  CHECK(r.exit == 1);  // missing placeholders and a bad time: nothing sent
  CHECK(rig.accepted("Kinh moi").messages == 8);
}

TEST_CASE("replies: HUY and TU CHOI opt out by SMS with a confirmation, DK opts back in, other replies are kept") {
  const auto numbers = test::test_numbers(6);
  auto national = [](const std::string& n) { return "0" + n.substr(2); };
  const std::string question =
      "Cho hỏi lịch họp tổ 5 vào thứ mấy ạ? Nhà tôi có người già không đi được, xin ghi nhận giúp. Cảm ơn cán bộ "
      "phường.";  // UCS-2, over 70 characters: it comes in two parts
  const auto mo_file = test::temp_path("loa-mo") + ".jsonl";
  {
    std::ofstream out(mo_file);
    auto line = [&](const std::string& from, const std::string& text, int delay_ms) {
      out << json::serialize(json::object{{"from", from}, {"to", "8088"}, {"text", text}, {"delay_ms", delay_ms}})
          << "\n";
    };
    line(national(numbers[0]), "Huỷ", 1500);
    line(national(numbers[2]), "tu chối.", 100);
    line(national(numbers[4]), question, 100);
    line(national(numbers[0]), "DK", 300);
    line("0912345678", "xin chao", 100);  // not in the ward: kept apart
  }
  // A gateway half an hour off the whole hours, so that its times cannot pass for UTC or for the default +07:00.
  test::broadcast_rig rig({.viettel_args = {"--mo", mo_file}, .gateway_lines = "  utc_offset: \"+05:30\"\n"});
  rig.start_gateway();
  rig.import(csv_for(numbers));

  json::array replies;
  for (int i = 0; i < 100 && replies.empty(); ++i) {
    std::this_thread::sleep_for(100ms);
    auto [code, body] = rig.call(verb::get, "/v1/wards/long-thuy/replies");
    REQUIRE(code == 200);
    replies = body.at("replies").as_array();
  }
  REQUIRE(replies.size() == 1);
  CHECK(replies[0].at("text").as_string() == question);
  CHECK(replies[0].at("from").as_string() == numbers[4]);
  std::this_thread::sleep_for(1500ms);  // the DK after it, and the confirmations

  CHECK(rig.redis.command({"HEXISTS", "loa:optout", numbers[2]}) == "1");
  CHECK(rig.redis.command({"HEXISTS", "loa:optout", numbers[0]}) == "0");  // HUY, then DK
  CHECK(rig.redis.command({"LLEN", "loa:replies:unknown"}) == "1");
  const auto confirmations = rig.accepted("Ban da tu choi");
  CHECK(confirmations.by_number.count(numbers[0]) == 1);
  CHECK(confirmations.by_number.count(numbers[2]) == 1);
  CHECK(rig.accepted("Ban se nhan lai").by_number.count(numbers[0]) == 1);

  // The next notice skips the number that opted out: it got nothing but its confirmation.
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Thong bao sau"}});
  const auto s = rig.wait_finished(id);
  CHECK(field(s, "recipients") == 5);
  CHECK(field(s, "skipped_optout") == 1);
  CHECK(rig.accepted("Thong bao sau").by_number.count(numbers[2]) == 0);

  auto r = loa_cli(rig, {"replies", "list", "--ward", "long-thuy"});
  CHECK(r.exit == 0);
  CHECK(r.out.find(numbers[4]) != std::string::npos);
  // When it came, in the gateway's utc_offset: by the API and on the official's screen (never UTC).
  const auto came = std::chrono::sys_seconds(std::chrono::seconds(std::stoll(std::string(replies[0].at("time").as_string()))));
  const auto local = came + 5h + 30min;
  CHECK(replies[0].at("received_at").as_string() == fmt::format("{:%Y-%m-%dT%H:%M:%S}+05:30", local));
  INFO(r.out);
  CHECK(r.out.find(fmt::format("{:%d/%m/%Y %H:%M}  {}", local, numbers[4])) != std::string::npos);
  CHECK(r.out.find("UTC") == std::string::npos);
}
