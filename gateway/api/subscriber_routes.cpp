#include "gateway/api/subscriber_routes.hpp"

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>
#include <boost/json.hpp>

#include <charconv>
#include <chrono>
#include <random>

#include "gateway/api/campaign_routes.hpp"
#include "gateway/api/names.hpp"
#include "gateway/broadcast/import_pipeline.hpp"
#include "gateway/broadcast/numbers.hpp"
#include "segments/name_match.hpp"

namespace loa::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using config::operator_role;

constexpr std::size_t import_batch_rows = 2000;      // rows per Lua call: one round trip per two thousand
constexpr std::size_t reported_invalid_rows = 1000;  // the report lists this many; the count covers all
constexpr std::size_t rows_before_commit = 100;      // nothing is stored before these rows prove it is a CSV

response redis_failure(std::error_code ec) {
  return error_response(http::status::service_unavailable,
                        "the store (Redis) is unavailable: " + ec.message());
}

std::string new_import_id() {
  static std::mt19937_64 random{std::random_device{}()};
  const auto now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return std::to_string(now) + "-" + std::to_string(random() % 1000000);
}

// The phone in the path, normalised; or a 400 naming the field.
std::variant<std::string, response> path_phone(const request& r) {
  auto n = broadcast::normalise_number(r.params.at("phone"));
  if (!n)
    return error_response(
        http::status::bad_request,
        "phone '" + r.params.at("phone") + "': " + std::string(broadcast::describe(n.problem)), "phone");
  return std::move(n.number);
}

// The audit entry of a change to one subscriber, for the trails of the wards it changed. Each ward's trail
// names that ward alone: which other wards hold the number is theirs to know.
broadcast::audit_entry subscriber_entry(std::string action, std::vector<std::string> wards,
                                        std::string detail) {
  broadcast::audit_entry e;
  e.action = std::move(action);
  e.wards = std::move(wards);
  e.ward_alone = true;
  e.recipients = 1;
  e.detail = std::move(detail);
  return e;
}

// The numbers an operator may reach: those their wards hold (any number, for an admin without wards).
broadcast::ward_scope scope_of(const config::operator_config& who) {
  return {authenticator::acts_on_every_ward(who), who.wards};
}

// A number out of the caller's reach is answered exactly like one nobody holds (the same words, nothing
// recorded), so that another ward's operator cannot probe which numbers a ward has.
response no_such_number(const std::string& phone) {
  return error_response(http::status::not_found, "no subscriber " + phone + " in the wards you may act on",
                        "phone");
}

json::array string_array(const std::vector<std::string>& values) {
  json::array a;
  for (const auto& v : values) a.emplace_back(v);
  return a;
}

