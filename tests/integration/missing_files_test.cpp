// A configuration that names a file which is not there: the real `loa gateway` ends with "FILE: cannot open"
// and exit 1, never an uncaught exception (abort, exit 134), wherever the file is read (at load or at start).
#include <doctest/doctest.h>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <string>

#include "tests/fixtures/redis_server.hpp"
#include "tests/integration/broadcast_rig.hpp"

using namespace loa;

namespace {

// A valid configuration plus `carrier_lines` under its one carrier and `top_lines` at the top level.
std::string config_with(const std::string& carrier_lines, const std::string& top_lines) {
  const auto path = test::temp_path("loa-missing-files") + ".yaml";
  std::ofstream(path) << "gateway:\n  listen: 127.0.0.1:" << test::free_port()
                      << "\n  utc_offset: \"+05:30\"\nredis:\n  url: redis://127.0.0.1:"
                      << test::free_port() << "/0\nsender: \"UBND LThuy\"\ncarriers:\n  - name: viettel\n"
                      << "    host: 127.0.0.1\n    port: " << test::free_port() << "\n    system_id: loa\n"
                      << carrier_lines << top_lines;
  return path;
}

// Runs the gateway with `config`, checks it is refused with `expected` on stderr; returns its stderr.
std::string check_refused(const std::string& config, const std::string& expected) {
  const auto [code, err] = test::run_gateway(config);
  INFO(err);
  CHECK(code == 1);
  CHECK(err.find(expected) != std::string::npos);
  CHECK(err.find("terminate called") == std::string::npos);
  return err;
}

}  // namespace

TEST_CASE("missing files: the gateway names the file it cannot open and exits 1") {
  SUBCASE("routing.ported_file (read when the gateway starts)") {
    const auto config = config_with("", "routing:\n  ported_file: no-such-ported.csv\n");
    // Its log lines are stamped in the gateway's utc_offset (+05:30 here), not in the machine's zone.
    const auto minute = [] {
      const auto local = std::chrono::floor<std::chrono::minutes>(std::chrono::system_clock::now()) +
                         std::chrono::hours(5) + std::chrono::minutes(30);
      return fmt::format("{:%Y-%m-%d %H:%M}", local);
    };
    const auto before = minute();
    const auto err = check_refused(config, "no-such-ported.csv: cannot open: No such file or directory");
    const auto after = minute();
    INFO(err);
    const auto stamped = [&](const std::string& m) { return err.find(m + ":") != std::string::npos; };
    CHECK((stamped(before) || stamped(after)));
    CHECK(err.find("+05:30 info loa gateway: configuration") != std::string::npos);
  }
  SUBCASE("carriers[].tls_ca (read when the configuration loads)") {
    const auto config = config_with("    tls: true\n    tls_ca: /nonexistent/loa-ca.pem\n", "");
    check_refused(config, "carriers.viettel.tls_ca: cannot read /nonexistent/loa-ca.pem");
  }
}
