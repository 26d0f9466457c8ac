// config/config.hpp: the example loads, defaults are filled, and every refusal names FILE:LINE and the key.
#include "config/config.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

using namespace loa::config;
using namespace std::chrono_literals;

namespace {

// An environment with exactly these variables, so tests do not depend on the shell.
env_lookup fake_env(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

const env_lookup no_env = fake_env({});

// The what() of the config_error that parsing text as "t.yaml" throws, or "no error".
std::string error_of(std::string_view text, const env_lookup& env = no_env) {
  try {
    parse_config(text, "t.yaml", env);
  } catch (const config_error& e) {
    return e.what();
  }
  return "no error";
}

// Lines 1-6 of most documents below: a valid file with one carrier.
constexpr std::string_view head =
    "sender: LongThuy\n"     // 1
    "carriers:\n"            // 2
    "  - name: viettel\n"    // 3
    "    host: 127.0.0.1\n"  // 4
    "    port: 2775\n"       // 5
    "    system_id: loa\n";  // 6

std::string with(std::string_view more) {
  return std::string(head) + std::string(more);
}

}  // namespace

TEST_CASE("the example config/loa.yaml loads with every field") {
  const configuration c = load_config("config/loa.yaml", no_env);
  CHECK(c.file == "config/loa.yaml");
  CHECK(c.gateway.listen.host == "127.0.0.1");
  CHECK(c.gateway.listen.port == 8787);
  CHECK(c.gateway.utc_offset == 7h);
  REQUIRE(c.gateway.quiet);
  CHECK(c.gateway.quiet->from == 21h + 30min);
  CHECK(c.gateway.quiet->to == 6h + 30min);
  // 21:30-06:30 Vietnam time (UTC+7) is 14:30-23:30 UTC.
  using std::chrono::sys_days;
  const auto day = sys_days{std::chrono::year{2026} / 11 / 22};
  CHECK(c.gateway.quiet_at(day + 15h));              // 22:00 local
  CHECK(c.gateway.quiet_at(day + 23h + 29min));      // 06:29 local, across midnight
  CHECK_FALSE(c.gateway.quiet_at(day + 23h + 30min));  // 06:30 local: the window has ended
  CHECK_FALSE(c.gateway.quiet_at(day + 7h));         // 14:00 local
  CHECK(c.redis.kind == redis_config::transport::tcp);
  CHECK(c.redis.host == "127.0.0.1");
  CHECK(c.redis.port == 6379);
  CHECK(c.redis.db == 0);
  CHECK(c.redis.password.empty());
  CHECK(c.sender == "UBND LThuy");
  REQUIRE(c.carriers.size() == 2);

  const carrier_config& vt = c.carriers[0];
  CHECK(vt.name == "viettel");
  CHECK(vt.port == 2775);
  CHECK(vt.system_id == "loa");
  CHECK(vt.password.reveal() == "secret");
  CHECK(vt.bind == bind_mode::transceiver);
  CHECK(vt.sessions == 2);
  CHECK(vt.window == 50);
  CHECK(vt.tps == 200);
  CHECK(vt.max_parts == 5);
  CHECK(vt.receipt_id == receipt_id_form::as_is);
  CHECK(vt.concat == concat_method::udh8);
  CHECK(vt.source == ton_npi{5, 0});
  CHECK(vt.dest == ton_npi{1, 1});
  CHECK(vt.dest_number == number_form::international);
  CHECK(vt.prefixes == std::vector<std::string>{"8486", "8496", "8497", "8498", "8432", "8433", "8434",
                                                "8435", "8436", "8437", "8438", "8439"});
  CHECK(vt.command_status == std::map<std::uint32_t, status_action>{{0x58, status_action::slow_down},
                                                                      {0x14, status_action::retry}});
  CHECK(vt.other_status == status_action::permanent);

  const carrier_config& vn = c.carriers[1];
  CHECK(vn.name == "vinaphone");
  CHECK(vn.port == 2776);
  CHECK(vn.receipt_id == receipt_id_form::hex);
  CHECK(vn.concat == concat_method::sar);
  CHECK(vn.max_parts == 10);  // from limits
  CHECK(vn.prefixes ==
        std::vector<std::string>{"8488", "8491", "8494", "8481", "8482", "8483", "8484", "8485"});

  CHECK(c.routing.default_carrier == "viettel");
  REQUIRE(c.routing.ported_file);
  CHECK(*c.routing.ported_file == "config/ported.csv");
  CHECK(c.templates_dir == "templates/notices");
  REQUIRE(c.operators.size() == 3);
  CHECK(c.operators[0].name == "hoa");
  CHECK(c.operators[0].role == operator_role::sender);
  // The comment in loa.yaml says token "demo-token-hoa": printf %s demo-token-hoa | sha256sum
  CHECK(c.operators[0].token_sha256 == "0c7608d51a1cd241340365f240fcce28178d00f75c1f955e0a183db4a5f9e418");
  CHECK(c.operators[0].wards == std::vector<std::string>{"long-thuy"});
  CHECK(c.operators[1].role == operator_role::approver);
  CHECK(c.operators[2].role == operator_role::admin);
  CHECK(c.approval.above_recipients == 5000);
  CHECK(c.confirmation.above_recipients == 1000);
  CHECK(c.currency == "VND");
  CHECK(c.carriers[0].price_per_part == 300);
  CHECK(c.mo.opt_out == std::vector<std::string>{"HUY", "TU CHOI"});
  CHECK(c.mo.opt_in == std::vector<std::string>{"DK"});
  CHECK(c.mo.help == std::vector<std::string>{"HD"});
  CHECK(c.limits.max_parts == 10);
  CHECK(c.limits.validity == 24h);
  CHECK(c.limits.resend_uncertain);
  CHECK(c.limits.uncertain_grace == 60s);

  // Its ported file names carriers of this configuration.
  const ported_map ported = load_ported(*c.routing.ported_file, c);
  CHECK(ported.at("84986000001") == "vinaphone");
}

TEST_CASE("a minimal file gets every default") {
  const configuration c = load_config("tests/config/data/minimal.yaml", no_env);
  CHECK(c.gateway.listen.host == "127.0.0.1");
  CHECK(c.gateway.listen.port == 8787);
  CHECK(c.gateway.utc_offset == 7h);
  CHECK_FALSE(c.gateway.quiet);
  CHECK(c.redis.kind == redis_config::transport::tcp);
  CHECK(c.redis.host == "127.0.0.1");
  CHECK(c.redis.port == 6379);
  CHECK(c.redis.db == 0);
  REQUIRE(c.carriers.size() == 1);
  const carrier_config& vt = c.carriers[0];
  CHECK(vt.password.empty());
  CHECK(vt.system_type.empty());
  CHECK(vt.bind == bind_mode::transceiver);
  CHECK(vt.sessions == 1);
  CHECK(vt.window == 10);
  CHECK(vt.tps == 100);
  CHECK(vt.enquire_link == 30s);
  CHECK(vt.response_timeout == 60s);
  CHECK(vt.reconnect_min == 10s);
  CHECK(vt.reconnect_max == 120s);
  CHECK(vt.receipt_id == receipt_id_form::as_is);
  CHECK(vt.concat == concat_method::udh8);
  CHECK(vt.max_parts == 10);
  CHECK(vt.data_coding_gsm == 0);
  CHECK(vt.source == ton_npi{5, 0});
  CHECK(vt.dest == ton_npi{1, 1});
  CHECK(vt.dest_number == number_form::international);
  CHECK_FALSE(vt.sender);
  CHECK(vt.prefixes.empty());
  CHECK(vt.command_status.empty());  // DOMAIN.md's table applies (gateway/smpp/command_status.hpp)
  CHECK_FALSE(vt.other_status);
  CHECK(c.routing.default_carrier == "viettel");  // the only carrier
  CHECK_FALSE(c.routing.ported_file);
  CHECK(c.operators.empty());
  CHECK(c.templates_dir == "tests/config/data/templates");
  CHECK(c.approval.above_recipients == 5000);
  CHECK(c.mo.opt_out == std::vector<std::string>{"HUY", "TU CHOI"});
  CHECK(c.limits.max_parts == 10);
  CHECK(c.limits.validity == 24h);
  // Issue 13: a lost answer waits for a receipt for the grace, then the part is sent again (report: only
  // reported), as peers do (DOMAIN.md).
  CHECK(c.limits.resend_uncertain);
  CHECK(c.limits.uncertain_grace == 60s);
}

TEST_CASE("unknown keys are refused, naming the key and a close match") {
  CHECK(error_of(with("    windw: 50\n")) ==
        "t.yaml:7: carriers.viettel: unknown key 'windw' (did you mean 'window'?)");
  CHECK(error_of(with("gatway:\n  listen: 127.0.0.1:1\n")) ==
        "t.yaml:7: top level: unknown key 'gatway' (did you mean 'gateway'?)");
  CHECK(error_of(with("limits:\n  colour: red\n")) ==
        "t.yaml:8: limits: unknown key 'colour'; allowed: max_parts, validity, uncertain, uncertain_grace");
  // Through a file: the message names the path as given.
  try {
    load_config("tests/config/data/typo.yaml", no_env);
    FAIL("typo.yaml was accepted");
  } catch (const config_error& e) {
    CHECK(std::string(e.what()) ==
          "tests/config/data/typo.yaml:7: carriers.viettel: unknown key 'windw' (did you mean 'window'?)");
    CHECK(e.file() == "tests/config/data/typo.yaml");
    CHECK(e.line() == 7);
    CHECK(e.reason() == "carriers.viettel: unknown key 'windw' (did you mean 'window'?)");
  }
}

TEST_CASE("a key given twice is refused") {
  CHECK(error_of(with("    port: 2776\n")) ==
        "t.yaml:7: carriers.viettel: key 'port' given twice (first on line 5)");
}

TEST_CASE("YAML syntax errors carry the line") {
  CHECK(error_of("sender: LongThuy\ncarriers: [\n  - name: a\n") ==
        "t.yaml:3: YAML syntax error: illegal block entry");
  CHECK(error_of("sender: LongThuy\n\tcarriers: []\n") ==
        "t.yaml:2: YAML syntax error: illegal tab when looking for indentation");
  CHECK(error_of("sender: LongThuy\ncarriers:\n  - name: a\n   host: b\n") ==
        "t.yaml:4: YAML syntax error: end of sequence not found");
  CHECK(error_of("sender: *brand\n") == "t.yaml:1: YAML syntax error: the referenced anchor is not defined");
}

TEST_CASE("an empty file or a missing file is refused") {
  CHECK(error_of("") ==
        "t.yaml:1: the file is empty; expected a mapping with gateway, redis, sender, carriers, ...");
  CHECK(error_of("# only a comment\n") ==
        "t.yaml:1: the file is empty; expected a mapping with gateway, redis, sender, carriers, ...");
  CHECK(error_of("- a\n- b\n") == "t.yaml:1: top level: expected a mapping, found a list");
  try {
    load_config("tests/config/data/no-such-file.yaml", no_env);
    FAIL("a missing file was accepted");
  } catch (const config_error& e) {
    CHECK(std::string(e.what()) ==
          "tests/config/data/no-such-file.yaml: cannot open: No such file or directory");
    CHECK(e.line() == 0);
  }
}

TEST_CASE("missing required fields point at the mapping that lacks them") {
  CHECK(error_of("carriers: []\n") == "t.yaml:1: top level: missing required key 'sender'");
  CHECK(error_of("sender: LongThuy\n") == "t.yaml:1: top level: missing required key 'carriers'");
  CHECK(error_of("sender: LongThuy\ncarriers: []\n") ==
        "t.yaml:2: carriers: expected a list of at least one carrier, found an empty list");
  CHECK(error_of("sender: LongThuy\ncarriers:\n  - name: viettel\n    port: 2775\n    system_id: loa\n") ==
        "t.yaml:3: carriers.viettel: missing required key 'host'");
  CHECK(error_of("sender: LongThuy\ncarriers:\n  - host: h\n    port: 2775\n    system_id: loa\n") ==
        "t.yaml:3: carriers[0]: missing required key 'name'");
  CHECK(error_of(with("gateway:\n  quiet_hours: { from: \"21:30\" }\n")) ==
        "t.yaml:8: gateway.quiet_hours: missing required key 'to'");
  CHECK(error_of(with("operators:\n  - name: hoa\n    wards: [a]\n    role: sender\n")) ==
        "t.yaml:8: operators[0]: missing required key 'token_sha256'");
}

TEST_CASE("wrong types are refused") {
  CHECK(error_of(with("    window: ten\n")) ==
        "t.yaml:7: carriers.viettel.window: expected an integer, found 'ten'");
  CHECK(error_of(with("    window: [1]\n")) ==
        "t.yaml:7: carriers.viettel.window: expected an integer, found a list");
  CHECK(error_of(with("    window: 1.5\n")) ==
        "t.yaml:7: carriers.viettel.window: expected an integer, found '1.5'");
  CHECK(error_of(with("    prefixes: \"8486\"\n")) ==
        "t.yaml:7: carriers.viettel.prefixes: expected a list, found a value");
  CHECK(error_of("sender: LongThuy\ncarriers:\n  - name: viettel\n    host: { a: 1 }\n    port: 1\n    "
                 "system_id: x\n") == "t.yaml:4: carriers.viettel.host: expected a string, found a mapping");
  CHECK(error_of(with("    tps: fast\n")) ==
        "t.yaml:7: carriers.viettel.tps: expected a number, found 'fast'");
  CHECK(error_of(with("gateway: 8787\n")) == "t.yaml:7: gateway: expected a mapping, found a value");
  CHECK(error_of(with("    system_type:\n")) ==
        "t.yaml:7: carriers.viettel.system_type: expected a string, found nothing");
}

TEST_CASE("out-of-range values are refused with the range") {
  CHECK(error_of(with("    window: 0\n")) == "t.yaml:7: carriers.viettel.window: 0 is out of range 1..1000");
  CHECK(error_of(with("    window: 1001\n")) ==
        "t.yaml:7: carriers.viettel.window: 1001 is out of range 1..1000");
  CHECK(error_of(with("    sessions: 65\n")) ==
        "t.yaml:7: carriers.viettel.sessions: 65 is out of range 1..64");
  CHECK(error_of(with("    tps: 0\n")) ==
        "t.yaml:7: carriers.viettel.tps: 0 is out of range: must be > 0 and at most 1000000");
  CHECK(error_of(with("    tps: -5\n")) ==
        "t.yaml:7: carriers.viettel.tps: -5 is out of range: must be > 0 and at most 1000000");
  CHECK(
      error_of(
          "sender: LongThuy\ncarriers:\n  - name: viettel\n    host: h\n    port: 0\n    system_id: loa\n") ==
      "t.yaml:5: carriers.viettel.port: 0 is out of range 1..65535");
  CHECK(error_of("sender: LongThuy\ncarriers:\n  - name: viettel\n    host: h\n    port: 65536\n    "
                 "system_id: x\n") == "t.yaml:5: carriers.viettel.port: 65536 is out of range 1..65535");
  CHECK(error_of(with("gateway:\n  listen: 127.0.0.1:0\n")) ==
        "t.yaml:8: gateway.listen: port '0' is out of range 1..65535");
  CHECK(error_of(with("gateway:\n  listen: localhost\n")) ==
        "t.yaml:8: gateway.listen: 'localhost' is not host:port (for example 127.0.0.1:8787)");
  CHECK(error_of(with("    max_parts: 256\n")) ==
        "t.yaml:7: carriers.viettel.max_parts: 256 is out of range 1..255");
  CHECK(error_of(with("    data_coding_gsm: 3\n")) ==
        "t.yaml:7: carriers.viettel.data_coding_gsm: 3 is out of range 0..1");
  CHECK(error_of(with("    dest_npi: 2\n")) ==
        "t.yaml:7: carriers.viettel.dest_npi: 2 is not an SMPP NPI; expected 0 | 1 | 3 | 4 | 6 | 8 | 9 | 10 "
        "| 14 | 18");
  CHECK(error_of(with("    dest_ton: 7\n")) == "t.yaml:7: carriers.viettel.dest_ton: 7 is out of range 0..6");
  CHECK(error_of(with("    reconnect_min_s: 30\n    reconnect_max_s: 20\n")) ==
        "t.yaml:8: carriers.viettel: reconnect_max_s (20) is below reconnect_min_s (30)");
  CHECK(error_of("sender: LongThuy\ncarriers:\n  - name: viettel\n    host: h\n    port: 1\n"
                 "    system_id: abcdefghijklmnop\n") ==
        "t.yaml:6: carriers.viettel.system_id: 'abcdefghijklmnop' is 16 characters; SMPP allows at most 15");
  CHECK(error_of(with("approval:\n  above_recipients: 0\n")) ==
        "t.yaml:8: approval.above_recipients: 0 is out of range 1..100000000");
  CHECK(error_of(with("limits:\n  uncertain: maybe\n")) ==
        "t.yaml:8: limits.uncertain: unknown value 'maybe'; expected report | resend");
  CHECK(error_of(with("limits:\n  validity: 30s\n")) ==
        "t.yaml:8: limits.validity: '30s' is out of range 60s..2592000s");
  CHECK(error_of(with("limits:\n  validity: 1w\n")) ==
        "t.yaml:8: limits.validity: '1w' is not a duration like 3600, 90m, 24h or 2d");
}

TEST_CASE("an unknown enum value lists the allowed ones") {
  CHECK(
      error_of(with("    bind: both\n")) ==
      "t.yaml:7: carriers.viettel.bind: unknown value 'both'; expected transmitter | receiver | transceiver");
  CHECK(error_of(with("    receipt_id: decimal\n")) ==
        "t.yaml:7: carriers.viettel.receipt_id: unknown value 'decimal'; expected as-is | hex | dec");
  CHECK(error_of(with("    concat: udh\n")) ==
        "t.yaml:7: carriers.viettel.concat: unknown value 'udh'; expected udh8 | udh16 | sar | payload");
  CHECK(error_of(with("    command_status:\n      0x58: wait\n")) ==
        "t.yaml:8: carriers.viettel.command_status.0x58: unknown value 'wait'; expected retry | slow_down | "
        "permanent | rebind");
  CHECK(error_of(with("operators:\n  - name: hoa\n    token_sha256: " + std::string(64, 'a') +
                      "\n    wards: [a]\n    role: boss\n")) ==
        "t.yaml:11: operators[0].role: unknown value 'boss'; expected sender | approver | admin");
}

TEST_CASE("enum values parse and print with their YAML spelling") {
  auto c = parse_config(with("    bind: transmitter\n    receipt_id: dec\n    concat: payload\n"), "t.yaml",
                        no_env);
  CHECK(c.carriers[0].bind == bind_mode::transmitter);
  CHECK(c.carriers[0].receipt_id == receipt_id_form::dec);
  CHECK(c.carriers[0].concat == concat_method::payload);
  CHECK(fmt::format("{} {} {} {} {} {}", bind_mode::receiver, receipt_id_form::as_is, concat_method::udh16,
                    status_action::slow_down, number_form::national,
                    operator_role::approver) == "receiver as-is udh16 slow_down national approver");
}

TEST_CASE("duplicate carriers and prefixes are refused") {
  CHECK(error_of(with("  - name: viettel\n    host: h\n    port: 1\n    system_id: x\n")) ==
        "t.yaml:7: carriers: duplicate carrier name 'viettel' (first on line 3)");
  CHECK(error_of(with("    prefixes: [\"8486\", \"8496\"]\n"
                      "  - name: vinaphone\n    host: h\n    port: 1\n    system_id: x\n"
                      "    prefixes:\n      - \"8488\"\n      - \"8496\"\n"
                      "routing: { default: viettel }\n")) ==
        "t.yaml:14: carriers.vinaphone.prefixes[1]: prefix '8496' is already claimed by carrier 'viettel' "
        "(line 7)");
  CHECK(error_of(with("    prefixes: [\"8486\", \"8486\"]\n")) ==
        "t.yaml:7: carriers.viettel.prefixes[1]: prefix '8486' is listed twice");
  CHECK(error_of(with("    prefixes: [\"086\"]\n")) ==
        "t.yaml:7: carriers.viettel.prefixes[0]: '086' must be 3..11 digits in the international form 84... "
        "(8498 for 098)");
  CHECK(error_of(with("  - name: Vina Phone\n    host: h\n    port: 1\n    system_id: x\n")) ==
        "t.yaml:7: carriers[1].name: 'Vina Phone' must be 1..32 characters of a-z, 0-9, '-', '_'");
}

TEST_CASE("routing.default must name a carrier") {
  CHECK(error_of(with("routing:\n  default: mobifone\n")) ==
        "t.yaml:8: routing.default: 'mobifone' is not a carrier; expected viettel");
  // With two carriers it is required.
  std::string two = with("  - name: vinaphone\n    host: h\n    port: 1\n    system_id: x\n");
  CHECK(error_of(two) ==
        "t.yaml:1: routing: missing required key 'default' (the carrier for numbers no prefix matches)");
  CHECK(error_of(two + "routing:\n  ported_file: p.csv\n") ==
        "t.yaml:11: routing: missing required key 'default' (the carrier for numbers no prefix matches)");
  // A nested block mapping is named by its key's line, not by its first entry's.
  CHECK(error_of(with("gateway:\n  quiet_hours:\n    from: \"21:30\"\n")) ==
        "t.yaml:8: gateway.quiet_hours: missing required key 'to'");
  const auto c = load_config("tests/config/data/two_carriers.yaml", no_env);
  CHECK(c.routing.default_carrier == "viettel");
  REQUIRE(c.find_carrier("vinaphone") != nullptr);
  CHECK(c.find_carrier("vinaphone")->port == 2776);
  CHECK(c.find_carrier("mobifone") == nullptr);
}

TEST_CASE("brandname senders follow Decree 91/2020") {
  CHECK_FALSE(check_brandname("UBND LThuy"));
  CHECK_FALSE(check_brandname("So.Y-Te_12"));
  CHECK_FALSE(check_brandname("ABCDEFGHIJK"));  // exactly 11
  CHECK(check_brandname("ABCDEFGHIJKL") == "'ABCDEFGHIJKL' is 12 characters; a brandname has at most 11");
  CHECK(check_brandname("0912345678") ==
        "'0912345678' is digits only; a brandname needs a letter (Decree 91/2020)");
  CHECK(check_brandname("UB@LT") == "'UB@LT' contains '@', which is 0x00 in GSM-7 and breaks the address");
  CHECK(check_brandname("UB/LT") ==
        "'UB/LT' contains '/'; a brandname allows Latin letters, digits, '-', '_', '.' and space");
  CHECK(check_brandname("Phường") ==
        "'Phường' contains a non-Latin character; a brandname allows Latin letters, digits, '-', '_', '.' "
        "and space");
  CHECK(check_brandname("") == "is empty");
  CHECK(check_brandname(" UBND") == "' UBND' starts or ends with a space");

  CHECK(error_of("sender: \"UBND LongThuy\"\ncarriers: []\n") ==
        "t.yaml:1: sender: invalid brandname: 'UBND LongThuy' is 13 characters; a brandname has at most 11");
  CHECK(error_of("sender: \"8486\"\ncarriers: []\n") ==
        "t.yaml:1: sender: invalid brandname: '8486' is digits only; a brandname needs a letter (Decree "
        "91/2020)");
  CHECK(error_of(with("    sender: a@b\n")) ==
        "t.yaml:7: carriers.viettel.sender: invalid brandname: 'a@b' contains '@', which is 0x00 in GSM-7 "
        "and breaks "
        "the address");
  auto c = parse_config(with("    sender: VT-LThuy\n"), "t.yaml", no_env);
  CHECK(c.carriers[0].sender == "VT-LThuy");
}

TEST_CASE("operators: token_sha256, wards, duplicates") {
  const std::string tok_a(64, 'a');
  const std::string op = "operators:\n  - name: hoa\n    token_sha256: ";
  CHECK(error_of(with(op + std::string(63, 'a') + "\n    wards: [a]\n    role: sender\n")) ==
        "t.yaml:9: operators[0].token_sha256: must be 64 hex characters (sha256sum of the token), found 63 "
        "characters");
  CHECK(error_of(with(op + std::string(63, 'a') + "g\n    wards: [a]\n    role: sender\n")) ==
        "t.yaml:9: operators[0].token_sha256: must be 64 hex characters (sha256sum of the token), found 64 "
        "characters with non-hex ones");
  CHECK(error_of(with(op + tok_a + "\n    role: sender\n")) ==
        "t.yaml:8: operators[0].wards: a sender needs at least one ward");
  CHECK(error_of(with(op + tok_a + "\n    wards: [Long Thuy]\n    role: sender\n")) ==
        "t.yaml:10: operators[0].wards[0]: ward 'Long Thuy' must be a-z, 0-9, '-', '_' (like long-thuy)");
  CHECK(error_of(with(op + tok_a + "\n    wards: [a]\n    role: sender\n  - name: lan\n    token_sha256: " +
                      tok_a + "\n    wards: [a]\n    role: approver\n")) ==
        "t.yaml:13: operators[1].token_sha256: the same token as the operator on line 9; each person needs "
        "their own "
        "token");
  CHECK(error_of(with(op + tok_a + "\n    wards: [a]\n    role: sender\n  - name: hoa\n    token_sha256: " +
                      std::string(64, 'b') + "\n    wards: [a]\n    role: approver\n")) ==
        "t.yaml:12: operators[1].name: duplicate operator 'hoa' (first on line 8)");
  // Upper-case hex is accepted and stored in lower case; an admin may have no wards.
  auto c = parse_config(with(op + std::string(64, 'A') + "\n    role: admin\n"), "t.yaml", no_env);
  CHECK(c.operators[0].token_sha256 == tok_a);
  CHECK(c.operators[0].wards.empty());
  CHECK(c.operators[0].role == operator_role::admin);
}

TEST_CASE("password_env reads the environment at load") {
  auto c = parse_config(with("    password_env: VT_PW\n"), "t.yaml", fake_env({{"VT_PW", "s3cr3t"}}));
  CHECK(c.carriers[0].password.reveal() == "s3cr3t");
  CHECK(error_of(with("    password_env: VT_PW\n")) ==
        "t.yaml:7: carriers.viettel.password_env: environment variable VT_PW is not set");
  CHECK(error_of(with("    password_env: VT_PW\n"), fake_env({{"VT_PW", ""}})) ==
        "t.yaml:7: carriers.viettel.password_env: environment variable VT_PW is empty");
  CHECK(error_of(with("    password: x\n    password_env: VT_PW\n")) ==
        "t.yaml:8: carriers.viettel.password_env: give either password or password_env, not both");
  // SMPP passwords are at most 8 characters; the message must not echo the secret.
  const std::string too_long =
      error_of(with("    password_env: VT_PW\n"), fake_env({{"VT_PW", "longsecret"}}));
  CHECK(too_long == "t.yaml:7: carriers.viettel.password: the password is 10 characters; at most 8 allowed");
  CHECK(too_long.find("longsecret") == std::string::npos);

  // The real process environment is the default lookup.
  REQUIRE(::setenv("LOA_TEST_CONFIG_PW", "fromenv", 1) == 0);
  auto from_process = parse_config(with("    password_env: LOA_TEST_CONFIG_PW\n"), "t.yaml");
  CHECK(from_process.carriers[0].password.reveal() == "fromenv");
  REQUIRE(::unsetenv("LOA_TEST_CONFIG_PW") == 0);
  try {
    parse_config(with("    password_env: LOA_TEST_CONFIG_PW\n"), "t.yaml");
    FAIL("an unset variable was accepted");
  } catch (const config_error& e) {
    CHECK(e.line() == 7);
  }
}

TEST_CASE("a secret never prints its value") {
  const secret s("hunter2");
  CHECK(s.reveal() == "hunter2");
  CHECK(fmt::format("{}", s) == "***");
  CHECK(fmt::format("pw={:>5}", s) == "pw=  ***");
  std::ostringstream out;
  out << s;
  CHECK(out.str() == "***");
  CHECK(secret().empty());
  CHECK_FALSE(s.empty());

  auto c = parse_config(with("    password: hunter2\nredis:\n  url: redis://:rpass@10.0.0.1:6380/3\n"),
                        "t.yaml", no_env);
  CHECK(fmt::format("{}", c.carriers[0].password) == "***");
  CHECK(c.redis.display() == "redis://:***@10.0.0.1:6380/3");
}

TEST_CASE("redis URLs") {
  auto redis_of = [](std::string_view redis_section, const env_lookup& env = no_env) {
    return parse_config(with(std::string("redis:\n") + std::string(redis_section)), "t.yaml", env).redis;
  };
  {
    auto r = redis_of("  url: redis://:p%40ss@cache.local:6380/2\n");
    CHECK(r.kind == redis_config::transport::tcp);
    CHECK(r.host == "cache.local");
    CHECK(r.port == 6380);
    CHECK(r.db == 2);
    CHECK(r.username.empty());
    CHECK(r.password.reveal() == "p@ss");
  }
  {
    auto r = redis_of("  url: redis://loa:pw@[::1]\n");
    CHECK(r.host == "::1");
    CHECK(r.port == 6379);
    CHECK(r.username == "loa");
    CHECK(r.password.reveal() == "pw");
    CHECK(r.display() == "redis://loa:***@[::1]:6379/0");
  }
  {
    auto r =
        redis_of("  url: unix:///run/redis/redis.sock?db=4\n  password_env: RPW\n", fake_env({{"RPW", "x"}}));
    CHECK(r.kind == redis_config::transport::unix_socket);
    CHECK(r.socket == "/run/redis/redis.sock");
    CHECK(r.db == 4);
    CHECK(r.password.reveal() == "x");
    CHECK(r.display() == "unix:///run/redis/redis.sock?db=4");
  }
  CHECK(redis_of("  url: redis://h\n").display() == "redis://h:6379/0");
  CHECK(error_of(with("redis:\n  url: http://h\n")) ==
        "t.yaml:8: redis.url: unknown scheme (expected redis://[:PASSWORD@]HOST[:PORT][/DB] or "
        "unix:///PATH[?db=N])");
  CHECK(error_of(with("redis:\n  url: redis://:secretpw@h:99999\n")) ==
        "t.yaml:8: redis.url: the port must be 1..65535 (expected redis://[:PASSWORD@]HOST[:PORT][/DB] or "
        "unix:///PATH[?db=N])");
  CHECK(error_of(with("redis:\n  url: redis://:p%4@h\n")) == "t.yaml:8: redis.url: bad %-escape in the URL");
  CHECK(error_of(with("redis:\n  url: redis://h/x\n")) ==
        "t.yaml:8: redis.url: the database number must be 0..255 (expected "
        "redis://[:PASSWORD@]HOST[:PORT][/DB] or "
        "unix:///PATH[?db=N])");
  CHECK(error_of(with("redis:\n  url: unix://run/redis.sock\n")) ==
        "t.yaml:8: redis.url: a unix socket path must be absolute (expected "
        "redis://[:PASSWORD@]HOST[:PORT][/DB] or "
        "unix:///PATH[?db=N])");
  CHECK(error_of(with("redis:\n  url: redis://:a@h\n  password_env: RPW\n"), fake_env({{"RPW", "x"}})) ==
        "t.yaml:9: redis.password_env: the URL already has a password; give it in one place only");
  CHECK(error_of(with("redis:\n  password_env: RPW\n")) ==
        "t.yaml:8: redis.password_env: environment variable RPW is not set");
}

TEST_CASE("utc_offset and quiet hours") {
  auto gw = [](std::string_view section) {
    return parse_config(with(std::string("gateway:\n") + std::string(section)), "t.yaml", no_env).gateway;
  };
  CHECK(gw("  utc_offset: \"+07:00\"\n").utc_offset == 420min);
  CHECK(gw("  utc_offset: \"-03:30\"\n").utc_offset == -210min);
  CHECK(gw("  utc_offset: \"+00:00\"\n").utc_offset == 0min);
  CHECK(gw("  utc_offset: +07:00\n").utc_offset == 420min);  // unquoted is a plain string to yaml-cpp
  CHECK(error_of(with("gateway:\n  utc_offset: \"+7\"\n")) ==
        "t.yaml:8: gateway.utc_offset: '+7' is not a UTC offset like \"+07:00\" (-12:00..+14:00)");
  CHECK(error_of(with("gateway:\n  utc_offset: \"+15:00\"\n")) ==
        "t.yaml:8: gateway.utc_offset: '+15:00' is not a UTC offset like \"+07:00\" (-12:00..+14:00)");

  const auto across = gw("  quiet_hours: { from: \"21:30\", to: \"06:30\" }\n").quiet;
  REQUIRE(across);
  CHECK(across->contains(21h + 30min));
  CHECK(across->contains(23h + 59min));
  CHECK(across->contains(0min));
  CHECK(across->contains(6h + 29min));
  CHECK_FALSE(across->contains(6h + 30min));
  CHECK_FALSE(across->contains(12h));
  CHECK_FALSE(across->contains(21h + 29min));

  const auto day = gw("  quiet_hours:\n    from: \"12:00\"\n    to: \"13:30\"\n").quiet;
  REQUIRE(day);
  CHECK(day->contains(12h));
  CHECK(day->contains(13h + 29min));
  CHECK_FALSE(day->contains(13h + 30min));
  CHECK_FALSE(day->contains(11h + 59min));

  CHECK(error_of(with("gateway:\n  quiet_hours: { from: \"24:00\", to: \"06:00\" }\n")) ==
        "t.yaml:8: gateway.quiet_hours.from: '24:00' is not a time of day HH:MM (00:00..23:59)");
  CHECK(error_of(with("gateway:\n  quiet_hours:\n    from: \"9:00\"\n    to: \"10:00\"\n")) ==
        "t.yaml:9: gateway.quiet_hours.from: '9:00' is not a time of day HH:MM (00:00..23:59)");
  CHECK(error_of(with("gateway:\n  quiet_hours: { from: \"06:00\", to: \"06:00\" }\n")) ==
        "t.yaml:8: gateway.quiet_hours: from and to are equal; remove quiet_hours to have none");
}

TEST_CASE("carrier details: TON/NPI, number form, command_status overrides") {
  auto c = parse_config(with("    dest_ton: 2\n    source_ton: 1\n    source_npi: 1\n    data_coding_gsm: 1\n"
                             "    command_status:\n      0x58: retry\n      69: rebind\n      0X0b: retry\n"
                             "      other: retry\n"),
                        "t.yaml", no_env);
  const carrier_config& vt = c.carriers[0];
  CHECK(vt.dest == ton_npi{2, 1});
  CHECK(vt.dest_number == number_form::national);
  CHECK(vt.source == ton_npi{1, 1});
  CHECK(vt.data_coding_gsm == 1);
  CHECK(vt.command_status == std::map<std::uint32_t, status_action>{{0x58, status_action::retry},
                                                                      {69, status_action::rebind},
                                                                      {0x0B, status_action::retry}});
  CHECK(vt.other_status == status_action::retry);

  auto explicit_form = parse_config(with("    dest_ton: 0\n    dest_number: national\n"), "t.yaml", no_env);
  CHECK(explicit_form.carriers[0].dest_number == number_form::national);
  CHECK(error_of(with("    dest_number: national\n")) ==
        "t.yaml:7: carriers.viettel.dest_number: national contradicts dest_ton 1");
  CHECK(error_of(with("    command_status:\n      0x58: retry\n      88: permanent\n")) ==
        "t.yaml:9: carriers.viettel.command_status: status 0x58 given twice");
  CHECK(error_of(with("    command_status:\n      throttled: retry\n")) ==
        "t.yaml:8: carriers.viettel.command_status: 'throttled' is not a command_status (hex like 0x58 or "
        "decimal "
        "like 88, or 'other')");
  CHECK(error_of(with("    command_status:\n      0: retry\n")) ==
        "t.yaml:8: carriers.viettel.command_status: status 0 is ESME_ROK, not an error");
}

TEST_CASE("relative paths resolve against the config file's directory") {
  const std::string text = with("routing:\n  ported_file: ported.csv\ntemplates_dir: ../notices\n");
  auto c = parse_config(text, "/etc/loa/loa.yaml", no_env);
  CHECK(*c.routing.ported_file == "/etc/loa/ported.csv");
  CHECK(c.templates_dir == "/etc/notices");
  auto abs = parse_config(with("routing:\n  ported_file: /var/lib/loa/p.csv\ntemplates_dir: /srv/t\n"),
                          "/etc/loa/loa.yaml", no_env);
  CHECK(*abs.routing.ported_file == "/var/lib/loa/p.csv");
  CHECK(abs.templates_dir == "/srv/t");
  auto bare = parse_config(text, "loa.yaml", no_env);  // no directory: relative to the working directory
  CHECK(*bare.routing.ported_file == "ported.csv");
}

TEST_CASE("CONTRACT.md's project-root paths keep working when nothing sits beside the config file") {
  // Tests run from the project root: config/ported.csv exists there, not in config/config/.
  auto c = parse_config(with("routing:\n  ported_file: config/ported.csv\n"), "config/loa.yaml", no_env);
  CHECK(*c.routing.ported_file == "config/ported.csv");
  // Beside the config file wins when both exist.
  auto beside = parse_config(with("routing:\n  ported_file: ported.csv\n"), "config/loa.yaml", no_env);
  CHECK(*beside.routing.ported_file == "config/ported.csv");
}

TEST_CASE("mo keywords and limits") {
  auto c = parse_config(with("mo:\n  opt_out: [\"STOP\"]\nlimits:\n  max_parts: 3\n  validity: 10h\n"),
                        "t.yaml", no_env);
  CHECK(c.mo.opt_out == std::vector<std::string>{"STOP"});
  CHECK(c.mo.opt_in == std::vector<std::string>{"DK"});  // default kept
  CHECK(c.limits.max_parts == 3);
  CHECK(c.carriers[0].max_parts == 3);  // a carrier without max_parts takes the limit
  CHECK(c.limits.validity == 10h);
  CHECK(parse_config(with("limits:\n  validity: 3600\n"), "t.yaml", no_env).limits.validity == 1h);
  CHECK(parse_config(with("limits:\n  validity: 90m\n"), "t.yaml", no_env).limits.validity == 90min);
  CHECK(parse_config(with("limits:\n  validity: 2d\n"), "t.yaml", no_env).limits.validity == 48h);
  CHECK(error_of(with("mo:\n  opt_in: [\"huy\"]\n")) ==
        "t.yaml:8: mo.opt_in[0]: keyword 'huy' is already in mo.opt_out");
  CHECK(error_of(with("mo:\n  help: [\"\"]\n")) == "t.yaml:8: mo.help[0]: must not be empty");
}

TEST_CASE("mo reassembly bounds: defaults of a few minutes, set in the file, out of range named") {
  const auto defaults = parse_config(with(""), "t.yaml", no_env);
  CHECK(defaults.mo.reassembly_timeout == 5min);
  CHECK(defaults.mo.reassembly_max_messages == 1000);
  CHECK(defaults.mo.reassembly_max_bytes == 1'000'000);
  const auto c = parse_config(
      with("mo:\n  reassembly_timeout: 90s\n  reassembly_max_messages: 50\n  reassembly_max_bytes: 20000\n"),
      "t.yaml", no_env);
  CHECK(c.mo.reassembly_timeout == 90s);
  CHECK(c.mo.reassembly_max_messages == 50);
  CHECK(c.mo.reassembly_max_bytes == 20'000);
  CHECK(error_of(with("mo:\n  reassembly_timeout: 2h\n")) ==
        "t.yaml:8: mo.reassembly_timeout: '2h' is out of range 1s..3600s");
  CHECK(error_of(with("mo:\n  reassembly_max_messages: 0\n"))
            .starts_with("t.yaml:8: mo.reassembly_max_messages"));
}

TEST_CASE("prices, currency and the confirmation size") {
  auto c = parse_config(with("    price_per_part: 275.5\nconfirmation:\n  above_recipients: 200\ncurrency: USD\n"),
                        "t.yaml", no_env);
  CHECK(c.carriers[0].price_per_part == 275.5);
  CHECK(c.confirmation.above_recipients == 200);
  CHECK(c.currency == "USD");
  c = parse_config(with(""), "t.yaml", no_env);
  CHECK(c.carriers[0].price_per_part == 0);  // not configured: the preview says so
  CHECK(c.confirmation.above_recipients == 1000);
  CHECK(c.currency == "VND");
  CHECK(error_of(with("    price_per_part: -1\n")) ==
        "t.yaml:7: carriers.viettel.price_per_part: -1 is out of range: must be between 0 and 1000000");
  CHECK(error_of(with("    price_per_part: cheap\n")) ==
        "t.yaml:7: carriers.viettel.price_per_part: expected a number, found 'cheap'");
  CHECK(error_of(with("confirmation:\n  above: 5\n")).starts_with("t.yaml:8: confirmation: unknown key 'above'"));
}

TEST_CASE("carriers[].tls and tls_ca: SMPP over TLS, the CA file checked at load") {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string ca = (dir / ("loa-test-ca-" + std::to_string(::getpid()) + ".pem")).string();
  const std::string not_pem = ca + ".txt";
  std::ofstream(ca) << "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
  std::ofstream(not_pem) << "just text\n";

  auto c = parse_config(with("    tls: true\n    tls_ca: " + ca + "\n"), "t.yaml", no_env);
  CHECK(c.carriers[0].tls);
  CHECK(c.carriers[0].tls_ca == ca);
  c = parse_config(with("    tls: true\n"), "t.yaml", no_env);  // the system's CAs
  CHECK(c.carriers[0].tls);
  CHECK(c.carriers[0].tls_ca.empty());
  CHECK_FALSE(parse_config(with(""), "t.yaml", no_env).carriers[0].tls);

  CHECK(error_of(with("    tls: yes\n")) == "t.yaml:7: carriers.viettel.tls: 'yes' is not true or false");
  CHECK(error_of(with("    tls_ca: " + ca + "\n")) ==
        "t.yaml:7: carriers.viettel.tls_ca: given but tls is not true; add `tls: true` to bind over TLS");
  CHECK(error_of(with("    tls: true\n    tls_ca: " + ca + ".missing\n")) ==
        "t.yaml:8: carriers.viettel.tls_ca: cannot read " + ca + ".missing");
  CHECK(error_of(with("    tls: true\n    tls_ca: " + not_pem + "\n")) ==
        "t.yaml:8: carriers.viettel.tls_ca: " + not_pem + " holds no PEM certificate");
  std::filesystem::remove(ca);
  std::filesystem::remove(not_pem);
}

TEST_CASE("wards and operators carry display names for people, beside their ids") {
  const auto c = parse_config(with("wards:\n  long-thuy: { display_name: \"Phường Long Thủy\" }\n"
                                   "operators:\n  - name: hoa\n    token_sha256: \"" +
                                   std::string(64, 'a') +
                                   "\"\n    wards: [long-thuy]\n    role: sender\n"
                                   "    display_name: \"Nguyễn Thị Hoa\"\n"),
                              "t.yaml", no_env);
  CHECK(c.ward_name("long-thuy") == "Phường Long Thủy");
  CHECK(c.ward_name("an-binh") == "an-binh");  // a ward not listed is shown by its id
  CHECK(c.operator_name("hoa") == "Nguyễn Thị Hoa");
  CHECK(c.operator_name("lan") == "lan");
  CHECK(error_of(with("wards:\n  Long Thuy: { display_name: x }\n")) ==
        "t.yaml:8: wards: ward 'Long Thuy' must be a-z, 0-9, '-', '_' (like long-thuy)");
  CHECK(error_of(with("wards:\n  long-thuy: { name: x }\n")) ==
        "t.yaml:8: wards.long-thuy: unknown key 'name'; allowed: display_name");
  CHECK(error_of(with("wards:\n  long-thuy: { display_name: \"\" }\n")) ==
        "t.yaml:8: wards.long-thuy.display_name: must not be empty");
}
