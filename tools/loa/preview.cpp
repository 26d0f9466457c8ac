#include "tools/loa/preview.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "segments/name_match.hpp"
#include "tools/loa/display_names.hpp"
#include "tools/loa/i18n/gateway_words.hpp"
#include "tools/loa/i18n/plain_words.hpp"
#include "tools/loa/i18n/translate.hpp"
#include "tools/loa/progress.hpp"

namespace loa::cli::preview {
namespace {

namespace json = boost::json;
using i18n::tr;
using i18n::trf;
using i18n::trnf;
using progress::thousands;

const json::object& object_of(const json::value& v) {
  static const json::object empty;
  return v.is_object() ? v.as_object() : empty;
}

std::uint64_t count(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_number() ? static_cast<std::uint64_t>(std::max(0.0, v->to_number<double>())) : 0;
}

double amount(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_number() ? v->to_number<double>() : 0;
}

std::string text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

}  // namespace

std::string money(double value) {
  const double rounded = std::round(value * 100) / 100;
  const auto whole = static_cast<std::uint64_t>(std::floor(std::max(0.0, rounded)));
  const auto cents = static_cast<int>(std::llround((rounded - static_cast<double>(whole)) * 100));
  return cents == 0 ? thousands(whole)
                    : thousands(whole) + (i18n::current() == i18n::language::vietnamese ? "," : ".") +
                          fmt::format("{:02}", cents);
}

std::string describe(const json::value& doc) {
  const auto& p = object_of(doc);
  const auto currency = text(p, "currency");
  std::string out = tr("Dry run: nothing was sent.\n");
  if (const auto corrects = text(p, "corrects"); !corrects.empty())
    out += trf("A correction of campaign {}: it goes to whoever received that one.\n", corrects);
  if (const auto resends = text(p, "resend_failed"); !resends.empty())
    out += trf("A resend of campaign {}: it goes to those whose message failed or expired (not to numbers opted "
               "out since).\n",
               resends);
  const auto chars = count(p, "chars"), parts = count(p, "parts_per_message");
  out += trf("What the phone shows ({}; {}, {} per message):\n",
             i18n::encoding_words(text(p, "encoding"), parts),
             trnf("{} character", "{} characters", chars, thousands(chars)),
             trnf("{} part", "{} parts", parts, thousands(parts)));
  out += "  " + text(p, "text") + "\n";
  const auto groups = named_list(p, "groups", "group_names");
  out += trf("Recipients: {} in {} (groups: {}); {} opted out, not sent\n", thousands(count(p, "recipients")),
             named_list(p, "wards", "ward_names"), groups.empty() ? "-" : groups,
             thousands(count(p, "skipped_optout")));

  std::vector<std::vector<std::string>> rows;
  if (const auto* v = p.if_contains("by_carrier"); v && v->is_object()) {
    for (const auto& [name, value] : v->as_object()) {
      const auto& c = object_of(value);
      const double price = amount(c, "price_per_part");
      const auto recipients = count(c, "recipients"), carrier_parts = count(c, "parts");
      rows.push_back(
          {std::string(name), trnf("{} recipient", "{} recipients", recipients, thousands(recipients)),
           trnf("{} part", "{} parts", carrier_parts, thousands(carrier_parts)),
           price > 0 ? fmt::format("x {} = {} {}", money(price), money(amount(c, "cost")), currency)
                     : tr("no price configured")});
    }
  }
  if (!rows.empty()) {
    std::size_t w0 = 0, w1 = 0, w2 = 0;
    for (const auto& r : rows) {
      w0 = std::max(w0, i18n::columns(r[0]));
      w1 = std::max(w1, i18n::columns(r[1]));
      w2 = std::max(w2, i18n::columns(r[2]));
    }
    out += tr("By carrier:\n");
    for (const auto& r : rows) out += fmt::format("  {:<{}}  {:>{}}  {:>{}}  {}\n", r[0], w0, r[1], w1, r[2], w2, r[3]);
  }
  if (const auto* v = p.if_contains("by_group"); v && v->is_object() && !v->as_object().empty()) {
    std::size_t w = 0;
    for (const auto& [name, value] : v->as_object())
      w = std::max(w, i18n::columns(named(p, "group_names", name)));
    out += tr("By group (a number in two groups counts in both):\n");
    for (const auto& [name, value] : v->as_object())
      out += fmt::format("  {:<{}}  {}\n", named(p, "group_names", name), w,
                         thousands(value.is_number() ? static_cast<std::uint64_t>(value.to_number<double>()) : 0));
  }
  const bool complete = !p.contains("cost_complete") || (p.at("cost_complete").is_bool() && p.at("cost_complete").as_bool());
  const auto all_parts = count(p, "parts");
  const auto cost = fmt::format("{} {}", money(amount(p, "cost")), currency);
  out += trf("Cost: {} for {}\n", complete ? cost : trf("at least {}", cost),
             trnf("{} SMS part", "{} SMS parts", all_parts, thousands(all_parts)));
  const auto state = text(p, "state");
  if (state == "scheduled") {
    out += trf("It would start at {}.\n", progress::due_words(text(p, "due_at")));
  } else if (state == "waiting") {
    out += tr("It would wait for the quiet hours to end (--urgent sends now).\n");
  }
  if (const auto above = count(p, "confirm_above"); p.contains("confirm_above") && count(p, "recipients") > above)
    out += trf("More than {}: without --yes, loa send asks you to type the ward's name first.\n",
               trnf("{} recipient", "{} recipients", above, thousands(above)));
  out += warnings(doc);
  return out;
}

std::string warnings(const json::value& doc) {
  std::string out;
  if (const auto* v = object_of(doc).if_contains("warnings"); v && v->is_array())
    for (const auto& w : v->as_array())
      if (w.is_string()) out += trf("Warning: {}\n", gateway_words(w.as_string()));
  return out;
}

bool names_the_wards(std::string_view typed, const std::vector<std::string>& wards,
                     const std::vector<std::string>& display_names) {
  std::vector<std::string> words;
  std::string word;
  for (const char c : typed) {
    if (c == ' ' || c == ',' || c == '\t' || c == '\r' || c == '\n') {
      if (!word.empty()) words.push_back(lower(word));
      word.clear();
    } else {
      word.push_back(c);
    }
  }
  if (!word.empty()) words.push_back(lower(word));
  std::vector<std::string> wanted;
  for (const auto& w : wards) wanted.push_back(lower(w));
  std::sort(words.begin(), words.end());
  std::sort(wanted.begin(), wanted.end());
  if (!wanted.empty() && words == wanted) return true;
  // Display names hold spaces ("Phường Long Thủy"): the wards are then separated by commas, each given by its
  // id or its display name, compared folded (no diacritics, case, spaces or dashes).
  if (wanted.empty()) return false;
  // An id is still typed as it is ("long thuy" is not long-thuy); only a display name is folded.
  std::vector<std::string> pieces;
  std::string piece;
  const auto keep = [&pieces](std::string& p) {
    const auto first = p.find_first_not_of(" \t");
    if (first != std::string::npos) pieces.push_back(p.substr(first, p.find_last_not_of(" \t") - first + 1));
    p.clear();
  };
  for (const char c : typed) {
    if (c == ',' || c == '\r' || c == '\n') {
      keep(piece);
    } else {
      piece.push_back(c);
    }
  }
  keep(piece);
  if (pieces.size() != wards.size()) return false;
  std::vector<bool> taken(wards.size(), false);
  for (const auto& p : pieces) {
    const auto folded = segments::fold_name(p);
    bool found = false;
    for (std::size_t i = 0; i < wards.size() && !found; ++i) {
      const bool by_name = i < display_names.size() && !display_names[i].empty() &&
                           display_names[i] != wards[i] && segments::fold_name(display_names[i]) == folded;
      if (!taken[i] && (lower(p) == lower(wards[i]) || by_name)) taken[i] = found = true;
    }
    if (!found) return false;
  }
  return true;
}

std::string question(const std::vector<std::string>& wards, std::uint64_t recipients,
                     const std::vector<std::string>& display_names) {
  bool named = false;  // with display names (which hold spaces) the wards are separated by commas
  for (std::size_t i = 0; i < wards.size() && i < display_names.size(); ++i)
    named = named || (!display_names[i].empty() && display_names[i] != wards[i]);
  std::string names;
  for (std::size_t i = 0; i < wards.size(); ++i) {
    names += (names.empty() ? "" : named ? ", " : " ") + wards[i];
    if (i < display_names.size() && !display_names[i].empty() && display_names[i] != wards[i])
      names += trf(" or {}", display_names[i]);
  }
  return trf("This sends to {}. Type the ward's name ({}) to send it, anything else to stop: ",
             trnf("{} phone", "{} phones", recipients, thousands(recipients)), names);
}

}  // namespace loa::cli::preview
