// How fast one bind answers the deliver_sm (receipts, MO) it is sent, as the SMSC sees it (--receipt-stats):
// the time from a deliver_sm written to its deliver_sm_resp read, and the answers per second while the receipt
// window held more back (then the client's answer time, not the receipts' arrival, sets the rate).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace loa::sim {

class deliver_stats {
 public:
  using clock = std::chrono::steady_clock;

  deliver_stats();

  /// One deliver_sm answered `latency` after it was written, at `now`; `backlog`: more were waiting for the
  /// receipt window when it was answered.
  void answered(clock::duration latency, clock::time_point now, bool backlog);

  /// Answers seen.
  std::uint64_t count() const noexcept { return count_; }
  /// The latency under which a share `q` (0..1) of the answers came, in milliseconds (bucket bound, ±2 %).
  double quantile_ms(double q) const;
  /// One JSON object: answered, p50_ms, p90_ms, p99_ms, max_ms, per_s (first write to last answer),
  /// backlog_answers and backlog_per_s (answers per second between answers given while others waited).
  std::string json(const std::string& system_id) const;

 private:
  std::vector<std::uint64_t> buckets_;  // log scale, 2 % wide, from 1 µs
  std::uint64_t count_ = 0;
  clock::duration max_{};
  clock::time_point first_{}, last_{};
  std::uint64_t backlog_answers_ = 0;
  clock::duration backlog_time_{};
  bool last_in_backlog_ = false;
  clock::time_point backlog_last_{};
};

}  // namespace loa::sim
