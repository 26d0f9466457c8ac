#include "gateway/store/campaign_store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

#include "gateway/broadcast/csv_import.hpp"
#include "gateway/store/audience_reader.hpp"
#include "gateway/store/subscriber_store.hpp"
#include "gateway/store/field_list.hpp"
#include "gateway/redis/exec.hpp"
#include "gateway/store/scripts.hpp"

namespace loa::broadcast {
namespace {

namespace asio = boost::asio;
using redis::command;
using redis::exec;
using redis::script_command;
namespace scripts = loa::store::scripts;
constexpr std::string_view campaign_prefix = "loa:{c:";
constexpr std::string_view ward_prefix = "loa:{w:";

template <class T>
T to_number(std::string_view s) {
  T value{};
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void set_count(carrier_counts& c, std::string_view field, std::uint64_t v) {
  if (field == "submitted") c.submitted = v;
  else if (field == "delivered") c.delivered = v;
  else if (field == "failed") c.failed = v;
  else if (field == "expired") c.expired = v;
  else if (field == "uncertain") c.uncertain = v;
  else if (field == "settled_submitted") c.settled_submitted = v;
  else if (field == "settled_unsubmitted") c.settled_unsubmitted = v;
}

}  // namespace

namespace campaign_keys {
namespace {
std::string campaign_key(std::string_view id, std::string_view what) {
  std::string k(campaign_prefix);
  k += id;
  k += "}:";
  k += what;
  return k;
}
}  // namespace
std::string meta(std::string_view id) { return campaign_key(id, "meta"); }
std::string counts(std::string_view id) { return campaign_key(id, "counts"); }
std::string records(std::string_view id) { return campaign_key(id, "r"); }
std::string chunks(std::string_view id) { return campaign_key(id, "chunks"); }
std::string poison(std::string_view id) { return campaign_key(id, "poison"); }
std::string chunk_errors(std::string_view id) { return campaign_key(id, "chunk_errors"); }
std::string counted(std::string_view id) { return campaign_key(id, "counted"); }
std::string mappings_to_write(std::string_view id) { return campaign_key(id, "tomap"); }
std::string receipt(std::string_view carrier, std::string_view normalised_id) {
  std::string k = "loa:dlr:{";  // its own slot: match_receipt.lua and map_receipt.lua meet there
  k += carrier;
  k += ':';
  k += normalised_id;
  k += '}';
  return k;
}
std::string ward_index(std::string_view ward) {
  return std::string(ward_prefix) + std::string(ward) + "}:campaigns";
}
std::string received(std::string_view id) { return campaign_key(id, "got:"); }
std::string failed(std::string_view id) { return campaign_key(id, "failed:"); }
}  // namespace campaign_keys

recipient_record parse_recipient_record(std::string_view value) {
  recipient_record r;
  std::vector<std::string_view> parts;
  while (true) {
    const auto bar = value.find('|');
    parts.push_back(value.substr(0, bar));
    if (bar == std::string_view::npos) break;
    value.remove_prefix(bar + 1);
  }
  parts.resize(7);  // "carrier|parts|owner|reason|claimed_ms|settled_ms" and, once marked, "|marked_ms"
  r.carrier = parts[0];
  r.parts = parts[1];
  r.owner = parts[2];
  r.reason = parts[3];
  r.claimed_ms = to_number<std::int64_t>(parts[4]);
  r.settled_ms = to_number<std::int64_t>(parts[5]);
  r.marked_ms = to_number<std::int64_t>(parts[6]);
  return r;
}

bool same_notice(const campaign_spec& earlier, const campaign_spec& again) {
  auto sorted = [](std::vector<std::string> v) {
    std::sort(v.begin(), v.end());
    return v;
  };
  return earlier.text == again.text && earlier.corrects == again.corrects && earlier.resends == again.resends &&
         sorted(earlier.wards) == sorted(again.wards) && sorted(earlier.groups) == sorted(again.groups);
}

campaign_store::campaign_store(redis::connection& connection) : connection_(connection) {}

// Several commands, none spanning two Redis Cluster slots (docs/SCALING.md): the key's guard (the ward's slot)
// and the id drawn decide which campaign this is; its meta hash is written once (the campaign's slot); then
// the wards' indexes and the active set, each idempotent. A creator that dies half way leaves a campaign that
// the same request sent again (same key) completes; without a key the request failed and its campaign is
// never run (nothing points at it).
asio::awaitable<std::error_code> campaign_store::create(campaign_spec& spec, std::chrono::seconds key_ttl,
                                                        bool& existing) {
  existing = false;
  std::string id;
  const std::string guard =
      spec.key.empty() ? std::string{} : std::string(ward_prefix) + spec.wards.front() + "}:sendkey:" + spec.key;
  if (!guard.empty()) {
    auto [ec, resp] = co_await exec(connection_, command("GET", guard));
    if (ec) co_return ec;
    if (!resp[0].is_nil()) id = resp[0].str();
  }
  if (id.empty()) {
    auto [ec, resp] = co_await exec(connection_, command("INCR", campaign_keys::next_id));
    if (ec) co_return ec;
    id = std::to_string(resp[0].integer());
    if (!guard.empty()) {
      auto [ec2, set] = co_await exec(connection_, command("SET", guard, id, "NX", "EX", key_ttl.count()));
      if (ec2) co_return ec2;
      if (set[0].is_nil()) {  // another request with this key came first: its campaign (this id is unused)
        auto [ec3, again] = co_await exec(connection_, command("GET", guard));
        if (ec3) co_return ec3;
        if (again[0].is_nil()) co_return redis::error::protocol;  // expired in between: the caller retries
        id = again[0].str();
      }
    }
  }
  std::vector<std::string> args{id};
  auto field = [&](std::string_view name, std::string value) {
    args.emplace_back(name);
    args.push_back(std::move(value));
  };
  field("state", std::string(to_string(spec.state)));
  field("wards", join_fields(spec.wards));
  field("groups", join_fields(spec.groups));
  field("text", spec.text);
  field("accents", spec.accents);
  field("sender", spec.sender);
  field("created_at_ms", std::to_string(spec.created_at_ms));
  field("due_at_s", std::to_string(spec.due_at_s));
  field("urgent", spec.urgent ? "1" : "0");
  field("validity_s", std::to_string(spec.validity_s));
  field("key", spec.key);
  field("created_by", spec.created_by);
  field("estimated", std::to_string(spec.estimated_recipients));
  field("corrects", spec.corrects);
  if (!spec.resends.empty()) field("resends", spec.resends);
  if (spec.audience > 0) field("audience", std::to_string(spec.audience));
  if (!spec.approval_reason.empty()) field("approval_reason", spec.approval_reason);
  const std::vector<std::string> meta_key{campaign_keys::meta(id)};
  redis::request req;
  req.push_script_range(scripts::create_meta, meta_key, args);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  const auto& answer = resp[0].elements();
  if (answer.size() != 3) co_return redis::error::protocol;
  spec.id = id;
  existing = answer[0].integer() == 0;
  const auto state = parse_campaign_state(answer[1].str());
  // The indexes and the active set, again when the campaign existed: its creator may have died before them.
  // A finished campaign is not made active again; one cancelled between the read and the SADD is a stale
  // member that the schedulers drop (campaign_store::forget_inactive).
  redis::request sets;
  for (const auto& w : spec.wards) sets.push("ZADD", campaign_keys::ward_index(w), "NX", answer[2].str(), id);
  if (state && *state != campaign_state::done && *state != campaign_state::cancelled)
    sets.push("SADD", campaign_keys::active, id);
  auto [sets_ec, sets_resp] = co_await exec(connection_, std::move(sets));
  co_return sets_ec;
}

asio::awaitable<std::error_code> campaign_store::load(std::string_view id_view, campaign_spec& out, bool& found) {
  const std::string id(id_view);  // `id_view` may be `out.id`, which is overwritten below
  auto [ec, resp] = co_await exec(connection_, command("HGETALL", campaign_keys::meta(id)));
  if (ec) co_return ec;
  std::map<std::string, std::string, std::less<>> f;
  const auto& kv = resp[0].elements();
  for (std::size_t i = 0; i + 1 < kv.size(); i += 2) f[kv[i].str()] = kv[i + 1].str();
  found = f.count("state") > 0;
  if (!found) co_return std::error_code{};
  out = {};
  out.id = id;
  out.state = parse_campaign_state(f["state"]).value_or(campaign_state::done);
  out.wards = split_fields(f["wards"]);
  out.groups = split_fields(f["groups"]);
  out.text = f["text"];
  out.accents = f["accents"];
  out.sender = f["sender"];
  out.created_at_ms = to_number<std::int64_t>(f["created_at_ms"]);
  out.due_at_s = to_number<std::int64_t>(f["due_at_s"]);
  out.urgent = f["urgent"] == "1";
  out.validity_s = to_number<std::int64_t>(f["validity_s"]);
  out.key = f["key"];
  out.created_by = f["created_by"];
  out.estimated_recipients = to_number<std::uint64_t>(f["estimated"]);
  out.corrects = f["corrects"];
  out.resends = f["resends"];
  out.audience = to_number<std::uint64_t>(f["audience"]);
  out.cancel_counted = f.count("cancel_audience") > 0;
  out.cancel_audience = to_number<std::uint64_t>(f["cancel_audience"]);
  out.cancelled_not_sent = to_number<std::uint64_t>(f["cancelled_not_sent"]);
  out.approved_by = f["approved_by"];
  out.approval_reason = f["approval_reason"];
  out.approval_recipients = to_number<std::uint64_t>(f["approval_recipients"]);
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::state(std::string_view id, std::optional<campaign_state>& out) {
  auto [ec, resp] = co_await exec(connection_, command("HGET", campaign_keys::meta(id), "state"));
  if (ec) co_return ec;
  out = resp[0].is_nil() ? std::nullopt : parse_campaign_state(resp[0].str());
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::counts(std::string_view id, campaign_counts& out) {
  redis::request req;
  req.push("HGETALL", campaign_keys::counts(id));
  req.push("HGET", campaign_keys::meta(id), "fanout_done");
  req.push("HLEN", campaign_keys::poison(id));
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  out = {};
  const auto& kv = resp[0].elements();
  for (std::size_t i = 0; i + 1 < kv.size(); i += 2) {
    const std::string_view field = kv[i].str();
    const auto value = to_number<std::int64_t>(kv[i + 1].str());
    const auto v = value > 0 ? static_cast<std::uint64_t>(value) : 0;
    if (field.starts_with("c:")) {
      const auto colon = field.rfind(':');
      if (colon <= 2) continue;
      set_count(out.by_carrier[std::string(field.substr(2, colon - 2))], field.substr(colon + 1), v);
    } else if (field == "recipients") {
      out.recipients = v;
    } else if (field == "skipped_optout") {
      out.skipped_optout = v;
    } else if (field == "parts") {
      out.parts = v;
    } else if (field == "resent") {
      out.resent = v;
    } else {
      set_count(out.total, field, v);
    }
  }
  out.fanout_done = resp[1].str() == "1";
  out.poison_chunks = static_cast<std::uint64_t>(std::max<std::int64_t>(0, resp[2].integer()));
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::active(std::vector<std::string>& ids) {
  auto [ec, resp] = co_await exec(connection_, command("SMEMBERS", campaign_keys::active));
  if (ec) co_return ec;
  ids.clear();
  for (const auto& e : resp[0].elements()) ids.push_back(e.str());
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::indexed_wards(std::vector<std::string>& wards) {
  auto [ec, resp] = co_await exec(connection_, command("SMEMBERS", keys::wards));
  if (ec) co_return ec;
  wards.clear();
  for (const auto& e : resp[0].elements()) wards.push_back(e.str());
  std::sort(wards.begin(), wards.end());
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::ward_campaigns(const std::vector<std::string>& wards,
                                                                std::int64_t since_ms, std::int64_t until_ms,
                                                                std::size_t count,
                                                                std::vector<std::vector<indexed_campaign>>& out) {
  out.assign(wards.size(), {});
  if (wards.empty()) co_return std::error_code{};
  redis::request req;
  for (const auto& w : wards)
    req.push("ZREVRANGEBYSCORE", campaign_keys::ward_index(w), until_ms, since_ms, "WITHSCORES", "LIMIT", 0, count);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  for (std::size_t w = 0; w < wards.size(); ++w) {
    const auto& kv = resp[w].elements();
    for (std::size_t i = 0; i + 1 < kv.size(); i += 2)
      out[w].push_back({kv[i].str(), to_number<std::int64_t>(kv[i + 1].str())});
  }
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::advance(std::string_view id, campaign_state from,
                                                         campaign_state to, bool& moved) {
  auto [ec, resp] = co_await exec(connection_, script_command(scripts::advance, 1, campaign_keys::meta(id),
                                                              to_string(from), to_string(to)));
  if (ec) co_return ec;
  moved = !resp[0].is_nil() && resp[0].str() == to_string(from);
  if (!moved) co_return std::error_code{};
  // The active set in its own slot, after the state: a crash in between leaves a finished campaign in it,
  // which forget_inactive() drops (a campaign moving on was in it already: the SADD only repairs).
  const bool finished = to == campaign_state::done || to == campaign_state::cancelled;
  auto [set_ec, set_resp] =
      co_await exec(connection_, command(finished ? "SREM" : "SADD", campaign_keys::active, id));
  co_return set_ec;
}

asio::awaitable<std::error_code> campaign_store::cancel(std::string_view id,
                                                        std::optional<campaign_state>& before) {
  auto [ec, resp] = co_await exec(connection_, script_command(scripts::cancel, 1, campaign_keys::meta(id)));
  if (ec) co_return ec;
  before = resp[0].is_nil() ? std::nullopt : parse_campaign_state(resp[0].str());
  if (!before) co_return std::error_code{};
  // Out of the active set in its own slot; a crash before leaves it there, dropped by forget_inactive().
  auto [set_ec, set_resp] = co_await exec(connection_, command("SREM", campaign_keys::active, id));
  co_return set_ec;
}

asio::awaitable<std::error_code> campaign_store::forget_inactive(std::string_view id) {
  auto [ec, resp] = co_await exec(connection_, command("HGET", campaign_keys::meta(id), "receipt_deadline_s"));
  if (ec) co_return ec;
  co_return co_await retire(id, resp[0].is_nil() ? 0 : to_number<std::int64_t>(resp[0].str()));
}

// Only while it is in the active set: a done campaign asked again later (a lost answer, another gateway's
// take) must not put back a deadline the expiry sweep already took. The deadline before the SREM, so that a
// crash in between leaves it in the set for the next call.
asio::awaitable<std::error_code> campaign_store::retire(std::string_view id, std::int64_t receipt_deadline_s) {
  auto [ec, resp] = co_await exec(connection_, command("SISMEMBER", campaign_keys::active, id));
  if (ec || resp[0].integer() == 0) co_return ec;
  if (receipt_deadline_s > 0) {
    auto [ec2, added] =
        co_await exec(connection_, command("ZADD", campaign_keys::receipt_deadlines, receipt_deadline_s, id));
    if (ec2) co_return ec2;
  }
  auto [ec3, gone] = co_await exec(connection_, command("SREM", campaign_keys::active, id));
  co_return ec3;
}

asio::awaitable<std::error_code> campaign_store::publish_chunks(std::string_view id) {
  auto req = script_command(scripts::publish_chunks, 3, campaign_keys::meta(id), campaign_keys::chunks(id),
                     campaign_keys::counted(id), chunk_group, buckets_per_chunk, buckets_per_ward);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  co_return ec;
}

asio::awaitable<std::error_code> campaign_store::fanout(const campaign_spec& spec, std::uint64_t from,
                                                        std::uint64_t to, std::int64_t approval_above,
                                                        std::vector<std::string>& numbers, bool& held,
                                                        std::string* why) {
  // Read in the wards' slots, counted in the campaign's (count_fanout.lua): two steps, as a Cluster needs.
  audience_read audience;
  if (auto ec = co_await read_audience(connection_, spec, from, to, audience, why)) co_return ec;
  std::vector<std::string> args{std::to_string(approval_above), std::to_string(now_ms()), std::to_string(from)};
  for (std::uint64_t b = from; b < to; ++b) {
    args.push_back(std::to_string(audience.kept_per_bucket[b - from]));
    args.push_back(std::to_string(audience.opted_out_per_bucket[b - from]));
  }
  const std::vector<std::string> script_keys{campaign_keys::counts(spec.id), campaign_keys::counted(spec.id),
                                             campaign_keys::meta(spec.id)};
  redis::request req;
  req.push_script_range(scripts::count_fanout, script_keys, args);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec == redis::error::server_error && why && !resp.empty()) *why = resp[0].str();
  if (ec) co_return ec;
  const auto& e = resp[0].elements();
  if (e.size() != 2) co_return redis::error::protocol;
  held = e[0].integer() == 1;
  numbers.clear();
  if (e[1].integer() == 1) co_return std::error_code{};  // cancelled: nothing more is sent
  for (auto& m : audience.kept) numbers.push_back(std::move(m.number));
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::preview(const campaign_spec& spec, std::uint64_t from,
                                                         std::uint64_t to, audience_page& out) {
  audience_read audience;
  if (auto ec = co_await read_audience(connection_, spec, from, to, audience)) co_return ec;
  out.skipped_optout += audience.opted_out.size();
  for (auto& m : audience.kept) out.recipients.emplace_back(std::move(m.number), split_groups(m.groups));
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::collect_received(std::string_view id, std::uint64_t& found) {
  co_return co_await collect(id, "received", campaign_keys::received(id), found);
}

asio::awaitable<std::error_code> campaign_store::collect_failed(std::string_view id, std::uint64_t& found) {
  co_return co_await collect(id, "failed", campaign_keys::failed(id), found);
}

asio::awaitable<std::error_code> campaign_store::collect(std::string_view id, std::string_view which,
                                                         std::string prefix, std::uint64_t& found) {
  found = 0;
  std::string cursor = "0";
  do {
    auto [ec, resp] = co_await exec(connection_, script_command(scripts::collect_received, 1,
                                                                campaign_keys::records(id), cursor, 1000, prefix,
                                                                which));
    if (ec) co_return ec;
    const auto& e = resp[0].elements();
    if (e.size() != 2) co_return redis::error::protocol;
    cursor = e[0].str();
    found += static_cast<std::uint64_t>(e[1].integer());
  } while (cursor != "0");
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::record_cancel(std::string_view id, std::uint64_t audience,
                                                               std::uint64_t& not_sent) {
  auto [ec, resp] = co_await exec(connection_, command("HLEN", campaign_keys::records(id)));
  if (ec) co_return ec;
  const auto claimed = static_cast<std::uint64_t>(std::max<std::int64_t>(0, resp[0].integer()));
  not_sent = audience > claimed ? audience - claimed : 0;
  auto [ec2, resp2] = co_await exec(connection_, command("HSET", campaign_keys::meta(id), "cancel_audience",
                                                         std::to_string(audience), "cancelled_not_sent",
                                                         std::to_string(not_sent)));
  co_return ec2;
}

asio::awaitable<std::error_code> campaign_store::count_audience(const campaign_spec& spec, std::uint64_t& kept) {
  kept = 0;
  for (std::uint64_t from = 0; from < buckets_per_ward; from += audience_count_step) {
    audience_read audience;
    if (auto ec = co_await read_audience(connection_, spec, from,
                                         std::min(from + audience_count_step, buckets_per_ward), audience))
      co_return ec;
    kept += audience.kept.size();
  }
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::hold(std::string_view id, std::string_view reason,
                                                      std::uint64_t audience, std::uint64_t above,
                                                      const std::vector<campaign_state>& from,
                                                      std::optional<campaign_state>& before) {
  std::vector<std::string> args{"1",
                                campaign_keys::meta(id),
                                std::string(reason),
                                std::to_string(audience),
                                std::to_string(above),
                                std::to_string(now_ms())};
  for (const auto state : from) args.emplace_back(to_string(state));
  redis::request req;
  req.push_script_range(scripts::hold, args);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  before = resp[0].is_nil() ? std::nullopt : parse_campaign_state(resp[0].str());
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::set_receipt_deadline(std::string_view id, std::int64_t when) {
  auto [ec, resp] = co_await exec(connection_, command("ZADD", campaign_keys::receipt_deadlines, when, id));
  co_return ec;
}

asio::awaitable<std::error_code> campaign_store::receipt_deadlines_due(std::int64_t now, std::size_t limit,
                                                                       std::vector<std::string>& ids) {
  auto [ec, resp] = co_await exec(connection_, command("ZRANGEBYSCORE", campaign_keys::receipt_deadlines, "-inf",
                                                       now, "LIMIT", 0, limit));
  if (ec) co_return ec;
  ids.clear();
  for (const auto& e : resp[0].elements()) ids.push_back(e.str());
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::expire_pending(std::string_view id, std::uint64_t& records_seen) {
  std::string cursor = "0";
  records_seen = 0;
  do {
    auto [ec, resp] =
        co_await exec(connection_, script_command(scripts::expire_pending, 2, campaign_keys::records(id),
                                                  campaign_keys::counts(id), now_ms(), cursor, 1000));
    if (ec) co_return ec;
    cursor = resp[0].str();
    records_seen += 1000;
  } while (cursor != "0");
  auto [ec, resp] = co_await exec(connection_, command("ZREM", campaign_keys::receipt_deadlines, id));
  co_return ec;
}

namespace {
constexpr std::pair<campaign_state, std::string_view> state_names[] = {
    {campaign_state::awaiting_approval, "awaiting_approval"},
    {campaign_state::scheduled, "scheduled"},
    {campaign_state::waiting, "waiting"},
    {campaign_state::running, "running"},
    {campaign_state::done, "done"},
    {campaign_state::cancelled, "cancelled"},
};
}  // namespace

std::string_view to_string(campaign_state s) noexcept {
  for (const auto& [state, name] : state_names)
    if (state == s) return name;
  return "unknown";
}

std::optional<campaign_state> parse_campaign_state(std::string_view name) noexcept {
  for (const auto& [state, n] : state_names)
    if (n == name) return state;
  return std::nullopt;
}

std::string campaign_state_names() {
  std::string out;
  for (const auto& [state, n] : state_names) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

}  // namespace loa::broadcast
