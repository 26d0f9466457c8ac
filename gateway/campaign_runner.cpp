#include "gateway/campaign_runner.hpp"

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <string_view>
#include <optional>
#include <vector>

#include "gateway/approval_recheck.hpp"
#include "gateway/store/subscriber_store.hpp"
#include "gateway/carrier_link.hpp"
#include "gateway/redis/error.hpp"

namespace loa::gateway {
namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace ps = broadcast::part_state;

constexpr std::size_t claim_batch = 500;        // numbers per claim script call
constexpr std::size_t read_ahead = 4096;        // unclaimed numbers held in memory before reading more
constexpr std::size_t outcome_batch = 4000;     // parts per outcome script call
constexpr std::size_t chunks_held_max = 4;      // chunks one runner works on at once
constexpr auto chunk_idle_timeout = 15s;        // a chunk nobody touched this long is taken over (dead gateway)
constexpr auto chunk_keepalive = 3s;            // how often a runner shows its chunks are alive
constexpr std::uint64_t chunk_max_deliveries = 5;  // a chunk delivered more often is set aside as poison
constexpr auto chunk_retry_after = 1s;          // a chunk that could not be read is handed out again after this
constexpr auto chunk_poll = 1s;                 // no chunk free: ask again after this
constexpr auto state_check = 1s;                // how soon a cancel (or another gateway's finish) is noticed
constexpr auto redis_retry = 500ms;             // pause after a failed Redis call
constexpr auto stop_grace = 15s;                // on stop(), how long to wait for in-flight answers
constexpr auto receipt_grace = 1h;              // receipts may lag the validity period by this much

// Server errors that say Redis cannot serve now, as opposed to a script that fails on the chunk's data.
bool transient_server_error(std::string_view message) {
  for (std::string_view word : {"LOADING", "BUSY", "MASTERDOWN", "TRYAGAIN", "OOM", "READONLY", "CLUSTERDOWN",
                                "NOREPLICAS", "NOSCRIPT"})
    if (message.substr(0, word.size()) == word) return true;
  return false;
}

// One carrier's share of the campaign.
struct lane {
  carrier_pool* pool = nullptr;
  const config::carrier_config* carrier = nullptr;
  smpp::receipt_id_mode receipt_mode{};
  std::optional<segments::message> message;  // nullopt when the text cannot be sent through this carrier
  std::string unsendable;                    // why not
  int parts = 1;
  std::deque<std::pair<std::string, std::uint64_t>> unclaimed;  // number, its chunk (first bucket)
  std::size_t retrying = 0;                                     // parts waiting to be resent
};

// One claimed recipient whose parts are with the carrier.
struct job {
  std::string number;
  std::uint64_t chunk = 0;  // the chunk it was read in: settles it once every part is answered and recorded
  lane* via = nullptr;
  std::vector<smpp::short_message> bodies;
  int open = 0;  // parts not yet answered for good
};

struct retry {
  clock::time_point due;
  std::shared_ptr<job> j;
  int part = 0;
};

// A chunk of the campaign's stream this runner holds.
struct held_chunk {
  broadcast::campaign_chunk c;
  std::uint64_t next = 0;  // the next bucket to read
  std::size_t open = 0;    // numbers read and not yet settled
  std::string failed;      // why it could not be read ("" while fine): handed back once `open` is 0
  bool lost = false;       // another gateway took it over: read no more of it, and leave its ack to them
  bool read() const { return next >= c.to; }
};

}  // namespace

struct campaign_runner::impl : std::enable_shared_from_this<impl> {
  impl(runner_context& c, broadcast::campaign_spec s) : cx(c), spec(std::move(s)), timer(c.io) {}

  runner_context& cx;
  broadcast::campaign_spec spec;
  asio::steady_timer timer;
  bool woken = false;
  bool stopping = false;
  bool cancelled = false;
  bool redis_down = false;
  // Held for approval (its audience grew past approval.above_recipients): claim nothing more, let what the
  // binds hold be answered, acknowledge what is settled and hand the rest back for after the approval.
  bool awaiting_approval = false;

