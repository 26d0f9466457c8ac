#include "tools/loa/audit_command.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <memory>

#include "gateway/common/plain_json.hpp"
#include "segments/printable.hpp"
#include "tools/loa/i18n/audit_words.hpp"
#include "tools/loa/i18n/translate.hpp"
#include "tools/loa/progress.hpp"
#include "tools/loa/remote.hpp"

namespace loa::cli {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;
using i18n::tr;
using i18n::trf;
using i18n::trnf;

struct audit_arguments {
  std::string ward;
  std::string since;
  std::size_t limit = 1000;
};

// A field as the line shows it: escaped, since a sender writes a send's key and text, and a newline or an
// escape sequence there would forge entries below hers or drive the reader's terminal (printable.hpp).
std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return {};
  return segments::printable(v->is_string() ? std::string(v->as_string()) : serialize_plain(*v));
}

// One line per entry: "2026-11-22 14:03:07  hoa (sender)  send  campaign 12, 2,381 recipients  groups ...".
std::string line_of(const json::object& e) {
  std::string at = text_of(e, "at");
  if (at.size() >= 19) at = at.substr(0, 10) + " " + at.substr(11, 8);
  std::string what = audit_action_words(text_of(e, "action"));
  std::string about;
  if (const auto id = text_of(e, "campaign"); !id.empty()) about += trf("campaign {}", id);
  if (const auto* n = e.if_contains("recipients"); n && n->is_int64()) {
    const auto count = static_cast<std::uint64_t>(std::max<std::int64_t>(0, n->as_int64()));
    about += (about.empty() ? "" : ", ") +
             trnf("{} recipient", "{} recipients", count, progress::thousands(count));
  }
  if (const auto d = text_of(e, "detail"); !d.empty()) about += (about.empty() ? "" : "; ") + audit_detail_words(d);
  std::string out = fmt::format("{}  {:<14} {:<17} {}", at,
                                text_of(e, "who") + " (" + audit_action_words(text_of(e, "role")) + ")",
                                what, about);
  if (const auto t = text_of(e, "text"); !t.empty()) out += "\n    \"" + t + "\"";
  return out;
}

int run_audit(const global_options& globals, const audit_arguments& a) {
  std::string target = a.ward.empty() ? "/v1/audit" : "/v1/wards/" + url_encode(a.ward) + "/audit";
  target += "?limit=" + std::to_string(a.limit);
  if (!a.since.empty()) target += "&since=" + url_encode(a.since);
  const auto r = call_gateway(globals, verb::get, target);
  if (!r.body) return r.exit;
  if (globals.json) {
    print_json(*r.body);
    return 0;
  }
  const auto& doc = r.body->as_object();
  const auto* entries = doc.if_contains("entries");
  if (!entries || !entries->is_array() || entries->as_array().empty()) {
    fmt::print("{}", trf("nothing recorded{}{}\n", a.ward.empty() ? "" : trf(" for ward {}", a.ward),
                         a.since.empty() ? "" : trf(" since {}", a.since)));
    return 0;
  }
  if (const auto* t = doc.if_contains("truncated"); t && t->is_bool() && t->as_bool())
    fmt::print("{}", trf("(the {} most recent entries; --since or --limit for others)\n",
                         entries->as_array().size()));
  for (const auto& e : entries->as_array())
    if (e.is_object()) fmt::print("{}\n", line_of(e.as_object()));
  return 0;
}

}  // namespace

void add_audit_command(CLI::App& app, const global_options& globals, std::function<int()>& run) {
  auto a = std::make_shared<audit_arguments>();
  auto* audit =
      app.add_subcommand("audit", tr("Who did what, when: sends, cancels, approvals, imports, opt-outs"));
  audit->add_option("--ward", a->ward, tr("The ward's trail (without it: every ward's, for admins)"));
  audit->add_option("--since", a->since,
                    tr("From: 7d, 24h, 90m, a date 2026-11-20 or a time 2026-11-20T07:30"));
  audit->add_option("--limit", a->limit, tr("At most this many entries, the most recent"))
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  audit->callback([&run, &globals, a] { run = [&globals, a] { return run_audit(globals, *a); }; });
}

}  // namespace loa::cli
