#include "gateway/store/engine_store.hpp"

#include <algorithm>
#include <charconv>
#include <utility>

#include "gateway/redis/durability.hpp"
#include "gateway/redis/exec.hpp"
#include "gateway/store/scripts.hpp"
#include "gateway/store/subscriber_store.hpp"

namespace loa::store {

namespace engine_keys {
namespace {
std::string campaign_key(std::string_view id, std::string_view what) {
  std::string k = "loa:{c:";
  k += id;
  k += "}:";
  k += what;
  return k;
}
}  // namespace

std::string alive(std::string_view campaign) { return campaign_key(campaign, "alive"); }

std::string backlog(std::string_view campaign, std::string_view carrier) {
  auto k = campaign_key(campaign, "backlog:");
  k += carrier;
  return k;
}

std::string parcels(std::string_view campaign) { return campaign_key(campaign, "parcels"); }

std::string grants(std::string_view campaign) { return campaign_key(campaign, "grants"); }

std::string progress(std::string_view campaign) { return campaign_key(campaign, "progress"); }

std::string receipts_from(std::string_view carrier, std::string_view source) {
  std::string k = "loa:dlr_from:";
  k += carrier;
  k += ':';
  k += source;
  return k;
}
}  // namespace engine_keys

namespace {

namespace asio = boost::asio;
namespace bk = broadcast::campaign_keys;

template <class T>
T to_number(std::string_view s) {
  T value{};
  std::from_chars(s.data(), s.data() + s.size(), value);
  return value;
}

std::int64_t unix_s(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "GATEWAY/RUN" -> "GATEWAY/": the consumers of this gateway's earlier runs.
std::string gateway_prefix(std::string_view owner) {
  const auto slash = owner.rfind('/');
  return std::string(owner.substr(0, slash == std::string_view::npos ? owner.size() : slash + 1));
}

// One script call: EVALSHA with the keys and arguments given.
redis::request script_call(const redis::script& s, const std::vector<std::string>& keys,
                           const std::vector<std::string>& args) {
  std::vector<std::string> all;
  all.reserve(1 + keys.size() + args.size());
  all.push_back(std::to_string(keys.size()));
  all.insert(all.end(), keys.begin(), keys.end());
  all.insert(all.end(), args.begin(), args.end());
  redis::request req;
  req.push_script_range(s, all);
  return req;
}

// The numbers of a parcel, joined by ','.
std::vector<std::string> split_numbers(std::string_view joined) {
  std::vector<std::string> out;
  while (!joined.empty()) {
    const auto comma = joined.find(',');
    out.emplace_back(joined.substr(0, comma));
    if (comma == std::string_view::npos) break;
    joined.remove_prefix(comma + 1);
  }
  return out;
}

}  // namespace

bool transient_server_error(std::string_view message) {
  for (std::string_view word : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "OOM", "READONLY", "CLUSTERDOWN",
                                "NOREPLICAS", "NOSCRIPT"})
    if (message.substr(0, word.size()) == word) return true;
  return false;
}

engine_store::engine_store(redis::connection& connection, engine_store_settings settings)
    : connection_(connection), s_(std::move(settings)) {}

std::int64_t engine_store::receipt_deadline_s() const {
  return unix_s(std::chrono::system_clock::now() + s_.validity + s_.receipt_grace);
}

std::string engine_store::unit_stream(std::string_view carrier) const {
  return carrier.empty() ? bk::chunks(s_.campaign) : engine_keys::backlog(s_.campaign, carrier);
}

asio::awaitable<std::error_code> engine_store::publish() {
  broadcast::campaign_store campaigns(connection_);
  if (auto ec = co_await campaigns.publish_chunks(s_.campaign)) co_return ec;
  // Where a number's chunk is, for the scripts that note a chunk's progress (lib/progress.lua).
  redis::request req;
  req.push("HSET", engine_keys::progress(s_.campaign), "buckets", broadcast::buckets_per_ward, "per",
           broadcast::buckets_per_chunk);
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  co_return ec;
}

asio::awaitable<std::error_code> engine_store::heartbeat(campaign::duration ttl) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
  auto req = script_call(scripts::engine_heartbeat, {engine_keys::alive(s_.campaign)},
                         {s_.owner, std::to_string(ms > 0 ? ms : 0)});
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  co_return ec;
}