  std::map<std::string, lane, std::less<>> lanes;
  std::uint64_t buckets_per_read = 1;
  // The chunks this runner holds, by first bucket: acknowledged once read to the end and every number
  // read in them settled (claimed, every part answered and the answers recorded), so that a gateway that
  // takes one over after a crash reads it again and overlooks nothing the dead run left in flight.
  std::map<std::uint64_t, held_chunk> held;
  bool campaign_done = false;  // every chunk settled (here or by another gateway)
  clock::time_point next_take{};
  std::size_t unclaimed_total = 0;
  std::size_t parts_open = 0;
  std::vector<broadcast::part_outcome> outcomes;
  std::vector<std::optional<std::uint64_t>> outcome_settles;  // per outcome: the chunk its recording settles
  std::deque<retry> retries;
  std::chrono::seconds validity{0};
  std::uint64_t resent = 0;  // parts sent again since the last outcome batch was written
  clock::time_point last_flush{};

  void info(std::string_view s) const {
    if (cx.info) cx.info(s);
  }
  void warn(std::string_view s) const {
    if (cx.warn) cx.warn(s);
  }
  void wake() {
    woken = true;
    timer.cancel();
  }

  void redis_failed(std::string_view what, std::error_code ec) {
    if (!redis_down) warn(fmt::format("campaign {}: {} failed ({}); paused until Redis answers", spec.id, what, ec.message()));
    redis_down = true;
  }
  void redis_ok() {
    if (redis_down) info(fmt::format("campaign {}: Redis answers again; going on", spec.id));
    redis_down = false;
  }

  asio::awaitable<void> pause(clock::duration d) {
    if (woken) {
      woken = false;
      co_return;
    }
    timer.expires_after(d);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    woken = false;
  }

  std::string sender_for(const config::carrier_config& c) const {
    if (!spec.sender.empty()) return spec.sender;
    if (c.sender) return *c.sender;
    return cx.cfg.sender;
  }

  void prepare_lanes() {
    const auto policy = segments::parse_accents(spec.accents).value_or(segments::accents::keep);
    const auto reference = concat_reference(spec.id);
    for (auto& [name, pool] : cx.carriers) {
      lane l;
      l.pool = pool.get();
      l.carrier = &pool->config();
      l.receipt_mode = receipt_mode_for(*l.carrier);
      segments::message m;
      const auto status = split_notice(spec.text, *l.carrier, cx.cfg.limits, policy, reference, m);
      if (status) {
        l.parts = static_cast<int>(m.parts.size());
        l.message = std::move(m);
      } else {
        l.unsendable = segments::describe(status, m);
      }
      lanes.emplace(name, std::move(l));
    }
    validity = spec.validity_s > 0 ? std::chrono::seconds(spec.validity_s) : cx.cfg.limits.validity;
    const std::uint64_t per_bucket = std::max<std::uint64_t>(1, spec.estimated_recipients / broadcast::buckets_per_ward);
    buckets_per_read = std::clamp<std::uint64_t>(512 / per_bucket, 1, broadcast::buckets_per_chunk);
  }

  std::chrono::seconds receipt_ttl() const { return validity + std::chrono::hours(48); }

  // --- chunks and the fan-out -------------------------------------------------------------------------
  std::int64_t receipt_deadline_s() const {
    const auto deadline = std::chrono::system_clock::now() + validity + receipt_grace;
    return std::chrono::duration_cast<std::chrono::seconds>(deadline.time_since_epoch()).count();
  }

  std::string range(const held_chunk& h) const { return fmt::format("buckets {}-{}", h.c.from, h.c.to - 1); }

  held_chunk* readable() {
    for (auto& [from, h] : held)
      if (!h.read() && h.failed.empty() && !h.lost) return &h;
    return nullptr;
  }

  // Room for more work: a carrier whose binds are up has fewer numbers waiting than a few times what its
  // binds take at once (read ahead, so that a carrier is not left idle while the next chunk is read).
  bool hungry() const {
    for (const auto& [name, l] : lanes) {
      if (!l.message) {
        if (l.unclaimed.empty()) return true;  // recorded as refused at once
        continue;
      }
      const auto binds = l.pool->binds_up();
      if (binds == 0) continue;
      const auto window = static_cast<std::size_t>(l.carrier->window);
      const auto target = (window + (window + 3) / 4) * binds / static_cast<std::size_t>(l.parts);
      if (l.unclaimed.size() < std::max<std::size_t>(1, 4 * target)) return true;
    }
    return false;
  }

