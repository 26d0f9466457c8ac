// loa-smsc-sim --receipt-stats: how fast a bind answered its deliver_sm, as the SMSC saw it (the benchmarks'
// receipt answer latency, for loa and for Kannel alike).
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gateway/smpp/receipt.hpp"
#include "tests/integration/fixtures/process.hpp"
#include "tests/integration/fixtures/smpp_client.hpp"
#include "tools/smsc-sim/deliver_stats.hpp"

using namespace loa;
using smpp::command_id;
using namespace std::chrono_literals;

TEST_CASE("receipt stats: quantiles within 2 %, and the rate counted only while others waited") {
  sim::deliver_stats s;
  const auto t0 = sim::deliver_stats::clock::now();
  // 98 answers of 1 ms, then 2 of 50 ms; answers 1 ms apart, the last 10 given while others waited.
  for (int i = 0; i < 100; ++i) {
    const auto latency = i < 98 ? 1ms : 50ms;
    s.answered(latency, t0 + std::chrono::milliseconds(i), i >= 90);
  }
  CHECK(s.count() == 100);
  CHECK(s.quantile_ms(0.5) == doctest::Approx(1.0).epsilon(0.02));
  CHECK(s.quantile_ms(0.98) == doctest::Approx(1.0).epsilon(0.02));
  CHECK(s.quantile_ms(0.99) == doctest::Approx(50.0).epsilon(0.02));
  const auto j = boost::json::parse(s.json("loa")).as_object();
  CHECK(j.at("system_id").as_string() == "loa");
  CHECK(j.at("answered").to_number<int>() == 100);
  CHECK(j.at("backlog_answers").to_number<int>() == 9);  // the first of the ten starts the count
  CHECK(j.at("backlog_per_s").to_number<double>() == doctest::Approx(1000).epsilon(0.01));
}

TEST_CASE("receipt stats: the simulator reports each bind's answers when it stops") {
  const auto err = test::temp_path("sim-receipt-stats");
  {
    test::smsc_sim sim({"--receipt-stats", "--receipt-window", "2"}, err);
    test::smpp_client c(sim.port);
    const auto b = c.bind(command_id::bind_transceiver, "loa", "pw");
    REQUIRE(b);
    REQUIRE(b->status == 0);
    for (int i = 0; i < 5; ++i)
      c.send(command_id::submit_sm, test::text_message("84912345678", "msg " + std::to_string(i), 1));
    for (int answered = 0; answered < 5;) {
      const auto p = c.read(5s);
      REQUIRE(p);
      REQUIRE(*p);
      if (p->value.id != command_id::deliver_sm) continue;
      c.send(smpp::pdu{command_id::deliver_sm_resp, 0, p->value.sequence, smpp::message_resp{}});
      ++answered;
    }
    c.send(command_id::enquire_link, smpp::empty{});  // the last answer is read before the stop
    REQUIRE(c.read_until(command_id::enquire_link_resp));
    CHECK(sim.process.stop() == 0);
  }
  std::ifstream in(err);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::filesystem::remove(err);
  const auto at = text.find("loa-smsc-sim: receipt-stats ");
  REQUIRE(at != std::string::npos);
  const auto line = text.substr(at + 28, text.find('\n', at) - at - 28);
  const auto j = boost::json::parse(line).as_object();
  CHECK(j.at("system_id").as_string() == "loa");
  CHECK(j.at("answered").to_number<int>() == 5);
  CHECK(j.at("p99_ms").to_number<double>() >= j.at("p50_ms").to_number<double>());
}
