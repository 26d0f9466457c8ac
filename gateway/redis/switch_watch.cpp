#include "gateway/redis/switch_watch.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/post.hpp>
#include <chrono>
#include <sstream>
#include <utility>

#include "gateway/redis/asio_adapter.hpp"

extern "C" {
static void loa_switch_on_connect(const redisAsyncContext* ac, int status);
static void loa_switch_on_disconnect(const redisAsyncContext* ac, int status);
static void loa_switch_on_message(redisAsyncContext* ac, void* reply, void* privdata);
}

namespace loa::redis::detail {

switch_watch::switch_watch(boost::asio::any_io_executor ex, const settings& s,
                           std::function<void(std::string)> on_switch)
    : ex_(std::move(ex)), settings_(s), on_switch_(std::move(on_switch)), timer_(ex_) {}

switch_watch::~switch_watch() {
  running_ = false;
  close_context();
}

void switch_watch::start() {
  if (running_ || settings_.sentinels.empty()) return;
  running_ = true;
  connect_next();
}

void switch_watch::stop() {
  running_ = false;
  timer_.cancel();
  close_context();
}

void switch_watch::close_context() {
  subscribed_ = false;
  if (ac_ == nullptr) return;
  auto* ac = ac_;
  ac_ = nullptr;
  ac->data = nullptr;  // its callbacks, called with NULL while it is freed, find nothing
  redisAsyncFree(ac);
}

void switch_watch::connect_next() {
  if (!running_) return;
  const endpoint& at = settings_.sentinels[next_ % settings_.sentinels.size()];
  ++next_;
  redisAsyncContext* ac = redisAsyncConnect(at.host.c_str(), at.port);
  if (ac == nullptr || ac->err != 0) {
    if (ac != nullptr) redisAsyncFree(ac);
    retry_later();
    return;
  }
  ac->data = this;
  if (!attach_asio(ac, ex_)) {
    redisAsyncFree(ac);
    retry_later();
    return;
  }
  ac_ = ac;
  redisAsyncSetDisconnectCallback(ac, loa_switch_on_disconnect);
  redisAsyncSetConnectCallback(ac, loa_switch_on_connect);
  if (!settings_.sentinel_password.empty())
    redisAsyncCommand(ac, nullptr, nullptr, "AUTH %b", settings_.sentinel_password.data(),
                      settings_.sentinel_password.size());
  redisAsyncCommand(ac, loa_switch_on_message, nullptr, "SUBSCRIBE +switch-master");
}

void switch_watch::retry_later() {
  if (!running_) return;
  timer_.expires_after(std::chrono::seconds(1));
  timer_.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
    auto self = weak.lock();
    if (!ec && self) self->connect_next();
  });
}

void switch_watch::on_connect_event(const redisAsyncContext* ac, int status) {
  if (ac != ac_ || status == REDIS_OK) return;
  ac_ = nullptr;  // hiredis frees it as soon as we return
  boost::asio::post(ex_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->retry_later();
  });
}

void switch_watch::on_disconnect_event(const redisAsyncContext* ac) {
  if (ac != ac_) return;
  ac_ = nullptr;
  subscribed_ = false;
  boost::asio::post(ex_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->retry_later();
  });
}

void switch_watch::on_message(const redisAsyncContext* ac, void* r) {
  if (ac != ac_ || r == nullptr) return;
  const auto* reply = static_cast<const redisReply*>(r);
  if (reply->type == REDIS_REPLY_ERROR) {  // NOAUTH, WRONGPASS: try the next sentinel (freed outside hiredis)
    boost::asio::post(ex_, [weak = weak_from_this(), ac] {
      auto self = weak.lock();
      if (!self || self->ac_ != ac) return;
      self->close_context();
      self->retry_later();
    });
    return;
  }
  // ["subscribe", channel, n] once, then ["message", "+switch-master", "NAME OLDIP OLDPORT NEWIP NEWPORT"].
  if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3) return;
  const std::string kind(reply->element[0]->str, reply->element[0]->len);
  if (kind == "subscribe") {
    subscribed_ = true;
    return;
  }
  if (kind != "message" || reply->element[2]->type != REDIS_REPLY_STRING) return;
  std::istringstream words(std::string(reply->element[2]->str, reply->element[2]->len));
  std::string name, old_ip, old_port, new_ip, new_port;
  if (!(words >> name >> old_ip >> old_port >> new_ip >> new_port) || name != settings_.master_name) return;
  std::string address =
      new_ip.find(':') != std::string::npos ? "[" + new_ip + "]:" + new_port : new_ip + ":" + new_port;
  boost::asio::post(ex_, [weak = weak_from_this(), address = std::move(address)]() mutable {
    auto self = weak.lock();
    if (self && self->running_ && self->on_switch_) self->on_switch_(std::move(address));
  });
}

}  // namespace loa::redis::detail

extern "C" {
static void loa_switch_on_connect(const redisAsyncContext* ac, int status) {
  if (auto* w = static_cast<loa::redis::detail::switch_watch*>(ac->data)) w->on_connect_event(ac, status);
}
static void loa_switch_on_disconnect(const redisAsyncContext* ac, int /*status*/) {
  if (auto* w = static_cast<loa::redis::detail::switch_watch*>(ac->data)) w->on_disconnect_event(ac);
}
static void loa_switch_on_message(redisAsyncContext* ac, void* reply, void* /*privdata*/) {
  if (auto* w = static_cast<loa::redis::detail::switch_watch*>(ac->data)) w->on_message(ac, reply);
}
}
