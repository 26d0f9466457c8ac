// The CLI's side of the HTTP API: one request at a time, with a timeout, JSON in and out.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace loa::api {

/// What the gateway answered.
struct reply {
  unsigned status = 0;
  boost::json::value body;  ///< parsed JSON, or a string holding the raw body when it was not JSON
  std::string retry_after;  ///< the Retry-After header (seconds to wait) of a 429 or 503; empty when absent
};

/// Where a gateway is, read from --server.
struct server_address {
  std::string host;  ///< a name or an IP address (an IPv6 one without its brackets)
  std::string port;
  bool tls = false;  ///< https://
};

/// Reads `http://HOST[:PORT]` (port 80), `https://HOST[:PORT]` (port 443) or `HOST[:PORT]` (plain HTTP, as
/// before https existed), with `[IPv6]` hosts; a path after them is ignored. nullopt for any other scheme or
/// an empty host.
std::optional<server_address> parse_server(std::string_view server);

/// Talks to one gateway. Synchronous: the CLI does one thing and exits.
class client {
 public:
  /// `server` as parse_server reads it; `token` is sent as a bearer token when not empty, and over https only
  /// once the gateway's certificate verified: signed by a CA of `ca_file` (PEM; the system store when empty)
  /// and naming the host (or IP address) of `server`. A refused certificate is a loa::tls::error.
  client(std::string server, std::string token, std::chrono::milliseconds timeout = std::chrono::seconds(30),
         std::string ca_file = {});

  /// Sends one request; an error means the gateway could not be reached (or did not answer in time), or its
  /// certificate was refused (loa::tls::error), or `server` is not a URL parse_server reads
  /// (std::errc::invalid_argument).
  std::error_code call(boost::beast::http::verb method, const std::string& target, const std::string& body,
                       const std::string& content_type, reply& out);

  /// Sends the file at `path` as the body, streamed from disk (a million-row CSV is never held whole).
  std::error_code call_file(boost::beast::http::verb method, const std::string& target,
                            const std::string& path, const std::string& content_type, reply& out);

  /// Refused before connecting: invalid_argument for a `server` parse_server cannot read, and
  /// tls::error::token_in_clear for a token over plain HTTP to a host that is not loopback.
  std::error_code refuse_in_clear() const;

  /// The server as given (for messages).
  const std::string& server() const noexcept { return server_; }

 private:
  std::string server_;
  std::optional<server_address> address_;
  std::string token_;
  std::chrono::milliseconds timeout_;
  std::string ca_file_;
};

}  // namespace loa::api
