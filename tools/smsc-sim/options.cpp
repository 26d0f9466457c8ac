#include "tools/smsc-sim/options.hpp"

#include <CLI/CLI.hpp>
#include <iostream>
#include <map>
#include <vector>

namespace loa::sim {

options parse_options(int argc, char** argv, int& exit_code) {
  exit_code = -1;
  options o;
  CLI::App app{"loa-smsc-sim: an SMPP 3.4 SMSC for demos, tests and benchmarks"};
  const std::map<std::string, id_base> bases{{"hex", id_base::hex}, {"dec", id_base::dec}};
  std::vector<std::string> faults;
  std::string receipt_base;
  app.add_option("--host", o.host, "listen address")->capture_default_str();
  app.add_option("--port", o.port, "TCP port; 0 picks a free one")->required();
  app.add_option("--system-id", o.system_id, "system_id a bind must present (any when empty)");
  app.add_option("--password", o.password, "password a bind must present (any when empty)");
  app.add_option("--tps", o.tps,
                 "submit_sm per second for the whole server (so for its --system-id), above that "
                 "ESME_RTHROTTLED; 0 = unlimited")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--tps-per-bind", o.tps_per_bind,
                 "submit_sm per second for each bound session (its own count, beside --tps), above that "
                 "ESME_RTHROTTLED; 0 = unlimited")
      ->check(CLI::NonNegativeNumber);
  std::string window_name = "fixed";
  app.add_option("--tps-window", window_name,
                 "how --tps and --tps-per-bind count: fixed (one-second windows from the start, or from the "
                 "bind, as real SMSCs count) or bucket (a token bucket holding one second's worth)")
      ->check(CLI::IsMember({"fixed", "bucket"}))
      ->capture_default_str();
  app.add_option("--receipt-window", o.receipt_window,
                 "deliver_sm (receipts, MO) a bind may leave unanswered before the next waits; 0 = no cap")
      ->capture_default_str();
  app.add_flag("--receipt-stats", o.receipt_stats,
               "when a bind ends (or the simulator stops), a line 'loa-smsc-sim: receipt-stats {JSON}' on stderr: "
               "deliver_sm answered, p50/p90/p99/max ms from written to answered, per second, and per second "
               "while the receipt window held more back");
  app.add_option("--receipt-delay-ms", o.receipt_delay_ms, "delay before each delivery receipt");
  app.add_option("--fail-rate", o.fail_rate, "share of receipts reporting UNDELIV/EXPIRED/REJECTD")
      ->check(CLI::Range(0.0, 1.0));
  std::string id_base_name = "hex";
  app.add_option("--id-base", id_base_name, "base of message ids in submit_sm_resp")
      ->check(CLI::IsMember({"hex", "dec"}))
      ->capture_default_str();
  app.add_option("--receipt-id-base", receipt_base, "base of the id in receipts (default: --id-base)")
      ->check(CLI::IsMember({"hex", "dec"}));
  app.add_option("--drop-after", o.drop_after, "close the connection when submit N+1 arrives (0 = never)");
  app.add_option("--log", o.log_path, "JSON lines of accepted messages");
  app.add_option("--seed", o.seed, "seed for --fail-rate")->capture_default_str();
  app.add_option("--max-command-length", o.max_command_length, "largest command_length accepted")
      ->capture_default_str();
  app.add_option(
      "--mo", o.mo_path,
      "citizens' messages to deliver as deliver_sm: JSON lines {from,to,text,delay_ms,parts} or CSV "
      "from,to,text[,delay_ms]; parts (JSON only) sends just the first N parts of a long text");
  app.add_option("--refuse-binds", o.refuse_binds, "answer the first N bind attempts with ESME_RBINDFAIL");
  app.add_option("--refuse-binds-ms", o.refuse_binds_ms,
                 "answer every bind in the first D ms after start with ESME_RBINDFAIL");
  app.add_option("--store-max", o.store_max,
                 "deliver_sm (receipts, MO) kept for a system_id with no receiving bind until one binds; "
                 "beyond this many in all the oldest are dropped")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--tls-cert", o.tls_cert,
                 "PEM certificate (chain): every connection speaks TLS, as an SMSC behind stunnel")
      ->check(CLI::ExistingFile);
  app.add_option("--tls-key", o.tls_key, "PEM private key of --tls-cert")->check(CLI::ExistingFile);
  app.add_option("--fault", faults, std::string("misbehave: ") + std::string(fault_names()));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
    if (exit_code != 0) exit_code = 1;  // CONTRACT.md: 1 for bad usage
    return o;
  }
  if (o.tls_cert.empty() != o.tls_key.empty()) {
    std::cerr << "loa-smsc-sim: --tls-cert and --tls-key go together\n";
    exit_code = 1;
    return o;
  }
  o.ids = bases.at(id_base_name);
  o.tps_counting = window_name == "bucket" ? tps_window::bucket : tps_window::fixed;
  o.receipt_ids = receipt_base.empty() ? o.ids : bases.at(receipt_base);
  for (const auto& f : faults) {
    if (auto err = apply_fault(f, o.faults); !err.empty()) {
      std::cerr << "loa-smsc-sim: " << err << '\n';
      exit_code = 1;
      return o;
    }
  }
  return o;
}

}  // namespace loa::sim
