// The gateway's metrics: counters, gauges and histograms with labels, rendered for GET /metrics in the
// Prometheus text exposition format 0.0.4 (# HELP, # TYPE, one line per series, label values escaped).
//
// Threading: everything runs on the gateway's one io_context thread, so the values are plain integers and
// doubles, not atomics; the registry and everything it hands out must only be touched from that thread.
//
// Label cardinality stays bounded by construction: labels are carrier names (from the configuration) and
// small fixed sets of words (results, states, kinds), never numbers or campaign ids.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace loa::gateway::metrics {

/// Label names and values of one series, in the order they are rendered.
using labels = std::vector<std::pair<std::string, std::string>>;

/// A count that only goes up (resets with the process).
class counter {
 public:
  void inc(std::uint64_t n = 1) noexcept { value_ += n; }
  std::uint64_t value() const noexcept { return value_; }

 private:
  std::uint64_t value_ = 0;
};

/// A value that goes up and down.
class gauge {
 public:
  void set(double v) noexcept { value_ = v; }
  void add(double v) noexcept { value_ += v; }
  double value() const noexcept { return value_; }

 private:
  double value_ = 0;
};

/// Observations counted into buckets with fixed upper bounds (seconds, here), plus their sum and count.
class histogram {
 public:
  /// `bounds` ascending; the +Inf bucket is implicit.
  explicit histogram(std::vector<double> bounds);
  void observe(double v) noexcept;
  const std::vector<double>& bounds() const noexcept { return bounds_; }
  /// Observations <= bounds()[i] (cumulative, as rendered); index bounds().size() is +Inf (= count()).
  std::uint64_t cumulative(std::size_t i) const noexcept;
  std::uint64_t count() const noexcept { return count_; }
  double sum() const noexcept { return sum_; }

 private:
  std::vector<double> bounds_;
  std::vector<std::uint64_t> per_bucket_;  // not cumulative: observations in (bounds_[i-1], bounds_[i]]
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

/// Bucket bounds for latencies from a millisecond to half a minute.
std::vector<double> latency_buckets();

/// Every metric of the gateway, by name. A name is one family of one type with one HELP text; asking for
/// the same name and labels again returns the same series (references stay valid for the registry's life).
class registry {
 public:
  registry();
  ~registry();
  registry(const registry&) = delete;
  registry& operator=(const registry&) = delete;

  counter& get_counter(std::string_view name, std::string_view help, const labels& l = {});
  gauge& get_gauge(std::string_view name, std::string_view help, const labels& l = {});
  /// `bounds` are those of the family's first series; later calls may pass {}.
  histogram& get_histogram(std::string_view name, std::string_view help, std::vector<double> bounds,
                           const labels& l = {});
  /// A gauge read when the metrics are rendered (window use, binds up): `read` must stay callable while the
  /// registry renders, i.e. its owner must outlive every render (or never be rendered after it is gone).
  void gauge_fn(std::string_view name, std::string_view help, const labels& l, std::function<double()> read);

  /// The text exposition format 0.0.4, families sorted by name, series in the order they were created.
  std::string render() const;

 private:
  struct family;
  family& family_for(std::string_view name, std::string_view help, int type);
  std::map<std::string, std::unique_ptr<family>, std::less<>> families_;
};

/// The Content-Type of render()'s output.
inline constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

/// A label value escaped for the text format: backslash, double quote and line feed.
std::string escape_label_value(std::string_view v);
/// A HELP text escaped for the text format: backslash and line feed.
std::string escape_help(std::string_view v);
/// A sample value as the text format writes it: shortest round-trip form, "+Inf", "-Inf", "NaN".
std::string format_value(double v);

}  // namespace loa::gateway::metrics
