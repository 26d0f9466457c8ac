// The inside of campaign_driver (driver.hpp), shared by its two halves: driver.cpp (the order of actions,
// timers, carriers, submits, receipts, the end) and driver_store.cpp (store requests and their results).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "gateway/campaign/driver.hpp"
#include "gateway/campaign/engine.hpp"
#include "gateway/smpp/pdu.hpp"
#include "gateway/smpp/receipt.hpp"
#include "gateway/store/engine_store.hpp"
#include "segments/split.hpp"

namespace loa::gateway {

struct campaign_driver::impl : std::enable_shared_from_this<impl> {
  // One carrier's share: its pool and the campaign's text as that carrier takes it.
  struct lane {
    carrier_pool* pool = nullptr;
    smpp::receipt_id_mode receipt_mode{};
    std::optional<segments::message> message;  // nullopt when the text cannot go through this carrier
    std::string unsendable;                    // why not
    std::string sender;
  };

  impl(campaign_context& c, broadcast::campaign_spec s, std::function<void(campaign::end_reason)> e);

  campaign_context& cx;
  broadcast::campaign_spec spec;
  std::chrono::seconds validity{0};
  std::function<void(campaign::end_reason)> ended;
  std::map<std::string, lane, std::less<>> lanes;
  std::optional<campaign::engine> machine;          // built by start()
  std::array<boost::asio::steady_timer, 3> timers;  // by campaign::timer_id
  std::array<std::uint64_t, 3> armed{};             // each timer's generation: a replaced wait is ignored
  std::array<bool, 3> waiting{};                    // each timer's latest wait has not fired yet
  std::deque<campaign::engine_action> todo;         // actions not yet performed, in order
  std::set<std::string, std::less<>> changed;       // carriers to report once the actions in hand are done
  std::optional<store::engine_store> db;            // this run's calls on Redis, opened by start()
  std::map<std::string, std::uint64_t> deliveries;  // chunk entry -> how often it was delivered (for the log)
  bool redis_down = false;                          // logged once until Redis answers again
  bool cancel_seen = false;
  bool draining = false;
  bool closed = false;  // the engine finished, or the driver is gone: no more events
  // The bodies of the last number submitted (its other parts usually follow at once).
  std::string bodies_for;
  std::vector<smpp::short_message> bodies;

  // driver.cpp
  void prepare_lanes();
  campaign::engine_settings settings() const;
  void take(campaign::engine_actions actions);  // queue, then perform unless already performing
  void drain();
  void perform(campaign::engine_action a);
  void arm(campaign::timer_id id, campaign::duration after);
  void submit(const campaign::action::submit& s);
  void answered(std::uint64_t token, const std::string& carrier, const smpp::submit_outcome& o);
  void report_carrier(const std::string& carrier);
  void finish(campaign::end_reason why);
  std::string route(const std::string& number) const;
  std::int64_t receipt_deadline_s() const;
  void info(std::string_view s) const;
  void warn(std::string_view s) const;

  // driver_store.cpp: performs one store request; its result (or failure) comes back through take().
  void open_store();
  void perform_store(campaign::engine_action a);
  boost::asio::awaitable<void> ask(campaign::engine_action a);
  boost::asio::awaitable<void> handle(const campaign::action::publish& x);
  boost::asio::awaitable<void> handle(const campaign::action::heartbeat& x);
  boost::asio::awaitable<void> handle(const campaign::action::take_chunk& x);
  boost::asio::awaitable<void> handle(const campaign::action::take_parcel& x);
  boost::asio::awaitable<void> handle(const campaign::action::read& x);
  boost::asio::awaitable<void> handle(const campaign::action::claim& x);
  boost::asio::awaitable<void> handle(const campaign::action::mark_submitting& x);
  boost::asio::awaitable<void> handle(const campaign::action::record& x);
  boost::asio::awaitable<void> handle(const campaign::action::park& x);
  boost::asio::awaitable<void> handle(const campaign::action::ack& x);
  boost::asio::awaitable<void> handle(const campaign::action::release& x);
  boost::asio::awaitable<void> handle(const campaign::action::keep& x);
  boost::asio::awaitable<void> handle(const campaign::action::check_state& x);
  boost::asio::awaitable<void> handle(const campaign::action::look_up_receipts& x);
  boost::asio::awaitable<void> handle(const campaign::action::arm_timer& x);
  boost::asio::awaitable<void> handle(const campaign::action::submit& x);
  boost::asio::awaitable<void> handle(const campaign::action::finished& x);
  bool unanswered(std::error_code ec, std::uint64_t request, std::string_view what);
  void note_taken(const campaign::chunk_grant& g, std::uint64_t delivery);
  int parts_of(const std::string& carrier) const;
};

}  // namespace loa::gateway
