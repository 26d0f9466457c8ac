// What every `loa` command shares: the global flags, the exit codes of CONTRACT.md, and how results print.
#pragma once

#include <boost/json/value.hpp>

#include <string>
#include <string_view>

namespace loa::cli {

/// Exit codes from CONTRACT.md.
enum class exit_code : int {
  done = 0,
  bad_input = 1,  ///< bad input or usage; the message is on stderr
  not_permitted = 2,
  unreachable = 3,  ///< gateway, Redis or a carrier could not be reached
  some_failed = 4,  ///< finished (with --wait) but some messages failed
};

/// The global flags every command accepts.
struct global_options {
  std::string config_file;  ///< --config, else LOA_CONFIG, else config/loa.yaml
  std::string server;       ///< --server URL; empty: from gateway.listen
  std::string token;        ///< --token, else LOA_TOKEN
  std::string cacert;  ///< --cacert, else LOA_CACERT: the CA an https gateway's certificate must come from
  bool json = false;        ///< --json: machine-readable stdout, errors as {"error": ...}
};

/// Prints a failure the way the caller asked for (stderr text, or {"error": ...} on stdout with --json)
/// and returns `code` for main to exit with.
int fail(const global_options& options, exit_code code, std::string_view message);

/// Prints a JSON document on stdout, one line.
void print_json(const boost::json::value& document);

}  // namespace loa::cli
