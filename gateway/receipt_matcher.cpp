#include "gateway/receipt_matcher.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "gateway/broadcast/numbers.hpp"
#include "gateway/metrics.hpp"
#include "gateway/store/engine_store.hpp"
#include "segments/printable.hpp"

namespace loa::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::size_t batch_size = 4000;
constexpr std::size_t max_in_flight = 4;  // batches written at once (pipelined on the one connection)
constexpr std::size_t delay_samples = 64;  // submits timed at once per carrier (the oldest dropped beyond)

}  // namespace

char part_letter(smpp::receipt_state state) noexcept {
  using s = smpp::receipt_state;
  switch (state) {
    case s::delivered:
      return broadcast::part_state::delivered;
    case s::expired:
      return broadcast::part_state::expired;
    case s::deleted:
    case s::undeliverable:
    case s::rejected:
    case s::unknown:
      return broadcast::part_state::failed;
    case s::enroute:
    case s::accepted:
      return 0;
  }
  return 0;
}

receipt_matcher::receipt_matcher(asio::io_context& io, broadcast::campaign_store& store,
                                 std::function<void(std::string_view)> warn)
    : store_(store), warn_(std::move(warn)), timer_(io) {}

void receipt_matcher::attach_metrics(metrics::registry& registry, const std::vector<std::string>& carriers) {
  registry_ = &registry;
  match_seconds_ = &registry.get_histogram(
      "loa_receipt_match_seconds",
      "From a receipt's deliver_sm arriving to the receipt written to Redis (matched to its part, or kept "
      "for a submit_sm_resp still to be recorded); the deliver_sm is answered then",
      metrics::latency_buckets());
  for (const auto& c : carriers) meter_for(c);
}

const receipt_matcher::carrier_meter* receipt_matcher::meter_for(std::string_view carrier) {
  if (!registry_) return nullptr;
  if (auto it = meters_.find(carrier); it != meters_.end()) return &it->second;
  auto state = [&](const char* word) -> metrics::counter* {
    return &registry_->get_counter("loa_receipts_total",
                                   "Delivery receipts received per carrier, by the state they report: "
                                   "delivered, failed (undeliverable, rejected, deleted, unknown), expired, "
                                   "intermediate (enroute, accepted: not final, nothing written)",
                                   {{"carrier", std::string(carrier)}, {"state", word}});
  };
  carrier_meter m;
  m.delivered = state("delivered");
  m.failed = state("failed");
  m.expired = state("expired");
  m.intermediate = state("intermediate");
  m.mismatched = &registry_->get_counter(
      "loa_receipts_mismatched_total",
      "Receipts not applied because their source address is not the number the message they name went to "
      "(forged, or the carrier's mistake); early receipts are checked when their submit's answer is recorded",
      {{"carrier", std::string(carrier)}});
  m.unmatched = &registry_->get_counter(
      "loa_receipts_unmatched_total",
      "Receipts that matched no recorded submit when written: kept in Redis for the submit_sm_resp still to "
      "be recorded (it often comes after its receipt), or for a message loa does not know",
      {{"carrier", std::string(carrier)}});
  return &meters_.emplace(std::string(carrier), m).first->second;
}

void receipt_matcher::add(std::string_view carrier, smpp::receipt_id_mode mode, const smpp::receipt& r,
                          smpp::deliver_ack ack) {
  const char letter = part_letter(r.state);
  const auto* meter = meter_for(carrier);
  if (!letter) {
    if (meter) meter->intermediate->inc();
    ack();  // an intermediate state changes nothing
    return;
  }
  pending p;
  p.ack = std::move(ack);
  p.meter = meter;
  p.arrived = std::chrono::steady_clock::now();
  p.carrier = std::string(carrier);
  p.id = r.id;
  p.source = r.source;
  if (const auto n = broadcast::normalise_number(r.source)) p.update.source = n.number;
  p.normalised_id = smpp::normalise_receipt_id(r.id, mode, smpp::id_origin::receipt);
  p.update.receipt_key = broadcast::campaign_keys::receipt(carrier, p.normalised_id);
  if (auto d = delays_.find(carrier); d != delays_.end()) {
    if (auto w = d->second.waiting.find(p.update.receipt_key); w != d->second.waiting.end()) {
      const auto took = p.arrived - w->second;
      auto& delay = d->second.delay;
      delay = delay == delay.zero() ? took : (7 * delay + took) / 8;
      d->second.waiting.erase(w);  // its key stays in `order` until pushed out: harmless
    }
  }
  p.update.letter = letter;
  if (letter != broadcast::part_state::delivered) {
    p.update.reason = std::string(smpp::stat_word(r.state));
    if (!r.error.empty()) p.update.reason += " err:" + r.error;
    std::replace(p.update.reason.begin(), p.update.reason.end(), '|', '/');
  }
  fresh_.push_back(std::move(p));
  if (fresh_.size() == 1 || fresh_.size() >= batch_size) wake();
}

void receipt_matcher::submitted(std::string_view carrier, std::string_view receipt_key) {
  auto it = delays_.find(carrier);
  if (it == delays_.end()) it = delays_.emplace(std::string(carrier), delay_sample{}).first;
  auto& d = it->second;
  if (d.waiting.count(receipt_key)) return;
  if (d.order.size() >= delay_samples) {
    d.waiting.erase(d.order.front());  // its receipt never came (or came before this was noted)
    d.order.pop_front();
  }
  d.order.emplace_back(receipt_key);
  d.waiting.emplace(std::string(receipt_key), std::chrono::steady_clock::now());
}

