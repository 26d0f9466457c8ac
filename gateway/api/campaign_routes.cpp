#include "gateway/api/campaign_routes.hpp"
#include "gateway/api/campaign_preview.hpp"
#include "gateway/api/names.hpp"
#include "gateway/broadcast/approval_rule.hpp"
#include "gateway/campaign/lifecycle.hpp"
#include "segments/name_match.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>

namespace loa::api {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using config::operator_role;

constexpr std::size_t max_text_bytes = 4000;
constexpr std::size_t max_key_bytes = 200;
constexpr auto key_memory = std::chrono::hours(24 * 90);  // a cron rerun within 90 days sends nothing

response redis_failure(std::error_code ec) {
  return error_response(http::status::service_unavailable, "the store (Redis) is unavailable: " + ec.message());
}

response bad(std::string_view message, std::string_view field) {
  return error_response(http::status::bad_request, message, field);
}

json::array string_array(const std::vector<std::string>& values) {
  json::array a;
  for (const auto& v : values) a.emplace_back(v);
  return a;
}

// A list of strings from a field that may also be one string ("ward": "x" or "wards": ["x", "y"]).
std::optional<std::vector<std::string>> strings(const json::object& body, std::string_view many,
                                                std::string_view one) {
  std::vector<std::string> out;
  if (const auto* v = body.if_contains(many)) {
    if (!v->is_array()) return std::nullopt;
    for (const auto& e : v->as_array()) {
      if (!e.is_string() || e.as_string().empty()) return std::nullopt;
      out.emplace_back(e.as_string());
    }
  }
  if (const auto* v = body.if_contains(one)) {
    if (!v->is_string() || v->as_string().empty()) return std::nullopt;
    out.emplace_back(v->as_string());
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::optional<std::string> optional_string(const json::object& body, std::string_view name, bool& bad_type) {
  const auto* v = body.if_contains(name);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_string()) {
    bad_type = true;
    return std::nullopt;
  }
  return std::string(v->as_string());
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Reads and checks the request body into `spec` (and `dry_run`); a 400 naming the field, or nullopt.
std::optional<response> read_spec(const request& r, const campaign_hooks& hooks, broadcast::campaign_spec& spec,
                                  bool& dry_run) {
  json::error_code jec;
  auto parsed = json::parse(r.body, jec);
  if (jec || !parsed.is_object()) return bad("the body must be a JSON object", "body");
  const auto& body = parsed.as_object();
  bool bad_type = false;
  if (auto corrects = optional_string(body, "corrects", bad_type)) spec.corrects = *corrects;
  if (bad_type || (body.contains("corrects") && !body.at("corrects").is_null() && spec.corrects.empty()))
    return bad("corrects: the id of the campaign to correct", "corrects");
  if (auto resends = optional_string(body, "resend_failed", bad_type)) spec.resends = *resends;
  if (bad_type || (body.contains("resend_failed") && !body.at("resend_failed").is_null() && spec.resends.empty()))
    return bad("resend_failed: the id of the campaign whose failed messages to send again", "resend_failed");
  if (!spec.corrects.empty() && !spec.resends.empty())
    return bad("resend_failed: a send is a correction or a resend, not both", "resend_failed");
  // A correction or a resend takes its audience (and wards and groups) from an earlier campaign.
  const bool correction = !spec.corrects.empty() || !spec.resends.empty();
  auto wards = strings(body, "wards", "ward");
  if (!wards || (wards->empty() && !correction)) return bad("wards: name at least one ward", "wards");
  auto groups = strings(body, "groups", "group");
  if (!groups || (groups->empty() && !correction)) return bad("groups: name at least one group", "groups");
  if (correction && !groups->empty())
    return bad(spec.resends.empty() ? "groups: a correction goes to exactly the recipients of campaign " +
                                          spec.corrects + "; leave groups out"
                                    : "groups: a resend goes to the recipients of campaign " + spec.resends +
                                          " whose message failed or expired; leave groups out",
               "groups");
  if (auto refusal = check_names(broadcast::name_kind::ward, *wards, "wards")) return refusal;
  if (auto refusal = check_names(broadcast::name_kind::group, *groups, "groups")) return refusal;
  spec.wards = std::move(*wards);
  spec.groups = std::move(*groups);
  if (const auto* v = body.if_contains("dry_run")) {
    if (!v->is_bool()) return bad("dry_run: expected true or false", "dry_run");
    dry_run = v->as_bool();
  }

  auto text = optional_string(body, "text", bad_type);
  // A resend without a text sends the campaign's own text again (filled in by prepare_follow_up).
  if (!spec.resends.empty() && !bad_type && (!text || text->empty())) text = std::string();
  else if (bad_type || !text || text->empty()) return bad("text: the notice's text is required", "text");
  if (text->size() > max_text_bytes)
    return bad(fmt::format("text: {} bytes; at most {}", text->size(), max_text_bytes), "text");
  spec.text = std::move(*text);

  if (auto accents = optional_string(body, "accents", bad_type)) {
    if (*accents != "keep" && *accents != "strip" && *accents != "auto")
      return bad("accents: expected keep, strip or auto", "accents");
    spec.accents = *accents;
  }
  if (bad_type) return bad("accents: expected a string", "accents");
  if (auto sender = optional_string(body, "sender", bad_type)) {
    if (auto problem = config::check_brandname(*sender)) return bad("sender: " + *problem, "sender");
    spec.sender = *sender;
  }
  if (bad_type) return bad("sender: expected a string", "sender");
  if (auto key = optional_string(body, "key", bad_type)) {
    if (key->empty() || key->size() > max_key_bytes)
      return bad(fmt::format("key: 1 to {} characters", max_key_bytes), "key");
    // A key is shown in the audit: a line break or an escape in it could forge or hide a line there.
    if (auto c = std::find_if(key->begin(), key->end(),
                              [](unsigned char b) { return b < 0x20 || b == 0x7f; });
        c != key->end())
      return bad(fmt::format("key: control character U+{:04X} (letters, digits and punctuation only)",
                             static_cast<unsigned char>(*c)),
                 "key");
    spec.key = *key;
  }
  if (bad_type) return bad("key: expected a string", "key");
  if (auto at = optional_string(body, "at", bad_type)) {
    auto t = parse_local_time(*at, hooks.cfg->gateway.utc_offset);
    if (!t) return bad("at: '" + *at + "' is not a time like 2026-11-23T07:30 (local) or with +07:00", "at");
    // A time already past would send at once, to everyone: refuse it, showing the time as understood. A
    // minute of grace for "--at" the current minute.
    const std::int64_t now_s = now_ms() / 1000;
    if (*t < now_s - 60)
      return bad(fmt::format("at: {} is in the past (it is now {}); nothing was sent: give a future time, or "
                             "leave --at out to send now",
                             format_local_time(*t, hooks.cfg->gateway.utc_offset),
                             format_local_time(now_s, hooks.cfg->gateway.utc_offset)),
                 "at");
    spec.due_at_s = *t;
  }
  if (bad_type) return bad("at: expected a string", "at");
  if (const auto* v = body.if_contains("urgent")) {
    if (!v->is_bool()) return bad("urgent: expected true or false", "urgent");
    spec.urgent = v->as_bool();
  }
  spec.validity_s = hooks.cfg->limits.validity.count();
  if (const auto* v = body.if_contains("validity_s")) {
    if (!v->is_int64() || v->as_int64() < 60 || v->as_int64() > 30 * 86400)
      return bad("validity_s: seconds between 60 and 2592000 (30 days)", "validity_s");
    spec.validity_s = v->as_int64();
  }
  return std::nullopt;
}

broadcast::campaign_state initial_state(const broadcast::campaign_spec& spec, const config::gateway_config& gw) {
  const auto now = std::chrono::system_clock::now();
  const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  // The scheduler moves it on when due and when the quiet hours end (the same rule: lifecycle.hpp).
  return campaign::where_due(spec.due_at_s <= now_s, gw.quiet_at(now), spec.urgent);
}

// A large or urgent send waits for a second person (an approver of the ward): one wrong send is a headline.
// The estimate is an upper bound (a number in two groups counts twice): when unsure, ask. The gateway asks
// again on the exact audience when the campaign becomes due and while it is fanned out (approval_rule.hpp).
bool needs_approval(broadcast::campaign_spec& spec, const config::configuration& cfg) {
  auto why = broadcast::approval_needed_at_creation(
      spec, static_cast<std::uint64_t>(std::max(0, cfg.approval.above_recipients)));
  spec.approval_reason = why.value_or("");
  return why.has_value();
}

// An audit entry about a campaign: its wards, id and estimated recipients.
broadcast::audit_entry campaign_entry(std::string action, const broadcast::campaign_spec& spec, std::string detail) {
  broadcast::audit_entry e;
  e.action = std::move(action);
  e.wards = spec.wards;
  e.campaign = spec.id;
  // The exact audience when it was counted (as the dry run and the send say), else the estimate.
  e.recipients = static_cast<std::int64_t>(spec.audience > 0 ? spec.audience : spec.estimated_recipients);
  e.detail = std::move(detail);
  return e;
}

// The audit line of a send: what else was asked besides the text.
std::string sent_detail(const broadcast::campaign_spec& spec, std::chrono::minutes utc_offset) {
  std::string d = "groups";
  for (const auto& g : spec.groups) d += (d == "groups" ? " " : ", ") + g;
  d += "; " + std::string(broadcast::to_string(spec.state));
  if (spec.urgent) d += "; urgent";
  if (spec.due_at_s) d += "; at " + format_local_time(spec.due_at_s, utc_offset);
  if (!spec.key.empty()) d += "; key " + spec.key;
  if (!spec.corrects.empty()) d += "; corrects " + spec.corrects;
  if (!spec.resends.empty()) d += "; resends the failed and expired of campaign " + spec.resends;
  return d;
}

// 409 naming the campaign created earlier with the same key (`campaign`, for scripts), when the caller may
// see it; a campaign of wards not all theirs (a key shared across wards) is not named.
response key_conflict(const broadcast::campaign_spec& earlier, const config::operator_config& who) {
  const bool visible = reaches_every_ward(who, earlier);
  const std::string which = visible ? "campaign " + earlier.id : "a campaign of other wards too";
  json::object body{
      {"error", fmt::format("key '{}' was used for {} with another text or audience; nothing was "
                            "sent: give this notice a new key",
                            earlier.key, which)},
      {"field", "key"}};
  body["campaign"] = visible ? json::value(earlier.id) : json::value(nullptr);
  return json_response(http::status::conflict, body);
}

// 400 for a group the ward does not have (groups exist while they have members), naming the ward's nearest
// groups: "phu-huyng" for "phu-huynh" must not preview 0 recipients and "send" to nobody.
response unknown_group(const std::string& ward, const std::string& group,
                       const std::map<std::string, std::uint64_t>& sizes) {
  std::vector<std::string> names;
  for (const auto& [name, count] : sizes) names.push_back(name);
  std::string message = fmt::format("groups: ward {} has no group '{}'; nothing was sent", ward, group);
  if (auto near = segments::nearest_names(group, names); !near.empty()) {
    message += ": " + segments::did_you_mean(near);
  } else if (!names.empty()) {
    message += fmt::format(" (`loa groups list --ward {}` lists its {} groups)", ward, names.size());
  } else {
    message += " (it has no subscribers yet)";
  }
  json::object body{{"error", message}, {"field", "groups"}, {"ward", ward}, {"group", group}};
  body["suggestions"] = string_array(segments::nearest_names(group, names));
  return json_response(http::status::bad_request, body);
}

// 400 for a send that would reach nobody once opted-out numbers are left out.
response no_audience(const broadcast::campaign_spec& spec) {
  std::string groups;
  for (const auto& g : spec.groups) groups += (groups.empty() ? "" : ", ") + g;
  std::string message, field = "groups";
  if (!spec.corrects.empty()) {
    message = fmt::format("corrects: nobody received campaign {} (or all opted out since); nothing was sent",
                          spec.corrects);
    field = "corrects";
  } else if (!spec.resends.empty()) {
    message = fmt::format("resend_failed: no message of campaign {} failed or expired (or those numbers opted out "
                          "since); nothing was sent",
                          spec.resends);
    field = "resend_failed";
  } else {
    message = fmt::format("groups: {} of {} reach 0 recipients (every number opted out, or none left); nothing "
                          "was sent",
                          groups.empty() ? "these groups" : groups, fmt::join(spec.wards, ", "));
  }
  json::object body{{"error", message}, {"field", field}, {"recipients", 0}};
  return json_response(http::status::bad_request, body);
}

// A correction (or a resend) takes its wards and groups from the campaign it follows, which the caller must
// be allowed to act on (every ward of it), and collects that campaign's recipients (who received it; for a
// resend, whose message failed or expired) for the fan-out to read. A resend without a text sends the
// campaign's own again, with its accents and sender.
asio::awaitable<std::optional<response>> prepare_follow_up(authenticator& auth,
                                                           broadcast::campaign_store& campaigns, request& r,
                                                           broadcast::campaign_spec& spec) {
  const bool resend = !spec.resends.empty();
  const std::string& id = resend ? spec.resends : spec.corrects;
  const std::string field = resend ? "resend_failed" : "corrects";
  broadcast::campaign_spec original;
  r.params["id"] = id;
  if (auto refusal = co_await load_visible(auth, campaigns, r, operator_role::sender, original)) {
    if (refusal->status == http::status::not_found) co_return bad(field + ": no campaign " + id, field);
    co_return refusal;
  }
  for (const auto& ward : spec.wards)
    if (std::find(original.wards.begin(), original.wards.end(), ward) == original.wards.end())
      co_return bad(fmt::format("wards: campaign {} did not go to ward {}", original.id, ward), "wards");
  spec.wards = original.wards;
  spec.groups = original.groups;
  if (resend && spec.text.empty()) {
    spec.text = original.text;
    spec.accents = original.accents;
    if (spec.sender.empty()) spec.sender = original.sender;
  }
  std::error_code ec;
  if (resend) {
    ec = co_await campaigns.collect_failed(original.id, spec.estimated_recipients);
  } else {
    ec = co_await campaigns.collect_received(original.id, spec.estimated_recipients);
  }
  if (ec) co_return redis_failure(ec);
  co_return std::nullopt;
}

// POST /v1/campaigns
asio::awaitable<response> create(authenticator& auth, broadcast::campaign_store& campaigns,
                                 broadcast::subscriber_store& subscribers, const campaign_hooks& hooks, request& r) {
  broadcast::campaign_spec spec;
  bool dry_run = false;
  if (auto refusal = read_spec(r, hooks, spec, dry_run)) {
    // Still authenticate first: an unknown caller learns nothing about what a good body looks like.
    auto verdict = auth.authorize(r, {}, operator_role::sender);
    response denied;
    if (!who_or(verdict, denied)) co_return denied;
    co_return *refusal;
  }
  if (!spec.corrects.empty() || !spec.resends.empty()) {
    if (auto refusal = co_await prepare_follow_up(auth, campaigns, r, spec)) co_return *refusal;
  }
  const config::operator_config* who = nullptr;
  for (const auto& ward : spec.wards) {
    response refusal;
    auto verdict = auth.authorize(r, ward, operator_role::sender);
    who = who_or(verdict, refusal);
    if (!who) co_return refusal;
  }
  spec.created_by = who->name;
  campaign_plan plan;
  if (auto problem = hooks.check(spec, plan)) co_return bad("text: " + *problem, "text");
  // A correction's estimate is the number of recipients it found; a notice's, the sum of its groups' sizes.
  for (std::size_t w = 0; spec.corrects.empty() && spec.resends.empty() && w < spec.wards.size(); ++w) {
    std::map<std::string, std::uint64_t> sizes;
    if (auto ec = co_await subscribers.groups(spec.wards[w], sizes)) co_return redis_failure(ec);
    for (const auto& g : spec.groups) {
      auto it = sizes.find(g);
      if (it == sizes.end()) co_return unknown_group(spec.wards[w], g, sizes);
      spec.estimated_recipients += it->second;
    }
  }
  spec.state = needs_approval(spec, *hooks.cfg) ? broadcast::campaign_state::awaiting_approval
                                                : initial_state(spec, hooks.cfg->gateway);
  if (!dry_run) {
    // The exact audience (by the fan-out's own script: groups as a union, each number once, opt-outs apart):
    // what the dry run showed, what the send answers and the audit records. Nobody to send to (every number
    // opted out, or the groups emptied) is refused rather than "sent" to nobody.
    std::uint64_t audience = spec.estimated_recipients;
    // A count that fails (a damaged bucket the fan-out will set aside as poison) leaves the estimate: this is
    // a safety net, not a gate the send must pass.
    if (audience > 0) {
      if (co_await campaigns.count_audience(spec, audience)) {
        audience = spec.estimated_recipients;
      } else {
        spec.audience = audience;
      }
    }
    if (audience == 0) co_return no_audience(spec);
  }
  if (dry_run) co_return co_await preview_campaign(campaigns, hooks, spec, plan);
  spec.created_at_ms = now_ms();
  bool existing = false;
  if (auto ec = co_await campaigns.create(spec, key_memory, existing)) co_return redis_failure(ec);
  if (existing) {
    broadcast::campaign_spec earlier;
    bool found = false;
    if (auto ec = co_await campaigns.load(spec.id, earlier, found)) co_return redis_failure(ec);
    // A key reused for another notice is refused, not answered with the earlier campaign: cron's corrected
    // bulletin must not vanish unsent.
    if (found && !broadcast::same_notice(earlier, spec)) co_return key_conflict(earlier, *who);
    if (found) spec = std::move(earlier);
  } else {
    if (hooks.changed) hooks.changed();
    if (hooks.audit) {
      auto e = campaign_entry("send", spec, sent_detail(spec, hooks.cfg->gateway.utc_offset));
      e.text = spec.text;
      co_await hooks.audit->record(r, *who, std::move(e));
    }
  }
  json::object out{{"id", spec.id},
                   {"state", broadcast::to_string(spec.state)},
                   {"existing", existing},
                   {"estimated_recipients", spec.estimated_recipients},
                   // the exact audience, as the dry run counts it (null when it could not be counted)
                   {"recipients", spec.audience > 0 ? json::value(spec.audience) : json::value(nullptr)},
                   {"encoding", plan.encoding},
                   {"parts_per_message", plan.parts_per_message},
                   {"urgent", spec.urgent}};
  display_names names(hooks.names());
  co_await names.add(out, spec.wards, spec.groups, spec.created_by);
  co_return json_response(existing ? http::status::ok : http::status::created, out);
}

// Why it waits (waiting_reason.hpp), with the carriers down now.
void add_waiting(json::object& doc, const broadcast::campaign_spec& spec, const broadcast::campaign_counts& counts,
                 const campaign_hooks& hooks) {
  std::vector<carrier_down> down;
  if (hooks.carriers_down) down = hooks.carriers_down();
  add_waiting_reason(doc, spec, counts, *hooks.cfg, down, now_ms() / 1000);
}

// "lanes": each carrier's lane of the campaign on the gateway that answers (where it waits, and since when).
json::array lanes_document(const campaign_hooks& hooks, const std::string& id) {
  json::array out;
  if (!hooks.lanes) return out;
  for (const auto& l : hooks.lanes(id)) {
    json::object lane{{"carrier", l.carrier},
                      {"queued", l.queued},
                      {"parked", l.parked},
                      {"in_flight", l.in_flight},
                      {"uncertain", l.uncertain},
                      {"sent", l.sent}};
    lane["waiting_reason"] = l.waiting_reason.empty() ? json::value(nullptr) : json::value(l.waiting_reason);
    lane["waiting_since"] = l.waiting_since_s
                                ? json::value(format_local_time(l.waiting_since_s, hooks.cfg->gateway.utc_offset))
                                : json::value(nullptr);
    out.push_back(std::move(lane));
  }
  return out;
}

// "carriers" (CONTRACT.md): the same lanes by carrier name, as a state an official reads: sending, waiting
// (nothing to send now, or the text cannot go through it), down (not bound), throttled.
json::object carriers_document(const campaign_hooks& hooks, const std::string& id) {
  json::object out;
  if (!hooks.lanes) return out;
  for (const auto& l : hooks.lanes(id)) {
    std::string_view state = l.queued + l.in_flight > 0 ? "sending" : "waiting";
    if (l.waiting_reason == "not bound") state = "down";
    else if (l.waiting_reason == "throttled by the carrier") state = "throttled";
    else if (!l.waiting_reason.empty()) state = "waiting";
    json::object c{{"queued", l.queued + l.parked}, {"state", state}};
    c["since"] = l.waiting_since_s ? json::value(format_local_time(l.waiting_since_s, hooks.cfg->gateway.utc_offset))
                                   : json::value(nullptr);
    c["why"] = l.waiting_reason.empty() ? json::value(nullptr) : json::value(l.waiting_reason);
    out[l.carrier] = std::move(c);
  }
  return out;
}

asio::awaitable<response> status(authenticator& auth, broadcast::campaign_store& campaigns,
                                 const campaign_hooks& hooks, request& r) {
  broadcast::campaign_spec spec;
  if (auto refusal = co_await load_visible(auth, campaigns, r, operator_role::sender, spec)) co_return *refusal;
  broadcast::campaign_counts counts;
  if (auto ec = co_await campaigns.counts(spec.id, counts)) co_return redis_failure(ec);
  auto doc = status_document(spec, counts, hooks.cfg->gateway.utc_offset);
  add_waiting(doc, spec, counts, hooks);
  display_names names(hooks.names());
  co_await names.add(doc, spec.wards, spec.groups, spec.created_by);
  doc["lanes"] = lanes_document(hooks, spec.id);
  doc["carriers"] = carriers_document(hooks, spec.id);
  co_return json_response(http::status::ok, doc);
}

// The status document of campaign `id` as it is now, read again after a change to it.
asio::awaitable<std::error_code> current_status(broadcast::campaign_store& campaigns, const campaign_hooks& hooks,
                                                const std::string& id, json::object& doc) {
  broadcast::campaign_spec spec;
  bool found = false;
  broadcast::campaign_counts counts;
  if (auto ec = co_await campaigns.load(id, spec, found)) co_return ec;
  if (auto ec = co_await campaigns.counts(id, counts)) co_return ec;
  doc = status_document(spec, counts, hooks.cfg->gateway.utc_offset);
  add_waiting(doc, spec, counts, hooks);
  display_names names(hooks.names());
  co_await names.add(doc, spec.wards, spec.groups, spec.created_by);
  doc["lanes"] = lanes_document(hooks, id);
  doc["carriers"] = carriers_document(hooks, id);
  co_return std::error_code{};
}

asio::awaitable<response> cancel(authenticator& auth, broadcast::campaign_store& campaigns,
                                 const campaign_hooks& hooks, request& r) {
  broadcast::campaign_spec spec;
  const config::operator_config* who = nullptr;
  if (auto refusal = co_await load_visible(auth, campaigns, r, operator_role::sender, spec, &who))
    co_return *refusal;
  std::optional<broadcast::campaign_state> before;
  if (auto ec = co_await campaigns.cancel(spec.id, before)) co_return redis_failure(ec);
  const bool changed = before && broadcast::is_active(*before);
  if (changed && hooks.cancelled) hooks.cancelled(spec.id);
  // What it really stopped: of the exact audience, those never claimed (claims stopped with the state). A
  // count that fails leaves the status as it was (recipients fanned out so far, queued).
  std::optional<std::uint64_t> not_sent;
  if (changed) {
    std::uint64_t audience = 0, unsent = 0;
    auto ec = co_await campaigns.count_audience(spec, audience);
    if (!ec) ec = co_await campaigns.record_cancel(spec.id, audience, unsent);
    if (!ec) not_sent = unsent;
  }
  if (changed && hooks.audit) {
    auto e = campaign_entry("cancel", spec, "was " + std::string(broadcast::to_string(*before)) +
                                                (not_sent ? fmt::format("; {} never sent", *not_sent) : ""));
    if (not_sent) e.recipients = static_cast<std::int64_t>(*not_sent);
    co_await hooks.audit->record(r, *who, std::move(e));
  }
  json::object doc;
  if (auto ec = co_await current_status(campaigns, hooks, spec.id, doc)) co_return redis_failure(ec);
  doc["cancelled"] = changed;
  co_return json_response(http::status::ok, doc);
}

// POST /v1/campaigns/{id}/approve: a second person, an approver of every ward of the send, releases it.
asio::awaitable<response> approve(authenticator& auth, broadcast::campaign_store& campaigns,
                                  const campaign_hooks& hooks, request& r) {
  broadcast::campaign_spec spec;
  const config::operator_config* who = nullptr;
  if (auto refusal = co_await load_visible(auth, campaigns, r, operator_role::approver, spec, &who))
    co_return *refusal;
  if (who->name == spec.created_by)
    co_return error_response(http::status::forbidden,
                             fmt::format("operator {} sent campaign {}: another approver of its ward must approve it",
                                         who->name, spec.id));
  if (spec.state != broadcast::campaign_state::awaiting_approval)
    co_return error_response(http::status::conflict,
                             fmt::format("campaign {} is {}: nothing to approve", spec.id,
                                         broadcast::to_string(spec.state)));
  const auto next = initial_state(spec, hooks.cfg->gateway);
  std::optional<broadcast::campaign_state> before;
  if (auto ec = co_await hooks.approvals->approve(spec.id, next, who->name, now_ms(), before))
    co_return redis_failure(ec);
  if (before != broadcast::campaign_state::awaiting_approval)  // cancelled (or approved) a moment ago
    co_return error_response(http::status::conflict,
                             fmt::format("campaign {} is {}: nothing to approve", spec.id,
                                         before ? broadcast::to_string(*before) : "gone"));
  if (hooks.changed) hooks.changed();
  if (hooks.audit) {
    auto e = campaign_entry("approve", spec,
                            fmt::format("sent by {}; now {}", spec.created_by, broadcast::to_string(next)));
    co_await hooks.audit->record(r, *who, std::move(e));
  }
  json::object doc;
  if (auto ec = co_await current_status(campaigns, hooks, spec.id, doc)) co_return redis_failure(ec);
  doc["approved_by"] = who->name;
  doc["approved_by_name"] = hooks.cfg->operator_name(who->name);
  co_return json_response(http::status::ok, doc);
}

bool digits(std::string_view s, std::size_t at, std::size_t n, int& out) {
  if (at + n > s.size()) return false;
  auto [p, ec] = std::from_chars(s.data() + at, s.data() + at + n, out);
  return ec == std::errc{} && p == s.data() + at + n;
}

}  // namespace

// A campaign of two wards holds both wards' recipients, and cancelling it stops both.
bool reaches_every_ward(const config::operator_config& who, const broadcast::campaign_spec& spec) {
  return !spec.wards.empty() && std::all_of(spec.wards.begin(), spec.wards.end(), [&](const std::string& w) {
    return authenticator::may_act_on(who, w);
  });
}

asio::awaitable<std::optional<response>> load_visible(authenticator& auth, broadcast::campaign_store& campaigns,
                                                      request& r, config::operator_role role,
                                                      broadcast::campaign_spec& spec,
                                                      const config::operator_config** caller) {
  auto verdict = auth.authorize(r, {}, role);
  response refusal;
  const auto* who = who_or(verdict, refusal);
  if (!who) co_return refusal;
  if (caller) *caller = who;
  bool found = false;
  if (auto ec = co_await campaigns.load(r.params.at("id"), spec, found)) co_return error_response(http::status::service_unavailable, "the store (Redis) is unavailable: " + ec.message());
  const bool visible = found && reaches_every_ward(*who, spec);
  // Another ward's campaign is answered like a missing one: ids are sequential and should not leak counts.
  if (!visible)
    co_return error_response(http::status::not_found, "no campaign " + r.params.at("id"), "id");
  co_return std::nullopt;
}

std::optional<std::int64_t> parse_local_time(std::string_view s, std::chrono::minutes utc_offset) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (s.size() < 16 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != ' ') || !digits(s, 11, 2, h) || s[13] != ':' ||
      !digits(s, 14, 2, mi))
    return std::nullopt;
  std::size_t at = 16;
  if (at < s.size() && s[at] == ':') {
    if (!digits(s, at + 1, 2, sec)) return std::nullopt;
    at += 3;
  }
  auto offset = utc_offset;
  if (at < s.size()) {
    int oh = 0, om = 0;
    if (s.substr(at) == "Z") {
      offset = std::chrono::minutes(0);
    } else if ((s[at] == '+' || s[at] == '-') && s.size() == at + 6 && digits(s, at + 1, 2, oh) &&
               s[at + 3] == ':' && digits(s, at + 4, 2, om) && oh <= 14 && om < 60) {
      offset = std::chrono::minutes((oh * 60 + om) * (s[at] == '-' ? -1 : 1));
    } else {
      return std::nullopt;
    }
  }
  const std::chrono::year_month_day date{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(mo)),
                                         std::chrono::day(static_cast<unsigned>(d))};
  if (!date.ok() || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  const auto local = std::chrono::sys_days(date).time_since_epoch() + std::chrono::hours(h) +
                     std::chrono::minutes(mi) + std::chrono::seconds(sec);
  return std::chrono::duration_cast<std::chrono::seconds>(local - offset).count();
}