// POST /v1/wards/{ward}/subscribers/import?group=G...  body: CSV, streamed.
asio::awaitable<response> import(authenticator& auth, broadcast::subscriber_store& store, audit_recorder* audit,
                                 request& r, body_source& body) {
  response refusal;
  auto verdict = auth.authorize(r, r.params.at("ward"), operator_role::sender);
  const auto* who = who_or(verdict, refusal);
  if (!who) co_return refusal;
  const std::string& ward = r.params.at("ward");
  const auto extra_groups = r.query_all("group");
  const std::string source = "import:" + new_import_id();

  // Groups by their folded form (segments::fold_name): "Tổ 3" beside an existing "to-3" would split a group
  // in two without anyone noticing. Such a row is refused, naming the group it meant: mapping it silently
  // would change what the official wrote.
  std::map<std::string, std::string> group_by_fold;
  {
    std::map<std::string, std::uint64_t> sizes;
    if (auto ec = co_await store.groups(ward, sizes)) co_return redis_failure(ec);
    for (const auto& [name, count] : sizes) group_by_fold.emplace(segments::fold_name(name), name);
  }
  // The group `name` is written like, when that is another existing group's name; else empty (and a new group
  // is remembered).
  auto look_alike = [&](const std::string& name) -> std::string {
    auto [it, added] = group_by_fold.emplace(segments::fold_name(name), name);
    return added || it->second == name ? std::string() : it->second;
  };
  for (const auto& g : extra_groups)
    if (auto existing = look_alike(g); !existing.empty())
      co_return error_response(http::status::bad_request,
                               fmt::format("group: '{}' is written like the existing group '{}' of ward {}: use "
                                           "'{}' (nothing was imported)",
                                           g, existing, ward, existing),
                               "group");

  std::vector<broadcast::subscriber_row> pending;
  json::array invalid;
  std::uint64_t invalid_count = 0, legacy = 0, rows = 0;
  bool committed = false, binary = false;
  auto report_invalid = [&](broadcast::invalid_row&& bad) {
    ++invalid_count;
    if (invalid.size() < reported_invalid_rows)
      invalid.push_back({{"line", bad.line}, {"value", bad.value}, {"reason", bad.reason}});
  };
  broadcast::csv_reader reader(
      [&](broadcast::subscriber_row&& row) {
        for (const auto& g : row.groups)
          if (auto existing = look_alike(g); !existing.empty())
            return report_invalid({row.line, g,
                                   fmt::format("group '{}' is written like the existing group '{}': write '{}'",
                                               g, existing, existing)});
        ++rows;
        if (row.converted_legacy) ++legacy;
        pending.push_back(std::move(row));
      },
      report_invalid);
  broadcast::import_pipeline pipeline(co_await asio::this_coro::executor, store, ward, extra_groups, source);
  auto flush = [&](bool all) -> asio::awaitable<std::error_code> {
    while (pending.size() >= import_batch_rows || (all && !pending.empty())) {
      const std::size_t n = std::min(pending.size(), import_batch_rows);
      std::vector<broadcast::subscriber_row> batch(
          std::make_move_iterator(pending.begin()),
          std::make_move_iterator(pending.begin() + static_cast<std::ptrdiff_t>(n)));
      pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(n));
      if (auto ec = co_await pipeline.push(std::move(batch))) co_return ec;
    }
    if (all) co_return co_await pipeline.finish();
    co_return std::error_code{};
  };
  // A file that is not a subscriber CSV at all (a spreadsheet's binary, a photo) stores nothing.
  auto looks_like_csv = [&] { return !binary && (rows > 0 || invalid_count == 0); };

  for (;;) {
    const std::string_view chunk = co_await body.next();
    if (chunk.empty()) break;
    if (chunk.find('\0') != std::string_view::npos) binary = true;
    if (!binary) reader.feed(chunk);
    if (!committed && (binary || rows + invalid_count >= rows_before_commit)) {
      if (!looks_like_csv()) break;
      committed = true;
    }
    if (committed) {
      if (auto ec = co_await flush(false)) co_return redis_failure(ec);
    }
  }
  if (!binary) reader.finish();
  if (!looks_like_csv()) {
    json::object refused{{"error", binary ? "the file is not text: export the list as CSV UTF-8"
                                          : "no row holds a valid phone number: is this the right file?"},
                         {"invalid", invalid},
                         {"invalid_count", invalid_count}};
    co_return json_response(http::status::bad_request, refused);
  }
  if (auto ec = co_await flush(true)) co_return redis_failure(ec);
  const auto& counts = pipeline.counts();
  if (audit) {
    broadcast::audit_entry e;
    e.action = "import";
    e.wards = {ward};
    e.recipients = static_cast<std::int64_t>(counts.imported + counts.updated);
    e.detail = fmt::format("imported {}, updated {}, invalid {}, import {}", counts.imported, counts.updated,
                           invalid_count, source);
    co_await audit->record(r, *who, std::move(e));
  }
  co_return json_response(http::status::ok, {{"imported", counts.imported},
                                             {"updated", counts.updated},
                                             {"duplicates", counts.duplicates},
                                             {"invalid", invalid},
                                             {"invalid_count", invalid_count},
                                             {"legacy_converted", legacy},
                                             {"rows", rows},
                                             {"ward", ward},
                                             {"groups", string_array(extra_groups)},
                                             {"import_id", source}});
}

