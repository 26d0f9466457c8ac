// Listens to the sentinels' +switch-master channel, so that a failover is known the moment the sentinels
// decide it, not at the next failed command or health check. One subscription at a time, to one sentinel
// (AUTH with the sentinel password first); when it ends or cannot be made, the next sentinel is tried a
// second later. Internal to gateway/redis: connection.cpp runs one per connection with sentinels.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "gateway/redis/settings.hpp"

struct redisAsyncContext;

namespace loa::redis::detail {

class switch_watch : public std::enable_shared_from_this<switch_watch> {
 public:
  /// `on_switch(address)` is called through the executor with the new primary's host:port each time the
  /// sentinels announce +switch-master for settings::master_name.
  switch_watch(boost::asio::any_io_executor ex, const settings& s,
               std::function<void(std::string)> on_switch);
  ~switch_watch();
  switch_watch(const switch_watch&) = delete;
  switch_watch& operator=(const switch_watch&) = delete;

  /// Subscribes (and keeps subscribing) until stop().
  void start();
  /// Ends the subscription. Never call it from inside a hiredis callback (on_switch is posted, so it may).
  void stop();
  /// True while subscribed (the sentinel confirmed SUBSCRIBE).
  bool subscribed() const noexcept { return subscribed_; }

  // hiredis events, from the C trampolines.
  void on_connect_event(const redisAsyncContext* ac, int status);
  void on_disconnect_event(const redisAsyncContext* ac);
  void on_message(const redisAsyncContext* ac, void* reply);

 private:
  void connect_next();
  void retry_later();
  void close_context();

  boost::asio::any_io_executor ex_;
  settings settings_;
  std::function<void(std::string)> on_switch_;
  boost::asio::steady_timer timer_;
  redisAsyncContext* ac_ = nullptr;
  std::size_t next_ = 0;  // the sentinel to try next
  bool running_ = false;
  bool subscribed_ = false;
};

}  // namespace loa::redis::detail