std::string format_local_time(std::int64_t unix_seconds, std::chrono::minutes utc_offset) {
  const std::chrono::sys_seconds t{std::chrono::seconds(unix_seconds) + utc_offset};
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{t - day};
  const auto off = utc_offset.count();
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()), time.hours().count(),
                     time.minutes().count(), time.seconds().count(), off < 0 ? '-' : '+', std::abs(off) / 60,
                     std::abs(off) % 60);
}

json::object status_document(const broadcast::campaign_spec& spec, const broadcast::campaign_counts& c,
                             std::chrono::minutes utc_offset) {
  json::object by_carrier;
  for (const auto& [name, k] : c.by_carrier)
    by_carrier[name] = json::object{{"submitted", k.submitted}, {"delivered", k.delivered}, {"failed", k.failed},
                                    {"expired", k.expired},     {"uncertain", k.uncertain}, {"pending", k.pending()}};
  // A cancel recorded the exact audience and how many of it were never sent: those are final, not queued.
  const bool cancel_counted = spec.state == broadcast::campaign_state::cancelled && spec.cancel_counted;
  const std::uint64_t recipients = cancel_counted ? std::max(c.recipients, spec.cancel_audience) : c.recipients;
  std::uint64_t queued = c.queued();
  if (cancel_counted) {
    // Only what was claimed before the cancel may still go out (in the binds' hands).
    const auto claimed = recipients - std::min(recipients, spec.cancelled_not_sent);
    const auto settled = c.total.submitted + c.total.settled_unsubmitted;
    queued = claimed > settled ? claimed - settled : 0;
  }
  json::object doc{{"id", spec.id},
                   {"state", broadcast::to_string(spec.state)},
                   {"wards", string_array(spec.wards)},
                   {"groups", string_array(spec.groups)},
                   {"text", spec.text},
                   {"accents", spec.accents},
                   {"created_by", spec.created_by},
                   {"created_at", format_local_time(spec.created_at_ms / 1000, utc_offset)},
                   {"urgent", spec.urgent},
                   {"recipients", recipients},
                   {"estimated_recipients", spec.estimated_recipients},
                   {"fanout_done", c.fanout_done || cancel_counted},
                   {"skipped_optout", c.skipped_optout},
                   {"queued", queued},
                   {"submitted", c.total.submitted},
                   {"pending", c.pending()},
                   {"delivered", c.total.delivered},
                   {"failed", c.total.failed},
                   {"expired", c.total.expired},
                   {"uncertain", c.total.uncertain},
                   {"resent", c.resent},
                   {"poison_chunks", c.poison_chunks},
                   {"parts", c.parts},
                   {"by_carrier", by_carrier}};
  doc["due_at"] = spec.due_at_s ? json::value(format_local_time(spec.due_at_s, utc_offset)) : json::value(nullptr);
  if (!spec.key.empty()) doc["key"] = spec.key;
  if (!spec.corrects.empty()) doc["corrects"] = spec.corrects;
  if (!spec.resends.empty()) doc["resend_failed"] = spec.resends;
  // Of a cancelled campaign: recipients never sent (null when the cancel could not count them).
  doc["audience"] = spec.audience > 0 ? json::value(spec.audience) : json::value(nullptr);  // counted at creation
  doc["not_sent"] = cancel_counted ? json::value(spec.cancelled_not_sent) : json::value(nullptr);
  // Why it waits (or waited) for an approver, and who released it.
  auto text_or_null = [](const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); };
  doc["approval_reason"] = text_or_null(spec.approval_reason);
  doc["approval_recipients"] = spec.approval_recipients;
  doc["approved_by"] = text_or_null(spec.approved_by);
  return doc;
}

void add_campaign_routes(router& routes, authenticator& auth, broadcast::campaign_store& campaigns,
                         broadcast::subscriber_store& subscribers, campaign_hooks hooks) {
  auto shared = std::make_shared<campaign_hooks>(std::move(hooks));
  shared->subscribers = &subscribers;
  routes.add(http::verb::post, "/v1/campaigns", [&auth, &campaigns, &subscribers, shared](request& r) {
    return create(auth, campaigns, subscribers, *shared, r);
  });
  routes.add(http::verb::get, "/v1/campaigns/{id}",
             [&auth, &campaigns, shared](request& r) { return status(auth, campaigns, *shared, r); });
  routes.add(http::verb::post, "/v1/campaigns/{id}/cancel",
             [&auth, &campaigns, shared](request& r) { return cancel(auth, campaigns, *shared, r); });
  routes.add(http::verb::post, "/v1/campaigns/{id}/approve",
             [&auth, &campaigns, shared](request& r) { return approve(auth, campaigns, *shared, r); });
}

}  // namespace loa::api
