// A carrier that counts submits in fixed one-second windows (per system_id and/or per bind, each window at
// its own phase), built on the simulator's own counting (tools/smsc-sim/submit_limit), and a driver that
// feeds it from binds sharing one pacer for some simulated seconds. For the pacing tests: no clock, no
// socket.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "gateway/smpp/rate_limiter.hpp"
#include "tools/smsc-sim/submit_limit.hpp"

namespace loa::test {

/// What the carrier really allows.
struct carrier_spec {
  double tps = 0;                                        // per system_id (all binds); 0: no limit
  std::chrono::milliseconds phase{0};                    // its windows are [phase + k s, phase + (k + 1) s)
  double per_bind_tps = 0;                               // per bind; 0: no limit
  std::vector<std::chrono::milliseconds> bind_phases{};  // the phase of each bind's windows (when it bound)
};

/// The carrier: says accepted or throttled for a submit arriving on a bind.
class carrier_model {
 public:
  /// Windows counted from the clock's epoch (the drivers' t0) plus each phase.
  explicit carrier_model(carrier_spec spec);
  /// True: accepted; false: ESME_RTHROTTLED.
  bool submit(std::size_t bind, smpp::rate_limiter::clock::time_point arrival);

 private:
  carrier_spec spec_;
  sim::submit_limit system_;
  std::vector<sim::submit_limit> binds_;
};

/// How the driver runs.
struct drive_options {
  std::size_t binds = 1;                      // binds sharing the pacer, served round robin
  std::size_t window = 10;                    // unanswered submits per bind
  std::chrono::milliseconds answer_after{2};  // submit to submit_sm_resp
  std::chrono::seconds span{20};              // simulated time
  std::chrono::microseconds step{100};        // the driver's tick
};

/// What happened.
struct carrier_run {
  std::size_t submits = 0;
  std::size_t accepted = 0;
  std::size_t throttled = 0;
  std::vector<std::size_t> per_second;  // accepted, by the whole second (of our clock) they were sent in
  std::vector<std::size_t> per_bind;    // accepted per bind
  double final_tps = 0;                 // the pacer's rate at the end
  /// One line for test failures: the counts and every second.
  std::string describe() const;
};

/// Sends as fast as the pacer allows (an endless queue) for opts.span; a throttled submit is counted and not
/// resent (the queue is endless anyway).
carrier_run drive(smpp::rate_settings settings, carrier_model& carrier, drive_options opts);

}  // namespace loa::test