  void campaign_finished_here() {
    if (!campaign_done) info(fmt::format("campaign {}: every chunk settled: done", spec.id));
    campaign_done = true;
  }

  asio::awaitable<bool> take_chunk() {
    broadcast::chunk_take t;
    if (auto ec = co_await cx.store.take_chunk(spec.id, cx.owner, chunk_idle_timeout, chunk_max_deliveries,
                                               receipt_deadline_s(), t)) {
      redis_failed("taking a chunk of the campaign", ec);
      co_return false;
    }
    redis_ok();
    for (const auto& p : t.set_aside)
      warn(fmt::format("campaign {}: buckets {}-{} set aside as poison (not sent): {}", spec.id, p.from, p.to - 1,
                       p.why));
    if (t.done_now) campaign_finished_here();
    if (t.what == broadcast::chunk_take::outcome::finished) {
      campaign_done = true;
      co_return false;
    }
    if (t.what == broadcast::chunk_take::outcome::none) {
      next_take = clock::now() + chunk_poll;
      co_return !t.set_aside.empty();
    }
    const auto from = t.chunk.from;
    if (auto it = held.find(from); it != held.end()) {
      it->second.c = t.chunk;  // ours again (its idle time had run out)
      it->second.lost = false;
      co_return true;
    }
    if (t.chunk.previous == cx.owner)
      info(fmt::format("campaign {}: took buckets {}-{} again (delivery {})", spec.id, from, t.chunk.to - 1,
                       t.chunk.deliveries));
    else if (!t.chunk.previous.empty())
      info(fmt::format("campaign {}: took over buckets {}-{} from {} (delivery {})", spec.id, from, t.chunk.to - 1,
                       t.chunk.previous, t.chunk.deliveries));
    held_chunk h;
    h.next = from;
    h.c = std::move(t.chunk);
    held.emplace(from, std::move(h));
    co_return true;
  }

  asio::awaitable<bool> read_some(std::uint64_t chunk) {
    auto* h = &held.at(chunk);
    const auto from = h->next;
    const auto to = std::min(from + buckets_per_read, h->c.to);
    std::vector<std::string> numbers;
    std::string why;
    bool held_now = false;
    const auto ec = co_await cx.store.fanout(spec, from, to, cx.cfg.approval.above_recipients, numbers, held_now,
                                             &why);
    h = &held.at(chunk);
    if (ec == redis::error::server_error && !transient_server_error(why)) {
      // The chunk's data makes the read fail (a damaged bucket): handed back, retried, set aside in the end.
      h->failed = fmt::format("reading buckets {}-{}: {}", from, to - 1, why);
      std::replace(h->failed.begin(), h->failed.end(), '|', '/');
      warn(fmt::format("campaign {}: {} (delivery {}); handed back", spec.id, h->failed, h->c.deliveries));
      co_return true;
    }
    if (ec) {
      redis_failed("reading recipients", ec);
      co_return false;
    }
    redis_ok();
    h->next = to;
    if (held_now) co_await held_for_approval();
    if (numbers.empty()) co_return true;
    h->open += numbers.size();
    unclaimed_total += numbers.size();
    for (auto& n : numbers) {
      const auto carrier = cx.router.carrier_for(n);
      auto it = lanes.find(carrier);
      if (it == lanes.end()) it = lanes.find(cx.cfg.routing.default_carrier);
      it->second.unclaimed.emplace_back(std::move(n), chunk);
    }
    co_return true;
  }

  // This runner's read counted the audience past the threshold and held the campaign (in the same script):
  // claims stop at once, on every gateway. The exact audience is counted for the approver and the hold
  // audited.
  asio::awaitable<void> held_for_approval() {
    pause_for_approval();
    bool needed = false, described = false;
    const std::vector<broadcast::campaign_state> from{broadcast::campaign_state::awaiting_approval};  // named: g++ 12
    if (auto ec = co_await recheck_approval(cx, spec, from, needed, described))
      warn(fmt::format("campaign {}: counting its audience for the approver failed ({})", spec.id, ec.message()));
  }

