// A scriptable SMSC on 127.0.0.1:0 inside the test process (go-smpp's smpptest idea): it answers binds,
// enquire_link, submit_sm and unbind by default; each test replaces the handler to misbehave on purpose.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "gateway/smpp/codec.hpp"
#include "gateway/smpp/pdu.hpp"

namespace loa::test {

namespace asio = boost::asio;

/// One accepted connection of the fake SMSC.
struct fake_link : std::enable_shared_from_this<fake_link> {
  explicit fake_link(asio::ip::tcp::socket s) : socket(std::move(s)) {}
  asio::ip::tcp::socket socket;
  std::vector<std::uint8_t> pending;
  bool writing = false;
  bool open = true;

  /// Queues raw bytes (writes keep their order).
  void write_raw(std::vector<std::uint8_t> bytes) {
    if (!open) return;
    pending.insert(pending.end(), bytes.begin(), bytes.end());
    flush();
  }
  /// Queues one PDU.
  void write(const smpp::pdu& p) {
    std::vector<std::uint8_t> out;
    auto ec = smpp::encode(p, out);
    if (!ec) write_raw(std::move(out));
  }
  /// Drops the connection.
  void close() {
    if (!open) return;
    open = false;
    boost::system::error_code ignored;
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

 private:
  void flush() {
    if (writing || pending.empty() || !open) return;
    writing = true;
    auto buf = std::make_shared<std::vector<std::uint8_t>>(std::move(pending));
    pending.clear();
    asio::async_write(socket, asio::buffer(*buf),
                      [self = shared_from_this(), buf](boost::system::error_code ec, std::size_t) {
                        self->writing = false;
                        if (!ec) self->flush();
                      });
  }
};

/// The fake SMSC; its handler sees every decoded PDU and may answer through the link.
struct fake_smsc {
  using handler = std::function<void(fake_link&, const smpp::pdu&)>;

  explicit fake_smsc(asio::io_context& context)
      : io(context), acceptor(context, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
    on_pdu = [this](fake_link& l, const smpp::pdu& p) { answer(l, p); };
    asio::co_spawn(io, accept_loop(), asio::detached);
  }
  ~fake_smsc() { stop(); }

  /// The port it listens on.
  std::uint16_t port() const { return acceptor.local_endpoint().port(); }

  /// The default behaviour: bind ok, enquire_link answered, submit_sm accepted with id "m<sequence>", unbind
  /// ok.
  void answer(fake_link& l, const smpp::pdu& p) {
    using smpp::command_id;
    switch (p.id) {
      case command_id::bind_transceiver:
      case command_id::bind_transmitter:
      case command_id::bind_receiver:
        l.write({smpp::response_id(p.id), bind_status, p.sequence, smpp::bind_resp{"FAKE", {}}});
        break;
      case command_id::enquire_link:
        l.write({command_id::enquire_link_resp, 0, p.sequence, smpp::empty{}});
        break;
      case command_id::submit_sm:
        l.write({command_id::submit_sm_resp, 0, p.sequence,
                 smpp::message_resp{"m" + std::to_string(p.sequence), {}}});
        break;
      case command_id::unbind:
        l.write({command_id::unbind_resp, 0, p.sequence, smpp::empty{}});
        break;
      default:
        break;
    }
  }

  /// Stops accepting and drops every link.
  void stop() {
    boost::system::error_code ignored;
    acceptor.close(ignored);
    for (auto& l : links) l->close();
  }

  /// PDUs of one command_id received so far.
  std::vector<smpp::pdu> received_of(smpp::command_id id) const {
    std::vector<smpp::pdu> out;
    for (const auto& p : received)
      if (p.id == id) out.push_back(p);
    return out;
  }

  asio::io_context& io;
  asio::ip::tcp::acceptor acceptor;
  handler on_pdu;
  std::uint32_t bind_status = 0;
  std::vector<smpp::pdu> received;
  std::vector<std::shared_ptr<fake_link>> links;
  int connections = 0;

 private:
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) co_return;
      ++connections;
      auto l = std::make_shared<fake_link>(std::move(socket));
      links.push_back(l);
      asio::co_spawn(io, read_loop(l), asio::detached);
    }
  }

  asio::awaitable<void> read_loop(std::shared_ptr<fake_link> l) {
    std::vector<std::uint8_t> rx;
    std::uint8_t chunk[4096];
    for (;;) {
      auto [ec, n] =
          co_await l->socket.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
      if (ec) {
        l->open = false;
        co_return;
      }
      rx.insert(rx.end(), chunk, chunk + n);
      for (;;) {
        auto probe = smpp::probe_frame(rx);
        if (probe.state != smpp::frame_state::complete) break;
        auto r = smpp::decode(std::span<const std::uint8_t>(rx).first(probe.length));
        rx.erase(rx.begin(), rx.begin() + static_cast<std::ptrdiff_t>(probe.length));
        if (!r) continue;
        received.push_back(r.value);
        if (on_pdu) on_pdu(*l, r.value);
      }
    }
  }
};

/// Runs `io` until `done()` holds or `limit` passes; returns done(). Bounds the test, asserts nothing on
/// time.
inline bool run_until(asio::io_context& io, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::milliseconds{5000}) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (!done() && std::chrono::steady_clock::now() < end) {
    io.run_for(std::chrono::milliseconds{5});
    if (io.stopped()) io.restart();
  }
  return done();
}

}  // namespace loa::test
