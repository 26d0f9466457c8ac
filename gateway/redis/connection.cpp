#include "gateway/redis/connection.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <algorithm>
#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <chrono>
#include <list>
#include <optional>
#include <random>
#include <utility>
#include <vector>

#include "gateway/common/backoff.hpp"
#include "gateway/redis/asio_adapter.hpp"
#include "gateway/redis/cluster_client.hpp"
#include "gateway/redis/sentinel_resolver.hpp"
#include "gateway/redis/switch_watch.hpp"

// The callbacks hiredis calls: C linkage, defined after connection_impl.
extern "C" {
static void loa_redis_on_connect(const redisAsyncContext* ac, int status);
static void loa_redis_on_disconnect(const redisAsyncContext* ac, int status);
static void loa_redis_on_reply(redisAsyncContext* ac, void* reply, void* privdata);
}

namespace loa::redis {

const char* to_string(state s) noexcept {
  switch (s) {
    case state::idle:
      return "idle";
    case state::connecting:
      return "connecting";
    case state::ready:
      return "ready";
    case state::waiting_to_retry:
      return "waiting_to_retry";
    case state::stopped:
      return "stopped";
  }
  return "unknown";
}

namespace detail {
namespace {

using clock = std::chrono::steady_clock;
using exec_handler = boost::asio::any_completion_handler<connection::exec_signature>;
using run_handler = boost::asio::any_completion_handler<connection::run_signature>;

// Runs `handler(args...)` later, on the handler's own executor (or `fallback`). Completions are never inline:
// they may come from inside a hiredis callback, where the handler must not re-enter hiredis.
template <class Handler, class... Args>
void post_completion(const boost::asio::any_io_executor& fallback, Handler handler, Args... args) {
  // Posted to our executor, then run on the handler's (type-erased executors cannot be required to be
  // non-blocking, so the post goes to ours and the bound executor dispatches).
  auto ex = boost::asio::get_associated_executor(handler, fallback);
  boost::asio::post(
      fallback, boost::asio::bind_executor(ex, [h = std::move(handler), ... a = std::move(args)]() mutable {
        std::move(h)(std::move(a)...);
      }));
}

// hiredis 0.14 frees its redisReply after the callback; copy it into our own tree.
reply convert(const redisReply& r) {
  switch (r.type) {
    case REDIS_REPLY_STRING:
      return reply::make_text(reply::kind::string, std::string(r.str, r.len));
    case REDIS_REPLY_STATUS:
      return reply::make_text(reply::kind::status, std::string(r.str, r.len));
    case REDIS_REPLY_ERROR:
      return reply::make_text(reply::kind::error, std::string(r.str, r.len));
    case REDIS_REPLY_INTEGER:
      return reply::make_integer(r.integer);
    case REDIS_REPLY_ARRAY: {
      std::vector<reply> elements;
      elements.reserve(r.elements);
      for (std::size_t i = 0; i < r.elements; ++i) elements.push_back(convert(*r.element[i]));
      return reply::make_array(std::move(elements));
    }
    default:
      return reply{};  // REDIS_REPLY_NIL
  }
}

// ROLE's answer from a primary: ["master", offset, [replicas...]].
bool says_master(const reply& role) {
  return !role.elements().empty() && role.elements()[0].str() == "master";
}

// What ROLE said, for the error detail ("slave", "sentinel", or the error).
std::string role_name(const reply& role) {
  if (role.is_error()) return role.str();
  return role.elements().empty() ? std::string("nothing") : role.elements()[0].str();
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// hiredis switches these to pub/sub bookkeeping, where one callback fires many times: our one-reply-per-
// command accounting would break, so they are refused up front.
bool unsupported(std::string_view name) {
  for (const char* bad : {"SUBSCRIBE", "PSUBSCRIBE", "UNSUBSCRIBE", "PUNSUBSCRIBE", "MONITOR"})
    if (iequals(name, bad)) return true;
  return false;
}

}  // namespace

// One request from async_exec (or an internal one: handshake, health PING) until its completion.
struct request_state {
  request_state(const boost::asio::any_io_executor& ex, request r, exec_handler h)
      : io_executor(ex), req(std::move(r)), handler(std::move(h)), timer(ex) {
    work = boost::asio::prefer(boost::asio::get_associated_executor(handler, io_executor),
                               boost::asio::execution::outstanding_work.tracked);
  }

