#include "tools/loa/progress.hpp"

#include "tools/loa/display_names.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace loa::cli::progress {
namespace {

namespace json = boost::json;

std::uint64_t number(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || !v->is_number()) return 0;
  if (v->is_int64()) return v->as_int64() > 0 ? static_cast<std::uint64_t>(v->as_int64()) : 0;
  if (v->is_uint64()) return v->as_uint64();
  return v->as_double() > 0 ? static_cast<std::uint64_t>(std::llround(v->as_double())) : 0;
}

std::string text(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_number()) return std::to_string(number(o, key));  // an id may come as a number
  return {};
}

// "5,230/10,000", or "5,230/~10,000" while the total is an estimate.
std::string fraction(const counts& c) {
  return fmt::format("{}/{}{}", thousands(c.submitted), c.fanout_done ? "" : "~", thousands(c.total()));
}

// Cells of `width` that `part` of `whole` fills; full only when all of it is there.
std::size_t cells(std::uint64_t part, std::uint64_t whole, std::size_t width) {
  if (whole == 0) return 0;
  part = std::min(part, whole);
  return static_cast<std::size_t>(static_cast<long double>(part) * width / whole);
}

std::string bar(const counts& c, std::size_t width) {
  const std::uint64_t whole = c.total();
  std::size_t settled = cells(c.settled(), whole, width);
  std::size_t reached = std::max(settled, cells(c.settled() + c.pending, whole, width));
  if (whole == 0 && c.finished()) settled = reached = width;  // nobody to send to: nothing left to do
  return std::string(settled, '#') + std::string(reached - settled, '+') + std::string(width - reached, '.');
}

// A due time is news only before anything was sent.
bool show_due(const counts& c) {
  return !c.due_at.empty() && c.submitted == 0 && c.state != "done" && c.state != "cancelled";
}

std::string elapsed(clock::duration d) {
  const auto s = std::chrono::duration_cast<std::chrono::seconds>(d).count();
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{:02}:{:02}", s / 60, s % 60);
}

std::string carrier_table(const counts& c);
std::string lane_lines(const counts& c);

}  // namespace

std::string state_words(std::string_view state) {
  std::string out(state);
  std::ranges::replace(out, '_', ' ');
  return out;
}

std::uint64_t counts::total() const {
  return fanout_done ? recipients : std::max(recipients, estimated_recipients);
}

bool counts::finished() const {
  // A cancel the gateway counted leaves in `queued` only what the binds held then, which still goes out.
  const bool held_still_going = state == "cancelled" && not_sent && queued > 0;
  return (state == "done" || state == "cancelled") && pending == 0 && !held_still_going;
}

counts read_counts(const json::value& status) {
  counts c;
  if (!status.is_object()) return c;
  const auto& o = status.as_object();
  c.id = text(o, "id");
  c.state = text(o, "state");
  c.due_at = text(o, "due_at");
  c.approval_reason = text(o, "approval_reason");
  c.wards = named_list(o, "wards", "ward_names");
  c.groups = named_list(o, "groups", "group_names");
  c.sender = sender_name(o);
  if (const auto* v = o.if_contains("not_sent"); v && v->is_number()) c.not_sent = number(o, "not_sent");
  c.waiting_reason = text(o, "waiting_reason");
  c.waiting_until = text(o, "waiting_until");
  c.waiting_since = text(o, "waiting_since");
  if (const auto* v = o.if_contains("waiting_carriers"); v && v->is_array())
    for (const auto& e : v->as_array())
      if (e.is_string()) c.waiting_carriers.emplace_back(e.as_string());
  if (const auto* v = o.if_contains("approvers"); v && v->is_array())
    for (const auto& e : v->as_array()) {
      if (!e.is_object()) continue;
      const auto login = text(e.as_object(), "name");
      const auto shown = text(e.as_object(), "display_name");
      c.approvers.push_back(shown.empty() || shown == login ? login : shown + " (" + login + ")");
    }
  const auto* fanout = o.if_contains("fanout_done");
  c.fanout_done = fanout && fanout->is_bool() && fanout->as_bool();
  c.recipients = number(o, "recipients");
  c.estimated_recipients = number(o, "estimated_recipients");
  c.skipped_optout = number(o, "skipped_optout");
  c.queued = number(o, "queued");
  c.submitted = number(o, "submitted");
  c.pending = number(o, "pending");
  c.delivered = number(o, "delivered");
  c.failed = number(o, "failed");
  c.expired = number(o, "expired");
  c.uncertain = number(o, "uncertain");
  c.parts = number(o, "parts");
  if (const auto* by = o.if_contains("by_carrier"); by && by->is_object()) {
    for (const auto& [name, row] : by->as_object()) {
      if (!row.is_object()) continue;
      const auto& r = row.as_object();
      c.by_carrier.push_back({std::string(name), number(r, "submitted"), number(r, "delivered"),
                              number(r, "failed"), number(r, "expired"), number(r, "uncertain"),
                              number(r, "pending")});
    }
    std::ranges::sort(c.by_carrier, {}, &carrier_counts::name);
  }
  if (const auto* lanes = o.if_contains("lanes"); lanes && lanes->is_array()) {
    for (const auto& lane : lanes->as_array()) {
      if (!lane.is_object()) continue;
      const auto& l = lane.as_object();
      c.lanes.push_back({text(l, "carrier"), number(l, "queued"), number(l, "parked"), number(l, "in_flight"),
                         number(l, "uncertain"), number(l, "sent"), text(l, "waiting_reason"),
                         text(l, "waiting_since")});
    }
  }
  return c;
}