asio::awaitable<std::error_code> engine_store::take_chunk(chunk_answer& out) {
  auto req = script_call(scripts::engine_take_chunk,
                         {bk::chunks(s_.campaign), bk::meta(s_.campaign), bk::poison(s_.campaign),
                          bk::chunk_errors(s_.campaign), engine_keys::alive(s_.campaign),
                          engine_keys::grants(s_.campaign), engine_keys::progress(s_.campaign)},
                         {std::string(broadcast::chunk_group), s_.campaign, s_.owner,
                          std::to_string(receipt_deadline_s()), gateway_prefix(s_.owner),
                          std::to_string(s_.max_deliveries), std::to_string(now_ms())});
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  const auto& e = resp[0].elements();
  if (e.size() < 7 || (e.size() - 7) % 3 != 0) co_return redis::error::protocol;
  out = {};
  if (e[0].str() == "chunk") {
    out.grant = campaign::chunk_grant{e[1].str(), to_number<std::uint64_t>(e[2].str()),
                                      to_number<std::uint64_t>(e[3].str()), e[5].str()};
    out.deliveries = to_number<std::uint64_t>(e[4].str());
  }
  out.finished = e[0].str() == "finished" || e[6].str() == "1";
  for (std::size_t i = 7; i + 2 < e.size(); i += 3)
    out.set_aside.push_back({to_number<std::uint64_t>(e[i].str()), to_number<std::uint64_t>(e[i + 1].str()),
                             e[i + 2].str()});
  broadcast::campaign_store campaigns(connection_);
  // A chunk taken over: its last holder may have died between recording answers and writing their receipt
  // mappings (another slot); what it left is written now.
  if (out.grant && !out.grant->previous.empty()) {
    const auto ttl = std::chrono::duration_cast<std::chrono::seconds>(s_.validity + std::chrono::hours(48));
    if (auto map_ec = co_await campaigns.write_pending_mappings(s_.campaign, ttl)) co_return map_ec;
  }
  if (!out.finished) co_return std::error_code{};
  co_return co_await campaigns.retire(s_.campaign, receipt_deadline_s());  // the global sets, after the state
}

asio::awaitable<std::error_code> engine_store::take_parcel(std::string_view carrier,
                                                           std::optional<campaign::parcel_grant>& out,
                                                           const std::vector<std::string>& held) {
  std::vector<std::string> args{std::string(broadcast::chunk_group), s_.owner, gateway_prefix(s_.owner)};
  args.insert(args.end(), held.begin(), held.end());
  auto req = script_call(scripts::engine_take_parcel,
                         {engine_keys::backlog(s_.campaign, carrier), bk::meta(s_.campaign),
                          engine_keys::alive(s_.campaign)},
                         args);
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  const auto& e = resp[0].elements();
  out.reset();
  if (e.empty()) co_return std::error_code{};
  if (e.size() != 3) co_return redis::error::protocol;
  out = campaign::parcel_grant{e[0].str(), split_numbers(e[1].str()), e[2].str()};
  co_return std::error_code{};
}