  // Completes once; later replies and timer firings find done == true and are ignored.
  void complete(std::error_code ec) {
    if (done) return;
    done = true;
    timer.cancel();
    // The slot belongs to the caller and outlives this operation: detach our cancellation handler.
    if (auto slot = boost::asio::get_associated_cancellation_slot(handler); slot.is_connected()) slot.clear();
    post_completion(io_executor, std::move(handler), ec, response(std::move(replies)));
    work = {};
  }

  boost::asio::any_io_executor io_executor;
  request req;
  std::vector<reply> replies;
  exec_handler handler;
  boost::asio::any_completion_executor work;  // keeps the handler's executor from running out of work
  boost::asio::steady_timer timer;
  std::list<std::shared_ptr<request_state>>::iterator queue_pos;
  bool queued = false;
  std::size_t expected = 0;  // replies expected: the commands hiredis accepted
  bool saw_error = false;
  bool done = false;
};

// hiredis' privdata for every command of one sent request. hiredis calls each registered callback exactly
// once (with NULL when the context goes away), so the count reaching zero is the moment to delete it.
struct pending_replies {
  std::shared_ptr<request_state> state;
  std::size_t left = 0;
};

class connection_impl : public std::enable_shared_from_this<connection_impl> {
 public:
  connection_impl(boost::asio::any_io_executor ex, settings s)
      : ex_(std::move(ex)),
        settings_(std::move(s)),
        backoff_(settings_.backoff, std::random_device{}()),
        step_timer_(ex_),
        health_timer_(ex_) {}

  ~connection_impl() { close_context(); }

  connection_impl(const connection_impl&) = delete;
  connection_impl& operator=(const connection_impl&) = delete;

  const boost::asio::any_io_executor& executor() const noexcept { return ex_; }
  state current_state() const noexcept { return state_; }
  std::error_code last_error() const noexcept { return last_error_; }
  const std::string& last_error_detail() const noexcept { return last_error_detail_; }
  std::uint64_t connects() const noexcept { return connects_; }
  const std::string& address() const noexcept { return address_; }
  const settings& config() const noexcept { return settings_; }
  std::size_t queued() const noexcept { return queue_.size(); }
  void set_observer(std::function<void(const state_change&)> o) { observer_ = std::move(o); }

  void run(run_handler handler) {
    if (running_) {
      post_completion(ex_, std::move(handler), std::error_code(error::already_running));
      return;
    }
    running_ = true;
    // emplace, not assignment: Boost 1.81's any_completion_handler move-assignment recurses forever.
    run_handler_.emplace(std::move(handler));
    run_work_ = boost::asio::prefer(boost::asio::get_associated_executor(*run_handler_, ex_),
                                    boost::asio::execution::outstanding_work.tracked);
    failed_attempts_ = 0;
    backoff_.reset();
    if (sentinel_mode()) {
      watch_ = std::make_shared<switch_watch>(ex_, settings_, [weak = weak_from_this()](std::string address) {
        if (auto self = weak.lock()) self->on_switch_master(address);
      });
      watch_->start();
    }
    start_connect();
  }

  // The sentinels announced a new primary: leave the one we are on (or connecting to) unless it is that one.
  void on_switch_master(const std::string& address) {
    if (!running_ || (state_ != state::ready && state_ != state::connecting) || address == address_) return;
    last_error_detail_ = "the sentinels announced +switch-master to " + address;
    drop(error::not_master);
  }

  void exec(request req, exec_handler handler) {
    const auto timeout = req.timeout.value_or(settings_.request_timeout);
    auto st = std::make_shared<request_state>(ex_, std::move(req), std::move(handler));
    if (const auto ec = validate(st->req)) {
      st->complete(ec);
      return;
    }
    watch_cancellation(st);
    if (timeout.count() > 0) {
      st->timer.expires_after(timeout);
      st->timer.async_wait([weak = weak_from_this(), st](const boost::system::error_code& ec) {
        if (ec || st->done) return;
        if (auto self = weak.lock()) self->unqueue(*st);
        st->complete(error::timeout);  // a late reply finds done == true and is dropped
      });
    }
    if (ready())
      send(st);
    else
      enqueue(st);
  }

