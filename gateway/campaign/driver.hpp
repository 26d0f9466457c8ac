// Runs one campaign on this gateway: the Asio driver of campaign::engine (engine.hpp), on the io_context
// thread. It performs the engine's actions in order: timers (one steady_timer per timer_id; arming replaces),
// submits through the carrier's pool (the body built from the lane's split message), store requests through
// the engine store (their results, or their failure, become the engine's events). It tells the engine each
// carrier's binds and free window slots when they change, with the carrier's observed receipt delay, and
// offers it receipts whose message id matched nothing. Nothing is decided here: the engine decides.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/broadcast/campaign.hpp"
#include "gateway/campaign/engine_io.hpp"
#include "gateway/campaign_context.hpp"

namespace loa::gateway {

/// One lane as `loa status --json` shows it: the engine's lane_status, its wait in wall-clock time.
struct lane_report {
  campaign::lane_status lane;
  std::int64_t waiting_since_s = 0;  ///< Unix seconds when lane.why began (0: not waiting)
};

class campaign_driver {
 public:
  /// `ended` runs once the engine has finished (posted: never inside a call of this driver).
  campaign_driver(campaign_context& context, broadcast::campaign_spec spec,
                  std::function<void(campaign::end_reason)> ended);
  ~campaign_driver();
  campaign_driver(const campaign_driver&) = delete;
  campaign_driver& operator=(const campaign_driver&) = delete;

  /// Splits the text for each carrier and starts the engine.
  void start();
  /// Writes nothing new, waits (bounded) for the binds' answers, hands the rest back.
  void stop();
  /// The campaign was cancelled: nothing new goes out; what the binds answer is recorded.
  void cancel();
  /// `carrier`'s binds came up, went down or have room again.
  void carrier_changed(std::string_view carrier);
  /// A receipt whose message id matched no record, from `number` (normalised) on `carrier`; `id` normalised.
  /// True when it answered a part of this campaign whose submit's answer was lost.
  bool offer_receipt(std::string_view carrier, const std::string& number, const std::string& id);
  /// Each carrier's lane now.
  std::vector<lane_report> lanes() const;
  const std::string& id() const noexcept;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;  // shared with store calls and submit callbacks that may outlive the driver
};

}  // namespace loa::gateway