  void pause_for_approval() {
    if (!awaiting_approval)
      info(fmt::format("campaign {}: waits for an approver; {} numbers not sent for now", spec.id, unclaimed_total));
    awaiting_approval = true;
  }

  void chunk_settled(std::uint64_t chunk) {
    auto it = held.find(chunk);
    if (it != held.end() && it->second.open > 0) --it->second.open;
  }

  // Acknowledges the chunks read to the end whose numbers are all settled, hands back those that could not
  // be read, forgets those another gateway took over.
  asio::awaitable<bool> settle_chunks() {
    std::vector<std::uint64_t> ready;
    for (const auto& [from, h] : held)
      if (h.open == 0 && (h.read() || !h.failed.empty() || h.lost)) ready.push_back(from);
    bool progressed = false;
    for (const auto from : ready) {
      const auto h = held.at(from);
      if (h.lost) {
        held.erase(from);
        continue;
      }
      if (!h.failed.empty()) {
        if (auto ec = co_await cx.store.release_chunk(spec.id, cx.owner, h.c, chunk_retry_after,
                                                      chunk_idle_timeout, h.failed)) {
          redis_failed("handing a chunk back", ec);
          co_return progressed;
        }
      } else {
        bool done_now = false;
        if (auto ec = co_await cx.store.ack_chunk(spec.id, cx.owner, h.c.entry, receipt_deadline_s(), done_now)) {
          redis_failed("acknowledging a chunk", ec);
          co_return progressed;
        }
        if (done_now) campaign_finished_here();
      }
      held.erase(from);
      progressed = true;
    }
    co_return progressed;
  }

  // Resets the idle time of the chunks held, so that no other gateway takes them over; notices those taken.
  asio::awaitable<void> keep_chunks() {
    std::vector<std::string> entries;
    std::vector<std::uint64_t> froms;
    for (const auto& [from, h] : held)
      if (!h.lost) {
        entries.push_back(h.c.entry);
        froms.push_back(from);
      }
    if (entries.empty()) co_return;
    std::vector<bool> ours;
    if (auto ec = co_await cx.store.keep_chunks(spec.id, cx.owner, entries, ours)) {
      redis_failed("keeping the chunks held", ec);
      co_return;
    }
    for (std::size_t i = 0; i < froms.size(); ++i) {
      auto it = held.find(froms[i]);
      if (ours[i] || it == held.end()) continue;
      warn(fmt::format("campaign {}: {} were taken over by another gateway; reading no more of them", spec.id,
                       range(it->second)));
      it->second.lost = true;
    }
  }

  // Records outcomes of one recipient's parts; the last one settles its chunk once written.
  void record(const std::string& number, std::uint64_t chunk, const std::string& parts, char letter,
              const std::string& why) {
    std::size_t last = outcomes.size();
    for (std::size_t p = 0; p < parts.size(); ++p)
      if (parts[p] == ps::in_flight) {
        last = outcomes.size();
        outcomes.push_back({number, static_cast<int>(p + 1), letter, "", why});
        outcome_settles.emplace_back();
      }
    if (last == outcomes.size()) chunk_settled(chunk);
    else outcome_settles[last] = chunk;
  }

  // --- claims and submits ----------------------------------------------------------------------------
  std::size_t claim_budget(const lane& l) const {
    const auto binds = l.pool->binds_up();
    if (binds == 0 || !l.message) return l.message ? 0 : l.unclaimed.size();
    // Keep the windows full and a quarter window queued, no more: what is claimed and not yet answered is
    // what a crash leaves uncertain.
    const auto window = static_cast<std::size_t>(l.carrier->window);
    const std::size_t target = (window + (window + 3) / 4) * binds;
    const std::size_t busy = l.pool->outstanding() + l.pool->queued() + l.retrying;
    const std::size_t room = busy >= target ? 0 : (target - busy) / static_cast<std::size_t>(l.parts);
    // While the binds are busy, wait for an eighth of the target to free up: a carrier held to its rate frees
    // one slot at a time, and a Redis call per recipient would cost far more than the message.
    const std::size_t worth_a_call = std::max<std::size_t>(1, target / 8 / static_cast<std::size_t>(l.parts));
    return busy > 0 && room < worth_a_call ? 0 : room;
  }