  // Per-operation cancellation (awaitable_operators, parallel_group, bind_cancellation_slot). A terminal
  // request ends the request even when it is on the wire (its late reply is then dropped, as after a
  // timeout); partial and total ones, which promise no side effects, only end a request not yet sent.
  void watch_cancellation(const std::shared_ptr<request_state>& st) {
    auto slot = boost::asio::get_associated_cancellation_slot(st->handler);
    if (!slot.is_connected()) return;
    slot.assign([weak = weak_from_this(), wst = std::weak_ptr<request_state>(st),
                 ex = ex_](boost::asio::cancellation_type type) {
      // Posted: completing clears the slot, which must not happen inside the slot's own handler.
      boost::asio::post(ex, [weak, wst, type] {
        auto s = wst.lock();
        if (!s || s->done) return;
        const bool sent = !s->queued;
        if (sent && (type & boost::asio::cancellation_type::terminal) == boost::asio::cancellation_type::none)
          return;
        if (auto self = weak.lock()) self->unqueue(*s);
        s->complete(error::cancelled);
      });
    });
  }

  void cancel() {
    if (running_)
      finish_run(error::stopped);
    else
      fail_queue(error::stopped);
  }

  // hiredis events, called by the C trampolines from inside hiredis: record, then post the reaction.
  void on_connect_event(const redisAsyncContext* ac, int status) {
    if (ac != ac_) return;  // a context we already dropped
    const auto gen = generation_;
    if (status == REDIS_OK) {
      post_step(gen, [](connection_impl& self) { self.send_handshake(); });
      return;
    }
    ac_ = nullptr;  // hiredis frees it as soon as we return
    last_error_detail_ = ac->errstr != nullptr ? ac->errstr : "";
    post_step(gen, [](connection_impl& self) { self.drop(error::connect_failed); });
  }

  void on_disconnect_event(const redisAsyncContext* ac, int /*status*/) {
    if (ac != ac_) return;
    ac_ = nullptr;  // hiredis frees it as soon as we return
    const auto gen = generation_;
    const bool protocol_error = ac->err == REDIS_ERR_PROTOCOL;
    last_error_detail_ = ac->errstr != nullptr ? ac->errstr : "";
    post_step(gen, [protocol_error](connection_impl& self) {
      self.drop(protocol_error ? error::protocol : error::connection_lost);
    });
  }

  void note_reply() noexcept { last_reply_ = clock::now(); }

  // A command was answered -READONLY: with sentinels, the server we talk to is a replica now (a failover
  // demoted it). Called from inside hiredis: the drop is posted.
  void on_readonly(const redisAsyncContext* ac) {
    if (ac != ac_ || !sentinel_mode()) return;
    post_step(generation_, [](connection_impl& self) {
      self.last_error_detail_ = self.address_ + " answered -READONLY: it is a replica now";
      self.drop(error::not_master);
    });
  }

 private:
  bool ready() const noexcept { return state_ == state::ready && ac_ != nullptr; }
  bool sentinel_mode() const noexcept { return !settings_.sentinels.empty(); }

  static std::error_code validate(const request& req) {
    if (req.empty()) return error::empty_request;
    std::size_t pos = 0;
    for (const auto n : req.argument_counts()) {
      if (n == 0 || req.arguments()[pos].empty()) return error::empty_request;
      if (unsupported(req.arguments()[pos])) return error::unsupported_command;
      pos += n;
    }
    return {};
  }

  // Posts `step(*this)` to run later if the context generation is still `gen` (nothing dropped meanwhile).
  template <class Step>
  void post_step(std::uint64_t gen, Step step) {
    boost::asio::post(ex_, [weak = weak_from_this(), gen, step = std::move(step)] {
      auto self = weak.lock();
      if (!self || self->generation_ != gen) return;
      step(*self);
    });
  }

  void set_state(state s, std::error_code why = {}) {
    state_ = s;
    if (!observer_) return;
    state_change change{s, why, why ? last_error_detail_ : std::string()};
    boost::asio::post(ex_, [weak = weak_from_this(), change = std::move(change)] {
      if (auto self = weak.lock(); self && self->observer_) self->observer_(change);
    });
  }

