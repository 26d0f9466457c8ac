// GET /metrics end to end (tests/integration/broadcast_rig.hpp): a real campaign over two carriers, one of
// which fails some receipts, then the Prometheus text scraped over HTTP without a token and checked against
// the campaign's status per carrier and against /healthz.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <sstream>
#include <string>
#include <thread>

#include "gateway/api/client.hpp"
#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
namespace json = boost::json;
using boost::beast::http::verb;
using namespace std::chrono_literals;

namespace {

const std::string notice = "Phat thuoc tay giun cho tre em tai Tram Y te sang Chu nhat. Metrics test.";

// The scrape: status and raw text, as Prometheus does it (no Authorization header).
std::pair<unsigned, std::string> scrape(const test::broadcast_rig& rig) {
  return rig.scrape();
}

// Every sample line: `name{labels}` -> value. Checks the lines' shape on the way.
std::map<std::string, double> samples(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) continue;
    const auto space = line.rfind(' ');
    REQUIRE_MESSAGE(space != std::string::npos, line);
    REQUIRE_MESSAGE(line.starts_with("loa_"), line);
    out[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return out;
}

double sample(const std::map<std::string, double>& all, const std::string& key) {
  const auto it = all.find(key);
  INFO(key);
  REQUIRE(it != all.end());
  return it->second;
}

std::string per_carrier(std::string_view name, std::string_view carrier, std::string_view label = {},
                        std::string_view value = {}) {
  if (label.empty()) return fmt::format("{}{{carrier=\"{}\"}}", name, carrier);
  return fmt::format("{}{{carrier=\"{}\",{}=\"{}\"}}", name, carrier, label, value);
}

}  // namespace

TEST_CASE("metrics: after a campaign with failures, the scrape counts what the status counts per carrier") {
  // Viettel (a transceiver, 2 sessions) fails about a third of its receipts; vinaphone (a transmitter with a
  // receiver, 1 session) delivers all. Window 20 each (the rig's configuration).
  test::rig_options options;
  options.viettel_args = {"--fail-rate", "0.3"};
  test::broadcast_rig rig(options);
  rig.start_gateway();
  const auto numbers = test::test_numbers(300);
  std::string csv = "phone,name,groups\n";
  for (std::size_t i = 0; i < numbers.size(); ++i)
    csv += numbers[i] + ",Dan " + std::to_string(i) + ",to-1\n";
  rig.import(csv);

  const auto id = rig.send({{"groups", json::array{"to-1"}}, {"text", notice}});
  const auto status = rig.wait_finished(id, 60s);
  INFO(json::serialize(status));
  REQUIRE(status.at("state") == "done");
  REQUIRE(field(status, "pending") == 0);
  REQUIRE(field(status, "parts") == field(status, "recipients"));  // one part each: parts are recipients
  REQUIRE(field(status, "failed") + field(status, "expired") > 0);

  // The first PING goes as soon as Redis connects; wait (bounded) until its answer is counted.
  auto [code, text] = scrape(rig);
  for (int i = 0; i < 100 && text.find("\nloa_redis_latency_seconds_count 0\n") != std::string::npos; ++i) {
    std::this_thread::sleep_for(100ms);
    std::tie(code, text) = scrape(rig);
  }
  REQUIRE(code == 200);
  INFO(text);
  const auto all = samples(text);
  CHECK(text.find("# TYPE loa_submits_total counter\n") != std::string::npos);
  CHECK(text.find("# TYPE loa_receipt_match_seconds histogram\n") != std::string::npos);

  auto [health_code, health] = rig.call(verb::get, "/healthz");
  REQUIRE(health_code == 200);
  const auto& by_carrier = status.at("by_carrier").as_object();
  double receipts_final = 0;
  for (const auto* carrier : {"viettel", "vinaphone"}) {
    INFO(carrier);
    const auto& s = by_carrier.at(carrier).as_object();
    CHECK(sample(all, per_carrier("loa_submits_total", carrier, "result", "accepted")) ==
          field(s, "submitted"));
    CHECK(sample(all, per_carrier("loa_submits_total", carrier, "result", "rejected")) == 0);
    CHECK(sample(all, per_carrier("loa_submits_total", carrier, "result", "error")) == field(s, "uncertain"));
    CHECK(sample(all, per_carrier("loa_receipts_total", carrier, "state", "delivered")) ==
          field(s, "delivered"));
    CHECK(sample(all, per_carrier("loa_receipts_total", carrier, "state", "failed")) == field(s, "failed"));
    CHECK(sample(all, per_carrier("loa_receipts_total", carrier, "state", "expired")) == field(s, "expired"));
    receipts_final += static_cast<double>(field(s, "delivered") + field(s, "failed") + field(s, "expired"));
    CHECK(sample(all, per_carrier("loa_receipts_unmatched_total", carrier)) <=
          static_cast<double>(field(s, "submitted")));

    const auto& h = health.at("carriers").at(carrier).as_object();
    CHECK(sample(all, per_carrier("loa_binds_up", carrier)) == field(h, "binds_up"));
    CHECK(sample(all, per_carrier("loa_binds", carrier)) == field(h, "binds"));
    CHECK(sample(all, per_carrier("loa_window_size", carrier)) == 20 * field(h, "binds"));
    CHECK(sample(all, per_carrier("loa_window_in_use", carrier)) == 0);  // every submit answered
    CHECK(sample(all, per_carrier("loa_mo_total", carrier, "kind", "opt_out")) == 0);
  }
  CHECK(sample(all, per_carrier("loa_binds", "viettel")) == 2);
  CHECK(sample(all, per_carrier("loa_receiver_binds_up", "vinaphone")) == 1);
  CHECK(sample(all, per_carrier("loa_receipts_total", "viettel", "state", "failed")) > 0);

  // Every final receipt was written once: one observation each.
  CHECK(sample(all, "loa_receipt_match_seconds_count") == receipts_final);
  CHECK(sample(all, "loa_receipt_match_seconds_bucket{le=\"+Inf\"}") == receipts_final);
  CHECK(sample(all, "loa_receipt_match_seconds_bucket{le=\"0.001\"}") <=
        sample(all, "loa_receipt_match_seconds_bucket{le=\"30\"}"));

  CHECK(sample(all, "loa_redis_up") == 1);
  CHECK(sample(all, "loa_redis_latency_seconds_count") > 0);
  CHECK(sample(all, "loa_redis_latency_seconds_bucket{le=\"+Inf\"}") ==
        sample(all, "loa_redis_latency_seconds_count"));
  CHECK(all.count("loa_campaigns_running") == 1);
}
