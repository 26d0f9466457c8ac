// The metrics registry and its Prometheus text exposition (format 0.0.4).
#include "gateway/metrics.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

using namespace loa::gateway;

TEST_CASE("metrics: counters and gauges render as the text format, families sorted by name") {
  metrics::registry r;
  r.get_counter("loa_submits_total", "Submits by result", {{"carrier", "viettel"}, {"result", "accepted"}})
      .inc(3);
  r.get_counter("loa_submits_total", "Submits by result", {{"carrier", "viettel"}, {"result", "throttled"}});
  r.get_gauge("loa_campaigns_running", "Runners").set(2);
  double window = 7;
  r.gauge_fn("loa_window_in_use", "In the window", {{"carrier", "vinaphone"}}, [&window] { return window; });
  CHECK(r.render() ==
        "# HELP loa_campaigns_running Runners\n"
        "# TYPE loa_campaigns_running gauge\n"
        "loa_campaigns_running 2\n"
        "# HELP loa_submits_total Submits by result\n"
        "# TYPE loa_submits_total counter\n"
        "loa_submits_total{carrier=\"viettel\",result=\"accepted\"} 3\n"
        "loa_submits_total{carrier=\"viettel\",result=\"throttled\"} 0\n"
        "# HELP loa_window_in_use In the window\n"
        "# TYPE loa_window_in_use gauge\n"
        "loa_window_in_use{carrier=\"vinaphone\"} 7\n");
  window = 0.25;  // read at render time
  CHECK(r.render().find("loa_window_in_use{carrier=\"vinaphone\"} 0.25\n") != std::string::npos);
}

TEST_CASE("metrics: the same name and labels give the same series") {
  metrics::registry r;
  auto& a = r.get_counter("loa_x_total", "x", {{"carrier", "a"}});
  auto& b = r.get_counter("loa_x_total", "x", {{"carrier", "b"}});
  CHECK(&a != &b);
  CHECK(&r.get_counter("loa_x_total", "x", {{"carrier", "a"}}) == &a);
  a.inc();
  r.get_counter("loa_x_total", "x", {{"carrier", "a"}}).inc(2);
  CHECK(a.value() == 3);
  CHECK(b.value() == 0);
}

TEST_CASE("metrics: label values and help texts are escaped") {
  CHECK(metrics::escape_label_value("a\\b\"c\nd") == "a\\\\b\\\"c\\nd");
  CHECK(metrics::escape_help("a\\b\"c\nd") == "a\\\\b\"c\\nd");  // quotes stay in HELP
  metrics::registry r;
  r.get_counter("loa_odd_total", "line one\nline \\two", {{"carrier", "say \"hi\"\\\n"}}).inc();
  CHECK(r.render() ==
        "# HELP loa_odd_total line one\\nline \\\\two\n"
        "# TYPE loa_odd_total counter\n"
        "loa_odd_total{carrier=\"say \\\"hi\\\"\\\\\\n\"} 1\n");
  // Vietnamese text passes as UTF-8.
  CHECK(metrics::escape_label_value("Phường") == "Phường");
}

TEST_CASE("metrics: histogram buckets are cumulative, with le inclusive, +Inf, sum and count") {
  metrics::registry r;
  auto& h = r.get_histogram("loa_receipt_match_seconds", "Delay", {0.25, 0.5, 1});
  for (double v : {0.125, 0.25, 0.375, 0.75, 0.75, 3.0}) h.observe(v);
  CHECK(h.cumulative(0) == 2);  // 0.125 and 0.25 (le is <=)
  CHECK(h.cumulative(1) == 3);
  CHECK(h.cumulative(2) == 5);
  CHECK(h.cumulative(3) == 6);
  CHECK(h.count() == 6);
  CHECK(h.sum() == 5.25);
  const auto text = r.render();
  CHECK(text == std::string("# HELP loa_receipt_match_seconds Delay\n"
                            "# TYPE loa_receipt_match_seconds histogram\n"
                            "loa_receipt_match_seconds_bucket{le=\"0.25\"} 2\n"
                            "loa_receipt_match_seconds_bucket{le=\"0.5\"} 3\n"
                            "loa_receipt_match_seconds_bucket{le=\"1\"} 5\n"
                            "loa_receipt_match_seconds_bucket{le=\"+Inf\"} 6\n"
                            "loa_receipt_match_seconds_sum 5.25\n"
                            "loa_receipt_match_seconds_count 6\n"));
}

TEST_CASE("metrics: a labelled histogram puts le last, and an empty one renders zeros") {
  metrics::registry r;
  r.get_histogram("loa_h_seconds", "h", {0.5}, {{"carrier", "viettel"}}).observe(0.25);
  r.get_histogram("loa_h_seconds", "h", {}, {{"carrier", "mobifone"}});  // bounds of the family
  CHECK(r.render() ==
        "# HELP loa_h_seconds h\n"
        "# TYPE loa_h_seconds histogram\n"
        "loa_h_seconds_bucket{carrier=\"viettel\",le=\"0.5\"} 1\n"
        "loa_h_seconds_bucket{carrier=\"viettel\",le=\"+Inf\"} 1\n"
        "loa_h_seconds_sum{carrier=\"viettel\"} 0.25\n"
        "loa_h_seconds_count{carrier=\"viettel\"} 1\n"
        "loa_h_seconds_bucket{carrier=\"mobifone\",le=\"0.5\"} 0\n"
        "loa_h_seconds_bucket{carrier=\"mobifone\",le=\"+Inf\"} 0\n"
        "loa_h_seconds_sum{carrier=\"mobifone\"} 0\n"
        "loa_h_seconds_count{carrier=\"mobifone\"} 0\n");
}

TEST_CASE("metrics: the latency buckets ascend from a millisecond to half a minute") {
  const auto b = metrics::latency_buckets();
  REQUIRE(!b.empty());
  CHECK(b.front() == 0.001);
  CHECK(b.back() == 30);
  CHECK(std::is_sorted(b.begin(), b.end()));
  CHECK_THROWS_AS(metrics::histogram({1, 0.5}), std::logic_error);
}

TEST_CASE("metrics: special values and misuse") {
  CHECK(metrics::format_value(std::numeric_limits<double>::infinity()) == "+Inf");
  CHECK(metrics::format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
  CHECK(metrics::format_value(std::nan("")) == "NaN");
  CHECK(metrics::format_value(1.5) == "1.5");
  CHECK(metrics::format_value(200) == "200");
  metrics::registry r;
  r.get_counter("loa_a_total", "a");
  CHECK_THROWS_AS(r.get_gauge("loa_a_total", "a"), std::logic_error);  // one name, one type
  CHECK_THROWS_AS(r.get_counter("loa-bad", "a"), std::logic_error);
  CHECK_THROWS_AS(r.get_counter("loa_b_total", "b", {{"le", "1"}}), std::logic_error);
  CHECK_THROWS_AS(r.get_counter("loa_b_total", "b", {{"1carrier", "x"}}), std::logic_error);
  CHECK(metrics::content_type == "text/plain; version=0.0.4; charset=utf-8");
}
