// Redis Cluster behind redis::connection (hiredis 0.14 knows nothing of clusters). The slot map comes from
// CLUSTER SLOTS, asked of the known primaries, then of the seed nodes (settings::cluster); one connection is
// kept per primary. A request is split by the primary of each command's slot, the parts sent at once, and the
// replies put back in the request's order; within a part (one primary) the order is kept.
//  - MOVED: the slot is patched in the map at once, the map read again, the command sent to the new owner;
//  - ASK: ASKING then the command, on the node named, once (the slot is migrating);
//  - TRYAGAIN, CLUSTERDOWN, a slot no primary serves: sent again after cluster_retry_delay, doubling;
//  each up to cluster_max_redirects times and within the request's timeout, else the command is answered with
//  that last error. These replies mean the command did not run, so sending it again is safe.
//  - NOSCRIPT: each part runs through exec() on its primary, which loads the script there (script_exec.cpp).
//  - WAIT (durability.hpp's, at the end of a request): sent at the end of every part that holds commands, so
//    it counts the replicas of each primary written to; its reply is the smallest count.
//  - FLUSHALL, FLUSHDB, SCRIPT LOAD/FLUSH, CONFIG SET: run on every primary; the first error, else the first
//    primary's reply.
//  - Refused before anything is sent: a command whose keys are in different slots (error::cross_slot),
//    MULTI/EXEC/WATCH (error::unsupported_command: loa's atomic units are scripts).
// A primary that stops answering has the map read again every cluster_retry_delay until the map names
// another (its replica, promoted); the old primary's connection is then dropped and the parts that waited
// on it (not sent) go to the new one. Parts already sent to it when it died fail with connection_lost, as on
// one server. Internal to gateway/redis: connection.cpp creates one when settings::cluster is not empty.
#pragma once

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "gateway/redis/connection.hpp"
#include "gateway/redis/slot_map.hpp"

namespace loa::redis::detail {

class cluster_client : public std::enable_shared_from_this<cluster_client> {
 public:
  using exec_handler = boost::asio::any_completion_handler<connection::exec_signature>;
  using run_handler = boost::asio::any_completion_handler<connection::run_signature>;
  using check_handler = boost::asio::any_completion_handler<connection::check_signature>;

  cluster_client(boost::asio::any_io_executor ex, settings s);
  ~cluster_client();
  cluster_client(const cluster_client&) = delete;
  cluster_client& operator=(const cluster_client&) = delete;

  const boost::asio::any_io_executor& executor() const noexcept { return ex_; }
  void run(run_handler handler);
  void exec(request req, exec_handler handler);
  void check(std::chrono::milliseconds limit, check_handler handler);
  void cancel();

  /// ready when there is a slot map and every primary's connection is ready.
  state current_state() const noexcept { return state_; }
  std::error_code last_error() const noexcept { return last_error_; }
  const std::string& last_error_detail() const noexcept { return last_error_detail_; }
  /// Times the cluster became ready (every primary connected).
  std::uint64_t connects() const noexcept { return connects_; }
  /// The primaries of the slot map, comma-separated.
  const std::string& address() const noexcept { return address_; }
  const settings& config() const noexcept { return settings_; }
  std::size_t queued() const noexcept;
  void set_observer(std::function<void(const state_change&)> o) { observer_ = std::move(o); }

  /// The current slot map (null before the first); for tests and /healthz.
  std::shared_ptr<const slot_map> map() const noexcept { return map_; }

 private:
  struct node {
    endpoint at;
    std::shared_ptr<connection> conn;
    std::size_t in_flight = 0;  // parts sent through it and not yet answered
    bool retired = false;       // no longer a primary: dropped once in_flight is 0
  };
  struct part_result {
    std::error_code ec;
    response resp;
  };

  boost::asio::awaitable<std::pair<std::error_code, response>> execute(request req);
  boost::asio::awaitable<std::vector<part_result>> send_parts(
      std::vector<std::pair<endpoint, request>> parts);
  boost::asio::awaitable<void> keep_map();
  boost::asio::awaitable<bool> refresh();
  boost::asio::awaitable<std::optional<slot_map>> ask_slots(const endpoint& at, std::string& why);
  boost::asio::awaitable<bool> wait_for_map(std::chrono::steady_clock::time_point deadline);
  void apply(slot_map map);
  void patch(std::uint16_t slot, const endpoint& to);
  node& node_for(const endpoint& at);
  settings node_settings(const endpoint& at) const;
  void on_node_change(const std::string& address, const state_change& change);
  void part_done(const std::string& address);
  void drop_retired();
  void refresh_soon();
  void update_state();
  void finish_run(std::error_code why);

  boost::asio::any_io_executor ex_;
  settings settings_;
  std::map<std::string, node> nodes_;  // by address: the primaries, and retired ones still answering
  std::shared_ptr<const slot_map> map_;
  boost::asio::steady_timer refresh_timer_;            // the map loop's pause; cancelled to refresh at once
  std::list<boost::asio::steady_timer*> map_waiters_;  // requests waiting for the first map: woken by apply
  bool refresh_requested_ = false;
  bool running_ = false;
  std::uint64_t run_id_ = 0;  // bumped per run and cancel: a loop of an earlier run ends
  std::optional<run_handler> run_handler_;
  state state_ = state::idle;
  std::error_code last_error_;
  std::string last_error_detail_;
  std::uint64_t connects_ = 0;
  std::string address_;
  std::function<void(const state_change&)> observer_;
};

}  // namespace loa::redis::detail
