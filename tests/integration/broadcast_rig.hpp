// A whole loa installation on 127.0.0.1 for the broadcast tests: redis-server (AOF, so that it can be killed
// and restarted without losing what it acknowledged), two loa-smsc-sim carriers (viettel: a transceiver
// answering in hex; vinaphone: a transmitter with a receiver beside it, receipts in decimal), and the real
// `loa gateway` process, which the tests kill, restart and stop; and, for the tests of several gateways
// sharing a campaign, a second `loa gateway` (another HTTP port, so another gateway name) beside it, on the
// same Redis and simulators. Everything stops with the rig.
#pragma once

#include <boost/beast/http/verb.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "tests/fixtures/redis_server.hpp"
#include "tests/integration/fixtures/process.hpp"

namespace loa::test {

struct rig_options {
  std::vector<std::string> viettel_args;    ///< extra loa-smsc-sim flags
  std::vector<std::string> vinaphone_args;  ///< extra loa-smsc-sim flags
  std::string carrier_lines;                ///< extra YAML lines for both carriers (4-space indent)
  std::string viettel_lines;                ///< extra YAML lines for viettel only (4-space indent)
  std::string top_lines;                    ///< extra top-level YAML (limits, ...)
  std::string gateway_lines;                ///< extra YAML under gateway: (2-space indent)
  std::string operator_lines;  ///< extra operators: YAML list items under operators: (2-space indent)
  std::string hoa_lines;       ///< extra YAML for operator hoa (4-space indent: display_name, ...)
  std::string tls_cert, tls_key;  ///< both set: the gateway serves HTTPS with them (gateway.tls)
  std::string
      tls_ca;  ///< with HTTPS (required then): the CA the rig's calls check the gateway's certificate with
  std::string vinaphone_lines;  ///< extra YAML lines for vinaphone only (4-space indent)
  /// When set, the YAML under redis: (2-space indent) instead of the rig's own redis-server's url, e.g.
  /// "  cluster: [...]\n" for a tests/fixtures/redis_cluster.hpp.
  std::string redis_lines;
  /// More redis-server arguments for the rig's own server (AOF with fsync always unless overridden, e.g.
  /// {"--appendfsync", "everysec"} to cost it as configured in production).
  std::vector<std::string> redis_args;
};

/// What the simulators accepted: whole messages (all parts arrived and were reassembled) per destination.
struct accepted_messages {
  std::map<std::string, int> by_number;
  std::size_t messages = 0;
  /// Numbers that got the message more than once.
  std::set<std::string> duplicated;
};

class broadcast_rig {
 public:
  explicit broadcast_rig(rig_options options = {});
  ~broadcast_rig();

  /// Starts `loa gateway` and waits (bounded) until Redis and every carrier's binds are up.
  void start_gateway();
  /// Starts `loa gateway` and waits (bounded) until Redis is up, not for the binds (some are meant to fail).
  void start_gateway_unbound();
  /// kill -9.
  void kill_gateway();
  /// The gateway's URL: https://127.0.0.1:PORT when the rig serves HTTPS (tls_cert, tls_key, tls_ca), else
  /// http://. Every call of the rig goes there, the certificate checked against tls_ca.
  std::string server_url() const;
  /// The running gateway's process id (0 when none runs).
  int gateway_pid() const;
  /// SIGTERM; returns the exit code.
  int stop_gateway();
  /// The second gateway (its own configuration file: the same but for the HTTP port): start (bounded, like
  /// start_gateway), kill -9, SIGTERM.
  void start_second_gateway();
  void kill_second_gateway();
  int stop_second_gateway();

  /// One API call as operator hoa (ward long-thuy); the HTTP status and the JSON body.
  std::pair<unsigned, boost::json::value> call(boost::beast::http::verb method, const std::string& target,
                                               const std::string& body = {});
  /// The same as another operator: "demo-token-lan" is lan, the approver of long-thuy.
  std::pair<unsigned, boost::json::value> call_as(const std::string& token, boost::beast::http::verb method,
                                                  const std::string& target, const std::string& body = {});
  /// Imports CSV text into long-thuy.
  void import(const std::string& csv);
  /// Creates a campaign; returns its id (REQUIREs success).
  std::string send(boost::json::object body);
  /// The status document.
  boost::json::object status(const std::string& id);
  /// The status document, or false while Redis is unavailable (503).
  bool try_status(const std::string& id, boost::json::object& out);
  /// Polls until the campaign is done (or cancelled) with no receipt pending, or `limit` passes; the last
  /// status.
  boost::json::object wait_finished(const std::string& id, std::chrono::seconds limit = std::chrono::seconds(30));
  /// Polls until `field` of the status reaches at least `value` (bounded); the last status.
  boost::json::object wait_for(const std::string& id, const std::string& field, std::int64_t value,
                               std::chrono::seconds limit = std::chrono::seconds(20));

  /// GET /metrics as Prometheus scrapes it (no token): the HTTP status and the text.
  std::pair<unsigned, std::string> scrape() const;

  /// What both simulators logged as complete messages whose text contains `marker`.
  accepted_messages accepted(const std::string& marker) const;

  redis_server redis;
  std::string config_path;
  std::uint16_t http_port = 0;
  std::string gateway_log;
  std::string second_config_path;
  std::uint16_t second_http_port = 0;
  std::string second_gateway_log;

 private:
  std::unique_ptr<smsc_sim> viettel_;
  std::unique_ptr<smsc_sim> vinaphone_;
  std::string viettel_log_, vinaphone_log_;
  std::string tls_ca_;
  std::optional<child_process> gateway_;
  std::optional<child_process> second_;
};

/// `count` numbers, alternately viettel (8496...) and vinaphone (8491...), from `first` on.
std::vector<std::string> test_numbers(std::size_t count, std::size_t first = 0);

/// What a run of the `loa` CLI printed on stdout, and its exit code.
struct cli_result {
  int exit = -1;
  std::string out;
  std::string err;  ///< what it wrote on stderr
};

/// Runs the real `loa` (as operator hoa) against the rig's gateway, bounded to a minute; stderr goes to a
/// temporary file read into `err`. The CLI runs without a terminal, as under cron.
cli_result loa_cli(const broadcast_rig& rig, std::vector<std::string> args);

/// The same in `language` (LOA_LANG: "vi", "en"); loa_cli runs in English, the language the suites match.
cli_result loa_cli_in(const broadcast_rig& rig, const char* language, std::vector<std::string> args);

/// The same at a terminal (a pseudo-terminal that is the CLI's /dev/tty) where the official types `typed`.
cli_result loa_cli_at_terminal(const broadcast_rig& rig, std::vector<std::string> args, const std::string& typed);

/// The whole text of a file (a gateway's log); empty when it cannot be read.
std::string file_text(const std::string& path);

/// How many times `what` occurs in `text`.
std::size_t occurrences(const std::string& text, const std::string& what);

/// `loa gateway --config config` to its end (bounded: killed after 20 s): its exit code and its stderr.
std::pair<int, std::string> run_gateway(const std::string& config);

/// Whether JSON text writes a number with an exponent (2.5E0, 7.425E4), as Boost.JSON does for every double.
bool has_exponent_number(const std::string& json_text);

/// Integer field of a JSON object.
std::int64_t field(const boost::json::object& o, const std::string& name);

}  // namespace loa::test
