#include "tools/smsc-sim/deliver_stats.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace loa::sim {
namespace {

constexpr double growth = 1.02;
constexpr std::size_t bucket_count = 1200;  // 1.02^1200 µs: far beyond any answer time

std::size_t bucket_of(double us) {
  if (us <= 1) return 0;
  return std::min(bucket_count - 1, static_cast<std::size_t>(std::log(us) / std::log(growth)) + 1);
}

double upper_us(std::size_t bucket) { return std::pow(growth, static_cast<double>(bucket)); }

double ms(std::chrono::steady_clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

}  // namespace

deliver_stats::deliver_stats() : buckets_(bucket_count, 0) {}

void deliver_stats::answered(clock::duration latency, clock::time_point now, bool backlog) {
  ++buckets_[bucket_of(std::chrono::duration<double, std::micro>(latency).count())];
  if (count_++ == 0) first_ = now - latency;
  last_ = now;
  max_ = std::max(max_, latency);
  // The rate while the window was the limit: the time between two answers both given with others waiting.
  if (backlog && last_in_backlog_) {
    ++backlog_answers_;
    backlog_time_ += now - backlog_last_;
  }
  last_in_backlog_ = backlog;
  backlog_last_ = now;
}

double deliver_stats::quantile_ms(double q) const {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(count_)));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen >= std::max<std::uint64_t>(rank, 1)) return std::min(upper_us(i) / 1000, ms(max_));
  }
  return ms(max_);
}

std::string deliver_stats::json(const std::string& system_id) const {
  const double span = std::chrono::duration<double>(last_ - first_).count();
  const double busy = std::chrono::duration<double>(backlog_time_).count();
  return fmt::format(
      R"({{"system_id":"{}","answered":{},"p50_ms":{:.3f},"p90_ms":{:.3f},"p99_ms":{:.3f},"max_ms":{:.3f},)"
      R"("per_s":{:.0f},"backlog_answers":{},"backlog_per_s":{:.0f}}})",
      system_id, count_, quantile_ms(0.5), quantile_ms(0.9), quantile_ms(0.99), ms(max_),
      span > 0 ? static_cast<double>(count_) / span : 0, backlog_answers_,
      busy > 0 ? static_cast<double>(backlog_answers_) / busy : 0);
}

}  // namespace loa::sim