  void start_connect() {
    set_state(state::connecting);
    if (!sentinel_mode()) {
      if (settings_.unix_socket.empty())
        connect_to(settings_.host, settings_.port);
      else
        connect_to_unix();
      return;
    }
    // Sentinel: the address comes from the sentinels before every attempt, never from memory.
    ++generation_;
    if (!resolver_) resolver_ = std::make_shared<sentinel_resolver>(ex_, settings_);
    resolver_->resolve([weak = weak_from_this(), gen = generation_](std::error_code ec, endpoint primary,
                                                                    std::string detail) {
      auto self = weak.lock();
      if (!self || self->generation_ != gen || self->state_ != state::connecting) return;
      if (ec) {
        self->last_error_detail_ = std::move(detail);
        self->drop(ec);
        return;
      }
      self->connect_to(primary.host, primary.port);
    });
  }

  void connect_to(const std::string& host, std::uint16_t port) {
    address_ = host.find(':') != std::string::npos ? "[" + host + "]:" + std::to_string(port)
                                                   : host + ":" + std::to_string(port);
    attach(redisAsyncConnect(host.c_str(), port));
  }

  void connect_to_unix() {
    address_ = settings_.unix_socket;
    attach(redisAsyncConnectUnix(settings_.unix_socket.c_str()));
  }

  void attach(redisAsyncContext* ac) {
    ++generation_;
    if (ac == nullptr || ac->err != 0) {
      // Refused at once (nothing listens on a loopback port or socket path): no hooks attached yet.
      last_error_detail_ = ac != nullptr && ac->errstr != nullptr ? ac->errstr : "cannot allocate a context";
      if (ac != nullptr) redisAsyncFree(ac);
      drop(error::connect_failed);
      return;
    }
    ac->data = this;
    if (!attach_asio(ac, ex_)) {
      redisAsyncFree(ac);
      last_error_detail_ = "cannot watch the socket";
      drop(error::connect_failed);
      return;
    }
    ac_ = ac;
    redisAsyncSetDisconnectCallback(ac, loa_redis_on_disconnect);
    redisAsyncSetConnectCallback(ac, loa_redis_on_connect);  // arms the write wait that completes connect
    // hiredis 0.14 has no timers: bound connect plus handshake ourselves.
    step_timer_.expires_after(settings_.connect_timeout);
    step_timer_.async_wait([weak = weak_from_this(), gen = generation_](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->generation_ != gen || self->state_ != state::connecting) return;
      self->last_error_detail_ = "no connection and handshake within connect_timeout";
      self->drop(error::connect_failed);
    });
  }

  // AUTH, SELECT and CLIENT SETNAME as configured, then PING: without a password where one is required, the
  // PING is what answers NOAUTH.
  void send_handshake() {
    if (ac_ == nullptr) return;
    request req;
    int auth_at = -1;
    int select_at = -1;
    if (!settings_.password.empty()) {
      auth_at = static_cast<int>(req.size());
      if (settings_.username.empty())
        req.push("AUTH", settings_.password);
      else
        req.push("AUTH", settings_.username, settings_.password);
    }
    if (settings_.db != 0) {
      select_at = static_cast<int>(req.size());
      req.push("SELECT", settings_.db);
    }
    if (!settings_.client_name.empty()) req.push("CLIENT", "SETNAME", settings_.client_name);
    req.push(sentinel_mode() ? "ROLE" : "PING");  // with sentinels: is it still the primary they named?
    auto handler = [weak = weak_from_this(), gen = generation_, auth_at, select_at](std::error_code ec,
                                                                                    response r) {
      auto self = weak.lock();
      if (!self || self->generation_ != gen) return;
      self->on_handshake(ec, r, auth_at, select_at);
    };
    send(std::make_shared<request_state>(ex_, std::move(req), exec_handler(std::move(handler))));
  }

