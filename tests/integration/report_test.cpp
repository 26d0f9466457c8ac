// `loa report` end to end (tests/integration/broadcast_rig.hpp): a real campaign over two groups and two
// carriers, one of which fails some messages, then the report by the API and by the real `loa report`
// (--json, --csv, --html), checked against the status counts and the records in Redis.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
using test::loa_cli;
namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

const std::string notice = "Hop to dan pho 5 luc 19h30 thu Sau tai Nha van hoa. Bao cao test.";

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

// The campaign's records straight from Redis: number -> parts letters.
std::map<std::string, std::string> records_in_redis(const test::broadcast_rig& rig, const std::string& id) {
  const auto all = rig.redis.command(
      {"EVAL",
       "local kv = redis.call('HGETALL', KEYS[1]) local out = {} "
       "for i = 1, #kv, 2 do out[#out + 1] = kv[i] .. '=' .. kv[i + 1] end return table.concat(out, '\\n')",
       "1", "loa:{c:" + id + "}:r"});
  std::map<std::string, std::string> out;
  std::istringstream lines(all);
  std::string line;
  while (std::getline(lines, line)) {
    const auto eq = line.find('=');
    const auto bar = line.find('|', eq);
    const auto parts_end = line.find('|', bar + 1);
    out[line.substr(0, eq)] = line.substr(bar + 1, parts_end - bar - 1);
  }
  return out;
}

// The state the report must give for a record's part letters (docs/REDIS.md).
std::string state_of(const std::string& parts) {
  if (parts.find_first_of("RF") != std::string::npos) return "failed";
  if (parts.find('I') != std::string::npos) return "queued";
  if (parts.find('U') != std::string::npos) return "uncertain";
  if (parts.find('S') != std::string::npos) return "pending";
  if (parts.find('E') != std::string::npos) return "expired";
  return "delivered";
}

// RFC 4180 lines (CRLF) into fields; quoted fields may hold commas and doubled quotes.
std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        rows.back().back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        rows.back().back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.emplace_back(1);
      ++i;
    } else {
      rows.back().back() += c;
    }
  }
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();
  return rows;
}

std::int64_t sum_of(const json::object& by, const std::string& name) {
  std::int64_t total = 0;
  for (const auto& [key, counts] : by) total += field(counts.as_object(), name);
  return total;
}

}  // namespace

