// The HTTP API's request and response as plain values, and the routing of method + path to a handler.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace loa::api {

namespace http = boost::beast::http;

/// One request, decoded: the path and query are percent-decoded, route parameters filled in.
struct request {
  http::verb method = http::verb::get;
  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  std::map<std::string, std::string> params;  ///< {name} segments of the route pattern
  std::string body;
  std::string authorization;  ///< the Authorization header, as sent
  std::string content_type;
  std::string remote;  ///< the peer's address, for rate limits and logs

  /// Every value of a repeated query parameter (?group=a&group=b).
  std::vector<std::string> query_all(std::string_view key) const;
  /// The first value of a query parameter.
  std::optional<std::string> query_one(std::string_view key) const;
};

/// What a handler answers: a status and a JSON body (or another content type).
struct response {
  http::status status = http::status::ok;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;  ///< more header fields to send (Retry-After)
};

/// A JSON response.
response json_response(http::status status, const boost::json::value& body);

/// The API's error shape: {"error": MESSAGE} plus {"field": FIELD} when one field is at fault.
response error_response(http::status status, std::string_view message, std::string_view field = {});

/// Handles one request on the server's io_context.
using handler = std::function<boost::asio::awaitable<response>(request&)>;

/// The body of a streaming request, read as it arrives (a large CSV upload is never held whole).
class body_source {
 public:
  virtual ~body_source() = default;
  /// The next piece of the body; empty at the end. Throws boost::system::system_error when the
  /// connection fails mid-body.
  virtual boost::asio::awaitable<std::string_view> next() = 0;
};

/// Handles a request whose body it reads itself, piece by piece.
using streaming_handler = std::function<boost::asio::awaitable<response>(request&, body_source&)>;

/// Who may call a route. The server checks a token route's bearer token on the header, before it reads
/// a byte of the body, and answers a refusal (401, 429) and closes.
enum class access {
  token,  ///< an operator's token is required (every /v1 route)
  open,   ///< anyone who can reach the listener (/healthz, /metrics)
};

/// The handler a route has (whole-body or streaming) and who may call it.
struct route_target {
  const handler* whole = nullptr;
  const streaming_handler* streaming = nullptr;
  access who = access::token;
};

/// Method + path pattern ("/v1/wards/{ward}/groups") -> handler.
class router {
 public:
  /// Adds a route; `{name}` matches one non-empty path segment. Routes need a token unless said otherwise.
  void add(http::verb method, std::string pattern, handler h, access who = access::token);
  /// Adds a route whose handler reads the body itself (its body may be as large as the server's stream
  /// limit).
  void add_streaming(http::verb method, std::string pattern, streaming_handler h, access who = access::token);

  /// The handler for the request (params filled in), or an error response: 404 for an unknown path,
  /// 405 when the path exists with other methods.
  std::variant<route_target, response> find(request& r) const;

 private:
  struct route {
    http::verb method;
    std::vector<std::string> segments;
    handler whole;
    streaming_handler streaming;
    access who;
  };
  std::vector<route> routes_;
};

}  // namespace loa::api
