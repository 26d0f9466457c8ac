// Command-line options of loa-smsc-sim (CONTRACT.md "The SMSC simulator").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "tools/smsc-sim/faults.hpp"
#include "tools/smsc-sim/submit_limit.hpp"

namespace loa::sim {

/// How message ids are written.
enum class id_base { hex, dec };

/// Everything the simulator can be told.
struct options {
  std::string host = "127.0.0.1";               // listen address
  std::uint16_t port = 2775;                    // 0 picks a free port (printed on stdout)
  std::string system_id;                        // empty: any system_id binds
  std::string password;                         // empty: any password binds
  double tps = 0;                               // submit_sm per second for the whole server; 0 = unlimited
  double tps_per_bind = 0;                      // submit_sm per second for each bound session; 0 = unlimited
  tps_window tps_counting = tps_window::fixed;  // how --tps and --tps-per-bind count (--tps-window)
  std::size_t receipt_window = 100;    // deliver_sm unanswered per bind before the next waits; 0 = no cap
  std::uint32_t receipt_delay_ms = 0;  // delay before a receipt is sent
  double fail_rate = 0;                // share of receipts that report UNDELIV, EXPIRED or REJECTD
  id_base ids = id_base::hex;          // base of submit_sm_resp message ids
  id_base receipt_ids = id_base::hex;  // base of the id inside receipts (defaults to `ids`)
  std::uint64_t drop_after = 0;        // close a connection when submit N+1 arrives; 0 = never
  std::string log_path;                // JSON lines of accepted messages; empty = no log
  std::uint32_t seed = 1;              // for --fail-rate, so that runs repeat
  std::size_t max_command_length = 64 * 1024;  // larger command_length is refused
  fault_set faults;                            // --fault ...
  std::string mo_path;                         // --mo: citizens' messages to deliver (JSON lines or CSV)
  std::uint64_t refuse_binds = 0;              // the first N bind attempts get ESME_RBINDFAIL
  std::uint32_t refuse_binds_ms = 0;           // ... as does every bind in the first D ms after start
  bool receipt_stats = false;                  // --receipt-stats: each bind's deliver_sm answer times on stderr
  std::size_t store_max = 1'000'000;           // deliver_sm kept for system_ids that cannot receive now
  std::string tls_cert;                        // --tls-cert: PEM certificate (chain); TLS on every connection
  std::string tls_key;                         // --tls-key: its PEM private key
};

/// Parses argv; on --help or bad usage prints to stdout/stderr and returns the exit code in `exit_code`
/// (then the options must not be used). Returns the options otherwise, with exit_code = -1.
options parse_options(int argc, char** argv, int& exit_code);

}  // namespace loa::sim