// PUT /v1/wards/{ward}/subscribers/{phone}  body: {"name": ..., "groups": [...]} (both optional)
asio::awaitable<response> add(authenticator& auth, broadcast::subscriber_store& store, audit_recorder* audit,
                              request& r) {
  response refusal;
  auto verdict = auth.authorize(r, r.params.at("ward"), operator_role::sender);
  const auto* who = who_or(verdict, refusal);
  if (!who) co_return refusal;
  auto phone = path_phone(r);
  if (auto* bad = std::get_if<response>(&phone)) co_return std::move(*bad);
  broadcast::subscriber_row row;
  row.line = 0;
  row.phone = std::get<std::string>(phone);
  if (!r.body.empty()) {
    boost::system::error_code ec;
    const json::value doc = json::parse(r.body, ec);
    if (ec || !doc.is_object())
      co_return error_response(http::status::bad_request, "the body is not a JSON object");
    if (const auto* name = doc.as_object().if_contains("name")) {
      if (!name->is_string())
        co_return error_response(http::status::bad_request, "name must be a string", "name");
      row.name = std::string(name->as_string());
    }
    if (const auto* groups = doc.as_object().if_contains("groups")) {
      if (!groups->is_array())
        co_return error_response(http::status::bad_request, "groups must be a list", "groups");
      for (const auto& g : groups->as_array()) {
        if (!g.is_string() || g.as_string().empty())
          co_return error_response(http::status::bad_request, "each group must be a non-empty string",
                                   "groups");
        row.groups.emplace_back(g.as_string());
      }
    }
  }
  for (const auto& g : r.query_all("group")) row.groups.push_back(g);
  if (auto bad_name = check_names(broadcast::name_kind::group, row.groups, "groups")) co_return std::move(*bad_name);
  broadcast::import_counts counts;
  std::vector<broadcast::subscriber_row> rows;  // named: g++ 12 miscompiles braced temporaries in co_await
  rows.push_back(row);
  const std::vector<std::string> no_extra_groups;
  const std::string source = "api:" + who->name;
  if (auto ec = co_await store.import_batch(r.params.at("ward"), rows, no_extra_groups, source, counts))
    co_return redis_failure(ec);
  if (audit) {
    auto entry = subscriber_entry("subscriber_add", {r.params.at("ward")}, row.phone);  // named: see above
    co_await audit->record(r, *who, std::move(entry));
  }
  co_return json_response(http::status::ok, {{"phone", row.phone},
                                             {"ward", r.params.at("ward")},
                                             {"added", counts.imported == 1},
                                             {"updated", counts.updated == 1}});
}

// DELETE /v1/wards/{ward}/subscribers/{phone}?group=G...
asio::awaitable<response> remove(authenticator& auth, broadcast::subscriber_store& store, audit_recorder* audit,
                                 request& r) {
  response refusal;
  auto verdict = auth.authorize(r, r.params.at("ward"), operator_role::sender);
  const auto* who = who_or(verdict, refusal);
  if (!who) co_return refusal;
  auto phone = path_phone(r);
  if (auto* bad = std::get_if<response>(&phone)) co_return std::move(*bad);
  bool removed = false;
  if (auto ec = co_await store.remove(r.params.at("ward"), std::get<std::string>(phone), r.query_all("group"),
                                      removed))
    co_return redis_failure(ec);
  if (audit && removed) {
    auto entry = subscriber_entry("subscriber_remove", {r.params.at("ward")}, std::get<std::string>(phone));
    co_await audit->record(r, *who, std::move(entry));
  }
  co_return json_response(http::status::ok, {{"phone", std::get<std::string>(phone)}, {"removed", removed}});
}

// POST /v1/subscribers/{phone}/optout | /optin: for a number one of the caller's wards holds.
asio::awaitable<response> choice(authenticator& auth, broadcast::subscriber_store& store, audit_recorder* audit,
                                 request& r, bool out) {
  response refusal;
  auto verdict = auth.authorize(r, "", operator_role::sender);
  const auto* who = who_or(verdict, refusal);
  if (!who) co_return refusal;
  auto phone = path_phone(r);
  if (auto* bad = std::get_if<response>(&phone)) co_return std::move(*bad);
  const std::string& number = std::get<std::string>(phone);
  const std::string source = "api:" + who->name;  // named: see the import above
  const auto scope = scope_of(*who);
  broadcast::number_change change;
  if (auto ec = co_await store.set_opt_out(number, out, source, scope, change)) co_return redis_failure(ec);
  if (!change.allowed) co_return no_such_number(number);
  // The choice holds in every ward: each ward that holds the number sends differently now.
  if (audit) {
    auto entry = subscriber_entry(out ? "optout" : "optin", change.wards, number);
    co_await audit->record(r, *who, std::move(entry));
  }
  co_return json_response(http::status::ok, {{"phone", number}, {"opted_out", out}});
}

