#include "tools/loa/campaigns_command.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <array>
#include <memory>
#include <vector>

#include "gateway/broadcast/campaign.hpp"
#include "segments/printable.hpp"
#include "tools/loa/progress.hpp"
#include "tools/loa/display_names.hpp"
#include "tools/loa/remote.hpp"

namespace loa::cli {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

struct campaigns_arguments {
  std::string ward;
  std::string state;
  std::string since;
  std::size_t limit = 50;
};

// A cell as the table shows it: escaped (a campaign's fields are written by senders, printable.hpp).
std::string cell(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return {};
  if (v->is_string()) return segments::printable(v->as_string());
  if (v->is_array()) {
    std::string out;
    for (const auto& e : v->as_array())
      out += (out.empty() ? "" : ",") + segments::printable(e.is_string() ? std::string(e.as_string())
                                                                           : json::serialize(e));
    return out;
  }
  if (v->is_number()) return progress::thousands(static_cast<std::uint64_t>(std::max(0.0, v->to_number<double>())));
  return segments::printable(json::serialize(*v));
}

// "2026-11-22T14:03:07+07:00" -> "2026-11-22 14:03" (the gateway's offset, as every time the CLI shows).
std::string minute_of(std::string at) {
  return at.size() >= 16 ? at.substr(0, 10) + " " + at.substr(11, 5) : at;
}

constexpr std::array<std::string_view, 8> headings = {"ID",     "STATE",      "CREATED",   "WARDS",
                                                      "GROUPS", "RECIPIENTS", "DELIVERED", "FAILED"};

void print_table(const json::array& campaigns) {
  std::vector<std::array<std::string, headings.size()>> rows;
  for (const auto& c : campaigns) {
    if (!c.is_object()) continue;
    const auto& o = c.as_object();
    rows.push_back({cell(o, "id"), cell(o, "state"), minute_of(cell(o, "created_at")),
                    named_list(o, "wards", "ward_names"), named_list(o, "groups", "group_names"),
                    cell(o, "recipients"), cell(o, "delivered"), cell(o, "failed")});
  }
  std::array<std::size_t, headings.size()> width{};
  for (std::size_t i = 0; i < headings.size(); ++i) width[i] = headings[i].size();
  // Columns by characters, not bytes: "Phường" is 6 characters in 9 bytes.
  const auto columns = [](const std::string& s) {
    return static_cast<std::size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
  };
  for (const auto& row : rows)
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], columns(row[i]));
  // Counts are right-aligned, so that their digits line up.
  auto line = [&](auto&& text_of) {
    std::string out;
    for (std::size_t i = 0; i < headings.size(); ++i) {
      const std::string text = text_of(i);
      const std::string pad(width[i] - std::min(width[i], columns(text)), ' ');
      out += i >= 5 ? pad + text : text + pad;
      out += i + 1 < headings.size() ? "  " : "";
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    fmt::print("{}\n", out);
  };
  line([](std::size_t i) { return std::string(headings[i]); });
  for (const auto& row : rows) line([&](std::size_t i) { return row[i]; });
}

int run_campaigns(const global_options& globals, const campaigns_arguments& a) {
  if (!a.state.empty() && !broadcast::parse_campaign_state(a.state))
    return fail(globals, exit_code::bad_input,
                fmt::format("--state: '{}' is not a campaign state; one of {}", segments::printable(a.state),
                            broadcast::campaign_state_names()));
  std::string target = "/v1/campaigns?limit=" + std::to_string(a.limit);
  if (!a.ward.empty()) target += "&ward=" + url_encode(a.ward);
  if (!a.state.empty()) target += "&state=" + url_encode(a.state);
  if (!a.since.empty()) target += "&since=" + url_encode(a.since);
  const auto r = call_gateway(globals, verb::get, target);
  if (!r.body) return r.exit;
  if (globals.json) {
    print_json(*r.body);
    return 0;
  }
  const auto& doc = r.body->as_object();
  const auto* campaigns = doc.if_contains("campaigns");
  if (!campaigns || !campaigns->is_array() || campaigns->as_array().empty()) {
    fmt::print("no campaigns{}{}{}\n", a.state.empty() ? "" : " " + a.state,
               a.ward.empty() ? "" : " of ward " + segments::printable(a.ward),
               a.since.empty() ? "" : " since " + segments::printable(a.since));
    return 0;
  }
  print_table(campaigns->as_array());
  if (const auto* t = doc.if_contains("truncated"); t && t->is_bool() && t->as_bool())
    fmt::print("(the {} most recent; --since, --state or --limit for others)\n", campaigns->as_array().size());
  return 0;
}

}  // namespace

void add_campaigns_command(CLI::App& app, const global_options& globals, std::function<int()>& run) {
  auto a = std::make_shared<campaigns_arguments>();
  auto* campaigns = app.add_subcommand("campaigns", "The campaigns, newest first, with state, audience and counts");
  campaigns->add_option("--ward", a->ward, "Only this ward's (without it: every ward you act on)");
  campaigns->add_option("--state", a->state,
                        "Only campaigns in this state: " + broadcast::campaign_state_names());
  campaigns->add_option("--since", a->since, "From: 7d, 24h, 90m, a date 2026-11-20 or a time 2026-11-20T07:30");
  campaigns->add_option("--limit", a->limit, "At most this many, the most recent")
      ->check(CLI::Range(1, 500))
      ->capture_default_str();
  campaigns->callback([&run, &globals, a] { run = [&globals, a] { return run_campaigns(globals, *a); }; });
}

}  // namespace loa::cli