std::string thousands(std::uint64_t n) {
  std::string digits = std::to_string(n);
  for (std::size_t i = digits.size(); i > 3; i -= 3) digits.insert(i - 3, ",");
  return digits;
}

void rate_meter::add(clock::time_point at, std::uint64_t submitted) {
  samples_.emplace_back(at, submitted);
  // Keep one sample older than the window, so the rate always spans it once the polls do.
  while (samples_.size() > 2 && at - samples_[1].first >= std::chrono::seconds(5)) samples_.pop_front();
}

std::optional<double> rate_meter::per_second() const {
  if (samples_.size() < 2) return std::nullopt;
  const auto& [t0, s0] = samples_.front();
  const auto& [t1, s1] = samples_.back();
  const double seconds = std::chrono::duration<double>(t1 - t0).count();
  if (seconds < 1.0) return std::nullopt;
  return s1 >= s0 ? static_cast<double>(s1 - s0) / seconds : 0.0;
}

std::string bar_line(const counts& c, std::optional<double> rate, std::size_t columns) {
  struct field {
    std::string text;
    int keep;  // fields with the lowest value go first when the line is too long
  };
  // No "submitted N": the fraction's numerator is that count.
  std::vector<field> fields{
      {fraction(c), 100}, {"delivered " + thousands(c.delivered), 90}, {"failed " + thousands(c.failed), 80}};
  if (c.expired > 0) fields.push_back({"expired " + thousands(c.expired), 60});
  if (c.uncertain > 0) fields.push_back({"uncertain " + thousands(c.uncertain), 50});
  fields.push_back({"pending " + thousands(c.pending), 70});
  // The rate says how fast sending goes (worth more then than pending, which the '+' show); once nothing is
  // queued it would only count down to 0.
  if (rate && c.queued > 0)
    fields.push_back({thousands(static_cast<std::uint64_t>(std::llround(*rate))) + "/s", 75});
  if (!c.state.empty() && c.state != "running")
    fields.push_back({state_words(c.state), 100});  // scheduled, done, ...

  // A bar of constant width, so that it does not jump while the numbers grow.
  constexpr std::size_t width = 12;
  const std::size_t room = columns > 1 ? columns - 1 : 0;
  for (;;) {
    std::string rest;
    for (const auto& f : fields) rest += "  " + f.text;
    const auto lowest = std::ranges::min_element(fields, {}, &field::keep);
    if (width + 2 + rest.size() <= room || lowest->keep >= 100) return "[" + bar(c, width) + "]" + rest;
    fields.erase(lowest);
  }
}

std::string redraw(std::string_view line, std::size_t previous) {
  std::string out = "\r";
  out += line;
  if (previous > line.size()) out.append(previous - line.size(), ' ');
  return out;
}

log_lines::log_lines(clock::time_point start, clock::duration every) : start_(start), every_(every) {}

std::optional<std::string> log_lines::next(const counts& c, clock::time_point now, bool last) {
  if (logged_ && *logged_ == c) return std::nullopt;
  if (logged_ && !last && now - logged_at_ < every_) return std::nullopt;
  logged_ = c;
  logged_at_ = now;
  std::string line = fmt::format("[{}] campaign {} {}", elapsed(now - start_), c.id, state_words(c.state));
  if (show_due(c)) line += ", due " + c.due_at;
  line += fmt::format(": submitted {}, delivered {}, failed {}", fraction(c), thousands(c.delivered),
                      thousands(c.failed));
  if (c.expired > 0) line += ", expired " + thousands(c.expired);
  if (c.uncertain > 0) line += ", uncertain " + thousands(c.uncertain);
  line += ", pending " + thousands(c.pending);
  return line;
}

