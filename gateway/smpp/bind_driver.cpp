#include "gateway/smpp/bind_driver.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <span>
#include <unordered_map>
#include <variant>
#include <vector>

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "gateway/common/tcp_or_tls_stream.hpp"
#include "gateway/common/tls.hpp"

namespace loa::smpp {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t timer_count = static_cast<std::size_t>(timer_id::unbind_response) + 1;
constexpr std::size_t read_chunk = 16 * 1024;
constexpr std::size_t max_logged_bytes = 256;

std::size_t slot(timer_id id) {
  return static_cast<std::size_t>(id);
}

std::uint32_t get_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// The bytes for the log; a frame can be 64 KiB, the log needs its beginning.
std::string hex_for_log(std::span<const std::uint8_t> bytes) {
  if (bytes.size() <= max_logged_bytes) return to_hex(bytes);
  return to_hex(bytes.first(max_logged_bytes)) + "... (" + std::to_string(bytes.size()) + " octets)";
}

// One TCP connection, in clear or TLS. A reconnect makes a fresh one, so late completions for an old one
// touch only the old one.
struct connection {
  explicit connection(const asio::any_io_executor& ex) : stream(ex), wake(ex), flush_deadline(ex) {}
  std::unique_ptr<asio::ssl::context> tls;  // TLS binds: what the stream's TLS uses, made per connection so
                                            // that a renewed CA file is read at the next reconnect
  tcp_or_tls_stream stream;
  asio::steady_timer wake;            // the writer sleeps on it; cancel() wakes it
  asio::steady_timer flush_deadline;  // a closing connection gets this long to write what the session sent
  std::vector<std::uint8_t> out;      // encoded PDUs not yet handed to the socket
  bool connected = false;
  bool closing = false;  // the session closed it: write `out`, then close
  bool done = false;     // the socket is closed

  void close_now() {
    if (done) return;
    done = true;
    stream.close();
    wake.cancel();
    flush_deadline.cancel();
  }
};

}  // namespace

