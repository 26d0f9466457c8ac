// libFuzzer target: a notice template's YAML text and an official's --var values -> config::parse_template
// -> templates::render. Input layout: one options byte (bits 0-1: no --accents, keep, strip, auto; bits 2-3:
// the carrier's concat method; bits 4-7: which day is "today"), then the YAML text, then NUL-separated
// `name=value` pairs (the --var arguments).
// Invariants (abort when broken):
//  - parse_template either gives a template or throws config_error whose what() is "FILE:LINE: reason" (or
//    "FILE: reason" when no line applies), with a non-empty reason, in well-formed UTF-8 when the YAML is
//    proper YAML text (yaml-cpp's own messages excepted); never another exception type;
//  - render never throws; a rendering that succeeds is well-formed UTF-8 (text and every shown value) and
//    needs no more parts than the template's max_parts; one that fails names at least one problem, none
//    empty, and all in well-formed UTF-8 when the values were.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <typeinfo>

#include "config/config.hpp"
#include "config/notice_templates.hpp"
#include "fuzz/fuzz_check.hpp"
#include "templates/render.hpp"

namespace {

using namespace loa;
namespace chr = std::chrono;

constexpr std::string_view file_name = "fuzz/notice.yaml";

std::string_view g_input;

[[noreturn]] void broken(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "fuzz_template_render: %s%s%s; input=%s\n", what, detail.empty() ? "" : ": ",
               detail.c_str(), fuzz::hex(g_input, 1024).c_str());
  std::abort();
}

// "today" for dates written without a year: ordinary days, both ends of a year, leap days, far years.
chr::year_month_day today_of(unsigned pick) {
  static constexpr int days[16][3] = {
      {2026, 11, 22}, {2026, 1, 1},  {2026, 12, 31}, {2024, 2, 29}, {2027, 2, 28}, {2028, 2, 29},
      {2025, 6, 15},  {1970, 1, 1},  {2000, 2, 29},  {2099, 12, 31}, {2100, 3, 1},  {1900, 1, 1},
      {9999, 12, 31}, {1, 1, 1},     {2026, 12, 28}, {2026, 1, 3}};
  const auto& d = days[pick % 16];
  return chr::year_month_day{chr::year{d[0]}, chr::month{static_cast<unsigned>(d[1])},
                             chr::day{static_cast<unsigned>(d[2])}};
}

void check_config_error(const config::config_error& e, bool input_utf8) {
  const std::string what = e.what();
  // An official reads it (and --json carries it): a message of ours must not cut a letter in two. yaml-cpp's
  // own messages, passed on as "YAML syntax error: ..." / "YAML error: ...", may quote a single byte.
  if (input_utf8 && !e.reason().starts_with("YAML") && !fuzz::strict_utf8(what))
    broken("a config_error is not UTF-8", fuzz::hex(what));
  if (e.file() != file_name) broken("config_error names another file", what);
  if (e.reason().empty()) broken("config_error without a reason", what);
  if (e.line() < 0) broken("config_error with a negative line", what);
  const std::string prefix =
      e.line() > 0 ? std::string(file_name) + ":" + std::to_string(e.line()) + ": " : std::string(file_name) + ": ";
  std::string expected = prefix + e.reason();
  expected.resize(std::min(expected.size(), expected.find('\0')));  // what() is a C string: it ends at a NUL
  if (what != expected) broken("config_error's what() is not FILE:LINE: reason", what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > 16384) return 0;
  g_input = std::string_view(reinterpret_cast<const char*>(data), size);
  const unsigned options_byte = data[0];
  std::string_view rest = g_input.substr(1);
  const std::size_t yaml_end = std::min(rest.find('\0'), rest.size());
  const std::string_view yaml = rest.substr(0, yaml_end);
  rest.remove_prefix(std::min(yaml_end + 1, rest.size()));

  templates::notice_template t;
  try {
    t = config::parse_template(yaml, file_name);
  } catch (const config::config_error& e) {
    check_config_error(e, fuzz::yaml_text(yaml));
    if (fuzz::verbose()) std::fprintf(stderr, "fuzz_template_render: refused: %s\n", e.what());
    return 0;
  } catch (const std::exception& e) {
    broken("parse_template threw something other than config_error",
           std::string(typeid(e).name()) + ": " + e.what());
  } catch (...) {
    broken("parse_template threw a non-standard exception");
  }
  if (t.max_parts < 1 || t.max_parts > 255) broken("a template with max_parts outside 1..255");

  templates::variables vars;
  bool values_utf8 = true;
  while (!rest.empty()) {
    const std::size_t end = std::min(rest.find('\0'), rest.size());
    const std::string_view pair = rest.substr(0, end);
    rest.remove_prefix(std::min(end + 1, rest.size()));
    const std::size_t eq = pair.find('=');
    const std::string_view name = pair.substr(0, eq);
    const std::string_view value = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    if (!fuzz::strict_utf8(name) || !fuzz::strict_utf8(value)) values_utf8 = false;
    vars[std::string(name)] = std::string(value);  // like the CLI: a later --var replaces an earlier one
  }

  templates::render_options options;
  static constexpr segments::concat_method methods[] = {segments::concat_method::udh8,
                                                        segments::concat_method::udh16,
                                                        segments::concat_method::sar,
                                                        segments::concat_method::payload};
  switch (options_byte & 3) {
    case 1:
      options.accent_policy = segments::accents::keep;
      break;
    case 2:
      options.accent_policy = segments::accents::strip;
      break;
    case 3:
      options.accent_policy = segments::accents::automatic;
      break;
    default:
      break;
  }
  options.concat = methods[(options_byte >> 2) & 3];
  options.today = today_of(options_byte >> 4);

  templates::render_result r;
  try {
    r = templates::render(t, vars, options);
  } catch (const std::exception& e) {
    broken("render threw", std::string(typeid(e).name()) + ": " + e.what());
  } catch (...) {
    broken("render threw a non-standard exception");
  }

  if (fuzz::verbose()) {
    std::fprintf(stderr, "fuzz_template_render: %s: %s\n", t.name.c_str(),
                 r.ok() ? (std::to_string(r.message.segments) + " parts: " + r.message.text).c_str()
                        : r.describe().c_str());
  }
  if (r.ok()) {
    if (!fuzz::strict_utf8(r.message.text)) broken("the rendered notice is not UTF-8", fuzz::hex(r.message.text));
    if (r.message.segments > t.max_parts || r.message.parts.size() > t.max_parts)
      broken("the rendered notice needs more parts than max_parts",
             std::to_string(r.message.segments) + " > " + std::to_string(t.max_parts));
    if (r.message.parts.empty() && !r.message.text.empty()) broken("a rendered notice without parts");
    for (const auto& [name, shown] : r.shown) {
      if (!fuzz::strict_utf8(shown)) broken("a shown value is not UTF-8", name + "=" + fuzz::hex(shown));
    }
    if (r.unaccented_variant && !t.text_unaccented) broken("the unaccented variant of a template without one");
  } else {
    for (const auto& p : r.problems) {
      if (p.empty()) broken("an empty problem");
      if (values_utf8 && !fuzz::strict_utf8(p)) broken("a problem is not UTF-8", fuzz::hex(p));
    }
    if (r.describe().empty()) broken("describe() is empty for a failed rendering");
  }
  return 0;
}
