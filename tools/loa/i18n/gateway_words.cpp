#include "tools/loa/i18n/gateway_words.hpp"

#include <fmt/args.h>


#include "tools/loa/i18n/translate.hpp"

namespace loa::cli {
namespace {

using i18n::tr_noop;

// The gateway's sentences an official meets, as gateway/api writes them (its fmt strings). A message is read
// as a chain of these pieces; one that is not entirely made of them stays English rather than half
// translated.
constexpr std::string_view pieces[] = {
    // POST /v1/campaigns (gateway/api/campaign_routes.cpp)
    tr_noop("groups: ward {} has no group '{}'; nothing was sent"),
    tr_noop(" (`loa groups list --ward {}` lists its {} groups)"),
    tr_noop(" (it has no subscribers yet)"),
    tr_noop(": did you mean {}"),
    tr_noop("groups: {} of {} reach 0 recipients (every number opted out, or none left); nothing was sent"),
    tr_noop("corrects: nobody received campaign {} (or all opted out since); nothing was sent"),
    tr_noop("at: {} is in the past (it is now {}); nothing was sent: give a future time, or leave --at out "
            "to send "
            "now"),
    tr_noop("key '{}' was used for {} with another text or audience; nothing was sent: give this notice a "
            "new key"),
    tr_noop("operator {} sent campaign {}: another approver of its ward must approve it"),
    tr_noop("campaign {} is {}: nothing to approve"),
    // Who may act where (gateway/api/auth.cpp)
    tr_noop("no ward {} among the wards operator {} may act on"),
    tr_noop("operator {} may not act on ward {}"),
    tr_noop("no token: pass --token or set LOA_TOKEN"),
    tr_noop("operator {} has role {}; this needs {}"),
    // The preview's warnings (gateway/api/campaign_preview.cpp)
    tr_noop(
        "the text looks typed with the Vietnamese keyboard off (Telex or VNI keys left in: {}): switch it on "
        "and type the text again"),
    // An import's invalid rows (gateway/broadcast/numbers.cpp)
    tr_noop("empty"),
    tr_noop("characters other than digits, +, spaces, dots and dashes"),
    tr_noop("not a Vietnamese number (use 0..., 84... or +84...)"),
    tr_noop("landline (02...), not a mobile number"),
    tr_noop("no Vietnamese mobile network uses this prefix"),
    tr_noop("wrong number of digits (a mobile number has 10: 0 and 9 more)"),
    // A template's values (templates/values.cpp, vietnamese_date.cpp, render.cpp): the specific sentences
    // first, the "{name}: " that starts most of them last.
    tr_noop("{{{}}}: {} is already past (today is {})"),
    tr_noop("missing required placeholders: {}"),
    tr_noop("unknown placeholders: {} (template {} has {})"),
    tr_noop("'{}' is not a date (write 2026-11-23, 23/11/2026 or 23/11)"),
    tr_noop("'{}': there is no month {} (write 2026-11-23, 23/11/2026 or 23/11)"),
    tr_noop("'{}': {} does not exist near {} (write the year)"),
    tr_noop("'{}': {} does not exist"),
    tr_noop("'{}' is not a time (write 7:30, 07:30 or 7h30)"),
    tr_noop("'{}' is not a time of day (hours 0-23, minutes 0-59)"),
    tr_noop("{} characters, at most {}"),
    tr_noop("a place is one line"),
    tr_noop("is not valid UTF-8"),
    tr_noop("the values make the notice too long: {}; shorten {}"),
    tr_noop("the template's text alone is too long: {}"),
    tr_noop("{{{}}}: "),
    // CLI11's parse errors (tools/loa/main.cpp)
    tr_noop("A subcommand is required"),
    tr_noop("{} is required"),
    tr_noop("{}: {} required {} missing"),
    tr_noop("The following argument was not expected: {}"),
    tr_noop("The following arguments were not expected: {}"),
    tr_noop("{}: Value {} not in range {} to {}"),
};

// Values in those sentences that are words too: roles and campaign states (the same msgids as the audit's
// and status's).
constexpr std::pair<std::string_view, std::string_view> value_words[] = {
    {"sender", tr_noop("sender")},       {"approver", tr_noop("approver")},
    {"admin", tr_noop("admin")},         {"awaiting_approval", tr_noop("awaiting approval")},
    {"scheduled", tr_noop("scheduled")}, {"waiting", tr_noop("waiting")},
    {"running", tr_noop("running")},     {"done", tr_noop("done")},
    {"cancelled", tr_noop("cancelled")},
};

}  // namespace

std::string value_in_words(std::string value) {
  for (const auto& [name, said] : value_words)
    if (value == name) return i18n::tr(said);
  // "did you mean 'to-3' or 'to-5'": the names stay, the "or" is the reader's.
  for (std::size_t at = value.find("' or '"); at != std::string::npos; at = value.find("' or '", at + 1))
    value.replace(at, 6, "'" + i18n::trf(" or {}", "'"));
  return value;
}

std::string gateway_words(std::string_view message) {
  static const sentence_pieces known(pieces);
  return known.words(message);
}

sentence_pieces::sentence_pieces(std::span<const std::string_view> pieces) {
  for (const auto piece : pieces) {
    // "a {} b {}" -> ^a (.+?) b (.+) : the last value runs to the end of what it can; {{ and }} are braces.
    std::string re;
    for (std::size_t i = 0; i < piece.size(); ++i) {
      if (piece.substr(i, 2) == "{{" || piece.substr(i, 2) == "}}") {
        re += '\\';
        re += piece[i++];
      } else if (piece.substr(i, 2) == "{}") {
        re += piece.find("{}", i + 2) == std::string_view::npos && i + 2 == piece.size() ? "(.+)" : "(.+?)";
        ++i;
      } else if (std::string_view("\\^$.|?*+()[]{}").find(piece[i]) != std::string_view::npos) {
        re += '\\';
        re += piece[i];
      } else {
        re += piece[i];
      }
    }
    compiled_.push_back({piece, std::regex(re)});
  }
}

std::string sentence_pieces::words(std::string_view message) const {
  if (i18n::current() == i18n::language::english) return std::string(message);
  std::string out;
  auto at = message.begin();
  while (at != message.end()) {
    bool matched = false;
    for (const auto& [msgid, pattern] : compiled_) {
      std::match_results<std::string_view::const_iterator> m;
      if (!std::regex_search(at, message.end(), m, pattern, std::regex_constants::match_continuous)) continue;
      fmt::dynamic_format_arg_store<fmt::format_context> values;
      for (std::size_t i = 1; i < m.size(); ++i) values.push_back(value_in_words(m[i].str()));
      try {
        out += fmt::vformat(i18n::tr(msgid), values);
      } catch (const fmt::format_error&) {
        return std::string(message);
      }
      at = m[0].second;
      matched = true;
      break;
    }
    if (!matched) return std::string(message);
  }
  return out;
}

}  // namespace loa::cli
