// What every campaign run of a gateway shares: the io_context, the configuration, the stores, the router,
// the carriers' bind pools and where it logs. One per gateway (broadcaster.cpp); each campaign's driver and
// the approval rule's recheck read it.
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "config/config.hpp"
#include "gateway/broadcast/audit_store.hpp"
#include "gateway/broadcast/campaign_store.hpp"
#include "gateway/broadcast/router.hpp"
#include "gateway/carrier_pool.hpp"

namespace loa::gateway {

/// What every campaign run of a gateway shares.
struct campaign_context {
  boost::asio::io_context& io;
  const config::configuration& cfg;
  broadcast::campaign_store& store;
  redis::connection& connection;  ///< what each campaign driver's engine_store calls go over
  const broadcast::router& router;
  std::map<std::string, std::unique_ptr<carrier_pool>, std::less<>>& carriers;
  std::string owner;  ///< this gateway run, written into the records it claims
  std::function<void(std::string_view)> info;
  std::function<void(std::string_view)> warn;
  broadcast::audit_store* audit = nullptr;  ///< where holds for approval are recorded (nullptr: not recorded)
  /// A receipt held for a part, dropped when the part's answer was recorded: it came from another number
  /// (carrier, what). Optional.
  std::function<void(std::string_view carrier, std::string_view what)> receipt_mismatch;
  /// How long the carrier's receipts take after the submit (0 while unknown). Optional.
  std::function<std::chrono::steady_clock::duration(std::string_view carrier)> receipt_delay;
  /// An accepted submit's receipt key, sampled to learn receipt_delay. Optional.
  std::function<void(std::string_view carrier, std::string_view receipt_key)> submitted;
};

}  // namespace loa::gateway