// DELETE /v1/subscribers/{phone}: forget the number in the caller's wards (an admin without wards:
// everywhere).
asio::awaitable<response> forget(authenticator& auth, broadcast::subscriber_store& store, audit_recorder* audit,
                                 request& r) {
  response refusal;
  auto verdict = auth.authorize(r, "", operator_role::sender);
  const auto* who = who_or(verdict, refusal);
  if (!who) co_return refusal;
  auto phone = path_phone(r);
  if (auto* bad = std::get_if<response>(&phone)) co_return std::move(*bad);
  const std::string& number = std::get<std::string>(phone);
  const auto scope = scope_of(*who);
  broadcast::number_change change;
  if (auto ec = co_await store.forget(number, scope, change)) co_return redis_failure(ec);
  if (!change.allowed) co_return no_such_number(number);
  // The trail keeps that a number was forgotten, not the number: only its SHA-256 (as loa:optout:forgotten).
  if (audit) {
    auto entry = subscriber_entry("forget", change.wards, "sha256:" + broadcast::sha256_hex(number));
    co_await audit->record(r, *who, std::move(entry));
  }
  co_return json_response(http::status::ok, {{"phone", number}, {"wards", change.wards.size()}});
}

// GET /v1/wards/{ward}/subscribers/count?group=G
asio::awaitable<response> count(authenticator& auth, broadcast::subscriber_store& store, request& r) {
  response refusal;
  auto verdict = auth.authorize(r, r.params.at("ward"), operator_role::sender);
  if (!who_or(verdict, refusal)) co_return refusal;
  const std::string group = r.query_one("group").value_or("");
  std::uint64_t n = 0;
  if (auto ec = co_await store.count(r.params.at("ward"), group, n)) co_return redis_failure(ec);
  json::object out{{"count", n}, {"ward", r.params.at("ward")}};
  if (!group.empty()) out["group"] = group;
  co_return json_response(http::status::ok, out);
}

// GET /v1/wards/{ward}/groups
asio::awaitable<response> groups(authenticator& auth, broadcast::subscriber_store& store, request& r) {
  response refusal;
  auto verdict = auth.authorize(r, r.params.at("ward"), operator_role::sender);
  if (!who_or(verdict, refusal)) co_return refusal;
  std::map<std::string, std::uint64_t> sizes;
  if (auto ec = co_await store.groups(r.params.at("ward"), sizes)) co_return redis_failure(ec);
  std::map<std::string, std::string> names;
  if (auto ec = co_await store.group_names(r.params.at("ward"), names)) co_return redis_failure(ec);
  json::array list;
  for (const auto& [name, n] : sizes) {
    const auto named = names.find(name);
    list.push_back({{"name", name}, {"count", n}, {"display_name", named == names.end() ? name : named->second}});
  }
  co_return json_response(http::status::ok, {{"ward", r.params.at("ward")}, {"groups", list}});
}

// POST /v1/wards/{ward}/groups/rename  body: {"group": "to-3", "display_name": "Tổ 3"}: the name people are
// shown beside the group's id (previews, status, reports); the id stays what sends and imports use. A
// display_name of null or "" takes the name away.
asio::awaitable<response> rename_group(authenticator& auth, broadcast::subscriber_store& store,
                                       audit_recorder* audit, request& r) {
  response refusal;
  auto verdict = auth.authorize(r, r.params.at("ward"), operator_role::sender);
  const auto* who = who_or(verdict, refusal);
  if (!who) co_return refusal;
  boost::system::error_code jec;
  const json::value doc = json::parse(r.body, jec);
  if (jec || !doc.is_object()) co_return error_response(http::status::bad_request, "the body is not a JSON object");
  const auto* g = doc.as_object().if_contains("group");
  if (!g || !g->is_string() || g->as_string().empty())
    co_return error_response(http::status::bad_request, "group: the group's id is required", "group");
  std::vector<std::string> group{std::string(g->as_string())};
  if (auto bad_name = check_names(broadcast::name_kind::group, group, "group")) co_return std::move(*bad_name);
  std::string display;
  if (const auto* d = doc.as_object().if_contains("display_name"); d && !d->is_null()) {
    if (!d->is_string())
      co_return error_response(http::status::bad_request, "display_name: expected a string", "display_name");
    display = std::string(d->as_string());
  }
  if (!display.empty()) {
    // The same check as a group's id: no control or invisible characters, NFC.
    auto checked = broadcast::check_name(broadcast::name_kind::group, display);
    if (!checked) co_return error_response(http::status::bad_request, "display_name: " + checked.problem, "display_name");
    display = std::move(checked.value);
  }
  const std::string& ward = r.params.at("ward");
  std::map<std::string, std::uint64_t> sizes;
  if (auto ec = co_await store.groups(ward, sizes)) co_return redis_failure(ec);
  if (!sizes.count(group[0])) {
    std::vector<std::string> known;
    for (const auto& [name, n] : sizes) known.push_back(name);
    std::string message = fmt::format("group: ward {} has no group '{}'", ward, group[0]);
    if (auto near = segments::nearest_names(group[0], known); !near.empty())
      message += ": " + segments::did_you_mean(near);
    co_return error_response(http::status::not_found, message, "group");
  }
  if (auto ec = co_await store.set_group_name(ward, group[0], display)) co_return redis_failure(ec);
  if (audit) {
    broadcast::audit_entry e;
    e.action = "group_rename";
    e.wards = {ward};
    e.recipients = static_cast<std::int64_t>(sizes[group[0]]);
    e.detail = display.empty() ? fmt::format("group {}: display name removed", group[0])
                               : fmt::format("group {}: display name {}", group[0], display);
    co_await audit->record(r, *who, std::move(e));
  }
  json::object out{{"ward", ward}, {"group", group[0]}, {"display_name", display.empty() ? group[0] : display}};
  co_return json_response(http::status::ok, out);
}

