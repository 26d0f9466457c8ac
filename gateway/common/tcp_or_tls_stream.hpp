// A TCP connection that carries its bytes either in clear or inside TLS, chosen at run time: one type, so
// that one read loop and one write loop serve plain and TLS connections alike (SMPP binds, the simulator's
// sessions). Asio's read/write algorithms take it like a socket.
#pragma once

#include <boost/asio/async_result.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>

#include <cstddef>
#include <utility>
#include <variant>

namespace loa {

/// A socket, or a TLS stream over the socket once start_tls was called. One I/O thread, like a socket.
class tcp_or_tls_stream {
 public:
  using executor_type = boost::asio::any_io_executor;
  using socket_type = boost::asio::ip::tcp::socket;
  using tls_type = boost::asio::ssl::stream<socket_type>;

  /// A socket not yet connected.
  explicit tcp_or_tls_stream(const executor_type& executor)
      : stream_(std::in_place_type<socket_type>, executor) {}
  /// A socket already connected (accepted).
  explicit tcp_or_tls_stream(socket_type socket) : stream_(std::move(socket)) {}

  /// From now on reads and writes go through TLS with `context` (which must outlive this); the handshake
  /// comes next. Call once, after connecting and before any other I/O.
  void start_tls(boost::asio::ssl::context& context) {
    socket_type socket = std::move(std::get<socket_type>(stream_));
    stream_.emplace<tls_type>(std::move(socket), context);
  }

  /// True once start_tls was called.
  bool is_tls() const noexcept { return std::holds_alternative<tls_type>(stream_); }

  /// The TLS stream (only after start_tls): for the handshake and OpenSSL's handle.
  tls_type& tls() { return std::get<tls_type>(stream_); }

  /// The TCP socket underneath: for connecting, socket options and the peer's address.
  socket_type& tcp() {
    if (auto* tls = std::get_if<tls_type>(&stream_)) return tls->next_layer();
    return std::get<socket_type>(stream_);
  }

  executor_type get_executor() { return tcp().get_executor(); }

  /// Reads some bytes, decrypted when TLS: void(error_code, std::size_t).
  template <class MutableBuffers, class CompletionToken>
  auto async_read_some(const MutableBuffers& buffers, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const MutableBuffers& b) {
          if (auto* tls = std::get_if<tls_type>(&stream_)) {
            tls->async_read_some(b, std::move(handler));
          } else {
            std::get<socket_type>(stream_).async_read_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  /// Writes some bytes, encrypted when TLS: void(error_code, std::size_t).
  template <class ConstBuffers, class CompletionToken>
  auto async_write_some(const ConstBuffers& buffers, CompletionToken&& token) {
    return boost::asio::async_initiate<CompletionToken, void(boost::system::error_code, std::size_t)>(
        [this](auto handler, const ConstBuffers& b) {
          if (auto* tls = std::get_if<tls_type>(&stream_)) {
            tls->async_write_some(b, std::move(handler));
          } else {
            std::get<socket_type>(stream_).async_write_some(b, std::move(handler));
          }
        },
        token, buffers);
  }

  /// Closes the socket at once (no TLS close_notify: SMPP's unbind already ended the session); pending
  /// operations complete with operation_aborted.
  void close() {
    boost::system::error_code ignored;
    tcp().shutdown(socket_type::shutdown_both, ignored);
    tcp().close(ignored);
  }

 private:
  std::variant<socket_type, tls_type> stream_;
};

}  // namespace loa
