#include "tools/loa/subscriber_commands.hpp"

#include <fmt/core.h>
#include <boost/json.hpp>

#include <filesystem>
#include <memory>

#include "gateway/common/plain_json.hpp"
#include "segments/printable.hpp"
#include "tools/loa/remote.hpp"

namespace loa::cli {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

struct arguments {
  std::string file;
  std::string phone;
  std::string ward;
  std::string name;
  std::vector<std::string> groups;
  std::string group;  // groups rename: the group's id
};

std::string groups_query(const std::vector<std::string>& groups, char first = '?') {
  std::string q;
  for (const auto& g : groups) {
    q += q.empty() ? first : '&';
    q += "group=" + url_encode(g);
  }
  return q;
}

std::string ward_path(const arguments& a) {
  return "/v1/wards/" + url_encode(a.ward);
}

std::uint64_t number(const json::value& v, std::string_view key) {
  const auto* found = v.as_object().if_contains(key);
  return found && found->is_number() ? found->to_number<std::uint64_t>() : 0;
}

// Prints the body as JSON (--json) or through `human`; returns the exit code.
int finish(const global_options& globals, const remote_result& r,
           const std::function<void(const json::value&)>& human) {
  if (!r.body) return r.exit;
  if (globals.json) {
    print_json(*r.body);
  } else {
    human(*r.body);
  }
  return 0;
}

int run_import(const global_options& globals, const arguments& a) {
  if (!std::filesystem::is_regular_file(a.file))
    return fail(globals, exit_code::bad_input, fmt::format("{}: no such file", a.file));
  const auto r = call_gateway(globals, verb::post,
                              ward_path(a) + "/subscribers/import" + groups_query(a.groups), {}, a.file);
  return finish(globals, r, [](const json::value& b) {
    fmt::print("imported    {}\nupdated     {}\nduplicates  {}\ninvalid     {}\n", number(b, "imported"),
               number(b, "updated"), number(b, "duplicates"), number(b, "invalid_count"));
    if (number(b, "legacy_converted") > 0)
      fmt::print("(converted {} pre-2018 11-digit numbers to their new prefix)\n",
                 number(b, "legacy_converted"));
    const auto& invalid = b.at("invalid").as_array();
    for (const auto& row : invalid) {
      fmt::print("  line {}: \"{}\": {}\n", row.at("line").to_number<std::uint64_t>(),
                 std::string(row.at("value").as_string()), std::string(row.at("reason").as_string()));
    }
    if (number(b, "invalid_count") > invalid.size())
      fmt::print("  ... {} more (use --json for the list the gateway kept)\n",
                 number(b, "invalid_count") - invalid.size());
  });
}

int run_add(const global_options& globals, const arguments& a) {
  json::object body;
  if (!a.name.empty()) body["name"] = a.name;
  json::array groups;
  for (const auto& g : a.groups) groups.emplace_back(g);
  body["groups"] = groups;
  const auto r = call_gateway(globals, verb::put, ward_path(a) + "/subscribers/" + url_encode(a.phone),
                              serialize_plain(body));
  return finish(globals, r, [&](const json::value& b) {
    fmt::print("{} {} in {}\n", std::string(b.at("phone").as_string()),
               b.at("added").as_bool() ? "added" : "updated", a.ward);
  });
}

int run_remove(const global_options& globals, const arguments& a) {
  const auto r = call_gateway(globals, verb::delete_,
                              ward_path(a) + "/subscribers/" + url_encode(a.phone) + groups_query(a.groups));
  return finish(globals, r, [&](const json::value& b) {
    fmt::print("{} {}\n", std::string(b.at("phone").as_string()),
               b.at("removed").as_bool()
                   ? (a.groups.empty() ? "removed from " + a.ward : "removed from those groups")
                   : "was not there: nothing changed");
  });
}

int run_choice(const global_options& globals, const arguments& a, bool out) {
  const auto r = call_gateway(globals, verb::post,
                              "/v1/subscribers/" + url_encode(a.phone) + (out ? "/optout" : "/optin"));
  return finish(globals, r, [&](const json::value& b) {
    fmt::print("{} {}\n", std::string(b.at("phone").as_string()),
               out ? "opted out: it gets no notice from any ward" : "opted in again");
  });
}

int run_forget(const global_options& globals, const arguments& a) {
  const auto r = call_gateway(globals, verb::delete_, "/v1/subscribers/" + url_encode(a.phone));
  return finish(globals, r, [](const json::value& b) {
    fmt::print("{} forgotten: removed from {} ward(s)\n", std::string(b.at("phone").as_string()),
               number(b, "wards"));
  });
}

int run_count(const global_options& globals, const arguments& a) {
  if (a.groups.size() > 1) return fail(globals, exit_code::bad_input, "count takes one --group at most");
  const auto r =
      call_gateway(globals, verb::get, ward_path(a) + "/subscribers/count" + groups_query(a.groups));
  return finish(globals, r, [](const json::value& b) { fmt::print("{}\n", number(b, "count")); });
}

int run_groups(const global_options& globals, const arguments& a) {
  const auto r = call_gateway(globals, verb::get, ward_path(a) + "/groups");
  return finish(globals, r, [](const json::value& b) {
    const auto& groups = b.at("groups").as_array();
    if (groups.empty()) fmt::print("no groups yet\n");
    for (const auto& g : groups) {
      const std::string name(g.at("name").as_string());
      const auto* shown = g.as_object().if_contains("display_name");
      const std::string display = shown && shown->is_string() ? std::string(shown->as_string()) : name;
      fmt::print("{:<30} {:>8}{}\n", name, g.at("count").to_number<std::uint64_t>(),
                 display == name ? "" : "  " + segments::printable(display));
    }
  });
}

int run_rename_group(const global_options& globals, const arguments& a) {
  json::object body{{"group", a.group}, {"display_name", a.name}};
  const auto r = call_gateway(globals, verb::post, ward_path(a) + "/groups/rename", serialize_plain(body));
  return finish(globals, r, [&a](const json::value& b) {
    const std::string shown(b.at("display_name").as_string());
    if (a.name.empty()) {
      fmt::print("group {} of {} has no display name now\n", a.group, a.ward);
    } else {
      fmt::print("group {} of {} is shown as \"{}\"\n", a.group, a.ward, segments::printable(shown));
    }
  });
}

// "22/11/2026 14:03" from the reply's received_at ("2026-11-22T14:03:07+07:00"), the gateway's local time.
std::string day_and_minute(const json::object& reply) {
  const auto* at = reply.if_contains("received_at");
  if (!at || !at->is_string() || at->as_string().size() < 16) return "?";
  const std::string s(at->as_string());
  return segments::printable(s.substr(8, 2) + "/" + s.substr(5, 2) + "/" + s.substr(0, 4) + " " + s.substr(11, 5));
}

int run_replies(const global_options& globals, const arguments& a) {
  const auto r = call_gateway(globals, verb::get, ward_path(a) + "/replies");
  return finish(globals, r, [](const json::value& b) {
    const auto& replies = b.at("replies").as_array();
    if (replies.empty()) fmt::print("no replies\n");
    for (const auto& x : replies) {
      // A citizen's text as it came may hold escape sequences that would drive the official's terminal.
      fmt::print("{}  {}  {}\n", day_and_minute(x.as_object()), segments::printable(x.at("from").as_string()),
                 segments::printable(x.at("text").as_string()));
    }
  });
}

}  // namespace