  asio::awaitable<bool> claim_some(lane& l) {
    const auto n = std::min({claim_budget(l), l.unclaimed.size(), claim_batch});
    if (n == 0) co_return false;
    std::vector<std::string> numbers;
    std::vector<std::uint64_t> chunks;
    for (std::size_t i = 0; i < n; ++i) {
      numbers.push_back(l.unclaimed[i].first);
      chunks.push_back(l.unclaimed[i].second);
    }
    std::vector<broadcast::claim_result> results;
    bool refused = false;
    if (auto ec = co_await cx.store.claim(spec.id, l.pool->name(), cx.owner, l.parts, numbers, results, refused)) {
      redis_failed("claiming recipients", ec);  // they stay unclaimed; a retry finds our own records
      co_return false;
    }
    redis_ok();
    if (refused) {  // no longer running (held for approval, cancelled, done): learn which now
      co_await check_state();
      co_return true;
    }
    l.unclaimed.erase(l.unclaimed.begin(), l.unclaimed.begin() + static_cast<std::ptrdiff_t>(n));
    unclaimed_total -= n;
    std::vector<std::pair<std::string, std::uint64_t>> orphans;  // in flight in a dead run
    for (std::size_t i = 0; i < n; ++i) {
      if (results[i].claimed_now) {
        start(l, std::move(numbers[i]), chunks[i], std::string(static_cast<std::size_t>(l.parts), ps::in_flight));
        continue;
      }
      const auto rec = broadcast::parse_recipient_record(results[i].record);
      if (rec.parts.find(ps::in_flight) == std::string::npos) {
        chunk_settled(chunks[i]);  // settled earlier: never again
      } else if (rec.owner == cx.owner) {
        start(l, std::move(numbers[i]), chunks[i], rec.parts);  // our own claim whose answer was lost
      } else if (cx.cfg.limits.resend_uncertain) {
        orphans.emplace_back(std::move(numbers[i]), chunks[i]);
      } else {
        record(numbers[i], chunks[i], rec.parts, ps::uncertain, "in flight when an earlier gateway run ended");
      }
    }
    if (!orphans.empty()) {
      std::vector<std::string> numbers_only, parts;
      for (const auto& o : orphans) numbers_only.push_back(o.first);
      if (auto ec = co_await cx.store.reclaim(spec.id, cx.owner, numbers_only, parts)) {
        redis_failed("taking over in-flight recipients", ec);
        // Back in line: the next claim finds the same records and tries again.
        for (auto& o : orphans) l.unclaimed.push_front(std::move(o));
        unclaimed_total += orphans.size();
        co_return true;
      }
      for (std::size_t i = 0; i < orphans.size(); ++i) {
        if (parts[i].empty()) chunk_settled(orphans[i].second);
        else start(l, std::move(orphans[i].first), orphans[i].second, parts[i]);
      }
    }
    co_return true;
  }

  // Submits the parts marked in flight in `parts` (all of them for a fresh claim).
  void start(lane& l, std::string number, std::uint64_t chunk, const std::string& parts) {
    if (!l.message) {
      record(number, chunk, parts, ps::rejected, l.unsendable);
      return;
    }
    auto j = std::make_shared<job>();
    j->number = std::move(number);
    j->chunk = chunk;
    j->via = &l;
    const auto sender = sender_for(*l.carrier);
    submit_context context{sender, j->number, true, validity};
    j->bodies = submit_bodies(*l.message, *l.carrier, context);
    for (std::size_t p = 0; p < parts.size() && p < j->bodies.size(); ++p) {
      if (parts[p] != ps::in_flight) continue;
      ++j->open;
      ++parts_open;
      send(j, static_cast<int>(p));
    }
  }

  void send(const std::shared_ptr<job>& j, int part) {
    std::weak_ptr<impl> self = shared_from_this();
    j->via->pool->submit(j->bodies[static_cast<std::size_t>(part)], [self, j, part](const smpp::submit_outcome& o) {
      if (auto me = self.lock()) me->answered(j, part, o);
    });
  }

