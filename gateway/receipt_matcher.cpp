#include "gateway/receipt_matcher.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

namespace loa::gateway {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

constexpr std::size_t batch_size = 4000;
constexpr std::size_t max_held = 200'000;  // beyond this, unmatched receipts go straight to the operator's list
constexpr int max_attempts = 12;           // 0.2 s doubling to 60 s: about 5 minutes in all

std::chrono::milliseconds hold_for(int attempts) {
  return std::min<std::chrono::milliseconds>(200ms * (1 << std::min(attempts, 9)), 60s);
}

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

void receipt_matcher::add(std::string_view carrier, smpp::receipt_id_mode mode, const smpp::receipt& r,
                          smpp::deliver_ack ack) {
  const char letter = part_letter(r.state);
  if (!letter) {
    ack();  // an intermediate state changes nothing
    return;
  }
  pending p;
  p.ack = std::move(ack);
  p.update.receipt_key =
      broadcast::campaign_keys::receipt(carrier, smpp::normalise_receipt_id(r.id, mode, smpp::id_origin::receipt));
  p.update.letter = letter;
  if (letter != broadcast::part_state::delivered) {
    p.update.reason = std::string(smpp::stat_word(r.state));
    if (!r.error.empty()) p.update.reason += " err:" + r.error;
    std::replace(p.update.reason.begin(), p.update.reason.end(), '|', '/');
  }
  p.label = fmt::format("{} id {} {}", carrier, r.id, smpp::stat_word(r.state));
  fresh_.push_back(std::move(p));
  if (fresh_.size() == 1 || fresh_.size() >= batch_size) wake();
}

void receipt_matcher::wake() {
  woken_ = true;
  timer_.cancel();
}

void receipt_matcher::stop() {
  stopping_ = true;
  wake();
}

asio::awaitable<void> receipt_matcher::run() {
  bool redis_down = false;
  while (true) {
    const auto now = clock::now();
    std::vector<pending> batch;
    // Held receipts whose pause ended go first, then the fresh ones.
    while (!held_.empty() && held_.front().due <= now && batch.size() < batch_size) {
      batch.push_back(std::move(held_.front()));
      held_.pop_front();
    }
    const auto take = std::min(fresh_.size(), batch_size - batch.size());
    std::move(fresh_.begin(), fresh_.begin() + static_cast<std::ptrdiff_t>(take), std::back_inserter(batch));
    fresh_.erase(fresh_.begin(), fresh_.begin() + static_cast<std::ptrdiff_t>(take));

    if (!batch.empty()) {
      std::vector<broadcast::receipt_update> updates;
      updates.reserve(batch.size());
      for (const auto& p : batch) updates.push_back(p.update);
      std::vector<std::size_t> unmatched;
      if (auto ec = co_await store_.apply_receipts(updates, unmatched)) {
        if (!redis_down && warn_) warn_(fmt::format("receipts: Redis failed ({}); holding them", ec.message()));
        redis_down = true;
        // Back in front: nothing is lost while Redis is away (the script is idempotent).
        std::move(batch.begin(), batch.end(), std::inserter(fresh_, fresh_.begin()));
        if (stopping_) co_return;
        timer_.expires_after(500ms);
        co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
        woken_ = false;
        continue;
      }
      redis_down = false;
      matched_ += batch.size() - unmatched.size();
      // Written, or known not to match yet: the SMSC may forget it now. (A held receipt is lost if the gateway
      // dies while holding it; its part then expires after the validity period.)
      for (auto& p : batch) {
        p.ack();
        p.ack = {};
      }
      std::vector<std::string> given_up;
      for (const auto i : unmatched) {
        auto& p = batch[i];
        if (++p.attempts > max_attempts || held_.size() >= max_held) {
          given_up.push_back(p.label);
          continue;
        }
        p.due = clock::now() + hold_for(p.attempts);
        held_.push_back(std::move(p));
      }
      std::sort(held_.begin(), held_.end(), [](const pending& a, const pending& b) { return a.due < b.due; });
      if (!given_up.empty()) {
        if (warn_)
          warn_(fmt::format("receipts: {} matched no message (first: {}); kept in {}", given_up.size(),
                            given_up.front(), broadcast::campaign_keys::unmatched_receipts));
        co_await store_.keep_unmatched(given_up);
      }
      continue;
    }
    if (stopping_) co_return;
    if (woken_) {
      woken_ = false;
      continue;
    }
    timer_.expires_after(held_.empty() ? std::chrono::milliseconds(1000)
                                       : std::max<std::chrono::milliseconds>(
                                             std::chrono::duration_cast<std::chrono::milliseconds>(held_.front().due - clock::now()), 1ms));
    co_await timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    woken_ = false;
  }
}

}  // namespace loa::gateway
