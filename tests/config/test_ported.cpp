// The ported-numbers CSV: number,carrier lines; every refusal names FILE:LINE.
#include "config/config.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace loa::config;

namespace {

const env_lookup no_env = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };

const configuration& two_carriers() {
  static const configuration c = load_config("tests/config/data/two_carriers.yaml", no_env);
  return c;
}

std::string error_of(std::string_view text) {
  try {
    parse_ported(text, "p.csv", two_carriers());
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("a ported file loads: header, comments, blank lines, spaces") {
  const ported_map m = load_ported("tests/config/data/ported.csv", two_carriers());
  CHECK(m.size() == 2);
  CHECK(m.at("84986000001") == "vinaphone");
  CHECK(m.at("84912000002") == "viettel");
}

TEST_CASE("numbers are kept as written, BOM and CRLF are accepted") {
  const ported_map m =
      parse_ported("\xEF\xBB\xBFnumber,carrier\r\n0986 000 003,vinaphone\r\n+84912000004,viettel", "p.csv",
                   two_carriers());
  CHECK(m.size() == 2);
  CHECK(m.at("0986 000 003") == "vinaphone");
  CHECK(m.at("+84912000004") == "viettel");
  CHECK(parse_ported("", "p.csv", two_carriers()).empty());
}

TEST_CASE("a ported file names FILE:LINE for each problem") {
  CHECK(error_of("number,carrier\n84986000001 vinaphone\n") ==
        "p.csv:2: expected number,carrier, found '84986000001 vinaphone'");
  CHECK(error_of("# c\n84986000001,mobifone\n") ==
        "p.csv:2: unknown carrier 'mobifone'; expected viettel | vinaphone");
  CHECK(error_of("84986000001,vinaphone\n\n84986000001,viettel\n") ==
        "p.csv:3: number '84986000001' is listed twice (first on line 1)");
  CHECK(error_of(",viettel\n") == "p.csv:1: the number is empty");
  CHECK(error_of("84986000001,\n") == "p.csv:1: the carrier is empty");
  CHECK(error_of("abc,viettel\n") == "p.csv:1: 'abc' is not a phone number");
  CHECK(error_of("84986000001,viettel,extra\n") ==
        "p.csv:1: expected two fields number,carrier, found '84986000001,viettel,extra'");
  // The header is accepted only as the first row.
  CHECK(error_of("84986000001,viettel\nnumber,carrier\n") == "p.csv:2: 'number' is not a phone number");

  try {
    load_ported("tests/config/data/ported_unknown_carrier.csv", two_carriers());
    FAIL("an unknown carrier was accepted");
  } catch (const config_error& e) {
    CHECK(std::string(e.what()) ==
          "tests/config/data/ported_unknown_carrier.csv:3: unknown carrier 'mobifone'; expected viettel | "
          "vinaphone");
    CHECK(e.line() == 3);
  }
  try {
    load_ported("tests/config/data/missing.csv", two_carriers());
    FAIL("a missing file was accepted");
  } catch (const config_error& e) {
    CHECK(std::string(e.what()) == "tests/config/data/missing.csv: cannot open: No such file or directory");
  }
}
