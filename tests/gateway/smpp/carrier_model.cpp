#include "tests/gateway/smpp/carrier_model.hpp"

#include <deque>

namespace loa::test {

using clk = smpp::rate_limiter::clock;

namespace {
const clk::time_point t0{};

// A limit whose fixed windows begin at t0 + phase (and one second before, for what arrives earlier).
sim::submit_limit limit_at(double tps, std::chrono::milliseconds phase) {
  return sim::submit_limit(tps, sim::tps_window::fixed, t0 + phase - std::chrono::seconds{1});
}
}  // namespace

carrier_model::carrier_model(carrier_spec spec)
    : spec_(std::move(spec)), system_(limit_at(spec_.tps, spec_.phase)) {}

bool carrier_model::submit(std::size_t bind, clk::time_point arrival) {
  while (binds_.size() <= bind) {
    const auto i = binds_.size();
    binds_.push_back(limit_at(spec_.per_bind_tps, i < spec_.bind_phases.size()
                                                      ? spec_.bind_phases[i]
                                                      : std::chrono::milliseconds{0}));
  }
  auto& b = binds_[bind];
  if (!b.has_room(arrival) || !system_.has_room(arrival)) return false;
  b.take();
  system_.take();
  return true;
}

std::string carrier_run::describe() const {
  std::string s = "submits " + std::to_string(submits) + ", accepted " + std::to_string(accepted) +
                  ", throttled " + std::to_string(throttled) + ", final tps " + std::to_string(final_tps) +
                  "; per second:";
  for (const auto n : per_second) s += " " + std::to_string(n);
  return s;
}

carrier_run drive(smpp::rate_settings settings, carrier_model& carrier, drive_options opts) {
  struct in_flight {
    clk::time_point answer_at;
    clk::time_point sent_at;
    bool accepted;
  };
  smpp::rate_limiter pacer{settings, t0};
  std::vector<std::deque<in_flight>> binds(opts.binds);
  carrier_run run;
  run.per_second.assign(static_cast<std::size_t>(opts.span.count()), 0);
  run.per_bind.assign(opts.binds, 0);
  std::size_t turn = 0;
  const auto end = t0 + opts.span;
  // Sends stop at `end`; their answers are still counted.
  for (auto now = t0; now < end + opts.answer_after + opts.step; now += opts.step) {
    for (std::size_t b = 0; b < binds.size(); ++b) {
      auto& q = binds[b];
      while (!q.empty() && q.front().answer_at <= now) {
        const auto f = q.front();
        q.pop_front();
        if (f.accepted) {
          pacer.on_accepted(f.sent_at);
          ++run.accepted;
          ++run.per_bind[b];
          ++run.per_second[static_cast<std::size_t>((f.sent_at - t0) / std::chrono::seconds{1})];
        } else {
          pacer.on_throttled(f.sent_at, now);
          ++run.throttled;
        }
      }
    }
    // Each grant goes to the next bind (round robin) with room in its window.
    while (now < end) {
      std::size_t b = 0;
      for (; b < binds.size() && binds[(turn + b) % binds.size()].size() >= opts.window; ++b) {
      }
      if (b == binds.size()) break;
      if (pacer.acquire(now) != clk::duration::zero()) break;
      const auto bind = (turn + b) % binds.size();
      binds[bind].push_back({now + opts.answer_after, now, carrier.submit(bind, now)});
      ++run.submits;
      turn = bind + 1;
    }
  }
  run.final_tps = pacer.current_tps(end);
  return run;
}

}  // namespace loa::test