  void answered(const std::shared_ptr<job>& j, int part, const smpp::submit_outcome& o) {
    auto& l = *j->via;
    switch (o.kind) {
      case smpp::outcome_kind::accepted: {
        const auto id = smpp::normalise_receipt_id(o.message_id, l.receipt_mode, smpp::id_origin::submit_resp);
        settle(j, part, ps::submitted, broadcast::campaign_keys::receipt(l.pool->name(), id), "");
        break;
      }
      case smpp::outcome_kind::permanent:
        settle(j, part, ps::rejected, "", reason(o));
        break;
      case smpp::outcome_kind::retry_later:
        ++l.retrying;
        retries.push_back({clock::now() + std::max<clock::duration>(o.retry_after, 100ms), j, part});
        wake();
        break;
      case smpp::outcome_kind::uncertain:
        if (cx.cfg.limits.resend_uncertain) {
          ++resent;
          send(j, part);
        } else {
          settle(j, part, ps::uncertain, "", reason(o));
        }
        break;
    }
  }

  static std::string reason(const smpp::submit_outcome& o) {
    std::string r = o.command_status ? fmt::format("0x{:08X} {}", o.command_status, o.error.message())
                                     : o.error.message();
    std::replace(r.begin(), r.end(), '|', '/');
    return r;
  }

  void settle(const std::shared_ptr<job>& j, int part, char letter, std::string receipt_key, std::string why) {
    outcomes.push_back({j->number, part + 1, letter, std::move(receipt_key), std::move(why)});
    outcome_settles.emplace_back();
    --j->open;
    if (j->open == 0) outcome_settles.back() = j->chunk;
    --parts_open;
    if (outcomes.size() >= outcome_batch / 2 || parts_open == 0) wake();
  }

  void resend_due() {
    const auto now = clock::now();
    while (!retries.empty() && retries.front().due <= now) {
      auto r = std::move(retries.front());
      retries.pop_front();
      --r.j->via->retrying;
      send(r.j, r.part);
    }
  }

  asio::awaitable<bool> flush_outcomes() {
    if (outcomes.empty()) co_return false;
    // Small batches wait a little for company (the same Redis call carries hundreds as cheaply as one).
    if (outcomes.size() < 64 && parts_open > 0 && clock::now() - last_flush < 20ms) co_return false;
    last_flush = clock::now();
    const auto n = std::min(outcomes.size(), outcome_batch);
    // A copy: on failure the same batch is written again.
    const std::vector<broadcast::part_outcome> batch(outcomes.begin(),
                                                     outcomes.begin() + static_cast<std::ptrdiff_t>(n));
    std::vector<std::string> mismatched;  // carriers of early receipts from another number: not applied
    if (auto ec = co_await cx.store.record_outcomes(spec.id, batch, receipt_ttl(), resent, &mismatched)) {
      // Kept: the script is idempotent, so the same batch is simply written again.
      redis_failed("recording answers", ec);
      co_return false;
    }
    redis_ok();
    if (cx.receipt_mismatch)
      for (const auto& carrier : mismatched)
        cx.receipt_mismatch(carrier, fmt::format("an early receipt for a part of campaign {}", spec.id));
    resent = 0;
    outcomes.erase(outcomes.begin(), outcomes.begin() + static_cast<std::ptrdiff_t>(n));
    for (std::size_t i = 0; i < n; ++i)
      if (outcome_settles[i]) chunk_settled(*outcome_settles[i]);
    outcome_settles.erase(outcome_settles.begin(), outcome_settles.begin() + static_cast<std::ptrdiff_t>(n));
    co_return true;
  }

  bool nothing_left() const {
    const bool no_more_input = stopping || cancelled || campaign_done || awaiting_approval;
    return no_more_input && parts_open == 0 && outcomes.empty() && retries.empty();
  }

  // --- the loop --------------------------------------------------------------------------------------
  asio::awaitable<void> check_state() {
    std::optional<broadcast::campaign_state> now;
    if (auto ec = co_await cx.store.state(spec.id, now)) {
      redis_failed("reading the campaign's state", ec);
      co_return;
    }
    redis_ok();
    if (!now || *now == broadcast::campaign_state::cancelled) {
      if (!cancelled) info(fmt::format("campaign {}: cancelled; {} numbers not sent", spec.id, unclaimed_total));
      cancelled = true;
    } else if (*now == broadcast::campaign_state::done) {
      campaign_done = true;  // another gateway settled the last chunk
    } else if (*now == broadcast::campaign_state::awaiting_approval) {
      pause_for_approval();  // another gateway's read held it
    }
  }