std::string waiting_line(const counts& c) {
  // "2026-11-23T06:30:00+07:00" -> "06:30" (the gateway's offset); the date too when it is not that of `since`.
  const auto minute = [](const std::string& at) { return at.size() >= 16 ? at.substr(11, 5) : at; };
  if (c.waiting_reason == "quiet_hours" && !c.waiting_until.empty())
    return fmt::format("waits until {} (quiet hours)\n", minute(c.waiting_until));
  if (c.waiting_reason == "carrier_down" && !c.waiting_carriers.empty())
    return fmt::format("carrier{} {} not bound{}\n", c.waiting_carriers.size() == 1 ? "" : "s",
                       fmt::join(c.waiting_carriers, ", "),
                       c.waiting_since.empty() ? "" : " since " + minute(c.waiting_since));
  if (c.waiting_reason == "approval")
    return c.approvers.empty() ? "waits for approval, and no approver of its wards is configured\n"
                               : fmt::format("waits for approval by {}\n", fmt::join(c.approvers, " or "));
  return {};
}

std::string summary(const counts& c) {
  std::vector<std::pair<std::string_view, std::uint64_t>> rows{{"recipients", c.total()}};
  if (c.queued > 0) rows.emplace_back("queued", c.queued);
  rows.insert(rows.end(), {{"submitted", c.submitted},
                           {"delivered", c.delivered},
                           {"failed", c.failed},
                           {"expired", c.expired},
                           {"uncertain", c.uncertain},
                           {"pending", c.pending},
                           {"parts", c.parts}});
  std::size_t width = 1;
  for (const auto& [label, n] : rows) width = std::max(width, thousands(n).size());

  std::string out = fmt::format("campaign {}: {}", c.id, state_words(c.state));
  if (show_due(c)) out += ", due " + c.due_at;
  out += '\n';
  if (!c.wards.empty())
    out += fmt::format("to {}{}{}\n", c.wards, c.groups.empty() ? "" : ", groups " + c.groups,
                       c.sender.empty() ? "" : "; sent by " + c.sender);
  // Why it waits: an official asked "why has nothing gone out?" deserves the reason, not only the state.
  if (c.state == "awaiting_approval" && !c.approval_reason.empty())
    out += fmt::format("waits for an approver because {}; an approver releases it with `loa approve {}`\n",
                       c.approval_reason == "urgent" ? "it is urgent" : c.approval_reason, c.id);
  out += waiting_line(c);
  for (const auto& [label, n] : rows) {
    std::string note;
    if (label == "recipients" && !c.fanout_done)
      note = fmt::format("estimate; {} found so far", thousands(c.recipients));
    if (label == "recipients" && c.skipped_optout > 0)
      note += fmt::format("{}{} opted out, not sent", note.empty() ? "" : "; ", thousands(c.skipped_optout));
    if (label == "delivered" && c.total() > 0 && c.fanout_done) {
      // Rounded down: 100.0% only when everyone has it.
      const auto permille = std::min(c.delivered, c.total()) * 1000 / c.total();
      note = fmt::format("{}.{}%", permille / 10, permille % 10);
    }
    out +=
        fmt::format("{:<12}{:>{}}{}\n", label, thousands(n), width, note.empty() ? "" : "  (" + note + ")");
  }
  out += carrier_table(c);
  out += lane_lines(c);
  return out;
}

