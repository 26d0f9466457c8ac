// Hostile citizens and carriers, end to end (tests/integration/broadcast_rig.hpp): replies that look like
// keywords, long replies whose parts never all come, a reply in flight when the gateway dies, receipts from
// the wrong number, and escape sequences in a reply shown to an official. Each goes through the real
// simulator (`--mo`, `--fault`), the real `loa gateway` and a real redis-server.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <fstream>
#include <sstream>
#include <thread>

#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::loa_cli;
namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

// "84961000000" -> "0961000000": how a handset's number comes in a carrier's deliver_sm.
std::string national(const std::string& n) {
  return "0" + n.substr(2);
}

// One citizen's message for the simulator's --mo file; `parts` > 0 sends only its first parts.
struct mo_line {
  std::string from;
  std::string text;
  int delay_ms = 0;
  int parts = 0;
};

// The rig's options: extra simulator flags for each carrier, and top-level YAML.
test::rig_options options(std::vector<std::string> viettel, std::vector<std::string> vinaphone = {},
                          std::string top_lines = {}) {
  test::rig_options o;
  o.viettel_args = std::move(viettel);
  o.vinaphone_args = std::move(vinaphone);
  o.top_lines = std::move(top_lines);
  return o;
}

// A --mo file with `lines`; returns its path.
std::string mo_file(const std::vector<mo_line>& lines) {
  const auto path = test::temp_path("loa-mo") + ".jsonl";
  std::ofstream out(path);
  for (const auto& l : lines) {
    json::object o{{"from", l.from}, {"to", "8088"}, {"text", l.text}, {"delay_ms", l.delay_ms}};
    if (l.parts > 0) o["parts"] = l.parts;
    out << json::serialize(o) << "\n";
  }
  return path;
}

// CSV rows for `numbers`, all in group "all".
std::string csv_for(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (const auto& n : numbers) csv += n + ",Nguoi dan,all\n";
  return csv;
}

bool opted_out(test::broadcast_rig& rig, const std::string& number) {
  return rig.redis.command({"HEXISTS", "loa:optout", number}) == "1";
}

// Polls (bounded) until `number` is opted out.
bool wait_opted_out(test::broadcast_rig& rig, const std::string& number, std::chrono::seconds limit = 15s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (opted_out(rig, number)) return true;
    std::this_thread::sleep_for(100ms);
  }
  return false;
}

// The value of one series of the scrape ("name{labels}"), -1 when it is not there.
double metric(const test::broadcast_rig& rig, const std::string& series) {
  const auto [code, text] = rig.scrape();
  REQUIRE(code == 200);
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line))
    if (line.starts_with(series + " ")) return std::stod(line.substr(series.size() + 1));
  return -1;
}

// The ward's kept replies (bounded wait for at least `count`).
json::array wait_replies(test::broadcast_rig& rig, std::size_t count) {
  json::array replies;
  for (int i = 0; i < 150 && replies.size() < count; ++i) {
    auto [code, body] = rig.call(verb::get, "/v1/wards/long-thuy/replies");
    REQUIRE(code == 200);
    replies = body.at("replies").as_array();
    if (replies.size() < count) std::this_thread::sleep_for(100ms);
  }
  return replies;
}

}  // namespace

TEST_CASE("citizens: a reply from Huy or Tú that says more than the keyword is kept, not an opt-out") {
  const auto numbers = test::test_numbers(6);
  const auto file = mo_file({{national(numbers[0]), "Huy đây, cho hỏi lịch tiêm", 1500},
                             {national(numbers[2]), "Tú Chơi đây", 100},
                             {national(numbers[4]), "Huỷ!", 100}});
  test::broadcast_rig rig(options({"--mo", file}));
  rig.start_gateway();
  rig.import(csv_for(numbers));

  CHECK(wait_opted_out(rig, numbers[4]));  // the keyword alone still opts out
  const auto replies = wait_replies(rig, 2);
  INFO("gateway log: ", rig.gateway_log);
  REQUIRE(replies.size() == 2);
  std::set<std::string> texts;
  for (const auto& r : replies) texts.insert(std::string(r.at("text").as_string()));
  CHECK(texts == std::set<std::string>{"Huy đây, cho hỏi lịch tiêm", "Tú Chơi đây"});
  CHECK_FALSE(opted_out(rig, numbers[0]));
  CHECK_FALSE(opted_out(rig, numbers[2]));

  // The confirmation tells the citizen how to undo it, with the configured opt_in keyword, in one part.
  std::this_thread::sleep_for(500ms);
  const auto confirmed = rig.accepted("Soan DK gui so nay de nhan lai thong bao.");
  CHECK(confirmed.by_number.count(numbers[4]) == 1);
  CHECK(confirmed.by_number.size() == 1);
}

