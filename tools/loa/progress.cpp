#include "tools/loa/progress.hpp"

#include "tools/loa/display_names.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

#include "tools/loa/i18n/translate.hpp"

namespace loa::cli::progress {
namespace {

namespace json = boost::json;
using i18n::tr;
using i18n::tr_noop;
using i18n::trf;
using i18n::trnf;

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
  return fmt::format("{}/{}{}", thousands(c.submitted), c.fanout_done || c.audience > 0 ? "" : "~",
                     thousands(c.total()));
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

// The labels of the summary and the carrier table, marked for the catalogue; rows are found by their English.
constexpr auto recipients = tr_noop("recipients"), queued = tr_noop("queued"), submitted = tr_noop("submitted"),
               delivered = tr_noop("delivered"), failed = tr_noop("failed"), expired = tr_noop("expired"),
               uncertain = tr_noop("uncertain"), pending = tr_noop("pending"), parts = tr_noop("parts");

}  // namespace

std::string state_words(std::string_view state) {
  // The states of CONTRACT.md, as an official says them.
  static constexpr std::pair<std::string_view, std::string_view> words[] = {
      {"awaiting_approval", tr_noop("awaiting approval")},
      {"scheduled", tr_noop("scheduled")},
      {"waiting", tr_noop("waiting")},
      {"running", tr_noop("running")},
      {"done", tr_noop("done")},
      {"cancelled", tr_noop("cancelled")},
  };
  for (const auto& [name, said] : words)
    if (name == state) return tr(said);
  std::string out(state);  // a state of a newer gateway
  std::ranges::replace(out, '_', ' ');
  return out;
}

std::string due_words(std::string_view iso) {
  // "2026-11-23T07:30:00+07:00", the gateway's offset: kept as it is in English (scripts read it), the way a
  // Vietnamese reader writes it otherwise ("07:30 ngày 23/11/2026").
  if (i18n::current() != i18n::language::vietnamese || iso.size() < 16 || iso[4] != '-' || iso[10] != 'T')
    return std::string(iso);
  return trf("{} on {}/{}/{}", iso.substr(11, 5), iso.substr(8, 2), iso.substr(5, 2), iso.substr(0, 4));
}

std::uint64_t counts::total() const {
  return fanout_done ? recipients : std::max(recipients, audience > 0 ? audience : estimated_recipients);
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
  c.audience = number(o, "audience");
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
  return i18n::number(n);
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
  std::vector<field> fields{{fraction(c), 100},
                            {trf("delivered {}", thousands(c.delivered)), 90},
                            {trf("failed {}", thousands(c.failed)), 80}};
  if (c.expired > 0) fields.push_back({trf("expired {}", thousands(c.expired)), 60});
  if (c.uncertain > 0) fields.push_back({trf("uncertain {}", thousands(c.uncertain)), 50});
  fields.push_back({trf("pending {}", thousands(c.pending)), 70});
  // The rate says how fast sending goes (worth more then than pending, which the '+' show); once nothing is
  // queued it would only count down to 0.
  if (rate && c.queued > 0)
    fields.push_back({trf("{}/s", thousands(static_cast<std::uint64_t>(std::llround(*rate)))), 75});
  if (!c.state.empty() && c.state != "running")
    fields.push_back({state_words(c.state), 100});  // scheduled, done, ...

  // A bar of constant width, so that it does not jump while the numbers grow.
  constexpr std::size_t width = 12;
  const std::size_t room = columns > 1 ? columns - 1 : 0;
  for (;;) {
    std::string rest;
    for (const auto& f : fields) rest += "  " + f.text;
    const auto lowest = std::ranges::min_element(fields, {}, &field::keep);
    if (width + 2 + i18n::columns(rest) <= room || lowest->keep >= 100)
      return "[" + bar(c, width) + "]" + rest;
    fields.erase(lowest);
  }
}

std::string redraw(std::string_view line, std::size_t previous) {
  std::string out = "\r";
  out += line;
  if (previous > i18n::columns(line)) out.append(previous - i18n::columns(line), ' ');
  return out;
}

log_lines::log_lines(clock::time_point start, clock::duration every) : start_(start), every_(every) {}

std::optional<std::string> log_lines::next(const counts& c, clock::time_point now, bool last) {
  if (logged_ && *logged_ == c) return std::nullopt;
  if (logged_ && !last && now - logged_at_ < every_) return std::nullopt;
  logged_ = c;
  logged_at_ = now;
  std::string line = trf("[{}] campaign {} {}", elapsed(now - start_), c.id, state_words(c.state));
  if (show_due(c)) line += trf(", due {}", due_words(c.due_at));
  line += trf(": submitted {}, delivered {}, failed {}", fraction(c), thousands(c.delivered),
              thousands(c.failed));
  if (c.expired > 0) line += trf(", expired {}", thousands(c.expired));
  if (c.uncertain > 0) line += trf(", uncertain {}", thousands(c.uncertain));
  line += trf(", pending {}", thousands(c.pending));
  return line;
}

std::string waiting_line(const counts& c) {
  // "2026-11-23T06:30:00+07:00" -> "06:30" (the gateway's offset); the date too when it is not that of `since`.
  const auto minute = [](const std::string& at) { return at.size() >= 16 ? at.substr(11, 5) : at; };
  if (c.waiting_reason == "quiet_hours" && !c.waiting_until.empty())
    return trf("waits until {} (quiet hours)\n", minute(c.waiting_until));
  if (c.waiting_reason == "carrier_down" && !c.waiting_carriers.empty())
    return trnf("carrier {} not bound{}\n", "carriers {} not bound{}\n", c.waiting_carriers.size(),
                fmt::format("{}", fmt::join(c.waiting_carriers, ", ")),
                c.waiting_since.empty() ? "" : trf(" since {}", minute(c.waiting_since)));
  if (c.waiting_reason == "approval") {
    std::string approvers;
    for (const auto& a : c.approvers) approvers += (approvers.empty() ? "" : trf(" or {}", "")) + a;
    return c.approvers.empty() ? tr("waits for approval, and no approver of its wards is configured\n")
                               : trf("waits for approval by {}\n", approvers);
  }
  return {};
}

std::string summary(const counts& c) {
  // The row labels, marked for the catalogue; the rows are found by their English names.
  std::vector<std::pair<std::string_view, std::uint64_t>> rows{{recipients, c.total()}};
  if (c.queued > 0) rows.emplace_back(queued, c.queued);
  rows.insert(rows.end(), {{submitted, c.submitted},
                           {delivered, c.delivered},
                           {failed, c.failed},
                           {expired, c.expired},
                           {uncertain, c.uncertain},
                           {pending, c.pending},
                           {parts, c.parts}});
  std::size_t width = 1, label_width = 10;
  for (const auto& [label, n] : rows) {
    width = std::max(width, thousands(n).size());
    label_width = std::max(label_width, i18n::columns(tr(label)));
  }

  std::string out = trf("campaign {}: {}", c.id, state_words(c.state));
  if (show_due(c)) out += trf(", due {}", due_words(c.due_at));
  out += '\n';
  if (!c.wards.empty())
    out += trf("to {}{}{}\n", c.wards, c.groups.empty() ? "" : trf(", groups {}", c.groups),
               c.sender.empty() ? "" : trf("; sent by {}", c.sender));
  // Why it waits: an official asked "why has nothing gone out?" deserves the reason, not only the state.
  if (c.state == "awaiting_approval" && !c.approval_reason.empty())
    out += trf("waits for an approver because {}; an approver releases it with `loa approve {}`\n",
               c.approval_reason == "urgent" ? tr("it is urgent") : c.approval_reason, c.id);
  out += waiting_line(c);
  for (const auto& [label, n] : rows) {
    std::string note;
    if (label == recipients && !c.fanout_done)
      note = c.audience > 0 ? trf("{} reached so far", thousands(c.recipients))
                            : trf("estimate; {} found so far", thousands(c.recipients));
    if (label == recipients && c.skipped_optout > 0)
      note += (note.empty() ? "" : "; ") + trf("{} opted out, not sent", thousands(c.skipped_optout));
    if (label == delivered && c.total() > 0 && c.fanout_done) {
      // Rounded down: 100.0% only when everyone has it.
      const auto permille = std::min(c.delivered, c.total()) * 1000 / c.total();
      note =
          i18n::decimal(static_cast<double>(permille / 10) + static_cast<double>(permille % 10) / 10) + "%";
    }
    // "uncertain" alone says nothing to an official: what it means.
    if (label == uncertain && n > 0) note = tr("the carrier never answered whether it took them");
    out += fmt::format("{:<{}}{:>{}}{}\n", tr(label), label_width + 2, thousands(n), width,
                       note.empty() ? "" : "  (" + note + ")");
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
  std::string out = tr("\nlanes on this gateway:\n");
  for (const auto& l : c.lanes) {
    out += fmt::format("{:<{}}  ", l.carrier, name_width) +
           trf("queued {}, parked {}, in flight {}, uncertain {}, sent {}", thousands(l.queued), thousands(l.parked),
               thousands(l.in_flight), thousands(l.uncertain), thousands(l.sent));
    if (!l.waiting_reason.empty())
      out += trf("; waiting: {}{}", l.waiting_reason,
                 l.waiting_since.empty() ? "" : trf(" since {}", due_words(l.waiting_since)));
    out += '\n';
  }
  return out;
}

std::string carrier_table(const counts& c) {
  std::string out;
  if (c.by_carrier.empty()) return out;

  // Expired and uncertain get a column only when some carrier has any.
  std::vector<std::pair<std::string, std::uint64_t carrier_counts::*>> columns{
      {tr(submitted), &carrier_counts::submitted},
      {tr(delivered), &carrier_counts::delivered},
      {tr(failed), &carrier_counts::failed}};
  const auto any = [&](auto member) {
    return std::ranges::any_of(c.by_carrier, [&](const carrier_counts& r) { return r.*member > 0; });
  };
  if (any(&carrier_counts::expired)) columns.emplace_back(tr(expired), &carrier_counts::expired);
  if (any(&carrier_counts::uncertain)) columns.emplace_back(tr(uncertain), &carrier_counts::uncertain);
  columns.emplace_back(tr(pending), &carrier_counts::pending);

  const auto carrier = tr("carrier");
  std::size_t name_width = i18n::columns(carrier);
  for (const auto& r : c.by_carrier) name_width = std::max(name_width, r.name.size());
  std::vector<std::size_t> widths;
  out += fmt::format("\n{:<{}}", carrier, name_width);
  for (const auto& [header, member] : columns) {
    std::size_t w = i18n::columns(header);
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
    if (c.failed > 0) kinds.push_back(trf("failed {}", thousands(c.failed)));
    if (c.expired > 0) kinds.push_back(trf("expired {}", thousands(c.expired)));
    if (c.uncertain > 0) kinds.push_back(trf("uncertain {}", thousands(c.uncertain)));
    problems.push_back(trf("{} not delivered ({})", thousands(c.not_delivered()),
                           fmt::format("{}", fmt::join(kinds, ", "))));
  }
  // Whether the gateway keeps the dropped recipients in "queued" after a cancel or zeroes it, this is the
  // number that never left.
  const std::uint64_t reached = c.settled() + c.pending;
  std::uint64_t unsent = std::max(c.queued, c.total() > reached ? c.total() - reached : 0);
  if (c.state == "cancelled" && c.not_sent) unsent = *c.not_sent;  // what the cancel counted
  if (c.state == "cancelled")
    problems.push_back(trf("cancelled with {} not sent", thousands(unsent)));
  if (gave_up_after && !c.finished()) {
    const auto after = trf("stopped waiting after {} s", gave_up_after->count());
    if (c.state == "done" || c.state == "cancelled") {
      problems.push_back(trf("{} with {} still pending", after, thousands(c.pending)));
    } else {
      problems.push_back(trf("{}: campaign {} is {} with {} not yet sent", after, c.id, state_words(c.state),
                             thousands(unsent)));
    }
  }
  // A gateway that loses track of some (or counts them elsewhere) must not pass for a full delivery.
  if (problems.empty() && c.finished() && c.delivered < c.total())
    problems.push_back(trf("{} with no outcome reported", thousands(c.total() - c.delivered)));
  if (problems.empty() && !c.finished())
    problems.push_back(tr("not finished"));  // callers stop at one or the other
  if (problems.empty()) {
    return {exit_code::done, c.total() == 0 ? tr("nobody to send to: no recipients")
                                            : trf("all {} delivered", thousands(c.delivered))};
  }
  return {exit_code::some_failed, trf("{} of {} delivered; {}", thousands(c.delivered), thousands(c.total()),
                                      fmt::format("{}", fmt::join(problems, "; ")))};
}

}  // namespace loa::cli::progress
