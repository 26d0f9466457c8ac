#include "gateway/api/http_server.hpp"

#include <fmt/format.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>

#include <array>
#include <list>
#include <type_traits>
#include <unordered_map>
#include <variant>

#include "gateway/api/names.hpp"
#include "gateway/api/read_pace.hpp"
#include "gateway/common/backoff.hpp"
#include "gateway/common/log_throttle.hpp"
#include "segments/printable.hpp"

namespace loa::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

namespace {

using namespace std::chrono_literals;

// After the last reply of a connection whose client may still be sending (a body the server refused to
// read), incoming bytes are read and dropped this long before the close, so the client's kernel does not
// answer our close with a reset that destroys the reply before the client reads it (nginx's lingering close).
constexpr auto linger_time = 2s;

// The answer to a connection over the cap, written without waiting: it fits any socket buffer.
constexpr std::string_view over_capacity_reply =
    "HTTP/1.1 503 Service Unavailable\r\nServer: loa\r\nContent-Type: application/json\r\n"
    "Connection: close\r\nRetry-After: 1\r\nContent-Length: 69\r\n\r\n"
    "{\"error\":\"the gateway has too many open connections; try again later\"}";

// What one request came to: the reply to write (none: close at once) and whether the connection stays open.
struct outcome {
  std::optional<response> reply;
  bool keep_alive = false;
};

outcome closing(response r) {
  return {std::move(r), false};
}

response payload_too_large(std::uint64_t limit) {
  return error_response(
      http::status::payload_too_large,
      fmt::format("the request body is larger than the {} bytes this route accepts", limit));
}

// Errors that only mean the client went away or was too slow: closed without a word.
bool is_quiet_end(const beast::error_code& ec) {
  return ec == http::error::end_of_stream || ec == beast::error::timeout ||
         ec == asio::error::operation_aborted || ec == asio::error::connection_reset ||
         ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

// Accept failures that mean the process or the system is out of something (descriptors, buffers, memory):
// accepting again at once would fail again at once.
bool is_exhaustion(const beast::error_code& ec) {
  return ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
         ec == asio::error::no_memory || ec == beast::error_code(ENFILE, boost::system::system_category());
}

}  // namespace

struct http_server::state : std::enable_shared_from_this<state> {
  state(asio::io_context& io_, server_settings s, router r)
      : io(io_),
        settings(std::move(s)),
        routes(std::move(r)),
        acceptor(io_),
        accept_pause(io_),
        accept_log(settings.log_interval),
        capacity_log(settings.log_interval),
        handshake_log(settings.log_interval) {}

  asio::io_context& io;
  server_settings settings;
  router routes;
  tcp::acceptor acceptor;
  std::optional<ssl::context> tls;
  asio::steady_timer accept_pause;
  std::list<std::weak_ptr<plain_stream>> connections;  // the TCP layer of every open connection, for stop()
  int open = 0;
  std::unordered_map<std::string, int> open_from;  // per client address
  log_throttle accept_log, capacity_log, handshake_log;
  bool stopped = false;

  void log(std::string_view line) const {
    if (settings.log) settings.log(line);
  }

  // One connection's place under the caps, given back when the connection ends.
  class slot {
   public:
    slot(std::shared_ptr<state> owner, std::string remote)
        : owner_(std::move(owner)), remote_(std::move(remote)) {
      ++owner_->open;
      ++owner_->open_from[remote_];
    }
    slot(slot&& other) noexcept : owner_(std::move(other.owner_)), remote_(std::move(other.remote_)) {}
    slot(const slot&) = delete;
    slot& operator=(const slot&) = delete;
    slot& operator=(slot&&) = delete;
    ~slot() {
      if (!owner_) return;
      --owner_->open;
      if (auto it = owner_->open_from.find(remote_); it != owner_->open_from.end() && --it->second <= 0)
        owner_->open_from.erase(it);
    }
    const std::string& remote() const { return remote_; }

   private:
    std::shared_ptr<state> owner_;
    std::string remote_;
  };

