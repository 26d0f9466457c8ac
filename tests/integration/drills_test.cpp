// Fault drills (issue 7): kill -9 of the gateway at random moments, a carrier that throttles hard and one that
// never answers a submit, each checked for "every recipient ends delivered, failed, expired or uncertain; none
// lost; duplicates no more than what was resent, each counted". CI runs them small; tools/fault-drills runs the
// same cases at full size (LOA_DRILL_RECIPIENTS, LOA_DRILL_KILLS) and collects the figures they print
// (LOA_DRILL_REPORT: a file to append JSON lines to).
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

#include "tests/integration/broadcast_rig.hpp"

using namespace loa;
using test::field;
namespace json = boost::json;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

std::size_t env_size(const char* name, std::size_t otherwise) {
  const char* v = std::getenv(name);
  return v && *v ? static_cast<std::size_t>(std::strtoull(v, nullptr, 10)) : otherwise;
}

void report(json::object figures) {
  const char* path = std::getenv("LOA_DRILL_REPORT");
  if (!path || !*path) return;
  std::ofstream(path, std::ios::app) << json::serialize(figures) << "\n";
}

std::string everyone(const std::vector<std::string>& numbers) {
  std::string csv = "phone,name,groups\n";
  for (const auto& n : numbers) csv += n + ",Hộ dân,all\n";
  return csv;
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

// Every recipient is settled, none lost: the counts add up to the recipients, nothing queued or pending.
void check_nothing_lost(const json::object& s, std::int64_t recipients) {
  INFO(json::serialize(s));
  CHECK(s.at("state") == "done");
  CHECK(field(s, "recipients") == recipients);
  CHECK(field(s, "queued") == 0);
  CHECK(field(s, "pending") == 0);
  CHECK(field(s, "delivered") + field(s, "failed") + field(s, "expired") + field(s, "uncertain") == recipients);
}

}  // namespace

TEST_CASE("drill: kill -9 of the gateway at random moments: none lost, duplicates only what was resent") {
  const auto recipients = env_size("LOA_DRILL_RECIPIENTS", 2000);
  const auto kills = env_size("LOA_DRILL_KILLS", 3);
  test::rig_options options;
  // Slow enough that the kills land mid-campaign: 2 carriers x 300/s.
  options.carrier_lines = "    tps: " + std::to_string(env_size("LOA_DRILL_TPS", 300)) + "\n";
  options.top_lines = "limits:\n  uncertain: resend\napproval:\n  above_recipients: 100000000\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  rig.import(everyone(test::test_numbers(recipients)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Drill kill"}});

  std::mt19937 random(static_cast<unsigned>(std::random_device{}()));
  std::uniform_int_distribution<int> pause_ms(100, 900);
  json::array recoveries;  // seconds from the restart to the next submit
  std::size_t done_kills = 0;
  for (; done_kills < kills; ++done_kills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    if (rig.status(id).at("state") == "done") break;
    rig.kill_gateway();
    const auto counted = rig.redis.command({"HGET", "loa:{c:" + id + "}:counts", "submitted"});
    const std::int64_t before = counted == "(nil)" ? 0 : std::stoll(counted);
    const auto restarted = clock_type::now();
    rig.start_gateway();
    auto s = rig.status(id);
    while (field(s, "submitted") <= before && s.at("state") != "done" && seconds_since(restarted) < 30) {
      std::this_thread::sleep_for(20ms);
      s = rig.status(id);
    }
    recoveries.emplace_back(seconds_since(restarted));
  }
  CHECK(done_kills >= 1);
  const auto s = rig.wait_finished(id, std::chrono::seconds(60 + recipients / 200));
  check_nothing_lost(s, static_cast<std::int64_t>(recipients));
  const auto got = rig.accepted("Drill kill");
  CHECK(got.by_number.size() + static_cast<std::size_t>(field(s, "uncertain")) >= recipients);
  // A recipient got it twice only when a part in flight at a kill was sent again, which `resent` counts.
  CHECK(static_cast<std::int64_t>(got.duplicated.size()) <= field(s, "resent"));
  report({{"drill", "kill"},
          {"recipients", recipients},
          {"kills", done_kills},
          {"delivered", field(s, "delivered")},
          {"uncertain", field(s, "uncertain")},
          {"resent", field(s, "resent")},
          {"duplicates", got.duplicated.size()},
          {"recover_s", recoveries}});
}

TEST_CASE("drill: a carrier that throttles hard: everything still goes, at its pace, nothing fails") {
  const auto recipients = env_size("LOA_DRILL_RECIPIENTS", 2000) / 5;
  test::rig_options options;
  options.viettel_args = {"--tps", "40"};  // the gateway is configured for 500/s: most submits are throttled
  options.carrier_lines = "    tps: 500\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  rig.import(everyone(test::test_numbers(recipients)));
  const auto start = clock_type::now();
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Drill throttle"}});
  const auto s = rig.wait_finished(id, std::chrono::seconds(60 + recipients / 20));
  check_nothing_lost(s, static_cast<std::int64_t>(recipients));
  CHECK(field(s, "delivered") == static_cast<std::int64_t>(recipients));
  CHECK(rig.accepted("Drill throttle").duplicated.empty());
  report({{"drill", "throttle"}, {"recipients", recipients}, {"seconds", seconds_since(start)}});
}

TEST_CASE("drill: a carrier that never answers a submit: its recipients end uncertain, the other's delivered") {
  const auto recipients = env_size("LOA_DRILL_RECIPIENTS", 2000) / 20;
  test::rig_options options;
  options.vinaphone_args = {"--fault", "no-submit-resp"};
  // Sent again, they would never be answered either: reported uncertain once no receipt came in the grace.
  options.top_lines = "limits:\n  uncertain: report\n  uncertain_grace: 3s\n";
  test::broadcast_rig rig(options);
  rig.start_gateway();
  rig.import(everyone(test::test_numbers(recipients)));
  const auto id = rig.send({{"groups", json::array{"all"}}, {"text", "Drill silent"}});
  // Each unanswered window (20 submits) takes response_timeout_s (5 s) to give up on: recipients / 8 seconds.
  const auto s = rig.wait_finished(id, std::chrono::seconds(30 + recipients / 4));
  check_nothing_lost(s, static_cast<std::int64_t>(recipients));
  const auto& by = s.at("by_carrier").as_object();
  CHECK(field(by.at("viettel").as_object(), "delivered") == static_cast<std::int64_t>(recipients / 2));
  // Sent, never answered: the carrier may have delivered them, so they are not failed but uncertain.
  CHECK(field(s, "uncertain") == static_cast<std::int64_t>(recipients / 2));
  report({{"drill", "silent"}, {"recipients", recipients}, {"uncertain", field(s, "uncertain")}});
}
