#include "gateway/campaign_runner.hpp"

#include <fmt/format.h>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <vector>

#include "gateway/broadcast/subscriber_store.hpp"
#include "gateway/carrier_link.hpp"

namespace loa::gateway {
namespace {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;
namespace ps = broadcast::part_state;

constexpr std::size_t claim_batch = 500;        // numbers per claim script call
constexpr std::size_t read_ahead = 4096;        // unclaimed numbers held in memory before reading more
constexpr std::size_t outcome_batch = 4000;     // parts per outcome script call
constexpr auto lease_ttl = 10s;                 // another gateway may take over this long after a crash
constexpr auto lease_renewal = 3s;
constexpr auto state_check = 1s;                // how soon a cancel is noticed
constexpr auto redis_retry = 500ms;             // pause after a failed Redis call
constexpr auto stop_grace = 15s;                // on stop(), how long to wait for in-flight answers
constexpr auto receipt_grace = 1h;              // receipts may lag the validity period by this much

// One carrier's share of the campaign.
struct lane {
  carrier_pool* pool = nullptr;
  const config::carrier_config* carrier = nullptr;
  smpp::receipt_id_mode receipt_mode{};
  std::optional<segments::message> message;  // nullopt when the text cannot be sent through this carrier
  std::string unsendable;                    // why not
  int parts = 1;
  std::deque<std::pair<std::string, std::uint64_t>> unclaimed;  // number, chunk (first bucket)
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

  std::map<std::string, lane, std::less<>> lanes;
  std::uint64_t next_bucket = 0;   // the fan-out reads from here
  std::uint64_t buckets_per_chunk = 1;
  // chunk -> numbers read and not yet settled (claimed, every part answered and the answers recorded): a
  // restart reads again from the first open chunk, so nothing a dead run left in flight is overlooked.
  std::map<std::uint64_t, std::size_t> chunk_open;
  std::uint64_t cursor_written = 0;
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
    buckets_per_chunk = std::clamp<std::uint64_t>(512 / per_bucket, 1, 256);
  }

  std::chrono::seconds receipt_ttl() const { return validity + std::chrono::hours(48); }

  // --- fan-out ---------------------------------------------------------------------------------------
  bool fanout_finished() const { return next_bucket >= broadcast::buckets_per_ward; }

  asio::awaitable<bool> read_chunk() {
    const auto from = next_bucket;
    const auto to = std::min(from + buckets_per_chunk, broadcast::buckets_per_ward);
    std::vector<std::string> numbers;
    if (auto ec = co_await cx.store.fanout(spec, from, to, numbers)) {
      redis_failed("reading recipients", ec);
      co_return false;
    }
    redis_ok();
    next_bucket = to;
    if (numbers.empty()) co_return true;
    chunk_open[from] = numbers.size();
    unclaimed_total += numbers.size();
    for (auto& n : numbers) {
      const auto carrier = cx.router.carrier_for(n);
      auto it = lanes.find(carrier);
      if (it == lanes.end()) it = lanes.find(cx.cfg.routing.default_carrier);
      it->second.unclaimed.emplace_back(std::move(n), from);
    }
    co_return true;
  }

  void chunk_settled(std::uint64_t chunk) {
    auto it = chunk_open.find(chunk);
    if (it != chunk_open.end() && --it->second == 0) chunk_open.erase(it);
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

  // Buckets below this are wholly settled: a restart reads from here.
  std::uint64_t durable_cursor() const { return chunk_open.empty() ? next_bucket : chunk_open.begin()->first; }

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
    if (auto ec = co_await cx.store.claim(spec.id, l.pool->name(), cx.owner, l.parts, numbers, results)) {
      redis_failed("claiming recipients", ec);  // they stay unclaimed; a retry finds our own records
      co_return false;
    }
    redis_ok();
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
    if (auto ec = co_await cx.store.record_outcomes(spec.id, batch, receipt_ttl(), resent)) {
      // Kept: the script is idempotent, so the same batch is simply written again.
      redis_failed("recording answers", ec);
      co_return false;
    }
    redis_ok();
    resent = 0;
    outcomes.erase(outcomes.begin(), outcomes.begin() + static_cast<std::ptrdiff_t>(n));
    for (std::size_t i = 0; i < n; ++i)
      if (outcome_settles[i]) chunk_settled(*outcome_settles[i]);
    outcome_settles.erase(outcome_settles.begin(), outcome_settles.begin() + static_cast<std::ptrdiff_t>(n));
    co_return true;
  }

