// The limits of issue 12, end to end against real processes (broadcast_rig.hpp: redis-server, the simulators,
// `loa gateway`): bad tokens do not lock out a valid operator behind the same address and a success forgives
// nothing; a too-fast token gets 429 with Retry-After and the CLI says how long to wait; a hostile CSV line
// costs one invalid row with a short excerpt; `loa report --csv` writes formula cells inert.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "gateway/api/client.hpp"
#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::loa_cli;
namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

// One call with `token`, keeping the whole reply (status, body, Retry-After).
api::reply call_with(const test::broadcast_rig& rig, const std::string& token, const std::string& target) {
  api::client c("http://127.0.0.1:" + std::to_string(rig.http_port), token, 10s);
  api::reply r;
  if (auto ec = c.call(verb::get, target, "", "", r))
    throw std::runtime_error("unreachable: " + ec.message());
  return r;
}

const std::string count_target = "/v1/wards/long-thuy/subscribers/count";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE(
    "limits: many bad tokens from 127.0.0.1 do not stop a valid operator, and her success forgives none") {
  test::broadcast_rig rig;
  rig.start_gateway();
  int unauthorized = 0, too_many = 0;
  api::reply last;
  for (int i = 0; i < 40; ++i) {
    last = call_with(rig, "guess-" + std::to_string(i), count_target);
    if (last.status == 401) ++unauthorized;
    if (last.status == 429) ++too_many;
  }
  CHECK(unauthorized == 10);  // gateway.rate_limit.failed_logins_per_minute, at once
  CHECK(too_many == 30);
  CHECK(last.body.at("retry_after_s") == 6);  // one more attempt every 6 s
  // Every 401 is logged; the flood of 429s is one line per 10 s, not one each.
  const auto log = test::file_text(rig.gateway_log);
  CHECK(test::occurrences(log, "refused 401") == 10);
  CHECK(test::occurrences(log, "refused 429") == 1);

  // hoa, behind the same address, is not locked out by them.
  auto ok = call_with(rig, "demo-token-hoa", count_target);
  CHECK(ok.status == 200);
  const auto cli = loa_cli(rig, {"subscribers", "count", "--ward", "long-thuy"});
  INFO(cli.err);
  CHECK(cli.exit == 0);

  // Her success reset nothing: the guesser is still refused.
  CHECK(call_with(rig, "guess-again", count_target).status == 429);
  CHECK(call_with(rig, "demo-token-lan", count_target).status == 200);
  CHECK(call_with(rig, "guess-again", count_target).status == 429);
}

TEST_CASE(
    "limits: a token faster than gateway.rate_limit gets 429 with Retry-After, and the CLI names the wait") {
  test::rig_options options;
  // One request in 10 s: the CLI's calls below still find the bucket empty on a slow (sanitized, loaded) run.
  options.gateway_lines = "  rate_limit: { requests_per_second: 0.1, burst: 5 }\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  for (int i = 0; i < 5; ++i) CHECK(call_with(rig, "demo-token-hoa", count_target).status == 200);
  const auto refused = call_with(rig, "demo-token-hoa", count_target);
  CHECK(refused.status == 429);
  REQUIRE(refused.body.is_object());
  CHECK(refused.body.at("retry_after_s") == 10);
  CHECK(std::string(refused.body.at("error").as_string()).find("operator hoa") != std::string::npos);

  CHECK(call_with(rig, "demo-token-lan", count_target).status == 200);  // another operator is not affected

  auto cli = loa_cli(rig, {"subscribers", "count", "--ward", "long-thuy"});
  CHECK(cli.exit == 2);
  CHECK(cli.err.find("try again in") != std::string::npos);
  cli = loa_cli(rig, {"--json", "subscribers", "count", "--ward", "long-thuy"});
  CHECK(cli.exit == 2);
  CHECK(json::parse(cli.out).at("retry_after_s").as_int64() >= 1);
}

