#include "gateway/api/http_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <list>
#include <variant>

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

  // Turns Beast's request into ours: percent-decoded path and query, the headers handlers need.
  static std::optional<request> to_request(const http::request<http::string_body>& in, std::string remote) {
    auto url = boost::urls::parse_origin_form(in.target());
    if (!url) return std::nullopt;
    request r;
    r.method = in.method();
    r.path = std::string(url->path());
    for (const auto& p : url->params()) r.query.emplace_back(p.key, p.has_value ? p.value : std::string());
    r.body = in.body();
    r.authorization = std::string(in[http::field::authorization]);
    r.content_type = std::string(in[http::field::content_type]);
    r.remote = std::move(remote);
    return r;
  }

  asio::awaitable<response> handle(const http::request<http::string_body>& in, const std::string& remote) {
    auto r = to_request(in, remote);
    if (!r) co_return error_response(http::status::bad_request, "the request target is not a valid URL path");
    auto found = routes.find(*r);
    if (auto* error = std::get_if<response>(&found)) co_return std::move(*error);
    try {
      co_return co_await (*std::get<const handler*>(found))(*r);
    } catch (const std::exception& e) {
      log(std::string("handler for ") + r->path + " failed: " + e.what());
      co_return error_response(http::status::internal_server_error, "internal error; see the gateway's log");
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
      http::request_parser<http::string_body> parser;
      parser.body_limit(settings.body_limit);
      stream->expires_after(settings.idle_timeout);
      auto [read_error, bytes] =
          co_await http::async_read(*stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
      (void)bytes;
      response out;
      bool keep_alive = false;
      if (read_error == http::error::body_limit) {
        out = error_response(http::status::payload_too_large,
                             "the request body is larger than the gateway accepts");
      } else if (read_error == http::error::end_of_stream || read_error == beast::error::timeout ||
                 read_error == asio::error::operation_aborted ||
                 read_error == asio::error::connection_reset || read_error == asio::error::eof) {
        break;
      } else if (read_error) {
        out = error_response(http::status::bad_request, "malformed HTTP request: " + read_error.message());
      } else {
        const auto& in = parser.get();
        keep_alive = in.keep_alive();
        out = co_await handle(in, remote);
      }
      http::response<http::string_body> reply{out.status, 11};
      reply.set(http::field::server, "loa");
      reply.set(http::field::content_type, out.content_type);
      reply.body() = std::move(out.body);
      reply.keep_alive(keep_alive);
      reply.prepare_payload();
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
