// The pace a request body must keep: a client that trickles its body (a few bytes a second) would hold a
// connection, and a slot under the connection cap, for as long as it liked.
#pragma once

#include <chrono>
#include <cstdint>

namespace loa::api {

/// How long the next read of a body may wait. The body must arrive at `min_bytes_per_s` on average after
/// `grace`; only time spent waiting for the client counts, not the handler's own work between reads.
class read_pace {
 public:
  using duration = std::chrono::steady_clock::duration;

  /// `grace`: time allowed before the first byte and as slack after; `min_bytes_per_s` > 0.
  read_pace(duration grace, std::uint64_t min_bytes_per_s) : grace_(grace), rate_(min_bytes_per_s) {}

  /// Time the next read may take; zero or less: the client is too slow already.
  duration allowance() const {
    const std::chrono::duration<double> earned(static_cast<double>(received_) / static_cast<double>(rate_));
    return grace_ + std::chrono::duration_cast<duration>(earned) - waited_;
  }

  /// Records a read that brought `bytes` and waited `took` for them.
  void read(std::uint64_t bytes, duration took) {
    received_ += bytes;
    waited_ += took;
  }

 private:
  duration grace_;
  std::uint64_t rate_;
  std::uint64_t received_ = 0;
  duration waited_{};
};

}  // namespace loa::api