// When a reply came (its stored unix seconds), in the gateway's local time; null when the record holds no time.
json::value received_at(const std::string& unix_seconds, std::chrono::minutes utc_offset) {
  std::int64_t t = 0;
  const auto [p, ec] = std::from_chars(unix_seconds.data(), unix_seconds.data() + unix_seconds.size(), t);
  if (ec != std::errc{} || p != unix_seconds.data() + unix_seconds.size()) return nullptr;
  return json::value(format_local_time(t, utc_offset));
}

// GET /v1/wards/{ward}/replies?limit=N: citizens' replies that were not keywords, newest first.
asio::awaitable<response> replies(authenticator& auth, broadcast::subscriber_store& store,
                                  std::chrono::minutes utc_offset, request& r) {
  response refusal;
  auto verdict = auth.authorize(r, r.params.at("ward"), operator_role::sender);
  if (!who_or(verdict, refusal)) co_return refusal;
  std::size_t limit = 100;
  if (auto l = r.query_one("limit")) {
    const auto [p, ec] = std::from_chars(l->data(), l->data() + l->size(), limit);
    if (ec != std::errc{} || p != l->data() + l->size() || limit == 0 || limit > 10000)
      co_return error_response(http::status::bad_request, "limit: a number from 1 to 10000", "limit");
  }
  std::vector<broadcast::stored_reply> kept;
  if (auto ec = co_await store.replies(r.params.at("ward"), limit, kept)) co_return redis_failure(ec);
  json::array list;
  for (const auto& k : kept)
    list.push_back({{"time", k.time},
                    {"received_at", received_at(k.time, utc_offset)},
                    {"from", k.phone},
                    {"carrier", k.carrier},
                    {"text", k.text}});
  co_return json_response(http::status::ok, {{"ward", r.params.at("ward")}, {"replies", list}});
}

}  // namespace

void add_subscriber_routes(router& routes, authenticator& auth, broadcast::subscriber_store& store,
                           audit_recorder* audit, std::chrono::minutes utc_offset) {
  using http::verb;
  routes.add_streaming(verb::post, "/v1/wards/{ward}/subscribers/import",
                       [&, audit](request& r, body_source& b) { return import(auth, store, audit, r, b); });
  routes.add(verb::put, "/v1/wards/{ward}/subscribers/{phone}",
             [&, audit](request& r) { return add(auth, store, audit, r); });
  routes.add(verb::delete_, "/v1/wards/{ward}/subscribers/{phone}",
             [&, audit](request& r) { return remove(auth, store, audit, r); });
  routes.add(verb::get, "/v1/wards/{ward}/subscribers/count",
             [&](request& r) { return count(auth, store, r); });
  routes.add(verb::get, "/v1/wards/{ward}/groups", [&](request& r) { return groups(auth, store, r); });
  routes.add(verb::post, "/v1/wards/{ward}/groups/rename",
             [&, audit](request& r) { return rename_group(auth, store, audit, r); });
  routes.add(verb::get, "/v1/wards/{ward}/replies", [&, utc_offset](request& r) { return replies(auth, store, utc_offset, r); });
  routes.add(verb::post, "/v1/subscribers/{phone}/optout",
             [&, audit](request& r) { return choice(auth, store, audit, r, true); });
  routes.add(verb::post, "/v1/subscribers/{phone}/optin",
             [&, audit](request& r) { return choice(auth, store, audit, r, false); });
  routes.add(verb::delete_, "/v1/subscribers/{phone}",
             [&, audit](request& r) { return forget(auth, store, audit, r); });
}

}  // namespace loa::api