  void on_handshake(std::error_code ec, const response& r, int auth_at, int select_at) {
    // connection_lost: hiredis is tearing the context down and on_disconnect_event names the cause
    // (protocol, EOF); the connect timeout covers anything else.
    if (ec == error::connection_lost) return;
    if (ec && ec != error::server_error) {
      last_error_detail_ = ec.message();
      drop(error::connect_failed);
      return;
    }
    if (ec == error::server_error) {
      error why = error::handshake_failed;
      for (std::size_t i = 0; i < r.size(); ++i) {
        if (!r[i].is_error()) continue;
        last_error_detail_ = r[i].str();
        // Only refusals that a retry cannot fix stop async_run; anything else the server says at this point
        // ("ERR max number of clients reached", LOADING) is retried.
        const std::string& text = r[i].str();
        const bool at_auth = static_cast<int>(i) == auth_at;
        if (text.starts_with("NOAUTH") || text.starts_with("WRONGPASS") ||
            (at_auth && text.find("password") != std::string::npos))
          why = error::auth_failed;
        else if (static_cast<int>(i) == select_at && text.find("DB index") != std::string::npos)
          why = error::select_failed;
        break;
      }
      drop(why);
      return;
    }
    if (sentinel_mode() && !says_master(r[r.size() - 1])) {
      last_error_detail_ = address_ + " answered ROLE " + role_name(r[r.size() - 1]);
      drop(error::not_master);
      return;
    }
    step_timer_.cancel();
    ++connects_;
    failed_attempts_ = 0;
    backoff_.reset();
    set_state(state::ready);
    flush_queue();
    last_reply_ = clock::now();
    ping_outstanding_ = false;
    arm_health();
  }

  void arm_health() {
    health_timer_.expires_after(settings_.health_check_interval);
    health_timer_.async_wait(
        [weak = weak_from_this(), gen = generation_](const boost::system::error_code& ec) {
          auto self = weak.lock();
          if (ec || !self || self->generation_ != gen) return;
          self->health_tick();
        });
  }

  // A connection is alive while anything comes back: a long pipeline delays the PING's answer but its
  // replies keep arriving. Only silence longer than health_check_timeout with a PING outstanding kills it.
  void health_tick() {
    if (!ready()) return;
    const auto now = clock::now();
    if (ping_outstanding_) {
      if (now - std::max(last_reply_, ping_sent_) >= settings_.health_check_timeout) {
        last_error_detail_ = "no reply within health_check_timeout";
        drop(error::health_check_failed);
        return;
      }
    } else {
      ping_outstanding_ = true;
      ping_sent_ = now;
      // With sentinels the health check is ROLE: a primary demoted without closing our connection is left.
      auto handler = [weak = weak_from_this(), gen = generation_](std::error_code ec, response r) {
        auto self = weak.lock();
        if (!self || self->generation_ != gen) return;
        self->ping_outstanding_ = false;
        if (!self->sentinel_mode() || ec || r.empty() || says_master(r[0])) return;
        self->last_error_detail_ = self->address_ + " answered ROLE " + role_name(r[0]);
        self->drop(error::not_master);
      };
      send(std::make_shared<request_state>(ex_, request{sentinel_mode() ? "ROLE" : "PING"},
                                           exec_handler(std::move(handler))));
    }
    arm_health();
  }

  // Hands every command to hiredis (which formats it into its output buffer and arms the write wait).
  void send(const std::shared_ptr<request_state>& st) {
    if (ac_ == nullptr) {
      st->complete(error::connection_lost);
      return;
    }
    auto pending = std::make_unique<pending_replies>(pending_replies{st, 0});
    const auto& args = st->req.arguments();
    bool refused = false;
    std::size_t pos = 0;
    for (const auto n : st->req.argument_counts()) {
      argv_.clear();
      lengths_.clear();
      for (std::size_t i = pos; i < pos + n; ++i) {
        argv_.push_back(args[i].data());
        lengths_.push_back(args[i].size());
      }
      pos += n;
      if (redisAsyncCommandArgv(ac_, loa_redis_on_reply, pending.get(), static_cast<int>(n), argv_.data(),
                                lengths_.data()) != REDIS_OK) {
        refused = true;  // the context is being torn down; it will tell us through on_disconnect_event
        break;
      }
      ++pending->left;
    }
    st->expected = pending->left;
    st->req = request{};  // hiredis copied the bytes; a large pipeline need not be held twice
    // From here hiredis' callbacks own it: each registered one is called exactly once, the last deletes it.
    if (pending->left > 0) static_cast<void>(pending.release());
    if (refused) st->complete(error::connection_lost);
  }

  void enqueue(const std::shared_ptr<request_state>& st) {
    if (queue_.size() >= settings_.max_queued) {
      st->complete(error::queue_full);
      return;
    }
    queue_.push_back(st);
    st->queue_pos = std::prev(queue_.end());
    st->queued = true;
  }

