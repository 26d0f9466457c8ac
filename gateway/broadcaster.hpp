// The sending half of `loa gateway`: the carriers' bind pools, the router, the receipt matcher, and the
// scheduler that starts a campaign driver for each campaign that is due (after --at, outside quiet hours).
// Every gateway on the same Redis runs every running campaign: their engines share its chunks and backlogs
// (gateway/campaign/driver.hpp, docs/ENGINE.md).
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "gateway/store/audit_store.hpp"
#include "gateway/store/campaign_store.hpp"
#include "gateway/broadcast/router.hpp"
#include "gateway/campaign/driver.hpp"
#include "gateway/store/subscriber_store.hpp"
#include "gateway/carrier_pool.hpp"

namespace loa::gateway {

namespace metrics {
class registry;
}

/// One carrier's binds, for /healthz.
struct carrier_health {
  std::string name;
  std::size_t binds_up = 0;
  std::size_t binds = 0;
  std::int64_t down_since_s = 0;  ///< Unix seconds since when no transmitting bind is up; 0 while one is
};

class broadcaster {
 public:
  /// Reads routing.ported_file (throws config::config_error on a bad file). Holds for approval are recorded
  /// in `audit` (nullptr: not recorded).
  broadcaster(boost::asio::io_context& io, const config::configuration& cfg,
              broadcast::subscriber_store& subscribers, broadcast::campaign_store& campaigns,
              redis::connection& connection, std::function<void(std::string_view)> info, std::function<void(std::string_view)> warn,
              broadcast::audit_store* audit = nullptr);
  ~broadcaster();
  broadcaster(const broadcaster&) = delete;
  broadcaster& operator=(const broadcaster&) = delete;

  /// Receipts are written over `connection` from now on (their own: a receipt's batch then waits in Redis
  /// behind at most one command of the campaigns' pipelined scripts, not behind all of them; which is run
  /// first never mattered, the scripts keep a receipt that comes before its submit's answer).
  void use_receipt_connection(redis::connection& connection);
  /// Binds to every carrier and starts scheduling campaigns.
  void start();
  /// Stops taking campaigns, lets running ones record what is in flight, unbinds; then `done`.
  void stop(std::function<void()> done);
  /// A campaign was created or changed: look at it now rather than at the next tick.
  void poke();
  /// A campaign was cancelled: if it runs here, it stops claiming now (other gateways notice within a second).
  void cancelled(const std::string& id);

  /// The lanes of campaign `id` as this gateway's driver runs them (nullopt: it runs no driver of it here).
  std::optional<std::vector<lane_report>> lanes(const std::string& id) const;

  std::vector<carrier_health> health() const;
  /// Feeds `registry` (GET /metrics) from the carriers, the receipt matcher, the replies and the drivers
  /// (loa_campaigns_running). The registry must outlive this.
  void attach_metrics(metrics::registry& registry);
  /// The carrier a stored number goes to now (prefixes and ported numbers).
  std::string carrier_for(std::string_view number) const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace loa::gateway