  bool nothing_left() const {
    const bool no_more_input = stopping || cancelled || (fanout_finished() && unclaimed_total == 0);
    return no_more_input && parts_open == 0 && outcomes.empty() && retries.empty();
  }

  // --- the loop --------------------------------------------------------------------------------------
  asio::awaitable<bool> take_lease() {
    while (!stopping) {
      bool held = false;
      if (auto ec = co_await cx.store.take_lease(spec.id, cx.owner, lease_ttl, held)) {
        redis_failed("taking the campaign's lease", ec);
      } else if (held) {
        redis_ok();
        co_return true;
      } else {
        // Another gateway runs it, or a dead one's lease has not run out yet.
        std::optional<broadcast::campaign_state> now;
        if (!co_await cx.store.state(spec.id, now) && (!now || !broadcast::is_active(*now))) co_return false;
      }
      co_await pause(1s);
    }
    co_return false;
  }

  asio::awaitable<void> check_state() {
    std::optional<broadcast::campaign_state> now;
    if (auto ec = co_await cx.store.state(spec.id, now)) {
      redis_failed("reading the campaign's state", ec);
      co_return;
    }
    if (!now || *now == broadcast::campaign_state::cancelled) {
      if (!cancelled) info(fmt::format("campaign {}: cancelled; {} numbers not sent", spec.id, unclaimed_total));
      cancelled = true;
    }
  }

  asio::awaitable<void> run() {
    if (!co_await take_lease()) co_return;
    prepare_lanes();
    for (const auto& [name, l] : lanes)
      if (!l.message) warn(fmt::format("campaign {}: cannot be sent through {}: {}", spec.id, name, l.unsendable));
    while (!stopping) {
      std::uint64_t cursor = 0;
      if (auto ec = co_await cx.store.fanout_position(spec.id, cursor)) {
        redis_failed("reading the fan-out position", ec);
        co_await pause(redis_retry);
        continue;
      }
      next_bucket = cursor_written = cursor;
      break;
    }
    info(fmt::format("campaign {}: running from bucket {} of {}", spec.id, next_bucket, broadcast::buckets_per_ward));
    auto last_lease = clock::now();
    auto last_check = clock::now();
    std::optional<clock::time_point> stop_deadline;
    while (true) {
      bool progressed = false;
      const auto now = clock::now();
      if (now - last_lease >= lease_renewal) {
        bool held = true;
        if (auto ec = co_await cx.store.take_lease(spec.id, cx.owner, lease_ttl, held)) redis_failed("renewing the lease", ec);
        else if (!held) {
          warn(fmt::format("campaign {}: another gateway took it over; stopping here", spec.id));
          stopping = true;
        }
        last_lease = now;
      }
      if (now - last_check >= state_check) {
        co_await check_state();
        last_check = now;
      }
      if (stopping && !stop_deadline) stop_deadline = now + stop_grace;
      if (!stopping && !cancelled && !redis_down) {
        if (!fanout_finished() && unclaimed_total < read_ahead) progressed |= co_await read_chunk();
        for (auto& [name, l] : lanes)
          if (!l.unclaimed.empty()) progressed |= co_await claim_some(l);
      }
      resend_due();
      progressed |= co_await flush_outcomes();
      if (outcomes.empty() && durable_cursor() != cursor_written &&
          !co_await cx.store.set_fanout_position(spec.id, durable_cursor(), false))
        cursor_written = durable_cursor();
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
    if (!stopping && !cancelled) {
      // Done: everything fanned out is claimed and every claimed part answered.
      while (true) {
        auto ec = co_await cx.store.set_fanout_position(spec.id, broadcast::buckets_per_ward, true);
        if (!ec) ec = co_await cx.store.set_state(spec.id, broadcast::campaign_state::done);
        if (!ec) break;
        redis_failed("marking the campaign done", ec);
        co_await pause(redis_retry);
      }
      info(fmt::format("campaign {}: every recipient submitted or settled", spec.id));
    }
    if (!stopping) {
      // After the validity period (and a grace) what still waits for a receipt counts as expired.
      const auto deadline = std::chrono::system_clock::now() + validity + receipt_grace;
      co_await cx.store.set_receipt_deadline(
          spec.id, std::chrono::duration_cast<std::chrono::seconds>(deadline.time_since_epoch()).count());
    }
    co_await cx.store.release_lease(spec.id, cx.owner);
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