  void load_tls() {
    if (settings.tls_cert.empty() && settings.tls_key.empty()) return;
    tls.emplace(ssl::context::tls_server);
    tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                     ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use);
    beast::error_code ec;
    tls->use_certificate_chain_file(settings.tls_cert, ec);
    if (ec)
      throw tls_setup_error(fmt::format("gateway.tls.cert: {} is not a usable PEM certificate chain: {}",
                                        settings.tls_cert, ec.message()));
    tls->use_private_key_file(settings.tls_key, ssl::context::pem, ec);
    if (ec)
      throw tls_setup_error(fmt::format("gateway.tls.key: {} is not a usable PEM private key for {}: {}",
                                        settings.tls_key, settings.tls_cert, ec.message()));
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    // Out of descriptors, accept fails at once for as long as the shortage lasts: wait between attempts
    // (open connections are served meanwhile, and closing them gives descriptors back).
    backoff pause({std::chrono::milliseconds(50), 2.0, std::chrono::milliseconds(1000), 0.0});
    std::uint64_t failures = 0;
    while (!stopped) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (stopped || ec == asio::error::operation_aborted) co_return;
        if (ec == asio::error::connection_aborted) continue;  // the client left before we took it
        ++failures;
        if (std::uint64_t left_out = 0; accept_log.allow(log_throttle::clock::now(), left_out))
          log(fmt::format("accept failed: {}{}; accepting more slowly, open connections are still served",
                          ec.message(), left_out ? fmt::format(" (and {} more times since)", left_out) : ""));
        accept_pause.expires_after(is_exhaustion(ec) ? pause.next() : pause.settings().initial);
        co_await accept_pause.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      if (failures > 0) {
        log(fmt::format("accepting again after {} failed accepts", failures));
        failures = 0;
        pause.reset();
      }
      admit(std::move(socket));
    }
  }

  // A new connection: served if under both caps, else answered 503 (plain HTTP) or closed (TLS, where an
  // answer would cost a handshake).
  void admit(tcp::socket socket) {
    beast::error_code ec;
    const auto peer = socket.remote_endpoint(ec);
    std::string remote = ec ? std::string("unknown") : peer.address().to_string();
    const auto from = open_from.find(remote);
    const int from_remote = from == open_from.end() ? 0 : from->second;
    if (open >= settings.max_connections || from_remote >= settings.max_connections_per_address) {
      if (!tls) {
        socket.non_blocking(true, ec);
        socket.write_some(asio::buffer(over_capacity_reply), ec);
      }
      socket.close(ec);
      if (std::uint64_t left_out = 0; capacity_log.allow(log_throttle::clock::now(), left_out))
        log(fmt::format(
            "refused a connection from {}: {} open in all (max_connections {}), {} from that address "
            "(max_connections_per_address {}){}",
            remote, open, settings.max_connections, from_remote, settings.max_connections_per_address,
            left_out ? fmt::format("; {} more refused since the last such line", left_out) : ""));
      return;
    }
    slot place(shared_from_this(), std::move(remote));
    connections.remove_if([](const auto& w) { return w.expired(); });
    if (tls) {
      auto stream = std::make_shared<tls_stream>(std::move(socket), *tls);
      connections.emplace_back(std::shared_ptr<plain_stream>(stream, &stream->next_layer()));
      asio::co_spawn(io, serve(stream, std::move(place)), asio::detached);
    } else {
      auto stream = std::make_shared<plain_stream>(std::move(socket));
      connections.emplace_back(stream);
      asio::co_spawn(io, serve(stream, std::move(place)), asio::detached);
    }
  }

  // Turns Beast's request header into ours: percent-decoded path and query, the headers handlers need.
  template <class Body>
  static std::optional<request> to_request(const http::request<Body>& in, std::string remote) {
    auto url = boost::urls::parse_origin_form(in.target());
    if (!url) return std::nullopt;
    request r;
    r.method = in.method();
    r.path = std::string(url->path());
    for (const auto& p : url->params()) r.query.emplace_back(p.key, p.has_value ? p.value : std::string());
    r.authorization = std::string(in[http::field::authorization]);
    r.content_type = std::string(in[http::field::content_type]);
    r.remote = std::move(remote);
    return r;
  }

  // One read of some body bytes within what the pace allows; throws system_error when the client is too slow
  // or the connection fails. Returns the bytes the parser took.
  template <class Stream, class Parser>
  static asio::awaitable<std::size_t> read_paced(Stream& stream, beast::flat_buffer& buffer, Parser& parser,
                                                 read_pace& pace) {
    const auto allowance = pace.allowance();
    if (allowance <= read_pace::duration::zero()) throw boost::system::system_error(beast::error::timeout);
    beast::get_lowest_layer(stream).expires_after(allowance);
    const auto started = std::chrono::steady_clock::now();
    auto [ec, n] =
        co_await http::async_read_some(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    pace.read(n, std::chrono::steady_clock::now() - started);
    if (ec == http::error::need_buffer) ec = {};
    if (ec) throw boost::system::system_error(ec);
    co_return n;
  }

  // Reads a streaming body in pieces of up to 64 KiB straight from the connection, at the required pace.
  template <class Stream>
  class stream_body final : public body_source {
   public:
    stream_body(Stream& stream, beast::flat_buffer& buffer, http::request_parser<http::buffer_body>& parser,
                read_pace& pace)
        : stream_(stream), buffer_(buffer), parser_(parser), pace_(pace) {}

    asio::awaitable<std::string_view> next() override {
      while (!parser_.is_done()) {
        parser_.get().body().data = chunk_.data();
        parser_.get().body().size = chunk_.size();
        co_await read_paced(stream_, buffer_, parser_, pace_);
        const std::size_t got = chunk_.size() - parser_.get().body().size;
        if (got > 0) co_return std::string_view(chunk_.data(), got);
      }
      co_return std::string_view{};
    }

   private:
    Stream& stream_;
    beast::flat_buffer& buffer_;
    http::request_parser<http::buffer_body>& parser_;
    read_pace& pace_;
    std::array<char, 64 * 1024> chunk_{};
  };

  // "Expect: 100-continue": the client waits for our go-ahead before it sends the body.
  template <class Stream>
  asio::awaitable<void> continue_if_expected(Stream& stream,
                                             const http::request_parser<http::empty_body>& head) {
    if (!beast::iequals(head.get()[http::field::expect], "100-continue")) co_return;
    http::response<http::empty_body> go_on{http::status::continue_, 11};
    beast::get_lowest_layer(stream).expires_after(settings.write_timeout);
    auto [ec, n] = co_await http::async_write(stream, go_on, asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (ec) throw boost::system::system_error(ec);
  }

  // One request: the header within header_timeout; for token routes the token, before any body byte; then
  // the body as the route wants it (whole up to json_body_limit, or streamed up to stream_body_limit), at
  // pace.
  template <class Stream>
  asio::awaitable<outcome> exchange(Stream& stream, beast::flat_buffer& buffer, const std::string& remote) {
    http::request_parser<http::empty_body> head;
    head.body_limit(boost::none);  // checked below, per route
    beast::get_lowest_layer(stream).expires_after(settings.header_timeout);
    auto [head_error, n] =
        co_await http::async_read_header(stream, buffer, head, asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (head_error) {
      if (is_quiet_end(head_error)) co_return outcome{};
      if (head_error == http::error::header_limit)
        co_return closing(error_response(http::status::request_header_fields_too_large,
                                         "the request header is larger than the gateway accepts"));
      co_return closing(
          error_response(http::status::bad_request, "malformed HTTP request: " + head_error.message()));
    }
    const bool keep_alive = head.get().keep_alive();
    auto r = to_request(head.get(), remote);
    if (!r)
      co_return closing(
          error_response(http::status::bad_request, "the request target is not a valid URL path"));
    auto found = routes.find(*r);
    if (auto* error = std::get_if<response>(&found)) co_return closing(std::move(*error));
    const auto target = std::get<route_target>(found);
    if (target.who == access::token) {
      auto refusal =
          settings.authenticate
              ? settings.authenticate(*r)
              : std::optional(error_response(http::status::unauthorized, "no operator can log in here"));
      if (refusal) co_return closing(std::move(*refusal));
    }
    // Ward and group names in the path and query, checked once for every route (gateway/api/names.hpp).
    if (auto refused = check_request_names(*r)) co_return closing(std::move(*refused));
    const std::uint64_t limit = target.streaming ? settings.stream_body_limit : settings.json_body_limit;
    if (head.content_length() && *head.content_length() > limit) co_return closing(payload_too_large(limit));
    read_pace pace(settings.header_timeout, settings.body_min_bytes_per_s);
    try {
      if (!head.is_done()) co_await continue_if_expected(stream, head);
      if (target.streaming) {
        http::request_parser<http::buffer_body> body_parser{std::move(head)};
        body_parser.body_limit(limit);
        stream_body<Stream> body(stream, buffer, body_parser, pace);
        auto out = co_await (*target.streaming)(*r, body);
        // A handler that stopped early (a refusal) leaves the rest unread: close rather than read it.
        co_return outcome{std::move(out), keep_alive && body_parser.is_done()};
      }
      http::request_parser<http::string_body> body_parser{std::move(head)};
      body_parser.body_limit(limit);
      while (!body_parser.is_done()) co_await read_paced(stream, buffer, body_parser, pace);
      r->body = std::move(body_parser.get().body());
      auto out = co_await (*target.whole)(*r);  // (a co_await inside braces trips GCC 12)
      co_return outcome{std::move(out), keep_alive};
    } catch (const boost::system::system_error& e) {  // the connection failed, was too slow, or sent too much
      if (e.code() == http::error::body_limit) co_return closing(payload_too_large(limit));
      if (!is_quiet_end(e.code()))
        // The path is percent-decoded text from anyone: escaped, so that it cannot drive a terminal reading the log.
        log(fmt::format("request to {} from {} broke off: {}", segments::printable(r->path), remote,
                        e.what()));
      co_return outcome{};
    } catch (const std::exception& e) {
      log(fmt::format("handler for {} failed: {}", segments::printable(r->path), e.what()));
      co_return closing(
          error_response(http::status::internal_server_error, "internal error; see the gateway's log"));
    }
  }

  template <class Stream>
  asio::awaitable<void> serve(std::shared_ptr<Stream> stream, slot place) {
    auto self = shared_from_this();
    auto& tcp_layer = beast::get_lowest_layer(*stream);
    if constexpr (std::is_same_v<Stream, tls_stream>) {
      tcp_layer.expires_after(settings.header_timeout);
      auto [ec] =
          co_await stream->async_handshake(ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (std::uint64_t left_out = 0; handshake_log.allow(log_throttle::clock::now(), left_out))
          log(fmt::format(
              "TLS handshake with {} failed: {}{}", place.remote(), ec.message(),
              left_out ? fmt::format(" ({} more failed since the last such line)", left_out) : ""));
        co_await linger(tcp_layer);
        co_return;
      }
    }
    beast::flat_buffer buffer;
    for (;;) {
      outcome next = co_await exchange(*stream, buffer, place.remote());
      auto& out = next.reply;
      const bool keep_alive = next.keep_alive;
      if (!out) break;
      http::response<http::string_body> reply{out->status, 11};
      reply.set(http::field::server, "loa");
      reply.set(http::field::content_type, out->content_type);
      for (const auto& [name, value] : out->headers) reply.set(name, value);
      reply.body() = std::move(out->body);
      reply.keep_alive(keep_alive);
      reply.prepare_payload();
      tcp_layer.expires_after(settings.write_timeout);
      auto [write_error, written] =
          co_await http::async_write(*stream, reply, asio::as_tuple(asio::use_awaitable));
      (void)written;
      if (write_error || !keep_alive) break;
    }
    co_await linger(tcp_layer);
  }

  // Closes after the reply: no more bytes from us, and whatever the client still sends is read and dropped
  // (into a small buffer, never kept) until it closes too or linger_time passes.
  asio::awaitable<void> linger(plain_stream& tcp_layer) {
    beast::error_code ec;
    tcp_layer.socket().shutdown(tcp::socket::shutdown_send, ec);
    const auto until = std::chrono::steady_clock::now() + linger_time;
    std::array<char, 16 * 1024> sink{};
    while (!ec && !stopped && std::chrono::steady_clock::now() < until) {
      tcp_layer.expires_at(until);
      auto [read_error, n] =
          co_await tcp_layer.async_read_some(asio::buffer(sink), asio::as_tuple(asio::use_awaitable));
      (void)n;
      ec = read_error;
    }
    tcp_layer.socket().close(ec);
  }
};

http_server::http_server(asio::io_context& io, server_settings settings, router routes)
    : state_(std::make_shared<state>(io, std::move(settings), std::move(routes))) {}

http_server::~http_server() {
  stop();
}

void http_server::start() {
  state_->load_tls();
  const auto& host = state_->settings.host;
  try {
    const tcp::endpoint endpoint(asio::ip::make_address(host == "localhost" ? "127.0.0.1" : host),
                                 state_->settings.port);
    state_->acceptor.open(endpoint.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(endpoint);
    state_->acceptor.listen();
  } catch (const boost::system::system_error& e) {  // callers catch the standard type
    throw std::system_error(e.code(), fmt::format("{}:{}", state_->settings.host, state_->settings.port));
  }
  asio::co_spawn(state_->io, state_->accept_loop(), asio::detached);
}

std::uint16_t http_server::port() const {
  beast::error_code ec;
  return state_->acceptor.local_endpoint(ec).port();
}

void http_server::stop() {
  if (!state_ || state_->stopped) return;
  state_->stopped = true;
  beast::error_code ignored;
  state_->acceptor.close(ignored);
  state_->accept_pause.cancel();
  for (auto& weak : state_->connections)
    if (auto stream = weak.lock()) stream->socket().close(ignored);
  state_->connections.clear();
}

}  // namespace loa::api