asio::awaitable<std::error_code> engine_store::read(const broadcast::campaign_spec& spec, std::uint64_t from,
                                                    std::uint64_t to, std::int64_t approval_above,
                                                    read_answer& out) {
  out = {};
  broadcast::campaign_store campaigns(connection_);
  std::string why;
  auto ec = co_await campaigns.fanout(spec, from, to, approval_above, out.numbers, out.held, &why);
  if (ec == redis::error::server_error && !transient_server_error(why)) {
    // The chunk's data makes the read fail (a damaged bucket): the engine hands it back with this.
    out = {};
    out.failed = "reading buckets " + std::to_string(from) + "-" + std::to_string(to - 1) + ": " + why;
    std::replace(out.failed.begin(), out.failed.end(), '|', '/');  // kept in a "ms|why" poison record
    co_return std::error_code{};
  }
  if (ec || out.held) co_return ec;
  // The chunk read to its end: a holding that does nothing more (its numbers only wait) is no failure
  // (lib/progress.lua 'r', unless something stronger is noted).
  const auto first = from - from % broadcast::buckets_per_chunk;
  if (to != first + broadcast::buckets_per_chunk && to != broadcast::buckets_per_ward) co_return ec;
  redis::request note;
  note.push("HSETNX", engine_keys::progress(s_.campaign), std::to_string(first), "r");
  auto [note_ec, resp] = co_await redis::exec(connection_, std::move(note));
  co_return note_ec;
}

asio::awaitable<std::error_code> engine_store::claim(std::string_view carrier, int parts,
                                                     const std::vector<std::string>& numbers, claim_answer& out) {
  out = {};
  if (numbers.empty()) co_return std::error_code{};
  std::vector<std::string> args{s_.owner, std::string(carrier), std::to_string(parts), gateway_prefix(s_.owner)};
  args.insert(args.end(), numbers.begin(), numbers.end());
  auto req = script_call(scripts::engine_claim,
                         {bk::records(s_.campaign), bk::counts(s_.campaign), bk::meta(s_.campaign),
                          engine_keys::alive(s_.campaign), engine_keys::progress(s_.campaign)},
                         args);
  redis::add_replica_wait(req, connection_);  // a claim acknowledged here survives a failover
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  out.refused = resp[0].type() != redis::reply::kind::array;  // not running: its state instead
  if (out.refused) co_return std::error_code{};
  // Not yet on a replica: the engine asks again, and the claim finds these records as this run's.
  if (auto short_ec = redis::check_replica_wait(resp, connection_)) co_return short_ec;
  using kind = campaign::claim_result::kind;
  for (const auto& e : resp[0].elements()) {
    const std::string& s = e.str();
    if (s.empty()) co_return redis::error::protocol;
    switch (s[0]) {
      case 'f':
        out.results.push_back({kind::fresh, {}});
        break;
      case 's':
        out.results.push_back({kind::settled, {}});
        break;
      case 'b':
        out.results.push_back({kind::busy, {}});
        break;
      case 't': {
        // "t" parts, then "|" and the ms since the record was marked when its mark time is known.
        const auto bar = s.find('|');
        campaign::claim_result r{kind::taken, s.substr(1, bar == std::string::npos ? bar : bar - 1)};
        if (bar != std::string::npos)
          r.marked_ago =
              std::chrono::milliseconds(to_number<std::int64_t>(std::string_view(s).substr(bar + 1)));
        out.results.push_back(std::move(r));
        break;
      }
      default:
        co_return redis::error::protocol;
    }
  }
  if (out.results.size() != numbers.size()) co_return redis::error::protocol;
  co_return std::error_code{};
}

asio::awaitable<std::error_code> engine_store::mark_submitting(const std::vector<campaign::part_ref>& parts,
                                                               std::vector<std::string>& refused) {
  refused.clear();
  if (parts.empty()) co_return std::error_code{};
  std::vector<std::string> args{s_.owner};
  args.reserve(1 + 2 * parts.size());
  for (const auto& p : parts) {
    args.push_back(p.number);
    args.push_back(std::to_string(p.part));
  }
  auto req = script_call(scripts::engine_mark, {bk::records(s_.campaign), engine_keys::progress(s_.campaign)},
                         args);
  // Written to the binds only once a replica knows them I: after a failover they are uncertain, never C.
  redis::add_replica_wait(req, connection_);
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  if (auto short_ec = redis::check_replica_wait(resp, connection_)) co_return short_ec;
  for (const auto& e : resp[0].elements()) refused.push_back(e.str());
  co_return std::error_code{};
}