namespace {

// One line per lane: what this gateway holds of the campaign for each carrier, and why a lane waits.
std::string lane_lines(const counts& c) {
  if (c.lanes.empty()) return {};
  std::size_t name_width = 0;
  for (const auto& l : c.lanes) name_width = std::max(name_width, l.carrier.size());
  std::string out = "\nlanes on this gateway:\n";
  for (const auto& l : c.lanes) {
    out += fmt::format("{:<{}}  queued {}, parked {}, in flight {}, uncertain {}, sent {}", l.carrier, name_width,
                       thousands(l.queued), thousands(l.parked), thousands(l.in_flight), thousands(l.uncertain),
                       thousands(l.sent));
    if (!l.waiting_reason.empty())
      out += fmt::format("; waiting: {}{}", l.waiting_reason,
                         l.waiting_since.empty() ? "" : " since " + l.waiting_since);
    out += '\n';
  }
  return out;
}

std::string carrier_table(const counts& c) {
  std::string out;
  if (c.by_carrier.empty()) return out;

  // Expired and uncertain get a column only when some carrier has any.
  std::vector<std::pair<std::string, std::uint64_t carrier_counts::*>> columns{
      {"submitted", &carrier_counts::submitted},
      {"delivered", &carrier_counts::delivered},
      {"failed", &carrier_counts::failed}};
  const auto any = [&](auto member) {
    return std::ranges::any_of(c.by_carrier, [&](const carrier_counts& r) { return r.*member > 0; });
  };
  if (any(&carrier_counts::expired)) columns.emplace_back("expired", &carrier_counts::expired);
  if (any(&carrier_counts::uncertain)) columns.emplace_back("uncertain", &carrier_counts::uncertain);
  columns.emplace_back("pending", &carrier_counts::pending);

  std::size_t name_width = std::string_view("carrier").size();
  for (const auto& r : c.by_carrier) name_width = std::max(name_width, r.name.size());
  std::vector<std::size_t> widths;
  out += fmt::format("\n{:<{}}", "carrier", name_width);
  for (const auto& [header, member] : columns) {
    std::size_t w = header.size();
    for (const auto& r : c.by_carrier) w = std::max(w, thousands(r.*member).size());
    widths.push_back(w);
    out += fmt::format("  {:>{}}", header, w);
  }
  out += '\n';
  for (const auto& r : c.by_carrier) {
    out += fmt::format("{:<{}}", r.name, name_width);
    for (std::size_t i = 0; i < columns.size(); ++i)
      out += fmt::format("  {:>{}}", thousands(r.*columns[i].second), widths[i]);
    out += '\n';
  }
  return out;
}

}  // namespace

bool wait_deadline::passed(const counts& c, clock::time_point now) {
  if (!last_ || !(*last_ == c)) {
    last_ = c;
    changed_at_ = now;
  }
  if ((c.state == "done" || c.state == "cancelled") && !done_since_) done_since_ = now;
  if (done_since_) return now - *done_since_ >= timeout_;
  return now - changed_at_ >= timeout_;
}

verdict judge(const counts& c, std::optional<std::chrono::seconds> gave_up_after) {
  std::vector<std::string> problems;
  if (c.not_delivered() > 0) {
    std::vector<std::string> kinds;
    if (c.failed > 0) kinds.push_back("failed " + thousands(c.failed));
    if (c.expired > 0) kinds.push_back("expired " + thousands(c.expired));
    if (c.uncertain > 0) kinds.push_back("uncertain " + thousands(c.uncertain));
    problems.push_back(
        fmt::format("{} not delivered ({})", thousands(c.not_delivered()), fmt::join(kinds, ", ")));
  }
  // Whether the gateway keeps the dropped recipients in "queued" after a cancel or zeroes it, this is the
  // number that never left.
  const std::uint64_t reached = c.settled() + c.pending;
  std::uint64_t unsent = std::max(c.queued, c.total() > reached ? c.total() - reached : 0);
  if (c.state == "cancelled" && c.not_sent) unsent = *c.not_sent;  // what the cancel counted
  if (c.state == "cancelled")
    problems.push_back(fmt::format("cancelled with {} not sent", thousands(unsent)));
  if (gave_up_after && !c.finished()) {
    const auto after = fmt::format("stopped waiting after {} s", gave_up_after->count());
    if (c.state == "done" || c.state == "cancelled") {
      problems.push_back(fmt::format("{} with {} still pending", after, thousands(c.pending)));
    } else {
      problems.push_back(fmt::format("{}: campaign {} is {} with {} not yet sent", after, c.id,
                                     state_words(c.state), thousands(unsent)));
    }
  }
  // A gateway that loses track of some (or counts them elsewhere) must not pass for a full delivery.
  if (problems.empty() && c.finished() && c.delivered < c.total())
    problems.push_back(fmt::format("{} with no outcome reported", thousands(c.total() - c.delivered)));
  if (problems.empty() && !c.finished())
    problems.push_back("not finished");  // callers stop at one or the other
  if (problems.empty()) {
    return {exit_code::done, c.total() == 0 ? "nobody to send to: no recipients"
                                            : fmt::format("all {} delivered", thousands(c.delivered))};
  }
  return {exit_code::some_failed, fmt::format("{} of {} delivered; {}", thousands(c.delivered),
                                              thousands(c.total()), fmt::join(problems, "; "))};
}

}  // namespace loa::cli::progress
