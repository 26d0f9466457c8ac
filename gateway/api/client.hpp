// The CLI's side of the HTTP API: one request at a time, with a timeout, JSON in and out.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <system_error>

namespace loa::api {

/// What the gateway answered.
struct reply {
  unsigned status = 0;
  boost::json::value body;  ///< parsed JSON, or a string holding the raw body when it was not JSON
  std::string retry_after;  ///< the Retry-After header (seconds to wait) of a 429 or 503; empty when absent
};

/// Talks to one gateway. Synchronous: the CLI does one thing and exits.
class client {
 public:
  /// `server` is http://HOST:PORT or HOST:PORT; `token` is sent as a bearer token when not empty.
  client(std::string server, std::string token, std::chrono::milliseconds timeout = std::chrono::seconds(30));

  /// Sends one request; an error means the gateway could not be reached (or did not answer in time).
  std::error_code call(boost::beast::http::verb method, const std::string& target, const std::string& body,
                       const std::string& content_type, reply& out);

  /// Sends the file at `path` as the body, streamed from disk (a million-row CSV is never held whole).
  std::error_code call_file(boost::beast::http::verb method, const std::string& target,
                            const std::string& path, const std::string& content_type, reply& out);

  /// The server as given (for messages).
  const std::string& server() const noexcept { return server_; }

 private:
  std::string server_;
  std::string host_;
  std::string port_;
  std::string token_;
  std::chrono::milliseconds timeout_;
};

}  // namespace loa::api