asio::awaitable<std::error_code> engine_store::record(const std::vector<campaign::outcome>& outcomes,
                                                      std::uint64_t resent, std::vector<std::string>* mismatched) {
  redis::request req;
  const auto ttl = std::chrono::duration_cast<std::chrono::seconds>(s_.validity + std::chrono::hours(48));
  if (!outcomes.empty()) {
    std::vector<std::string> args{std::to_string(ttl.count()), s_.campaign, s_.owner, std::to_string(now_ms())};
    args.reserve(args.size() + 5 * outcomes.size());
    for (const auto& o : outcomes) {
      const bool mapped = o.letter == broadcast::part_state::submitted && !o.message_id.empty();
      args.push_back(o.number);
      args.push_back(std::to_string(o.part));
      args.emplace_back(1, o.letter);
      args.push_back(mapped ? bk::receipt(o.carrier, o.message_id) : std::string{});
      args.push_back(o.reason);
    }
    req = script_call(scripts::engine_record,
                      {bk::records(s_.campaign), bk::counts(s_.campaign), bk::mappings_to_write(s_.campaign),
                       engine_keys::progress(s_.campaign)},
                      args);
  }
  if (resent > 0) req.push("HINCRBY", bk::counts(s_.campaign), "resent", resent);
  if (req.empty()) co_return std::error_code{};
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec || outcomes.empty()) co_return ec;
  // The receipt mappings after the records (their own slots): a receipt that finds one finds its part S.
  std::vector<broadcast::receipt_mapping> mappings;
  for (const auto& e : resp[0].elements()) {
    const auto g = static_cast<std::size_t>(e.integer());
    if (g == 0 || g > outcomes.size()) co_return redis::error::protocol;
    const auto& o = outcomes[g - 1];
    mappings.push_back({bk::receipt(o.carrier, o.message_id), o.number, o.part, o.carrier});
  }
  broadcast::campaign_store campaigns(connection_);
  co_return co_await campaigns.map_receipts(s_.campaign, mappings, ttl, mismatched);
}

asio::awaitable<std::error_code> engine_store::park(std::string_view carrier,
                                                    const std::vector<std::string>& numbers, std::uint64_t token) {
  if (numbers.empty()) co_return std::error_code{};
  std::vector<std::string> args{std::string(broadcast::chunk_group), s_.owner, std::to_string(token)};
  args.insert(args.end(), numbers.begin(), numbers.end());
  auto req = script_call(scripts::engine_park,
                         {engine_keys::backlog(s_.campaign, carrier), bk::records(s_.campaign),
                          bk::meta(s_.campaign), bk::counts(s_.campaign), engine_keys::parcels(s_.campaign)},
                         args);
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  co_return ec;
}

asio::awaitable<std::error_code> engine_store::ack(std::string_view carrier, std::string_view entry,
                                                   bool& done_now) {
  done_now = false;
  auto req = script_call(scripts::engine_ack,
                         {unit_stream(carrier), bk::meta(s_.campaign), engine_keys::grants(s_.campaign)},
                         {std::string(broadcast::chunk_group), s_.campaign, s_.owner,
                          std::to_string(receipt_deadline_s()), std::string(entry),
                          carrier.empty() ? "chunk" : "parcel"});
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  done_now = resp[0].type() != redis::reply::kind::integer && resp[0].str() == "done";
  if (!done_now) co_return std::error_code{};
  broadcast::campaign_store campaigns(connection_);  // the global sets: their own slots, after the state
  co_return co_await campaigns.retire(s_.campaign, receipt_deadline_s());
}

asio::awaitable<std::error_code> engine_store::release(std::string_view carrier, std::string_view entry,
                                                       std::string_view error) {
  auto req = script_call(scripts::engine_release,
                         {unit_stream(carrier), bk::chunk_errors(s_.campaign), engine_keys::grants(s_.campaign),
                          engine_keys::progress(s_.campaign)},
                         {std::string(broadcast::chunk_group), s_.owner, std::string(entry), std::string(error)});
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  co_return ec;
}

