// What the client commands share: finding the gateway, calling it, and turning its answer into CONTRACT.md's
// exit codes and output.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <system_error>

#include "gateway/api/client.hpp"
#include "tools/loa/cli.hpp"

namespace loa::cli {

/// The gateway's URL: --server, else gateway.listen from the configuration, else 127.0.0.1:8787.
std::string server_url(const global_options& globals);

/// Percent-encodes one path segment or query value.
std::string url_encode(std::string_view text);

/// Why a call got no answer, in the official's words, with its exit code: 1 for a --server or --cacert that
/// cannot be used, 3 for a gateway that cannot be reached or whose certificate is refused.
struct call_failure {
  exit_code code = exit_code::unreachable;
  std::string message;
  bool transient = true;  ///< the gateway may come back (a restart); a refused certificate will not
};

/// The client the commands use: --server (or the configuration), --token, --cacert.
api::client make_client(const global_options& globals, std::chrono::milliseconds timeout);

/// Words and exit code for an error of api::client::call against `client`.
call_failure describe_failure(const global_options& globals, const api::client& client, std::error_code ec);

/// A call's outcome: the body on success (2xx), else the exit code already reported to the user.
struct remote_result {
  std::optional<boost::json::value> body;
  int exit = 0;
};

/// Calls the gateway; on failure prints the error (stderr, or JSON with --json) and sets the exit code:
/// 3 unreachable or the store down, 2 refused (401, 403, 429), 1 bad request.
remote_result call_gateway(const global_options& globals, boost::beast::http::verb method,
                           const std::string& target, const std::string& body = {},
                           const std::string& file = {});

}  // namespace loa::cli
