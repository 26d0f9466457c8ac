// Runs one campaign on this gateway, beside any other gateway on the same Redis: takes chunks of the
// campaign (ranges of 64 of its 4096 buckets, entries of the stream loa:{c:ID}:chunks read by the consumer
// group "gateways", this run's "GATEWAY/RUN" as consumer name) as its carriers have room, reads their
// recipients, routes each number, claims recipients for a carrier only as fast as that carrier's binds free up
// (back-pressure from the window to the Redis reads), submits every part, records each answer, and
// acknowledges a chunk once every recipient read in it is settled. The runner that acknowledges the last chunk
// moves the campaign to done (one script, so exactly once).
//
// Nothing lost, nothing sent twice by accident: a recipient is claimed (a record with every part in flight)
// before its first submit, and each answer is recorded before the recipient leaves memory; counting is per
// bucket (a bit each), so a chunk read twice counts once. A chunk stays pending until acknowledged: a
// restarted gateway takes its previous run's chunks back at once, any gateway takes a chunk idle for 15 s
// (its gateway died: a live runner resets its chunks' idle time every 3 s), and reads it again: a claimed
// recipient is never sent again, except parts a dead run left in flight, which are sent again or reported
// uncertain per limits.uncertain. A chunk delivered more than five times (it cannot be read, or kills the
// gateways working on it) is set aside as poison. docs/REDIS.md tells the whole story.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "gateway/broadcast/audit_store.hpp"
#include "gateway/broadcast/campaign.hpp"
#include "gateway/broadcast/campaign_store.hpp"
#include "gateway/broadcast/router.hpp"
#include "gateway/campaign_context.hpp"
#include "gateway/carrier_pool.hpp"

namespace loa::gateway {

/// What every runner of a gateway shares (campaign_context.hpp).
using runner_context = campaign_context;

class campaign_runner {
 public:
  campaign_runner(runner_context& context, broadcast::campaign_spec spec);
  ~campaign_runner();
  campaign_runner(const campaign_runner&) = delete;
  campaign_runner& operator=(const campaign_runner&) = delete;

  /// Runs until the campaign is done or cancelled, or stop() and the in-flight parts are answered.
  boost::asio::awaitable<void> run();
  /// Stops claiming; run() returns once what was sent is answered and recorded.
  void stop();
  /// A carrier has room again (or a bind came up).
  void wake();
  /// The campaign was cancelled: claim nothing more (what the binds already hold still goes out).
  void cancel();
  const std::string& id() const noexcept;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;  // shared with submit callbacks that may outlive a stopped runner briefly
};

}  // namespace loa::gateway