  asio::awaitable<void> run() {
    prepare_lanes();
    for (const auto& [name, l] : lanes)
      if (!l.message) warn(fmt::format("campaign {}: cannot be sent through {}: {}", spec.id, name, l.unsendable));
    while (!stopping) {
      if (auto ec = co_await cx.store.publish_chunks(spec.id)) {
        redis_failed("publishing the campaign's chunks", ec);
        co_await pause(redis_retry);
        continue;
      }
      break;
    }
    co_await check_state();
    info(fmt::format("campaign {}: running (chunks of {} buckets, as {})", spec.id, broadcast::buckets_per_chunk,
                     cx.owner));
    auto last_keep = clock::now();
    auto last_check = clock::now();
    std::optional<clock::time_point> stop_deadline;
    while (true) {
      bool progressed = false;
      const auto now = clock::now();
      if (now - last_check >= state_check) {
        co_await check_state();
        last_check = now;
      }
      if (now - last_keep >= chunk_keepalive) {
        co_await keep_chunks();
        last_keep = now;
      }
      if (stopping && !stop_deadline) stop_deadline = now + stop_grace;
      if (!stopping && !cancelled && !campaign_done && !awaiting_approval && !redis_down) {
        if (auto* h = readable()) {
          if (unclaimed_total < read_ahead) progressed |= co_await read_some(h->c.from);
        } else if (held.size() < chunks_held_max && unclaimed_total < read_ahead && now >= next_take && hungry()) {
          progressed |= co_await take_chunk();
        }
        for (auto& [name, l] : lanes)
          if (!l.unclaimed.empty()) progressed |= co_await claim_some(l);
      }
      resend_due();
      progressed |= co_await flush_outcomes();
      if (!redis_down && !held.empty()) progressed |= co_await settle_chunks();
      if (nothing_left()) break;
      if (stop_deadline && clock::now() > *stop_deadline && outcomes.empty()) {
        warn(fmt::format("campaign {}: stopped with {} parts unanswered (uncertain on restart)", spec.id, parts_open));
        break;
      }
      if (!progressed) {
        auto wait = redis_down ? clock::duration(redis_retry) : clock::duration(250ms);
        if (!outcomes.empty()) wait = std::min<clock::duration>(wait, 20ms);  // written within 20 ms
        if (!retries.empty()) wait = std::min(wait, std::max<clock::duration>(retries.front().due - clock::now(), 1ms));
        co_await pause(wait);
      }
    }
    co_await finish();
  }

  asio::awaitable<void> finish() {
    if (stopping || awaiting_approval) {
      // What is settled is acknowledged; the rest handed back at once: another gateway (or this one
      // restarted) goes on with it without waiting for its idle time to run out. What is still unanswered
      // is found in flight and handled as after a crash.
      if (!held.empty()) co_await settle_chunks();
      for (const auto& [from, h] : held) {
        if (h.lost) continue;
        if (auto ec = co_await cx.store.release_chunk(spec.id, cx.owner, h.c, 0ms, chunk_idle_timeout, "")) break;
      }
      co_return;
    }
    if (cancelled && !campaign_done) {
      // After the validity period (and a grace) what still waits for a receipt counts as expired. (A campaign
      // that finished had its deadline set by the script that settled its last chunk.)
      co_await cx.store.set_receipt_deadline(spec.id, receipt_deadline_s());
    }
  }
};

campaign_runner::campaign_runner(runner_context& context, broadcast::campaign_spec spec)
    : impl_(std::make_shared<impl>(context, std::move(spec))) {}

campaign_runner::~campaign_runner() = default;

boost::asio::awaitable<void> campaign_runner::run() {
  auto keep = impl_;
  co_await keep->run();
}

void campaign_runner::stop() {
  impl_->stopping = true;
  impl_->wake();
}

void campaign_runner::wake() {
  impl_->wake();
}

void campaign_runner::cancel() {
  impl_->cancelled = true;
  impl_->wake();
}

const std::string& campaign_runner::id() const noexcept {
  return impl_->spec.id;
}

}  // namespace loa::gateway