TEST_CASE("citizens: a HUY whose second part never comes is applied once the reassembly timeout is over") {
  const auto numbers = test::test_numbers(2);
  // Two GSM parts; the first is "HUY" and spaces, the second (never sent) the rest.
  const auto file = mo_file({{national(numbers[0]), "HUY" + std::string(157, ' ') + ".", 1500, 1}});
  test::broadcast_rig rig(options({"--mo", file}, {}, "mo:\n  reassembly_timeout: 2s\n"));
  rig.start_gateway();
  rig.import(csv_for(numbers));
  INFO("gateway log: ", rig.gateway_log);
  CHECK(wait_opted_out(rig, numbers[0]));
  CHECK(metric(rig, "loa_mo_reassembly_expired_total{carrier=\"viettel\"}") == 1);
  CHECK(metric(rig, "loa_mo_reassembly_pending{carrier=\"viettel\"}") == 0);
  CHECK(metric(rig, "loa_mo_total{carrier=\"viettel\",kind=\"opt_out\"}") == 1);
}

TEST_CASE("citizens: a flood of first parts is held within bounds, the oldest dropped and counted") {
  const auto numbers = test::test_numbers(2);
  const std::string long_text(200, 'x');  // two GSM parts
  std::vector<mo_line> lines;
  for (int i = 0; i < 120; ++i)
    lines.push_back({fmt::format("09{:08}", 10'000'000 + i), long_text, i ? 0 : 1500, 1});
  lines.push_back({national(numbers[0]), "HUY", 500});  // afterwards, a citizen's opt-out still counts
  const auto file = mo_file(lines);
  test::broadcast_rig rig(
      options({"--mo", file}, {}, "mo:\n  reassembly_max_messages: 50\n  reassembly_timeout: 10m\n"));
  rig.start_gateway();
  rig.import(csv_for(numbers));
  INFO("gateway log: ", rig.gateway_log);
  CHECK(wait_opted_out(rig, numbers[0]));
  CHECK(metric(rig, "loa_mo_reassembly_dropped_total{carrier=\"viettel\"}") == 70);
  CHECK(metric(rig, "loa_mo_reassembly_pending{carrier=\"viettel\"}") == 50);
  CHECK(metric(rig, "loa_mo_reassembly_bytes{carrier=\"viettel\"}") == 50 * 153);
  std::ifstream log(rig.gateway_log);
  const std::string text((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
  CHECK(text.find("incomplete long replies dropped unread") != std::string::npos);
}

TEST_CASE("citizens: a HUY in flight when the gateway dies is answered only once stored, so it is not lost") {
  const auto numbers = test::test_numbers(2);
  const auto file = mo_file({{national(numbers[0]), "HUY", 2500}});
  test::broadcast_rig rig(options({"--mo", file}));
  rig.start_gateway();
  rig.redis.kill();                     // the HUY comes while Redis is down
  std::this_thread::sleep_for(4000ms);  // it came (2.5 s after the bind) and could not be stored
  rig.kill_gateway();                   // kill -9 before Redis is back: nothing in memory survives
  rig.redis.restart();
  CHECK_FALSE(opted_out(rig, numbers[0]));
  rig.start_gateway();  // the SMSC delivers the unanswered deliver_sm again
  INFO("gateway log: ", rig.gateway_log);
  CHECK(wait_opted_out(rig, numbers[0]));
}

TEST_CASE("citizens: receipts from another number than the recipient's change nothing and are counted") {
  // viettel forges every receipt's source; vinaphone writes the recipient in national form (0912...): a
  // carrier may, and that is the same number.
  const auto numbers = test::test_numbers(40);
  test::broadcast_rig rig(
      options({"--fault", "receipt-source=84999000111"}, {"--fault", "receipt-source=national"}));
  rig.start_gateway();
  rig.import(csv_for(numbers));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Thong bao kiem tra bien nhan"}});
  auto s = rig.wait_for(id, "delivered", 20);
  std::this_thread::sleep_for(1500ms);  // every receipt has come and been written
  s = rig.status(id);
  INFO(json::serialize(s));
  INFO("gateway log: ", rig.gateway_log);
  CHECK(field(s, "submitted") == 40);
  CHECK(field(s, "delivered") == 20);
  CHECK(field(s.at("by_carrier").as_object().at("vinaphone").as_object(), "delivered") == 20);
  CHECK(field(s.at("by_carrier").as_object().at("viettel").as_object(), "delivered") == 0);
  CHECK(field(s, "pending") == 20);
  CHECK(metric(rig, "loa_receipts_mismatched_total{carrier=\"viettel\"}") == 20);
  CHECK(metric(rig, "loa_receipts_mismatched_total{carrier=\"vinaphone\"}") == 0);
}

TEST_CASE("citizens: an early receipt from another number is checked when the answer is recorded") {
  // Both send each receipt before the submit_sm_resp: it is held in Redis and applied by the script that
  // records the answer. viettel forges the source; vinaphone writes +84912...: the same number.
  const auto numbers = test::test_numbers(40);
  test::broadcast_rig rig(options({"--fault", "receipt-before-resp", "--fault", "receipt-source=84999000111"},
                                  {"--fault", "receipt-before-resp", "--fault", "receipt-source=plus"}));
  rig.start_gateway();
  rig.import(csv_for(numbers));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Thong bao bien nhan som"}});
  auto s = rig.wait_for(id, "delivered", 20);
  std::this_thread::sleep_for(1500ms);
  s = rig.status(id);
  INFO(json::serialize(s));
  INFO("gateway log: ", rig.gateway_log);
  CHECK(field(s, "submitted") == 40);
  CHECK(field(s.at("by_carrier").as_object().at("vinaphone").as_object(), "delivered") == 20);
  CHECK(field(s.at("by_carrier").as_object().at("viettel").as_object(), "delivered") == 0);
  CHECK(field(s, "pending") == 20);
  CHECK(metric(rig, "loa_receipts_mismatched_total{carrier=\"viettel\"}") == 20);
  CHECK(metric(rig, "loa_receipts_unmatched_total{carrier=\"viettel\"}") > 0);  // the early path was taken
  CHECK(rig.redis.command({"EVAL", "return #redis.call('KEYS', 'loa:dlr:*:held')", "0"}) == "0");
}

TEST_CASE("citizens: loa replies list shows a reply's escape sequences escaped, and --json keeps the text") {
  const auto numbers = test::test_numbers(2);
  const std::string hostile = "Cho hỏi \x1b[2J\x1b[31mDA DUYET\x1b[0m\x07 ạ";
  const auto file = mo_file({{national(numbers[0]), hostile, 1500}});
  test::broadcast_rig rig(options({"--mo", file}));
  rig.start_gateway();
  rig.import(csv_for(numbers));
  REQUIRE(wait_replies(rig, 1).size() == 1);

  const auto r = loa_cli(rig, {"replies", "list", "--ward", "long-thuy"});
  CHECK(r.exit == 0);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find('\x07') == std::string::npos);
  CHECK(r.out.find("Cho hỏi \\x1b[2J\\x1b[31mDA DUYET\\x1b[0m\\x07 ạ") != std::string::npos);

  const auto j = loa_cli(rig, {"--json", "replies", "list", "--ward", "long-thuy"});
  CHECK(j.exit == 0);
  const auto parsed = json::parse(j.out);
  CHECK(parsed.at("replies").as_array().at(0).at("text").as_string() == hostile);
}

TEST_CASE("citizens: a carrier's escape sequences in a receipt's err: field are shown escaped by loa report") {
  // A hostile carrier fails every message with an err: field that would clear the official's screen and
  // retitle the terminal; the reason travels receipt -> Redis -> report -> `loa report`.
  const std::string hostile = "\x1b]0;loa-ok\x07\x1b[2J\x1b[32mDELIVRD";
  const auto numbers = test::test_numbers(4);
  test::broadcast_rig rig(options({"--fail-rate", "1", "--fault", "receipt-error=" + hostile},
                                  {"--fail-rate", "1", "--fault", "receipt-error=" + hostile}));
  rig.start_gateway();
  rig.import(csv_for(numbers));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Thong bao loi"}});
  rig.wait_for(id, "failed", 4);

  const auto r = loa_cli(rig, {"report", id});
  INFO(r.out, r.err);
  CHECK(r.exit == 0);
  CHECK(r.out.find('\x1b') == std::string::npos);
  CHECK(r.out.find('\x07') == std::string::npos);
  CHECK(r.out.find("err:\\x1b]0;loa-ok\\x07\\x1b[2J\\x1b[32mDELIVRD") != std::string::npos);

  const auto j = loa_cli(rig, {"--json", "report", id});  // scripts get the carrier's bytes as they came
  CHECK(j.exit == 0);
  CHECK(j.out.find("\\u001b]0;loa-ok") != std::string::npos);
}