struct bind_driver::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& context, bind_settings s, rate_limiter& limiter, bind_callbacks cb)
      : io(context),
        settings(seeded(std::move(s), cb)),
        callbacks(std::move(cb)),
        machine(settings.session, &limiter) {
    timers.reserve(timer_count);
    for (std::size_t i = 0; i < timer_count; ++i) timers.emplace_back(io);
  }

  asio::io_context& io;
  bind_settings settings;
  bind_callbacks callbacks;
  session machine;
  std::shared_ptr<connection> current;  // the connection the session talks to, if any
  std::vector<asio::steady_timer> timers;
  std::array<std::uint64_t, timer_count> timer_generation{};  // an expiry counts only if not re-armed since
  std::unordered_map<std::uint64_t, submit_handler> submits;
  std::uint64_t next_token = 1;
  std::vector<stop_handler> stop_waiters;
  bool detached = false;  // the bind_driver is gone: complete handlers, call no callbacks, start nothing

  static session_clock::time_point now() { return session_clock::now(); }

  // Seed 0 means "not chosen": binds of one carrier (and gateways sharing it) must not draw the same jitter,
  // or they reconnect in lock-step after an outage.
  static bind_settings seeded(bind_settings s, const bind_callbacks& cb) {
    s.session.defer_deliver_resp = static_cast<bool>(cb.on_deliver_unanswered);
    if (s.session.seed == 0) {
      std::random_device rd;
      s.session.seed = (std::uint64_t{rd()} << 32) | rd();
    }
    return s;
  }

  void perform(session_actions acts) {
    auto keep = shared_from_this();  // a callback may destroy the bind_driver
    for (auto& a : acts) std::visit([this](auto& x) { handle(x); }, a);
  }

  void log(std::error_code ec, std::string_view detail) {
    if (!detached && callbacks.on_log) callbacks.on_log(ec, detail);
  }

  // ---- actions ----
  void handle(action::connect&) {
    if (detached) return;
    auto c = std::make_shared<connection>(io.get_executor());
    current = c;
    asio::co_spawn(io, run_connection(shared_from_this(), c), asio::detached);
  }

  void handle(action::send& s) {
    if (!current || current->done) return;  // the connection is gone; the session learns it from on_closed
    if (auto ec = encode(s.value, current->out)) {
      log(ec, "cannot encode an outgoing PDU");
      return;
    }
    current->wake.cancel();
  }

  void handle(action::arm_timer& a) {
    if (detached) return;
    const auto i = slot(a.id);
    const auto generation = ++timer_generation[i];
    timers[i].expires_after(a.after);
    timers[i].async_wait([self = shared_from_this(), id = a.id, generation](boost::system::error_code ec) {
      if (ec || self->detached || self->timer_generation[slot(id)] != generation) return;
      self->perform(self->machine.on_timer(id, now()));
    });
  }

  void handle(action::cancel_timer& a) {
    ++timer_generation[slot(a.id)];
    timers[slot(a.id)].cancel();
  }

  void handle(action::close&) {
    auto c = std::move(current);
    current.reset();
    if (!c) return;
    if (!c->connected || detached) {
      c->close_now();  // also aborts a connect in progress
      return;
    }
    // Write what the session sent before closing (a generic_nack, an unbind_resp), but not forever.
    c->closing = true;
    c->wake.cancel();
    c->flush_deadline.expires_after(settings.close_flush_timeout);
    c->flush_deadline.async_wait([c](boost::system::error_code ec) {
      if (!ec) c->close_now();
    });
  }

  void handle(action::bound& b) {
    if (!detached && callbacks.on_bound) callbacks.on_bound(b.smsc_system_id);
  }
  void handle(action::unbound& u) {
    if (!detached && callbacks.on_unbound) callbacks.on_unbound(u.reason);
  }
  void handle(action::bind_refused& r) {
    if (!detached && callbacks.on_bind_refused) callbacks.on_bind_refused(r.reason, r.slow);
  }
  void handle(action::deliver& d) {
    if (detached) return;
    if (callbacks.on_deliver_unanswered) {
      std::weak_ptr<impl> self = shared_from_this();
      deliver_ack ack([self, connection = d.connection, sequence = d.value.sequence](std::uint32_t status) {
        if (auto me = self.lock(); me && !me->detached)
          me->perform(me->machine.answer_deliver(connection, sequence, status));
      });
      callbacks.on_deliver_unanswered(d.value, std::move(ack));
    } else if (callbacks.on_deliver) {
      callbacks.on_deliver(d.value);
    }
  }
  void handle(action::slots_free& f) {
    if (!detached && callbacks.on_slots_free) callbacks.on_slots_free(f.count);
  }
  void handle(action::problem& p) { log(p.error, p.detail); }
  void handle(action::link_alive& a) {
    if (!detached && callbacks.on_link_alive)
      callbacks.on_link_alive(std::chrono::duration_cast<std::chrono::microseconds>(a.round_trip));
  }
  void handle(action::submit_result& r) { complete_submit(r.token, std::move(r.outcome)); }
  void handle(action::stopped&) {
    auto waiters = std::move(stop_waiters);
    stop_waiters.clear();
    for (auto& h : waiters) asio::post(io, std::move(h));
  }

  void complete_submit(std::uint64_t token, submit_outcome outcome) {
    auto it = submits.find(token);
    if (it == submits.end()) return;
    auto h = std::move(it->second);
    submits.erase(it);
    // Posted, never called inline: the caller's coroutine must not resume inside the session's step.
    asio::post(io, asio::append(std::move(h), std::move(outcome)));
  }

  // ---- the connection ----
  void connection_ended(const std::shared_ptr<connection>& c, std::error_code ec) {
    if (c->done) return;
    c->close_now();
    if (c != current) return;  // the session closed it itself and already knows
    current.reset();
    perform(machine.on_closed(ec, now()));
  }

  void on_frame(std::span<const std::uint8_t> frame) {
    auto r = decode(frame);
    if (r) {
      perform(machine.on_pdu(r.value, now()));
      return;
    }
    malformed_frame m{r.ec, std::nullopt, r.detail, hex_for_log(frame)};
    if (frame.size() >= header_size) m.head = r.head;
    perform(machine.on_malformed(m, now()));
  }

  static asio::awaitable<std::error_code> connect_op(std::shared_ptr<impl> self,
                                                     std::shared_ptr<connection> c) {
    const auto& s = self->settings;
    if (s.tls) {  // a CA file that cannot be read fails before anything goes on the wire
      c->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
      if (auto ec = tls::trust(*c->tls, s.tls_ca)) co_return ec;
    }
    tcp::resolver resolver(c->stream.get_executor());
    auto [rec, endpoints] = co_await resolver.async_resolve(s.host, std::to_string(s.port), use_tuple);
    if (rec) co_return std::error_code(rec);
    auto [cec, endpoint] = co_await asio::async_connect(c->stream.tcp(), endpoints, use_tuple);
    (void)endpoint;
    if (cec || !s.tls) co_return std::error_code(cec);
    // The bind (and its password) goes out only after the SMSC proved it holds a certificate for `host`.
    c->stream.start_tls(*c->tls);
    if (auto ec = tls::expect_host(c->stream.tls().native_handle(), s.host)) co_return ec;
    auto [hec] = co_await c->stream.tls().async_handshake(asio::ssl::stream_base::client, use_tuple);
    co_return hec ? tls::explain_handshake_failure(c->stream.tls().native_handle(), hec) : std::error_code{};
  }

  static asio::awaitable<void> run_connection(std::shared_ptr<impl> self, std::shared_ptr<connection> c) {
    using namespace asio::experimental::awaitable_operators;
    asio::steady_timer deadline(c->stream.get_executor());
    deadline.expires_after(self->settings.connect_timeout);
    auto result = co_await (connect_op(self, c) || deadline.async_wait(use_tuple));
    std::error_code ec =
        result.index() == 0 ? std::get<0>(result) : std::make_error_code(std::errc::timed_out);
    if (c != self->current || self->detached) {  // shut down while connecting
      c->close_now();
      co_return;
    }
    if (ec) {
      c->close_now();
      self->current.reset();
      self->perform(self->machine.on_connect_failed(ec, now()));
      co_return;
    }
    c->connected = true;
    boost::system::error_code ignored;
    c->stream.tcp().set_option(tcp::no_delay(true), ignored);  // small PDUs: latency bounds the throughput
    asio::co_spawn(c->stream.get_executor(), write_loop(self, c), asio::detached);
    self->perform(self->machine.on_connected(now()));
    co_await read_loop(self, c);
  }

  static asio::awaitable<void> write_loop(std::shared_ptr<impl> self, std::shared_ptr<connection> c) {
    for (;;) {
      if (c->done) co_return;
      if (c->out.empty()) {
        if (c->closing) {
          c->close_now();
          co_return;
        }
        c->wake.expires_at(asio::steady_timer::time_point::max());
        co_await c->wake.async_wait(use_tuple);  // woken by cancel(): more to write, closing, or closed
        continue;
      }
      // Everything the session sent so far goes out in one write: fewer syscalls when the window is wide.
      std::vector<std::uint8_t> batch;
      batch.swap(c->out);
      auto [ec, n] = co_await asio::async_write(c->stream, asio::buffer(batch), use_tuple);
      (void)n;
      if (ec) {
        self->connection_ended(c, ec);
        co_return;
      }
    }
  }

  static asio::awaitable<void> read_loop(std::shared_ptr<impl> self, std::shared_ptr<connection> c) {
    std::vector<std::uint8_t> rx;
    rx.reserve(read_chunk);
    for (;;) {
      if (c->done || c->closing || c != self->current) co_return;
      const auto old = rx.size();
      rx.resize(old + read_chunk);
      auto [ec, n] = co_await c->stream.async_read_some(asio::buffer(rx.data() + old, read_chunk), use_tuple);
      rx.resize(old + n);
      if (ec) {
        self->connection_ended(c, ec);
        co_return;
      }
      std::size_t start = 0;
      while (c == self->current && !c->closing) {
        const auto view = std::span<const std::uint8_t>(rx).subspan(start);
        const auto probe = probe_frame(view, self->settings.max_command_length);
        if (probe.state == frame_state::need_more) break;
        if (probe.state == frame_state::invalid) {
          // command_length is checked before anything of the body is read or allocated; past a bad length
          // nothing marks where the next PDU starts, so the session answers and starts a new connection.
          malformed_frame m{probe.ec, std::nullopt,
                            "command_length " + std::to_string(view.size() >= 4 ? get_u32(view.data()) : 0) +
                                " out of range",
                            hex_for_log(view)};
          if (view.size() >= header_size)
            m.head = header{get_u32(view.data()), get_u32(view.data() + 4), get_u32(view.data() + 8),
                            get_u32(view.data() + 12)};
          self->perform(self->machine.on_malformed(m, now()));
          co_return;
        }
        self->on_frame(view.first(probe.length));
        start += probe.length;
      }
      rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(start));
    }
  }
};

