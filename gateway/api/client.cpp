#include "gateway/api/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/parse.hpp>

#include "config/config.hpp"
#include "gateway/common/tls.hpp"

namespace loa::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::optional<server_address> parse_server(std::string_view rest) {
  server_address out;
  std::string_view default_port = "80";
  if (rest.starts_with("https://")) {
    rest.remove_prefix(8);
    out.tls = true;
    default_port = "443";
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else if (rest.find("://") != std::string_view::npos) {
    return std::nullopt;  // ftp://, redis://: not a gateway's address, and never to be read as a host name
  }
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  const auto bracket = rest.rfind(']');
  const auto colon = rest.rfind(':');
  const bool has_port =
      colon != std::string_view::npos && (bracket == std::string_view::npos || colon > bracket);
  std::string_view host = has_port ? rest.substr(0, colon) : rest;
  out.port = std::string(has_port ? rest.substr(colon + 1) : default_port);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  out.host = std::string(host);
  if (out.host.empty() || out.port.empty()) return std::nullopt;
  return out;
}

client::client(std::string server, std::string token, std::chrono::milliseconds timeout, std::string ca_file)
    : server_(std::move(server)),
      address_(parse_server(server_)),
      token_(std::move(token)),
      timeout_(timeout),
      ca_file_(std::move(ca_file)) {}

namespace {

// The request and its answer on a connected stream, in clear or TLS alike.
template <class Stream, class Body>
asio::awaitable<std::error_code> talk(Stream& stream, std::chrono::milliseconds timeout,
                                      http::request<Body>& request, reply& out) {
  auto [write_error, written] = co_await http::async_write(stream, request, use_tuple);
  (void)written;
  // A server that refuses early (401, 413) may close before the whole body went out: its answer counts.
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64u << 20);
  beast::get_lowest_layer(stream).expires_after(timeout);
  auto [read_error, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  (void)read;
  if (read_error) co_return write_error ? write_error : read_error;
  const auto& response = parser.get();
  out.status = response.result_int();
  out.retry_after = std::string(response[http::field::retry_after]);
  boost::system::error_code parse_error;
  out.body = boost::json::parse(response.body(), parse_error);
  if (parse_error) out.body = response.body();
  beast::error_code ignored;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_both, ignored);
  co_return std::error_code{};
}

// One exchange on a fresh connection; Body is string_body or file_body.
template <class Body>
std::error_code exchange(const server_address& to, const std::string& ca_file,
                         std::chrono::milliseconds timeout, http::request<Body>& request, reply& out) {
  asio::io_context io;
  std::optional<asio::ssl::context> tls;
  if (to.tls) {  // a CA file that cannot be read is the official's mistake, found before connecting
    tls.emplace(asio::ssl::context::tls_client);
    if (auto ec = tls::trust(*tls, ca_file)) return ec;
  }
  std::error_code result;
  auto run = [&]() -> asio::awaitable<void> {
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    auto [resolve_error, endpoints] = co_await resolver.async_resolve(to.host, to.port, use_tuple);
    if (resolve_error) co_return void(result = resolve_error);
    auto [connect_error, endpoint] = co_await stream.async_connect(endpoints, use_tuple);
    (void)endpoint;
    if (connect_error) co_return void(result = connect_error);
    if (!tls) co_return void(result = co_await talk(stream, timeout, request, out));
    // The request (and its token) is written only after the handshake verified the certificate.
    beast::ssl_stream<beast::tcp_stream> secure(std::move(stream), *tls);
    if (auto ec = tls::expect_host(secure.native_handle(), to.host)) co_return void(result = ec);
    auto [handshake_error] = co_await secure.async_handshake(asio::ssl::stream_base::client, use_tuple);
    if (handshake_error)
      co_return void(result = tls::explain_handshake_failure(secure.native_handle(), handshake_error));
    result = co_await talk(secure, timeout, request, out);
  };
  asio::co_spawn(io, run(), asio::detached);
  io.run();
  return result;
}

}  // namespace

template <class Body>
static void prepare(http::request<Body>& request, const std::string& host, const std::string& token,
                    const std::string& content_type) {
  request.set(http::field::host, host);
  request.set(http::field::user_agent, "loa-cli");
  if (!token.empty()) request.set(http::field::authorization, "Bearer " + token);
  if (!content_type.empty()) request.set(http::field::content_type, content_type);
}

// A gateway beyond loopback serves the API only over TLS: plain HTTP there is a proxy or an impostor, and the
// token must not go to it in clear.
std::error_code client::refuse_in_clear() const {
  if (!address_) return std::make_error_code(std::errc::invalid_argument);
  if (!address_->tls && !token_.empty() && !config::is_loopback(address_->host)) return tls::error::token_in_clear;
  return {};
}

std::error_code client::call(http::verb method, const std::string& target, const std::string& body,
                             const std::string& content_type, reply& out) {
  if (auto refused = refuse_in_clear()) return refused;
  http::request<http::string_body> request{method, target, 11};
  prepare(request, address_->host, token_, content_type);
  request.body() = body;
  request.prepare_payload();
  return exchange(*address_, ca_file_, timeout_, request, out);
}

std::error_code client::call_file(http::verb method, const std::string& target, const std::string& path,
                                  const std::string& content_type, reply& out) {
  if (auto refused = refuse_in_clear()) return refused;
  http::request<http::file_body> request{method, target, 11};
  prepare(request, address_->host, token_, content_type);
  beast::error_code ec;
  request.body().open(path.c_str(), beast::file_mode::scan, ec);
  if (ec) return ec;
  request.prepare_payload();
  return exchange(*address_, ca_file_,
                  std::chrono::milliseconds(std::max<std::int64_t>(timeout_.count(), 600'000)), request, out);
}

}  // namespace loa::api
