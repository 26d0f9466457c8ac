#include "gateway/api/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/file_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json/parse.hpp>

namespace loa::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

client::client(std::string server, std::string token, std::chrono::milliseconds timeout)
    : server_(std::move(server)), token_(std::move(token)), timeout_(timeout) {
  std::string_view rest = server_;
  if (rest.starts_with("http://")) rest.remove_prefix(7);
  if (const auto slash = rest.find('/'); slash != std::string_view::npos) rest = rest.substr(0, slash);
  const auto colon = rest.rfind(':');
  host_ = std::string(colon == std::string_view::npos ? rest : rest.substr(0, colon));
  port_ = colon == std::string_view::npos ? "80" : std::string(rest.substr(colon + 1));
  if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']')
    host_ = host_.substr(1, host_.size() - 2);
}

namespace {

// One exchange on a fresh connection; Body is string_body or file_body.
template <class Body>
std::error_code exchange(const std::string& host, const std::string& port, std::chrono::milliseconds timeout,
                         http::request<Body>& request, reply& out) {
  asio::io_context io;
  std::error_code result;
  auto run = [&]() -> asio::awaitable<void> {
    tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    auto [resolve_error, endpoints] =
        co_await resolver.async_resolve(host, port, asio::as_tuple(asio::use_awaitable));
    if (resolve_error) co_return void(result = resolve_error);
    auto [connect_error, endpoint] =
        co_await stream.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
    (void)endpoint;
    if (connect_error) co_return void(result = connect_error);
    auto [write_error, written] =
        co_await http::async_write(stream, request, asio::as_tuple(asio::use_awaitable));
    (void)written;
    // A server that refuses early (401, 413) may close before the whole body went out: its answer counts.
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    stream.expires_after(timeout);
    auto [read_error, read] =
        co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    (void)read;
    if (read_error) co_return void(result = write_error ? write_error : read_error);
    const auto& response = parser.get();
    out.status = response.result_int();
    out.retry_after = std::string(response[http::field::retry_after]);
    boost::system::error_code parse_error;
    out.body = boost::json::parse(response.body(), parse_error);
    if (parse_error) out.body = response.body();
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
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

std::error_code client::call(http::verb method, const std::string& target, const std::string& body,
                             const std::string& content_type, reply& out) {
  http::request<http::string_body> request{method, target, 11};
  prepare(request, host_, token_, content_type);
  request.body() = body;
  request.prepare_payload();
  return exchange(host_, port_, timeout_, request, out);
}

std::error_code client::call_file(http::verb method, const std::string& target, const std::string& path,
                                  const std::string& content_type, reply& out) {
  http::request<http::file_body> request{method, target, 11};
  prepare(request, host_, token_, content_type);
  beast::error_code ec;
  request.body().open(path.c_str(), beast::file_mode::scan, ec);
  if (ec) return ec;
  request.prepare_payload();
  return exchange(host_, port_, std::chrono::milliseconds(std::max<std::int64_t>(timeout_.count(), 600'000)),
                  request, out);
}

}  // namespace loa::api
