// Matches delivery receipts to the parts they report, in batches, for every campaign at once. A receipt that
// arrives before its submit_sm_resp was recorded (DOMAIN.md: it happens) is held and tried again with growing
// pauses; one that never matches is kept in Redis for an operator (loa:receipts:unmatched) and logged.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/broadcast/campaign_store.hpp"
#include "gateway/smpp/bind_driver.hpp"
#include "gateway/smpp/receipt.hpp"

namespace loa::gateway {

class receipt_matcher {
 public:
  receipt_matcher(boost::asio::io_context& io, broadcast::campaign_store& store,
                  std::function<void(std::string_view)> warn);

  /// Takes one receipt from `carrier` (whose ids relate to submit_sm_resp ids per `mode`); `ack` answers its
  /// deliver_sm once the receipt is written (or found to match nothing yet: then it is held in memory).
  void add(std::string_view carrier, smpp::receipt_id_mode mode, const smpp::receipt& r, smpp::deliver_ack ack = {});
  /// Applies receipts until stop(); then returns after writing what it holds (if Redis answers).
  boost::asio::awaitable<void> run();
  void stop();

  /// Receipts waiting for their submit to be recorded.
  std::size_t held() const noexcept { return held_.size(); }
  /// Receipts matched since start (for metrics and tests).
  std::uint64_t matched() const noexcept { return matched_; }

 private:
  using clock = std::chrono::steady_clock;
  struct pending {
    broadcast::receipt_update update;
    std::string label;  // carrier and id as received, for the unmatched log
    smpp::deliver_ack ack;  // answers the deliver_sm; empty once answered
    int attempts = 0;
    clock::time_point due{};
  };
  void wake();

  broadcast::campaign_store& store_;
  std::function<void(std::string_view)> warn_;
  boost::asio::steady_timer timer_;
  std::vector<pending> fresh_;
  std::deque<pending> held_;
  bool woken_ = false;
  bool stopping_ = false;
  std::uint64_t matched_ = 0;
};

/// The part letter for a receipt's state, or 0 for an intermediate state (enroute, accepted) that changes
/// nothing.
char part_letter(smpp::receipt_state state) noexcept;

}  // namespace loa::gateway