TEST_CASE("report: a campaign over two groups and two carriers with failures, by the API and by loa report") {
  // Viettel fails about a third of its receipts (UNDELIV, EXPIRED, REJECTD in turn); vinaphone delivers all.
  test::rig_options options;
  options.viettel_args = {"--fail-rate", "0.3"};
  options.top_lines =
      "wards:\n  long-thuy: { display_name: \"Phường Long Thủy\" }\n";  // the page's letterhead
  test::broadcast_rig rig(options);
  rig.start_gateway();
  // 800 subscribers: "to-1" holds those at positions not divisible by 3, "to-2" those divisible by 4, so
  // some are in both and some in neither. Over 512 recipients: the records hash leaves Redis' compact
  // encoding and HSCAN really pages.
  const auto numbers = test::test_numbers(800);
  std::string csv = "phone,name,groups\n";
  std::set<std::string> in_1, in_2, recipients;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    std::string groups = "all";
    if (i % 3 != 0) {
      groups += ";to-1";
      in_1.insert(numbers[i]);
    }
    if (i % 4 == 0) {
      groups += ";to-2";
      in_2.insert(numbers[i]);
    }
    if (i % 3 != 0 || i % 4 == 0) recipients.insert(numbers[i]);
    csv += numbers[i] + ",Người dân " + std::to_string(i) + "," + groups + "\n";
  }
  rig.import(csv);
  const std::string both = numbers[4];  // in to-1 and to-2
  REQUIRE(in_1.count(both) == 1);
  REQUIRE(in_2.count(both) == 1);

  const auto id = rig.send({{"groups", json::array{"to-1", "to-2"}}, {"text", notice}});
  const auto status = rig.wait_finished(id, 60s);
  INFO(json::serialize(status));
  REQUIRE(status.at("state") == "done");
  REQUIRE(field(status, "pending") == 0);
  REQUIRE(field(status, "recipients") == static_cast<std::int64_t>(recipients.size()));
  REQUIRE(field(status, "failed") + field(status, "expired") > 0);

  // A citizen leaves the ward after the notice went out: still in the report, under its own row.
  const std::string gone = numbers[1];  // to-1 only
  CHECK(rig.call(verb::delete_, "/v1/wards/long-thuy/subscribers/" + gone).first == 200);

  auto [code, body] = rig.call(verb::get, "/v1/campaigns/" + id + "/report");
  REQUIRE(code == 200);
  const auto& report = body.as_object();
  INFO(json::serialize(report));
  CHECK(report.at("campaign").at("id").as_string() == id);
  CHECK(field(report.at("campaign").as_object(), "delivered") == field(status, "delivered"));
  CHECK(std::string(report.at("generated_at").as_string()).ends_with("+07:00"));

  // Per carrier: the same counts as the status, and together every recipient.
  const auto& by_carrier = report.at("by_carrier").as_object();
  CHECK(by_carrier.size() == 2);
  CHECK(sum_of(by_carrier, "recipients") == field(status, "recipients"));
  for (const auto* name : {"delivered", "failed", "expired", "uncertain"})
    CHECK_MESSAGE(sum_of(by_carrier, name) == field(status, name), name);
  CHECK(sum_of(by_carrier, "parts") == field(status, "parts"));
  const auto& status_by_carrier = status.at("by_carrier").as_object();
  for (const auto& [carrier, counts] : by_carrier) {
    const auto& s = status_by_carrier.at(carrier).as_object();
    for (const auto* name : {"delivered", "failed", "expired", "uncertain"})
      CHECK_MESSAGE(field(counts.as_object(), name) == field(s, name), carrier, " ", name);
  }
  CHECK(field(by_carrier.at("vinaphone").as_object(), "failed") == 0);
  CHECK(field(by_carrier.at("viettel").as_object(), "failed") +
            field(by_carrier.at("viettel").as_object(), "expired") ==
        field(status, "failed") + field(status, "expired"));

  // Per group: a recipient in both groups counts in each; the one who left counts apart.
  const auto& by_group = report.at("by_group").as_object();
  CHECK(field(by_group.at("to-1").as_object(), "recipients") == static_cast<std::int64_t>(in_1.size()) - 1);
  CHECK(field(by_group.at("to-2").as_object(), "recipients") == static_cast<std::int64_t>(in_2.size()));
  CHECK(field(by_group.at("(no longer subscribed)").as_object(), "recipients") == 1);
  CHECK(sum_of(by_group, "recipients") > field(status, "recipients"));  // the overlap counts twice
  for (const auto* name : {"delivered", "failed", "expired", "uncertain"})
    CHECK_MESSAGE(sum_of(by_group, name) >= field(status, name), name);

  std::int64_t reasons = 0;
  for (const auto& r : report.at("failure_reasons").as_array()) reasons += field(r.as_object(), "count");
  CHECK(reasons == field(status, "failed") + field(status, "expired") + field(status, "uncertain"));
  const auto& seconds = report.at("delivery_seconds").as_object();
  CHECK(field(seconds, "count") == field(status, "delivered"));
  CHECK(seconds.at("p50").to_number<double>() <= seconds.at("max").to_number<double>());
  std::int64_t plotted_delivered = 0, plotted_failed = 0;
  const auto& points = report.at("timeline").at("points").as_array();
  CHECK(points.size() <= 60);
  for (const auto& p : points) {
    plotted_delivered += field(p.as_object(), "delivered");
    plotted_failed += field(p.as_object(), "failed");
  }
  CHECK(plotted_delivered == field(status, "delivered"));
  CHECK(plotted_failed == field(status, "failed"));

  // The recipients page by page: every record once, in more than one page.
  const auto records = records_in_redis(rig, id);
  REQUIRE(records.size() == recipients.size());
  std::map<std::string, json::object> listed;
  std::string cursor = "0";
  int pages = 0;
  do {
    auto [page_code, page] =
        rig.call(verb::get, "/v1/campaigns/" + id + "/recipients?count=100&cursor=" + cursor);
    REQUIRE(page_code == 200);
    for (const auto& r : page.at("recipients").as_array())
      listed[std::string(r.at("phone").as_string())] = r.as_object();
    cursor = std::string(page.at("cursor").as_string());
    ++pages;
  } while (cursor != "0" && pages < 1000);
  CHECK(pages > 1);
  CHECK(listed.size() == records.size());
  const auto& one = listed.at(both);
  CHECK(one.at("groups") == json::array{"to-1", "to-2"});
  CHECK(one.at("state").as_string() == state_of(records.at(both)));
  CHECK(one.at("submitted_at").is_string());
  CHECK(listed.at(gone).at("groups") == json::array{});

  CHECK(rig.call(verb::get, "/v1/campaigns/" + id + "/recipients?count=0").first == 400);
  CHECK(rig.call(verb::get, "/v1/campaigns/" + id + "/recipients?cursor=abc").first == 400);
  // Another ward's campaign is answered like a missing one.
  rig.redis.command({"HSET", "loa:{c:9999}:meta", "state", "done", "wards", "an-phu", "groups", "all"});
  CHECK(rig.call(verb::get, "/v1/campaigns/9999/report").first == 404);
  CHECK(rig.call(verb::get, "/v1/campaigns/9999/recipients").first == 404);

  // loa report --json: the same document.
  auto r = loa_cli(rig, {"--json", "report", id});
  INFO(r.out, r.err);
  REQUIRE(r.exit == 0);
  const auto cli_doc = json::parse(r.out).as_object();
  CHECK(cli_doc.at("delivery_seconds").at("p50").is_number());
  CHECK_FALSE(test::has_exponent_number(r.out));  // the percentiles are plain decimals (2.5, not 2.5E0)
  CHECK(cli_doc.at("by_carrier") == report.at("by_carrier"));
  CHECK(cli_doc.at("by_group") == report.at("by_group"));

  // loa report: text tables.
  r = loa_cli(rig, {"report", id});
  CHECK(r.exit == 0);
  CHECK(r.out.find("By carrier") != std::string::npos);
  CHECK(r.out.find("viettel") != std::string::npos);
  CHECK(r.out.find(notice) != std::string::npos);

  // --csv: one row per record, with its state.
  const auto csv_path = test::temp_path("loa-report") + ".csv";
  r = loa_cli(rig, {"report", id, "--csv", csv_path});
  CHECK(r.exit == 0);
  const auto rows = parse_csv(read_file(csv_path));
  REQUIRE(!rows.empty());
  CHECK(rows[0] == std::vector<std::string>{"phone", "carrier", "state", "parts", "reason", "groups",
                                            "submitted_at", "settled_at"});
  CHECK(rows.size() == records.size() + 1);
  std::set<std::string> phones;
  std::map<std::string, int> states;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto& row = rows[i];
    REQUIRE(row.size() == 8);
    CHECK(phones.insert(row[0]).second);
    REQUIRE(records.count(row[0]) == 1);
    CHECK_MESSAGE(row[2] == state_of(records.at(row[0])), row[0]);
    CHECK(row[1] == (row[0].starts_with("8496") ? "viettel" : "vinaphone"));
    CHECK(row[3] == "1");
    CHECK((row[2] == "delivered" ? row[4].empty() : !row[4].empty()));  // a reason for every miss
    ++states[row[2]];
    if (row[0] == both) CHECK(row[5] == "to-1;to-2");
  }
  CHECK(states["delivered"] == field(status, "delivered"));
  CHECK(states["failed"] == field(status, "failed"));
  CHECK(states["expired"] == field(status, "expired"));

  // --html: one page naming the carriers, with their counts.
  const auto html_path = test::temp_path("loa-report") + ".html";
  r = loa_cli(rig, {"report", id, "--html", html_path, "--signer", "Nguyễn Thị Hoa"});
  CHECK(r.exit == 0);
  const auto page = read_file(html_path);
  CHECK(page.find("Báo cáo gửi tin") != std::string::npos);
  CHECK(page.find("<p class=\"name\">Nguyễn Thị Hoa</p>") != std::string::npos);  // under the signature
  // The letterhead names the ward as the configuration does, and dates the page where the ward is.
  CHECK(page.find("<div class=\"ward\">Phường Long Thủy</div>") != std::string::npos);
  CHECK(page.find("<p class=\"place-date\">Long Thủy, ngày ") != std::string::npos);
  CHECK(page.find(notice) != std::string::npos);
  CHECK(page.find("<svg") != std::string::npos);
  CHECK(page.find("<script") == std::string::npos);
  for (const auto& [carrier, counts] : by_carrier) {
    const auto& c = counts.as_object();
    const auto row =
        fmt::format("<td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>",
                    carrier, field(c, "recipients"), field(c, "delivered"), field(c, "failed"));
    CHECK_MESSAGE(page.find(row) != std::string::npos, row);
  }

  // A file that cannot be written: exit 1, naming it.
  r = loa_cli(rig, {"report", id, "--html", "/nonexistent-dir/report.html"});
  CHECK(r.exit == 1);
  CHECK(r.err.find("/nonexistent-dir/report.html") != std::string::npos);
  r = loa_cli(rig, {"report", "9999"});
  CHECK(r.exit == 1);  // not this operator's ward: no such campaign
  std::remove(csv_path.c_str());
  std::remove(html_path.c_str());
}