asio::awaitable<std::error_code> engine_store::keep(const std::vector<std::string>& entries,
                                                    const std::vector<std::string>& carriers,
                                                    std::vector<bool>& ours) {
  ours.assign(entries.size(), false);
  if (entries.empty()) co_return std::error_code{};
  std::vector<std::string> keys{bk::chunks(s_.campaign)};
  for (const auto& c : carriers) keys.push_back(engine_keys::backlog(s_.campaign, c));
  std::vector<std::string> args{std::string(broadcast::chunk_group), s_.owner};
  args.insert(args.end(), entries.begin(), entries.end());
  auto req = script_call(scripts::engine_keep, keys, args);
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  const auto& e = resp[0].elements();
  if (e.size() != entries.size()) co_return redis::error::protocol;
  for (std::size_t i = 0; i < e.size(); ++i) ours[i] = e[i].integer() == 1;
  co_return std::error_code{};
}

asio::awaitable<std::error_code> engine_store::check_state(std::optional<broadcast::campaign_state>& out) {
  broadcast::campaign_store campaigns(connection_);
  co_return co_await campaigns.state(s_.campaign, out);
}

asio::awaitable<std::error_code> engine_store::look_up_receipts(std::string_view carrier,
                                                                const std::vector<std::string>& numbers,
                                                                std::vector<receipt_found>& out) {
  out.clear();
  if (numbers.empty()) co_return std::error_code{};
  redis::request req;
  for (const auto& n : numbers) req.push("SMEMBERS", engine_keys::receipts_from(carrier, n));
  auto [ec, resp] = co_await redis::exec(connection_, std::move(req));
  if (ec) co_return ec;
  // Only those still held: a receipt applied since (its submit's answer recorded) is no longer unmatched.
  std::vector<receipt_found> candidates;
  for (std::size_t i = 0; i < numbers.size(); ++i)
    for (const auto& id : resp[i].elements()) candidates.push_back({numbers[i], id.str()});
  if (candidates.empty()) co_return std::error_code{};
  redis::request held;
  for (const auto& c : candidates) held.push("EXISTS", bk::receipt(carrier, c.message_id) + ":held");
  auto [ec2, resp2] = co_await redis::exec(connection_, std::move(held));
  if (ec2) co_return ec2;
  redis::request forget;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    if (resp2[i].integer() == 1)
      out.push_back(std::move(candidates[i]));
    else
      forget.push("SREM", engine_keys::receipts_from(carrier, candidates[i].number), candidates[i].message_id);
  }
  if (!forget.empty()) co_await redis::exec(connection_, std::move(forget));  // tidying: its failure is harmless
  co_return std::error_code{};
}

asio::awaitable<std::error_code> engine_store::apply_receipts(redis::connection& connection,
                                                              const std::vector<engine_receipt>& receipts,
                                                              std::vector<std::size_t>& unmatched,
                                                              std::vector<std::size_t>& mismatched) {
  std::vector<broadcast::receipt_update> updates;
  updates.reserve(receipts.size());
  for (const auto& r : receipts)
    updates.push_back({bk::receipt(r.carrier, r.message_id), r.letter, r.reason, r.source});
  broadcast::campaign_store campaigns(connection);
  if (auto ec = co_await campaigns.apply_receipts(updates, unmatched, mismatched)) co_return ec;
  // The index by source of those that matched nothing (a second step: should it fail, the receipt is still
  // held, and only an uncertain part's early resolution is lost).
  redis::request index;
  const auto keep = std::chrono::duration_cast<std::chrono::seconds>(broadcast::unmatched_receipt_keep).count();
  for (const auto i : unmatched) {
    const auto& r = receipts[i];
    if (r.source.empty()) continue;
    const auto key = engine_keys::receipts_from(r.carrier, r.source);
    index.push("SADD", key, r.message_id);
    index.push("EXPIRE", key, keep);
  }
  if (index.empty()) co_return std::error_code{};
  auto [ec, resp] = co_await redis::exec(connection, std::move(index));
  co_return ec;
}

}  // namespace loa::store
