#include "gateway/api/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <array>
#include <list>
#include <variant>

#include "gateway/api/names.hpp"

namespace loa::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct http_server::state : std::enable_shared_from_this<state> {
  state(asio::io_context& io_, server_settings s, router r)
      : io(io_), settings(std::move(s)), routes(std::move(r)), acceptor(io_) {}

  asio::io_context& io;
  server_settings settings;
  router routes;
  tcp::acceptor acceptor;
  std::list<std::weak_ptr<beast::tcp_stream>> connections;
  bool stopped = false;

  void log(std::string_view line) const {
    if (settings.log) settings.log(line);
  }

  asio::awaitable<void> accept_loop() {
    auto self = shared_from_this();
    while (!stopped) {
      auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
      if (ec) {
        if (stopped || ec == asio::error::operation_aborted) co_return;
        log("accept failed: " + ec.message());
        continue;
      }
      auto stream = std::make_shared<beast::tcp_stream>(std::move(socket));
      connections.remove_if([](const auto& w) { return w.expired(); });
      connections.push_back(stream);
      asio::co_spawn(io, serve(stream), asio::detached);
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

  // Reads a streaming body in pieces of up to 64 KiB straight from the connection.
  class stream_body final : public body_source {
   public:
    stream_body(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                http::request_parser<http::buffer_body>& parser, std::chrono::seconds idle)
        : stream_(stream), buffer_(buffer), parser_(parser), idle_(idle) {}

    asio::awaitable<std::string_view> next() override {
      while (!parser_.is_done()) {
        parser_.get().body().data = chunk_.data();
        parser_.get().body().size = chunk_.size();
        stream_.expires_after(idle_);
        auto [ec, n] =
            co_await http::async_read(stream_, buffer_, parser_, asio::as_tuple(asio::use_awaitable));
        (void)n;
        if (ec == http::error::need_buffer) ec = {};
        if (ec) throw boost::system::system_error(ec);
        const std::size_t got = chunk_.size() - parser_.get().body().size;
        if (got > 0) co_return std::string_view(chunk_.data(), got);
      }
      co_return std::string_view{};
    }

   private:
    beast::tcp_stream& stream_;
    beast::flat_buffer& buffer_;
    http::request_parser<http::buffer_body>& parser_;
    std::chrono::seconds idle_;
    std::array<char, 64 * 1024> chunk_{};
  };

  // One request: header first, then the body as the route wants it (whole, or streamed to the handler).
  asio::awaitable<std::pair<response, bool>> exchange(beast::tcp_stream& stream, beast::flat_buffer& buffer,
                                                      const std::string& remote, bool& closed) {
    http::request_parser<http::empty_body> head;
    head.body_limit(boost::none);
    stream.expires_after(settings.idle_timeout);
    auto [head_error, n] =
        co_await http::async_read_header(stream, buffer, head, asio::as_tuple(asio::use_awaitable));
    (void)n;
    if (head_error) {
      closed = true;
      if (head_error == http::error::end_of_stream || head_error == beast::error::timeout ||
          head_error == asio::error::operation_aborted || head_error == asio::error::connection_reset ||
          head_error == asio::error::eof)
        co_return std::pair{response{}, false};
      co_return std::pair{
          error_response(http::status::bad_request, "malformed HTTP request: " + head_error.message()),
          false};
    }
    const bool keep_alive = head.get().keep_alive();
    auto r = to_request(head.get(), remote);
    if (!r)
      co_return std::pair{
          error_response(http::status::bad_request, "the request target is not a valid URL path"), false};
    auto found = routes.find(*r);
    if (auto* error = std::get_if<response>(&found)) co_return std::pair{std::move(*error), false};
    if (auto refused = check_request_names(*r)) co_return std::pair{std::move(*refused), false};
    const auto target = std::get<route_target>(found);
    try {
      if (target.streaming) {
        http::request_parser<http::buffer_body> body_parser{std::move(head)};
        body_parser.body_limit(boost::none);
        stream_body body(stream, buffer, body_parser, settings.idle_timeout);
        auto out = co_await (*target.streaming)(*r, body);
        while (!body_parser.is_done() && !(co_await body.next()).empty()) {  // drain what the handler left
        }
        co_return std::pair{std::move(out), keep_alive};
      }
      // The header was read without a limit (streaming routes have none): check the announced length here.
      if (head.content_length() && *head.content_length() > settings.body_limit)
        co_return std::pair{error_response(http::status::payload_too_large,
                                           "the request body is larger than the gateway accepts"),
                            false};
      http::request_parser<http::string_body> body_parser{std::move(head)};
      body_parser.body_limit(settings.body_limit);
      auto [body_error, m] =
          co_await http::async_read(stream, buffer, body_parser, asio::as_tuple(asio::use_awaitable));
      (void)m;
      if (body_error == http::error::body_limit)
        co_return std::pair{error_response(http::status::payload_too_large,
                                           "the request body is larger than the gateway accepts"),
                            false};
      if (body_error) {
        closed = true;
        co_return std::pair{response{}, false};
      }
      r->body = std::move(body_parser.get().body());
      co_return std::pair{co_await (*target.whole)(*r), keep_alive};
    } catch (const boost::system::system_error& e) {  // the connection failed under a streaming handler
      closed = true;
      log(std::string("request to ") + r->path + " broke off: " + e.what());
      co_return std::pair{response{}, false};
    } catch (const std::exception& e) {
      log(std::string("handler for ") + r->path + " failed: " + e.what());
      co_return std::pair{
          error_response(http::status::internal_server_error, "internal error; see the gateway's log"),
          false};
    }
  }

  asio::awaitable<void> serve(std::shared_ptr<beast::tcp_stream> stream) {
    auto self = shared_from_this();
    beast::flat_buffer buffer;
    std::string remote;
    if (beast::error_code ec; true) {
      auto endpoint = stream->socket().remote_endpoint(ec);
      if (!ec) remote = endpoint.address().to_string();
    }
    for (;;) {
      bool closed = false;
      auto [out, keep_alive] = co_await exchange(*stream, buffer, remote, closed);
      if (closed && out.body.empty()) break;
      http::response<http::string_body> reply{out.status, 11};
      reply.set(http::field::server, "loa");
      reply.set(http::field::content_type, out.content_type);
      reply.body() = std::move(out.body);
      reply.keep_alive(keep_alive);
      reply.prepare_payload();
      stream->expires_after(settings.idle_timeout);
      auto [write_error, written] =
          co_await http::async_write(*stream, reply, asio::as_tuple(asio::use_awaitable));
      (void)written;
      if (write_error || !keep_alive) break;
    }
    beast::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->socket().close(ignored);
  }
};

http_server::http_server(asio::io_context& io, server_settings settings, router routes)
    : state_(std::make_shared<state>(io, std::move(settings), std::move(routes))) {}

http_server::~http_server() {
  stop();
}

void http_server::start() {
  const tcp::endpoint endpoint(asio::ip::make_address(state_->settings.host), state_->settings.port);
  state_->acceptor.open(endpoint.protocol());
  state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
  state_->acceptor.bind(endpoint);
  state_->acceptor.listen();
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
  for (auto& weak : state_->connections)
    if (auto stream = weak.lock()) stream->socket().close(ignored);
  state_->connections.clear();
}

}  // namespace loa::api