std::chrono::steady_clock::duration receipt_matcher::receipt_delay(std::string_view carrier) const {
  const auto it = delays_.find(carrier);
  return it == delays_.end() ? std::chrono::steady_clock::duration{} : it->second.delay;
}

void receipt_matcher::count_mismatch(std::string_view carrier, std::string_view what) {
  ++mismatched_;
  if (const auto* meter = meter_for(carrier)) meter->mismatched->inc();
  std::uint64_t held_back = 0;
  if (warn_ && mismatch_log_.allow(log_throttle::clock::now(), held_back))
    warn_(fmt::format(
        "receipts: {}: {} is not the number its message went to: not applied{}", carrier, what,
        held_back ? fmt::format(" ({} more such receipts since the last warning)", held_back) : ""));
}

void receipt_matcher::wake() {
  woken_ = true;
  timer_.cancel();
}

void receipt_matcher::stop() {
  stopping_ = true;
  wake();
}

asio::awaitable<std::error_code> receipt_matcher::apply(const std::vector<pending>& batch,
                                                        std::vector<std::size_t>& unmatched,
                                                        std::vector<std::size_t>& mismatched) {
  if (engine_connection_) {
    std::vector<store::engine_receipt> receipts;
    receipts.reserve(batch.size());
    for (const auto& p : batch)
      receipts.push_back({p.carrier, p.normalised_id, p.update.letter, p.update.reason, p.update.source});
    co_return co_await store::engine_store::apply_receipts(*engine_connection_, receipts, unmatched, mismatched);
  }
  std::vector<broadcast::receipt_update> updates;
  updates.reserve(batch.size());
  for (const auto& p : batch) updates.push_back(p.update);
  co_return co_await store_.apply_receipts(updates, unmatched, mismatched);
}

// Receipts are written as soon as they come, in batches of whatever came while the batches before were
// being written (no timer: with the SMSC's receipt window of ~100, the time a receipt waits to be answered is
// the carrier's rate of receipts). A few batches ride the connection at once, so a deliver_sm that comes while
// one is being written does not wait for its answer; Redis runs them in order.
void receipt_matcher::launch() {
  const auto take = std::min(fresh_.size(), batch_size);
  std::vector<pending> batch(std::make_move_iterator(fresh_.begin()),
                             std::make_move_iterator(fresh_.begin() + static_cast<std::ptrdiff_t>(take)));
  fresh_.erase(fresh_.begin(), fresh_.begin() + static_cast<std::ptrdiff_t>(take));
  ++in_flight_;
  asio::co_spawn(timer_.get_executor(), write(std::move(batch)), asio::detached);
}

asio::awaitable<void> receipt_matcher::write(std::vector<pending> batch) {
  std::vector<std::size_t> unmatched, mismatched;
  const auto ec = co_await apply(batch, unmatched, mismatched);
  --in_flight_;
  wake();
  if (ec) {
    if (!redis_down_ && warn_) warn_(fmt::format("receipts: Redis failed ({}); holding them", ec.message()));
    redis_down_ = true;
    retry_at_ = std::chrono::steady_clock::now() + 500ms;
    // Back in front, unanswered: the SMSC keeps them too until Redis has them (the script is idempotent).
    std::move(batch.begin(), batch.end(), std::inserter(fresh_, fresh_.begin()));
    co_return;
  }
  redis_down_ = false;
  matched_ += batch.size() - unmatched.size() - mismatched.size();
  early_ += unmatched.size();
  for (const auto i : mismatched)
    if (i < batch.size())
      count_mismatch(batch[i].carrier, fmt::format("the receipt for message {} from '{}'",
                                                   segments::printable(batch[i].id), segments::printable(batch[i].source)));
  if (match_seconds_) {
    const auto now = std::chrono::steady_clock::now();
    for (const auto& p : batch) {
      if (!p.meter) continue;
      switch (p.update.letter) {
        case broadcast::part_state::delivered:
          p.meter->delivered->inc();
          break;
        case broadcast::part_state::expired:
          p.meter->expired->inc();
          break;
        default:
          p.meter->failed->inc();
          break;
      }
      match_seconds_->observe(std::chrono::duration<double>(now - p.arrived).count());
    }
    for (const auto i : unmatched)
      if (i < batch.size() && batch[i].meter) batch[i].meter->unmatched->inc();
  }
  for (auto& p : batch) p.ack();  // written: the SMSC may forget it now
  if (on_unmatched_)
    for (const auto i : unmatched)
      if (i < batch.size() && !batch[i].update.source.empty())
        on_unmatched_(batch[i].carrier, batch[i].update.source, batch[i].normalised_id);
}

asio::awaitable<void> receipt_matcher::run() {
  while (true) {
    const bool may_send = !redis_down_ || std::chrono::steady_clock::now() >= retry_at_;
    // While Redis is down, one batch at a time finds out whether it is back.
    const std::size_t limit = redis_down_ ? 1 : max_in_flight;
    while (may_send && !fresh_.empty() && in_flight_ < limit) launch();
    if (stopping_ && in_flight_ == 0 && (fresh_.empty() || redis_down_)) co_return;
    if (woken_) {
      woken_ = false;
      continue;
    }
    if (redis_down_ && !fresh_.empty() && in_flight_ == 0)
      timer_.expires_at(retry_at_);
    else
      timer_.expires_after(1s);
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    woken_ = false;
  }
}

}  // namespace loa::gateway
