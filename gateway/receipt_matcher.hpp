// Matches delivery receipts to the parts they report, in batches, for every campaign at once. A receipt that
// arrives before its submit_sm_resp was recorded (DOMAIN.md: it happens, often) is kept in Redis beside the
// mapping it waits for and applied by the script that records the answer: nothing is held in memory, so a
// crash loses no receipt. Each deliver_sm is answered only once its receipt is written. A receipt changes
// only the part of the number it came from (its source_addr, normalised): anyone who can deliver a deliver_sm
// could otherwise mark any campaign's recipients delivered or failed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/campaign_store.hpp"
#include "gateway/common/log_throttle.hpp"
#include "gateway/redis/connection.hpp"
#include "gateway/smpp/bind_driver.hpp"
#include "gateway/smpp/receipt.hpp"

namespace loa::gateway {

namespace metrics {
class counter;
class histogram;
class registry;
}  // namespace metrics

class receipt_matcher {
 public:
  receipt_matcher(boost::asio::io_context& io, broadcast::campaign_store& store,
                  std::function<void(std::string_view)> warn);

  /// Takes one receipt from `carrier` (whose ids relate to submit_sm_resp ids per `mode`); `ack` answers its
  /// deliver_sm once the receipt is written.
  void add(std::string_view carrier, smpp::receipt_id_mode mode, const smpp::receipt& r, smpp::deliver_ack ack = {});
  /// Applies receipts until stop(); then returns.
  boost::asio::awaitable<void> run();
  void stop();

  /// Receipts matched to a part at once since start.
  std::uint64_t matched() const noexcept { return matched_; }
  /// Receipts that matched nothing when they came (kept in Redis for a recorded answer to find).
  std::uint64_t early() const noexcept { return early_; }
  /// Receipts not applied because they came from another number than their message went to.
  std::uint64_t mismatched() const noexcept { return mismatched_; }

  /// An accepted submit whose receipt will come under `receipt_key`: a few per carrier at a time are timed,
  /// to learn how long the carrier's receipts take (receipt_delay).
  void submitted(std::string_view carrier, std::string_view receipt_key);
  /// How long `carrier`'s receipts have taken after their submit, smoothed (0 while none was timed).
  std::chrono::steady_clock::duration receipt_delay(std::string_view carrier) const;
  /// Who hears of each receipt whose message id matched no record once it is kept in Redis: its carrier,
  /// source number (normalised) and normalised id. The campaign drivers: it may answer a part whose
  /// submit_sm_resp was lost.
  void on_unmatched(std::function<void(std::string_view carrier, const std::string& number, const std::string& id)> f) {
    on_unmatched_ = std::move(f);
  }

  /// Writes receipts with the engine store's script (store::engine_store::apply_receipts) over `connection`:
  /// the same answers, and unmatched receipts indexed by carrier and source for the campaign engines.
  void use_engine_store(redis::connection& connection) { engine_connection_ = &connection; }

  /// Counts (loa_receipts_mismatched_total) and logs, at most once a minute, a receipt from `carrier` that
  /// came from another number than the part it names went to; `what` says which.
  void count_mismatch(std::string_view carrier, std::string_view what);

  /// Counts receipts into `registry` from now on (loa_receipts_total, loa_receipts_unmatched_total,
  /// loa_receipts_mismatched_total, loa_receipt_match_seconds), with zeros shown from the start for
  /// `carriers`. The registry must outlive this.
  void attach_metrics(metrics::registry& registry, const std::vector<std::string>& carriers);

 private:
  // One carrier's receipt counters (null until attach_metrics).
  struct carrier_meter {
    metrics::counter* delivered = nullptr;
    metrics::counter* failed = nullptr;
    metrics::counter* expired = nullptr;
    metrics::counter* intermediate = nullptr;
    metrics::counter* unmatched = nullptr;
    metrics::counter* mismatched = nullptr;
  };
  struct pending {
    broadcast::receipt_update update;
    smpp::deliver_ack ack;  // answers the deliver_sm
    const carrier_meter* meter = nullptr;
    std::chrono::steady_clock::time_point arrived;
    std::string carrier, id, source;  // for the log of a mismatch: as the carrier sent them
    std::string normalised_id;
  };
  // Submits being timed for one carrier, oldest first, and the smoothed delay of those whose receipt came.
  struct delay_sample {
    std::map<std::string, std::chrono::steady_clock::time_point, std::less<>> waiting;
    std::deque<std::string> order;
    std::chrono::steady_clock::duration delay{};
  };
  void wake();
  // Sends the oldest fresh receipts (at most batch_size) to Redis without waiting for the batches before.
  void launch();
  boost::asio::awaitable<void> write(std::vector<pending> batch);
  boost::asio::awaitable<std::error_code> apply(const std::vector<pending>& batch, std::vector<std::size_t>& unmatched,
                                                std::vector<std::size_t>& mismatched);
  const carrier_meter* meter_for(std::string_view carrier);

  broadcast::campaign_store& store_;
  std::function<void(std::string_view)> warn_;
  boost::asio::steady_timer timer_;
  std::vector<pending> fresh_;
  bool woken_ = false;
  bool stopping_ = false;
  std::size_t in_flight_ = 0;  // batches sent to Redis, not answered yet
  bool redis_down_ = false;    // the last batch failed: the next waits for the retry time
  std::chrono::steady_clock::time_point retry_at_{};
  std::uint64_t matched_ = 0;
  std::uint64_t early_ = 0;
  std::uint64_t mismatched_ = 0;
  log_throttle mismatch_log_;
  metrics::registry* registry_ = nullptr;
  metrics::histogram* match_seconds_ = nullptr;
  std::map<std::string, carrier_meter, std::less<>> meters_;
  std::map<std::string, delay_sample, std::less<>> delays_;
  std::function<void(std::string_view, const std::string&, const std::string&)> on_unmatched_;
  redis::connection* engine_connection_ = nullptr;
};

/// The part letter for a receipt's state, or 0 for an intermediate state (enroute, accepted) that changes
/// nothing.
char part_letter(smpp::receipt_state state) noexcept;

}  // namespace loa::gateway