void add_subscriber_commands(CLI::App& app, const global_options& globals, std::function<int()>& run) {
  auto a = std::make_shared<arguments>();
  auto on = [&run, &globals, a](CLI::App* cmd, int (*body)(const global_options&, const arguments&)) {
    cmd->callback([&run, &globals, a, body] { run = [&globals, a, body] { return body(globals, *a); }; });
  };
  auto* subscribers =
      app.add_subcommand("subscribers", "Citizens who receive notices")->require_subcommand(1);

  auto* import = subscribers->add_subcommand("import", "Import a CSV (UTF-8) of phone[,name[,groups]] rows");
  import->add_option("FILE", a->file, "The CSV file")->required();
  import->add_option("--ward", a->ward, "Ward")->required();
  import->add_option("--group", a->groups, "A group for every row (repeatable)");
  on(import, run_import);

  auto* add = subscribers->add_subcommand("add", "Add one subscriber to a ward (and groups)");
  add->add_option("PHONE", a->phone, "0912345678, +84912345678 or 84912345678")->required();
  add->add_option("--ward", a->ward, "Ward")->required();
  add->add_option("--group", a->groups, "Group (repeatable)");
  add->add_option("--name", a->name, "Name");
  on(add, run_add);

  auto* remove =
      subscribers->add_subcommand("remove", "Remove a subscriber from a ward, or from some groups");
  remove->add_option("PHONE", a->phone, "Phone number")->required();
  remove->add_option("--ward", a->ward, "Ward")->required();
  remove->add_option("--group", a->groups, "Only from this group (repeatable)");
  on(remove, run_remove);

  auto* optout = subscribers->add_subcommand("optout", "The citizen asked to receive no notices");
  optout->add_option("PHONE", a->phone, "Phone number")->required();
  on(optout, [](const global_options& g, const arguments& x) { return run_choice(g, x, true); });
  auto* optin = subscribers->add_subcommand("optin", "The citizen asked to receive notices again");
  optin->add_option("PHONE", a->phone, "Phone number")->required();
  on(optin, [](const global_options& g, const arguments& x) { return run_choice(g, x, false); });

  auto* forget = subscribers->add_subcommand("forget", "Delete everything held about a number");
  forget->add_option("PHONE", a->phone, "Phone number")->required();
  on(forget, run_forget);

  auto* count = subscribers->add_subcommand("count", "How many subscribers a ward (or one group) has");
  count->add_option("--ward", a->ward, "Ward")->required();
  count->add_option("--group", a->groups, "Group");
  on(count, run_count);

  auto* replies = app.add_subcommand("replies", "Citizens' replies by SMS")->require_subcommand(1);
  auto* replies_list = replies->add_subcommand("list", "Replies that were not HUY, DK or HD, newest first");
  replies_list->add_option("--ward", a->ward, "Ward")->required();
  on(replies_list, run_replies);

  auto* groups = app.add_subcommand("groups", "Groups of a ward")->require_subcommand(1);
  auto* list = groups->add_subcommand("list", "Groups and their sizes");
  list->add_option("--ward", a->ward, "Ward")->required();
  on(list, run_groups);
  auto* rename = groups->add_subcommand("rename", "Give a group the name people see (\"Tổ 3\") beside its id");
  rename->add_option("WARD", a->ward, "Ward")->required();
  rename->add_option("GROUP", a->group, "The group's id (as in loa groups list)")->required();
  rename->add_option("NAME", a->name, "The name to show; \"\" takes it away")->required();
  on(rename, run_rename_group);
}

}  // namespace loa::cli