  void unqueue(request_state& st) {
    if (!st.queued) return;
    st.queued = false;
    queue_.erase(st.queue_pos);
  }

  void flush_queue() {
    while (!queue_.empty() && ready()) {
      auto st = std::move(queue_.front());
      queue_.pop_front();
      st->queued = false;
      if (!st->done) send(st);
    }
  }

  void fail_queue(std::error_code ec) {
    auto waiting = std::move(queue_);
    queue_.clear();
    for (auto& st : waiting) {
      st->queued = false;
      st->complete(ec);
    }
  }

  // Frees the context if we still hold it. hiredis then calls every pending reply callback with NULL
  // (requests in flight fail with connection_lost) and our cleanup hook; on_disconnect_event sees a context
  // that is no longer ours. Never called from inside a hiredis callback (only from posted steps and timers).
  void close_context() {
    if (ac_ == nullptr) return;
    auto* ac = ac_;
    ac_ = nullptr;
    ac->data = nullptr;
    redisAsyncFree(ac);
  }

  // The current connection or attempt ended with `why`: retry after a back-off, or stop.
  void drop(std::error_code why) {
    const bool was_ready = state_ == state::ready;
    close_context();
    ++generation_;
    step_timer_.cancel();
    health_timer_.cancel();
    ping_outstanding_ = false;
    last_error_ = why;
    if (!running_) {
      set_state(state::idle, why);
      return;
    }
    if (why == error::auth_failed || why == error::select_failed) {
      finish_run(why);
      return;
    }
    if (!was_ready) ++failed_attempts_;
    if (settings_.max_connect_attempts != 0 && failed_attempts_ >= settings_.max_connect_attempts) {
      finish_run(why);
      return;
    }
    set_state(state::waiting_to_retry, why);
    step_timer_.expires_after(backoff_.next());
    step_timer_.async_wait([weak = weak_from_this(), gen = generation_](const boost::system::error_code& ec) {
      auto self = weak.lock();
      if (ec || !self || self->generation_ != gen || !self->running_) return;
      self->start_connect();
    });
  }

  void finish_run(std::error_code why) {
    running_ = false;
    if (resolver_) resolver_->cancel();
    if (watch_) {
      watch_->stop();
      watch_.reset();
    }
    close_context();
    ++generation_;
    step_timer_.cancel();
    health_timer_.cancel();
    if (why != error::stopped) last_error_ = why;
    set_state(state::stopped, why);
    fail_queue(why);
    if (run_handler_) {
      post_completion(ex_, std::move(*run_handler_), why);
      run_handler_.reset();
    }
    run_work_ = {};
  }

  boost::asio::any_io_executor ex_;
  settings settings_;
  backoff backoff_;
  boost::asio::steady_timer step_timer_;    // connect timeout, then the back-off delay
  boost::asio::steady_timer health_timer_;  // PING cadence while ready
  redisAsyncContext* ac_ = nullptr;
  std::uint64_t generation_ = 0;  // bumped whenever a context is created or dropped; stale steps see a change
  state state_ = state::idle;
  bool running_ = false;
  std::optional<run_handler> run_handler_;
  boost::asio::any_completion_executor run_work_;
  unsigned failed_attempts_ = 0;
  std::uint64_t connects_ = 0;
  std::error_code last_error_;
  std::string last_error_detail_;
  std::list<std::shared_ptr<request_state>> queue_;
  clock::time_point last_reply_{};
  clock::time_point ping_sent_{};
  bool ping_outstanding_ = false;
  std::function<void(const state_change&)> observer_;
  std::vector<const char*> argv_;  // scratch for redisAsyncCommandArgv
  std::vector<std::size_t> lengths_;
  std::shared_ptr<sentinel_resolver> resolver_;  // with sentinels: asks them before every attempt
  std::shared_ptr<switch_watch> watch_;          // with sentinels: +switch-master while running
  std::string address_;  // host:port (or socket path) of the current or last connection attempt
};

}  // namespace detail
}  // namespace loa::redis

