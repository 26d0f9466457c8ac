#include "gateway/store/campaign_store.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <map>

#include "gateway/broadcast/csv_import.hpp"
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

// Where a receipt that came before its submit's answer waits (engine_record.lua, apply_receipts.lua).
std::string held_receipt(std::string_view receipt_key) {
  return std::string(receipt_key) + ":held";
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The audience part of the fan-out, preview and count calls (gateway/store/lua/lib/audience.lua): into
// `bucket_keys` the buckets [from, to) of every source, bucket by bucket (the wards' subscriber buckets, or for
// a correction those of whoever received the campaign it corrects, for a resend those whose message failed or
// expired); into `args` from, to, the number of sources and the groups (none for a correction or a resend:
// everyone in its buckets).
void add_audience(std::vector<std::string>& bucket_keys, std::vector<std::string>& args, const campaign_spec& spec,
                  std::uint64_t from, std::uint64_t to) {
  const bool correction = !spec.corrects.empty();
  const bool single_source = correction || !spec.resends.empty();
  const std::string single_prefix = correction ? campaign_keys::received(spec.corrects)
                                    : single_source ? campaign_keys::failed(spec.resends)
                                                    : std::string{};
  const std::size_t sources = single_source ? 1 : spec.wards.size();
  bucket_keys.reserve(bucket_keys.size() + sources * (to - from));
  for (std::uint64_t b = from; b < to; ++b) {
    if (single_source) {
      bucket_keys.push_back(single_prefix + std::to_string(b));
    } else {
      for (const auto& w : spec.wards) bucket_keys.push_back(keys::bucket(w, b));
    }
  }
  args.push_back(std::to_string(from));
  args.push_back(std::to_string(to));
  args.push_back(std::to_string(sources));
  if (!single_source) args.insert(args.end(), spec.groups.begin(), spec.groups.end());
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
std::string receipt(std::string_view carrier, std::string_view normalised_id) {
  std::string k = "loa:dlr:";
  k += carrier;
  k += ':';
  k += normalised_id;
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
  parts.resize(6);
  r.carrier = parts[0];
  r.parts = parts[1];
  r.owner = parts[2];
  r.reason = parts[3];
  r.claimed_ms = to_number<std::int64_t>(parts[4]);
  r.settled_ms = to_number<std::int64_t>(parts[5]);
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

asio::awaitable<std::error_code> campaign_store::create(campaign_spec& spec, std::chrono::seconds key_ttl,
                                                        bool& existing) {
  redis::request req;
  const bool has_key = !spec.key.empty();
  std::vector<std::string> script_keys{
      std::string(campaign_keys::next_id),
      has_key ? std::string(ward_prefix) + spec.wards.front() + "}:sendkey:" + spec.key
              : std::string(campaign_keys::next_id),
      std::string(campaign_keys::active)};
  for (const auto& w : spec.wards) script_keys.push_back(campaign_keys::ward_index(w));
  std::vector<std::string> args{has_key ? "1" : "0", std::to_string(key_ttl.count()), std::string(campaign_prefix),
                                std::to_string(spec.created_at_ms)};
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
  req.push_script_range(scripts::create, script_keys, args);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  const auto& answer = resp[0].elements();
  if (answer.size() != 2) co_return redis::error::protocol;
  spec.id = answer[0].str();
  existing = answer[1].integer() == 1;
  co_return std::error_code{};
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
  auto [ec, resp] = co_await exec(connection_, script_command(scripts::advance, 2, campaign_keys::meta(id),
                                                              campaign_keys::active, id, to_string(from),
                                                              to_string(to)));
  if (ec) co_return ec;
  moved = !resp[0].is_nil() && resp[0].str() == to_string(from);
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::cancel(std::string_view id,
                                                        std::optional<campaign_state>& before) {
  auto [ec, resp] = co_await exec(connection_, script_command(scripts::cancel, 2, campaign_keys::meta(id),
                                                              campaign_keys::active, id));
  if (ec) co_return ec;
  before = resp[0].is_nil() ? std::nullopt : parse_campaign_state(resp[0].str());
  co_return std::error_code{};
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
  std::vector<std::string> script_keys{campaign_keys::counts(spec.id), std::string(keys::optout),
                                campaign_keys::counted(spec.id), campaign_keys::meta(spec.id)};
  std::vector<std::string> args{std::to_string(approval_above), std::to_string(now_ms())};
  add_audience(script_keys, args, spec, from, to);
  redis::request req;
  req.push_script_range(scripts::fanout, script_keys, args);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec == redis::error::server_error && why && !resp.empty()) *why = resp[0].str();
  if (ec) co_return ec;
  const auto& e = resp[0].elements();
  if (e.empty()) co_return redis::error::protocol;
  held = e[0].integer() == 1;
  numbers.clear();
  for (std::size_t i = 1; i < e.size(); ++i) numbers.push_back(e[i].str());
  co_return std::error_code{};
}

asio::awaitable<std::error_code> campaign_store::preview(const campaign_spec& spec, std::uint64_t from,
                                                         std::uint64_t to, audience_page& out) {
  std::vector<std::string> script_keys{std::string(keys::optout)}, args;
  add_audience(script_keys, args, spec, from, to);
  redis::request req;
  req.push_script_range(scripts::preview, script_keys, args);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  const auto& e = resp[0].elements();
  if (e.empty()) co_return redis::error::protocol;
  out.skipped_optout += static_cast<std::uint64_t>(e[0].integer());
  for (std::size_t i = 1; i + 1 < e.size(); i += 2) {
    out.recipients.emplace_back(e[i].str(), split_groups(e[i + 1].str()));
  }
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
    std::vector<std::string> script_keys{std::string(keys::optout)}, args;
    add_audience(script_keys, args, spec, from, std::min(from + audience_count_step, buckets_per_ward));
    redis::request req;
    req.push_script_range(scripts::count_audience, script_keys, args);
    auto [ec, resp] = co_await exec(connection_, std::move(req));
    if (ec) co_return ec;
    const auto& e = resp[0].elements();
    if (e.size() != 2) co_return redis::error::protocol;
    kept += static_cast<std::uint64_t>(std::max<std::int64_t>(0, e[0].integer()));
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

asio::awaitable<std::error_code> campaign_store::apply_receipts(const std::vector<receipt_update>& receipts,
                                                                std::vector<std::size_t>& unmatched,
                                                                std::vector<std::size_t>& mismatched) {
  std::vector<std::string> script_keys;
  std::vector<std::string> args{std::to_string(now_ms()), std::string(campaign_prefix),
                                std::to_string(unmatched_receipt_keep.count())};
  script_keys.reserve(receipts.size() * 2);
  args.reserve(args.size() + receipts.size() * 3);
  for (const auto& r : receipts) {
    script_keys.push_back(r.receipt_key);
    script_keys.push_back(held_receipt(r.receipt_key));
    args.emplace_back(1, r.letter);
    args.push_back(r.reason);
    args.push_back(r.source);
  }
  redis::request req;
  req.push_script_range(scripts::apply_receipts, script_keys, args);
  auto [ec, resp] = co_await exec(connection_, std::move(req));
  if (ec) co_return ec;
  unmatched.clear();
  mismatched.clear();
  const auto& lists = resp[0].elements();
  for (const auto& e : lists.at(0).elements()) unmatched.push_back(static_cast<std::size_t>(e.integer()) - 1);
  for (const auto& e : lists.at(1).elements())
    mismatched.push_back(static_cast<std::size_t>(e.integer()) - 1);
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
