// libFuzzer target: arbitrary text as loa.yaml -> config::parse_config. The environment is a fixed fake
// (LOA_FUZZ_PASSWORD="s3cret", LOA_FUZZ_EMPTY="", LOA_FUZZ_LONG=40 characters, nothing else set), so a run
// never depends on the machine's.
// Invariants (abort when broken):
//  - the outcome is a configuration or a config_error whose what() is "FILE:LINE: reason" with the file name
//    given and a line > 0 (text in memory always has a line to point at), a non-empty reason, and
//    well-formed UTF-8 when the file is proper YAML text (yaml-cpp's own messages excepted); never another
//    exception type, never a crash;
//  - a configuration that is accepted respects what config.hpp promises of it: at least one carrier, names
//    unique, routing.default one of them, every carrier's numbers in range (sessions 1..64, window 1..1000,
//    tps > 0, system_id <= 15, password <= 8, system_type <= 12, max_parts 1..255, reconnect_min <=
//    reconnect_max), prefixes 84... and each claimed once, a valid brandname, quiet hours inside a day,
//    operators with 64 lower-case hex tokens, each unique, and a ward unless admin.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <typeinfo>

#include "config/config.hpp"
#include "fuzz/fuzz_check.hpp"

namespace {

using namespace loa::config;

constexpr std::string_view file_name = "fuzz/loa.yaml";

std::string_view g_input;

[[noreturn]] void broken(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_config: %s%s%s; input=%s\n", what, detail.empty() ? "" : ": ", detail.c_str(),
               loa::fuzz::hex(g_input, 2048).c_str());
  std::abort();
}

std::optional<std::string> fake_env(const std::string& name) {
  if (name == "LOA_FUZZ_PASSWORD") return "s3cret";
  if (name == "LOA_FUZZ_EMPTY") return "";
  if (name == "LOA_FUZZ_LONG") return std::string(40, 'x');
  return std::nullopt;
}

// Parses text; a config_error is checked and gives nullopt.
std::optional<configuration> parse_once(std::string_view text) {
  try {
    return parse_config(text, file_name, fake_env);
  } catch (const config_error& e) {
    const std::string what = e.what();
    if (e.file() != file_name) broken("config_error names another file", what);
    if (e.line() <= 0) broken("config_error without a line", what);
    if (e.reason().empty()) broken("config_error without a reason", what);
    // yaml-cpp's own messages, passed on as "YAML syntax error: ..." / "YAML error: ...", may quote one byte.
    if (loa::fuzz::yaml_text(text) && !e.reason().starts_with("YAML") && !loa::fuzz::strict_utf8(what))
      broken("a config_error is not UTF-8 though the file is", loa::fuzz::hex(what));
    const std::string prefix = std::string(file_name) + ":" + std::to_string(e.line()) + ": ";
    std::string expected = prefix + e.reason();
    expected.resize(std::min(expected.size(), expected.find('\0')));  // what() is a C string: it ends at a NUL
    if (what != expected) broken("config_error's what() is not FILE:LINE: reason", what);
    if (loa::fuzz::verbose()) std::fprintf(stderr, "fuzz_config: refused: %s\n", what.c_str());
    return std::nullopt;
  } catch (const std::exception& e) {
    broken("parse_config threw something other than config_error",
           std::string(typeid(e).name()) + ": " + e.what());
  } catch (...) {
    broken("parse_config threw a non-standard exception");
  }
}

void check(const configuration& c) {
  if (c.file != file_name) broken("configuration.file is not the name given");
  if (c.carriers.empty()) broken("a configuration without carriers");
  if (c.find_carrier(c.routing.default_carrier) == nullptr)
    broken("routing.default is not a carrier", c.routing.default_carrier);
  if (auto why = check_brandname(c.sender)) broken("the sender is not a valid brandname", *why);
  if (c.limits.max_parts < 1 || c.limits.max_parts > 255) broken("limits.max_parts out of range");
  if (c.gateway.quiet) {
    for (auto m : {c.gateway.quiet->from, c.gateway.quiet->to}) {
      if (m.count() < 0 || m.count() > 1439) broken("quiet hours outside a day");
    }
  }
  std::set<std::string> names, prefixes;
  for (const auto& k : c.carriers) {
    if (!names.insert(k.name).second) broken("two carriers with one name", k.name);
    if (k.name.empty() || k.host.empty() || k.port == 0) broken("a carrier without name, host or port", k.name);
    if (k.sessions < 1 || k.sessions > 64) broken("sessions out of 1..64", k.name);
    if (k.window < 1 || k.window > 1000) broken("window out of 1..1000", k.name);
    if (!(k.tps > 0)) broken("tps not above 0", k.name);
    if (!(k.price_per_part >= 0)) broken("price_per_part below 0 (or NaN)", k.name);
    if (k.system_id.empty() || k.system_id.size() > 15) broken("system_id not 1..15 characters", k.name);
    if (k.password.reveal().size() > 8) broken("password longer than 8", k.name);
    if (k.system_type.size() > 12) broken("system_type longer than 12", k.name);
    if (k.max_parts < 1 || k.max_parts > 255) broken("max_parts out of 1..255", k.name);
    if (k.data_coding_gsm > 1) broken("data_coding_gsm not 0 or 1", k.name);
    if (k.reconnect_min > k.reconnect_max) broken("reconnect_min above reconnect_max", k.name);
    if (k.sender) {
      if (auto why = check_brandname(*k.sender)) broken("a carrier's sender is not a valid brandname", *why);
    }
    for (const auto& p : k.prefixes) {
      if (!p.starts_with("84")) broken("a prefix not in the form 84...", p);
      if (!prefixes.insert(p).second) broken("a prefix claimed twice", p);
    }
  }
  std::set<std::string> operator_names, tokens;
  for (const auto& o : c.operators) {
    if (!operator_names.insert(o.name).second) broken("two operators with one name", o.name);
    if (!tokens.insert(o.token_sha256).second) broken("two operators with one token", o.name);
    const bool lower_hex = o.token_sha256.size() == 64 &&
                           std::all_of(o.token_sha256.begin(), o.token_sha256.end(), [](char ch) {
                             return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f');
                           });
    if (!lower_hex) broken("a token is not 64 lower-case hex characters", o.name);
    if (o.wards.empty() && o.role != operator_role::admin) broken("an operator without a ward", o.name);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 65536) return 0;
  g_input = std::string_view(reinterpret_cast<const char*>(data), size);
  if (const auto c = parse_once(g_input)) {
    check(*c);
    if (loa::fuzz::verbose())
      std::fprintf(stderr, "fuzz_config: accepted: %zu carriers, %zu operators\n", c->carriers.size(),
                   c->operators.size());
  }
  return 0;
}