bind_driver::bind_driver(asio::io_context& io, bind_settings settings, rate_limiter& limiter,
                         bind_callbacks callbacks)
    : impl_(std::make_shared<impl>(io, std::move(settings), limiter, std::move(callbacks))) {}

bind_driver::~bind_driver() {
  auto& d = *impl_;
  d.detached = true;
  // Settle every request: sent ones become uncertain, queued ones retry. No callback runs any more.
  const auto now = session_clock::now();
  d.perform(d.machine.shutdown(now));
  d.perform(d.machine.on_closed(make_error_code(error::connection_closed), now));
  for (std::size_t i = 0; i < timer_count; ++i) {
    ++d.timer_generation[i];
    d.timers[i].cancel();
  }
  if (d.current) d.current->close_now();
  d.current.reset();
}

void bind_driver::start() {
  impl_->perform(impl_->machine.start(session_clock::now()));
}

void bind_driver::submit_impl(short_message message, submit_handler handler) {
  auto& d = *impl_;
  // A body that cannot go on the wire must fail as permanent here, not time out later. (Checked, not packed:
  // packing every message twice cost a quarter of the gateway's time per message.)
  const auto token = d.next_token++;
  d.submits.emplace(token, std::move(handler));
  if (!encodable(message)) {
    d.log(make_error_code(error::encode_failed), encode_problem(message));
    submit_outcome o;
    o.kind = outcome_kind::permanent;
    o.error = make_error_code(error::encode_failed);
    d.complete_submit(token, std::move(o));
    return;
  }
  d.perform(d.machine.submit(token, std::move(message), session_clock::now()));
}

void bind_driver::stop_impl(stop_handler handler) {
  auto& d = *impl_;
  d.stop_waiters.push_back(std::move(handler));
  d.perform(d.machine.shutdown(session_clock::now()));
}

void deliver_ack::operator()(std::uint32_t status) const {
  if (answer_) answer_(status);
}

void bind_driver::enquire_link() { impl_->perform(impl_->machine.enquire_now(impl::now())); }

session_state bind_driver::state() const {
  return impl_->machine.state();
}
std::size_t bind_driver::outstanding() const {
  return impl_->machine.outstanding();
}
std::size_t bind_driver::queued() const {
  return impl_->machine.queued();
}
std::size_t bind_driver::free_capacity() const {
  return impl_->machine.free_capacity();
}

}  // namespace loa::smpp