// The header itself, as a client reads it off the wire (the HTTP server sends response::headers).
TEST_CASE("limits: a 429 carries a Retry-After header on the wire, for bad tokens and for a too-fast token") {
  test::rig_options options;
  options.gateway_lines = "  rate_limit: { requests_per_second: 0.5, burst: 2, failed_logins_per_minute: 2 }\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  for (int i = 0; i < 2; ++i) CHECK(call_with(rig, "guess-" + std::to_string(i), count_target).status == 401);
  const auto locked = call_with(rig, "guess-2", count_target);
  CHECK(locked.status == 429);
  CHECK(locked.retry_after == "30");  // 2 a minute: one attempt back every 30 s
  for (int i = 0; i < 2; ++i) CHECK(call_with(rig, "demo-token-hoa", count_target).status == 200);
  const auto too_fast = call_with(rig, "demo-token-hoa", count_target);
  CHECK(too_fast.status == 429);
  CHECK(too_fast.retry_after == "2");
}

TEST_CASE(
    "limits: a 2 MB line of commas and a 5 MB line are two invalid rows, excerpted, and no good row is "
    "lost") {
  test::broadcast_rig rig;
  rig.start_gateway();
  const auto numbers = test::test_numbers(4);
  const std::string csv = "phone,name\n" + numbers[0] + ",An\n" + numbers[1] + ",Binh\n" +
                          std::string(2 << 20, ',') + "\n" + std::string(5 << 20, '9') + "\r\n" + numbers[2] +
                          ",Chi\n" + numbers[3] + ",Dung\n";
  const auto path = test::temp_path("loa-limits") + ".csv";
  std::ofstream(path) << csv;
  api::client c("http://127.0.0.1:" + std::to_string(rig.http_port), "demo-token-hoa", 60s);
  api::reply r;
  REQUIRE_FALSE(c.call_file(verb::post, "/v1/wards/long-thuy/subscribers/import", path, "text/csv", r));
  std::remove(path.c_str());
  REQUIRE(r.status == 200);
  const auto& doc = r.body.as_object();
  CHECK(field(doc, "imported") == 4);
  CHECK(field(doc, "invalid_count") == 2);
  const auto& invalid = doc.at("invalid").as_array();
  REQUIRE(invalid.size() == 2);
  CHECK(invalid[0].at("line") == 4);
  CHECK(std::string(invalid[0].at("value").as_string()) == std::string(40, ',') + "...");
  CHECK(std::string(invalid[0].at("reason").as_string()).find("longer than 4096 bytes") != std::string::npos);
  CHECK(invalid[1].at("line") == 5);
  CHECK(invalid[1].at("value").as_string().size() <= 43);
  CHECK(json::serialize(r.body).size() < 2000);  // the answer is small: nothing of the rows is echoed
  auto [code, count] = rig.call(verb::get, "/v1/wards/long-thuy/subscribers/count");
  CHECK(code == 200);
  CHECK(field(count.as_object(), "count") == 4);
}

TEST_CASE("limits: loa report --csv writes a group named like a formula as text") {
  test::broadcast_rig rig;
  rig.start_gateway();
  const auto numbers = test::test_numbers(2);
  rig.import("phone,name,groups\n" + numbers[0] + ",An,@SUM(1+1)\n" + numbers[1] + ",Binh,=1+2\n");
  const std::string id = rig.send({{"groups", json::array{"@SUM(1+1)", "=1+2"}}, {"text", "Hop to dan pho csv"}});
  rig.wait_finished(id);
  const auto path = test::temp_path("loa-limits") + ".csv";
  const auto r = loa_cli(rig, {"report", id, "--csv", path});
  INFO(r.err);
  REQUIRE(r.exit == 0);
  const std::string written = read_file(path);
  std::remove(path.c_str());
  INFO(written);
  CHECK(written.find(",'@SUM(1+1),") != std::string::npos);
  CHECK(written.find(",'=1+2,") != std::string::npos);
  // No cell of the file starts a formula.
  std::istringstream lines(written);
  std::string line;
  while (std::getline(lines, line)) {
    std::size_t at = 0;
    while (at <= line.size()) {
      const char first = at < line.size() ? line[at] : ',';
      CHECK(std::string_view("=+-@").find(first) == std::string_view::npos);
      const auto comma = line.find(',', at);
      if (comma == std::string::npos) break;
      at = comma + 1;
    }
  }
}