extern "C" {
static void loa_redis_on_connect(const redisAsyncContext* ac, int status) {
  if (auto* impl = static_cast<loa::redis::detail::connection_impl*>(ac->data))
    impl->on_connect_event(ac, status);
}

static void loa_redis_on_disconnect(const redisAsyncContext* ac, int status) {
  if (auto* impl = static_cast<loa::redis::detail::connection_impl*>(ac->data))
    impl->on_disconnect_event(ac, status);
}

// One reply (or NULL when the context goes away) for one command of a sent request.
static void loa_redis_on_reply(redisAsyncContext* ac, void* r, void* privdata) {
  using namespace loa::redis;
  auto* pending = static_cast<detail::pending_replies*>(privdata);
  auto& st = *pending->state;
  auto* impl = static_cast<detail::connection_impl*>(ac->data);
  if (r != nullptr && impl != nullptr) impl->note_reply();
  if (r != nullptr && impl != nullptr) {
    const auto* rr = static_cast<const redisReply*>(r);
    if (rr->type == REDIS_REPLY_ERROR && rr->len >= 8 && std::string_view(rr->str, 8) == "READONLY")
      impl->on_readonly(ac);
  }
  if (!st.done) {
    if (r == nullptr) {
      st.complete(error::connection_lost);
    } else {
      st.replies.push_back(detail::convert(*static_cast<const redisReply*>(r)));
      if (st.replies.back().is_error()) st.saw_error = true;
      if (st.replies.size() == st.expected)
        st.complete(st.saw_error ? error::server_error : std::error_code());
    }
  }
  if (--pending->left == 0) delete pending;
}
}

namespace loa::redis {

connection::connection(boost::asio::any_io_executor ex, settings s) {
  if (s.cluster.empty())
    impl_ = std::make_shared<detail::connection_impl>(std::move(ex), std::move(s));
  else
    cluster_ = std::make_shared<detail::cluster_client>(std::move(ex), std::move(s));
}

connection::~connection() {
  cancel();
}

// Each call goes to the one implementation this connection has.
#define LOA_REDIS_DISPATCH(call) return cluster_ ? cluster_->call : impl_->call

boost::asio::any_io_executor connection::get_executor() const noexcept {
  LOA_REDIS_DISPATCH(executor());
}
void connection::cancel() {
  LOA_REDIS_DISPATCH(cancel());
}
state connection::current_state() const noexcept {
  LOA_REDIS_DISPATCH(current_state());
}
std::error_code connection::last_error() const noexcept {
  LOA_REDIS_DISPATCH(last_error());
}
const std::string& connection::last_error_detail() const noexcept {
  LOA_REDIS_DISPATCH(last_error_detail());
}
std::uint64_t connection::connects() const noexcept {
  LOA_REDIS_DISPATCH(connects());
}
const std::string& connection::address() const noexcept {
  LOA_REDIS_DISPATCH(address());
}
int connection::wait_replicas() const noexcept {
  LOA_REDIS_DISPATCH(config().wait_replicas);
}
std::chrono::milliseconds connection::wait_timeout() const noexcept {
  LOA_REDIS_DISPATCH(config().wait_timeout);
}
std::size_t connection::queued() const noexcept {
  LOA_REDIS_DISPATCH(queued());
}
void connection::set_observer(std::function<void(const state_change&)> observer) {
  LOA_REDIS_DISPATCH(set_observer(std::move(observer)));
}
void connection::start_run(boost::asio::any_completion_handler<run_signature> handler) {
  LOA_REDIS_DISPATCH(run(std::move(handler)));
}
void connection::start_exec(request req, boost::asio::any_completion_handler<exec_signature> handler) {
  LOA_REDIS_DISPATCH(exec(std::move(req), std::move(handler)));
}

#undef LOA_REDIS_DISPATCH

void connection::start_check(std::chrono::milliseconds limit,
                             boost::asio::any_completion_handler<check_signature> handler) {
  if (cluster_) {
    cluster_->check(limit, std::move(handler));
    return;
  }
  request ping;
  ping.push("PING");
  ping.timeout = limit;
  // exec's completion is never inline, so neither is this one.
  impl_->exec(std::move(ping), [impl = impl_, h = std::move(handler)](std::error_code ec, response r) mutable {
    node_check c{impl->address(), ec, {}};
    if (!r.empty() && r[0].is_error())
      c.detail = r[0].str();
    else if (ec)
      c.detail = impl->last_error_detail();
    std::move(h)(std::vector<node_check>{std::move(c)});
  });
}

}  // namespace loa::redis
