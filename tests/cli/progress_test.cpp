// What an official sees while a campaign runs and when it ends: the exact strings of tools/loa/progress.
#include "tools/loa/progress.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

using namespace loa::cli;
using namespace loa::cli::progress;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {

counts parse(std::string_view document) {
  return read_counts(json::parse(document));
}

// Half of a 10,000-recipient campaign is out; the example of the CLI's brief.
const counts halfway = parse(R"({"id": "17", "state": "running", "fanout_done": true, "recipients": 10000,
    "estimated_recipients": 9990, "queued": 4770, "submitted": 5230, "pending": 318, "delivered": 4900,
    "failed": 12, "expired": 0, "uncertain": 0, "parts": 15690})");

counts with(counts c, std::uint64_t counts::*member, std::uint64_t value) {
  c.*member = value;
  return c;
}

}  // namespace

TEST_CASE("thousands are separated by commas") {
  CHECK(thousands(0) == "0");
  CHECK(thousands(999) == "999");
  CHECK(thousands(1000) == "1,000");
  CHECK(thousands(10000) == "10,000");
  CHECK(thousands(1234567) == "1,234,567");
  CHECK(thousands(18446744073709551615ULL) == "18,446,744,073,709,551,615");
}

TEST_CASE("a status document is read leniently: missing fields are 0, ids may be numbers, carriers sorted") {
  const auto c = parse(R"({"id": 17, "state": "running", "recipients": 3000, "estimated_recipients": 10000,
      "fanout_done": false, "due_at": null, "failed": -1, "delivered": 12.0,
      "by_carrier": {"vinaphone": {"submitted": 2}, "viettel": {"submitted": 5, "pending": 1}, "x": 3}})");
  CHECK(c.id == "17");
  CHECK(c.due_at.empty());
  CHECK(c.total() == 10000);  // the estimate until the fan-out is done
  CHECK(c.failed == 0);
  CHECK(c.delivered == 12);
  REQUIRE(c.by_carrier.size() == 2);
  CHECK(c.by_carrier[0] == carrier_counts{"viettel", 5, 0, 0, 0, 0, 1});
  CHECK(c.by_carrier[1].name == "vinaphone");

  CHECK(halfway.total() == 10000);  // final once the fan-out is done, even below the estimate
  CHECK(with(parse(R"({"recipients": 12000, "estimated_recipients": 10000})"), &counts::pending, 0).total() ==
        12000);  // more found than estimated
  CHECK(read_counts(json::value("not a document")).state.empty());
}

TEST_CASE("finished means done or cancelled with no receipt outstanding") {
  CHECK_FALSE(halfway.finished());
  auto c = halfway;
  c.state = "done";
  CHECK_FALSE(c.finished());  // 318 receipts to come
  c.pending = 0;
  CHECK(c.finished());
  c.state = "cancelled";
  CHECK(c.finished());
}

TEST_CASE("the bar fits 80 columns") {
  const auto line = bar_line(halfway, 1820.4);
  CHECK(line == "[#####+......]  5,230/10,000  delivered 4,900  failed 12  pending 318  1,820/s");
  CHECK(line.size() == 78);
  CHECK(bar_line(halfway, 1820.4, 120) == line);  // the bar keeps its width
  CHECK(bar_line(halfway, 1820.4, 70) == "[#####+......]  5,230/10,000  delivered 4,900  failed 12  1,820/s");
  CHECK(bar_line(halfway, 1820.4, 60) == "[#####+......]  5,230/10,000  delivered 4,900  failed 12");
}

TEST_CASE("the bar shows an estimated total with ~, and the state when it is not running") {
  const auto c = parse(R"({"id": "18", "state": "scheduled", "fanout_done": false, "recipients": 3000,
      "estimated_recipients": 10000, "queued": 3000})");
  CHECK(bar_line(c, std::nullopt) ==
        "[............]  0/~10,000  delivered 0  failed 0  pending 0  scheduled");
  auto a = with(c, &counts::queued, 0);
  a.state = "awaiting_approval";
  CHECK(bar_line(a, std::nullopt).ends_with("  awaiting approval"));
}

TEST_CASE("the rate shows only while something is queued") {
  auto c = halfway;
  c.queued = 0;
  c.state = "done";
  CHECK(bar_line(c, 1820.0) == "[#####+......]  5,230/10,000  delivered 4,900  failed 12  pending 318  done");
}

TEST_CASE("huge counts still fit, dropping the least useful fields first") {
  const auto c = parse(R"({"id": "9", "state": "running", "fanout_done": true, "recipients": 2000000,
      "queued": 500000, "submitted": 1500000, "pending": 400000, "delivered": 1000000, "failed": 50000,
      "expired": 30000, "uncertain": 20000})");
  // Gone: uncertain, expired, pending, the rate (in that order).
  const auto line = bar_line(c, 12345.0);
  CHECK(line == "[######+++...]  1,500,000/2,000,000  delivered 1,000,000  failed 50,000");
  CHECK(bar_line(c, 12345.0, 130) ==
        "[######+++...]  1,500,000/2,000,000  delivered 1,000,000  failed 50,000  expired 30,000  "
        "pending 400,000  12,345/s");                                        // uncertain went first
  CHECK(bar_line(c, 12345.0, 40) == "[######+++...]  1,500,000/2,000,000");  // a narrow terminal
  CHECK(bar_line(c, 12345.0, 20) == "[######+++...]  1,500,000/2,000,000");  // the fraction stays, whatever
}

TEST_CASE("the bar is full when everything settled, and for a campaign with nobody to send to") {
  auto c = parse(R"({"id": "3", "state": "done", "fanout_done": true, "recipients": 4, "submitted": 4,
      "delivered": 3, "failed": 1})");
  CHECK(bar_line(c, std::nullopt) == "[############]  4/4  delivered 3  failed 1  pending 0  done");
  c = parse(R"({"id": "4", "state": "done", "fanout_done": true})");
  CHECK(bar_line(c, std::nullopt) == "[############]  0/0  delivered 0  failed 0  pending 0  done");
}

TEST_CASE("redrawing blanks what the previous line had beyond the new one") {
  CHECK(redraw("abc", 5) == "\rabc  ");
  CHECK(redraw("abcdef", 3) == "\rabcdef");
  CHECK(redraw("", 2) == "\r  ");
}

TEST_CASE("the rate spans the last five seconds of polls") {
  rate_meter rate;
  const auto t0 = clock::time_point{};
  rate.add(t0, 0);
  CHECK_FALSE(rate.per_second());
  rate.add(t0 + 500ms, 100);
  CHECK_FALSE(rate.per_second());  // half a second says little
  rate.add(t0 + 1s, 200);
  CHECK(*rate.per_second() == doctest::Approx(200));
  // 200/s for five seconds, then a stall: the rate falls to 0 as the window slides past the sending.
  for (std::uint64_t i = 3; i <= 20; ++i) rate.add(t0 + i * 500ms, std::min<std::uint64_t>(i, 10) * 100);
  CHECK(*rate.per_second() == doctest::Approx(0));
  rate_meter sliding;
  for (std::uint64_t i = 0; i <= 15; ++i) sliding.add(t0 + i * 500ms, std::min<std::uint64_t>(i, 10) * 100);
  CHECK(*sliding.per_second() == doctest::Approx(100));  // 500 over the last 5 s
}

TEST_CASE("log lines: one when the counts changed, at most every five seconds, and always the last") {
  const auto t0 = clock::time_point{} + 1h;
  log_lines log(t0);
  CHECK(log.next(halfway, t0) ==
        "[00:00] campaign 17 running: submitted 5,230/10,000, delivered 4,900, failed 12, pending 318");
  CHECK_FALSE(log.next(halfway, t0 + 10s));  // nothing changed
  const auto more = with(with(halfway, &counts::submitted, 6000), &counts::expired, 2);
  CHECK(log.next(more, t0 + 11s) ==
        "[00:11] campaign 17 running: submitted 6,000/10,000, delivered 4,900, failed 12, expired 2, pending "
        "318");
  const auto again = with(more, &counts::delivered, 5500);
  CHECK_FALSE(log.next(again, t0 + 12s));  // too soon
  CHECK(log.next(again, t0 + 16s) ==
        "[00:16] campaign 17 running: submitted 6,000/10,000, delivered 5,500, failed 12, expired 2, pending "
        "318");
  auto last = with(again, &counts::uncertain, 1);
  last.state = "done";
  CHECK(
      log.next(last, t0 + 17s, true) ==
      "[00:17] campaign 17 done: submitted 6,000/10,000, delivered 5,500, failed 12, expired 2, uncertain 1, "
      "pending 318");
  CHECK_FALSE(log.next(last, t0 + 30s, true));  // already said
  CHECK(log.next(halfway, t0 + 3725s)->starts_with("[1:02:05] campaign 17 running"));
}

TEST_CASE("log lines of a campaign that has not started say when it is due") {
  const auto t0 = clock::time_point{};
  log_lines log(t0);
  const auto c = parse(R"({"id": "18", "state": "scheduled", "due_at": "2026-11-23T07:30:00+07:00",
      "fanout_done": false, "estimated_recipients": 1200})");
  CHECK(log.next(c, t0) ==
        "[00:00] campaign 18 scheduled, due 2026-11-23T07:30:00+07:00: submitted 0/~1,200, delivered 0, "
        "failed 0, "
        "pending 0");
}

TEST_CASE("the summary of a finished campaign, with a table by carrier") {
  const auto c = parse(R"({"id": "17", "state": "done", "fanout_done": true, "recipients": 10000,
      "estimated_recipients": 10025, "skipped_optout": 25, "queued": 0, "submitted": 10000, "delivered": 9950,
      "failed": 30, "expired": 10, "uncertain": 5, "pending": 5, "parts": 30000,
      "by_carrier": {"vinaphone": {"submitted": 4000, "delivered": 3970, "failed": 15, "expired": 10,
                                   "uncertain": 0, "pending": 5},
                     "viettel": {"submitted": 6000, "delivered": 5980, "failed": 15, "expired": 0,
                                 "uncertain": 5, "pending": 0}}})");
  CHECK(summary(c) ==
        "campaign 17: done\n"
        "recipients  10,000  (25 opted out, not sent)\n"
        "submitted   10,000\n"
        "delivered    9,950  (99.5%)\n"
        "failed          30\n"
        "expired         10\n"
        "uncertain        5  (the carrier never answered whether it took them)\n"
        "pending          5\n"
        "parts       30,000\n"
        "\n"
        "carrier    submitted  delivered  failed  expired  uncertain  pending\n"
        "viettel        6,000      5,980      15        0          5        0\n"
        "vinaphone      4,000      3,970      15       10          0        5\n");
}

TEST_CASE("the summary of a running campaign: estimate, queued, and no columns for what never happened") {
  const auto c = parse(R"({"id": "21", "state": "running", "fanout_done": false, "recipients": 3000,
      "estimated_recipients": 10000, "queued": 2500, "submitted": 500, "delivered": 400, "pending": 100,
      "parts": 500, "by_carrier": {"viettel": {"submitted": 500, "delivered": 400, "pending": 100}}})");
  CHECK(summary(c) ==
        "campaign 21: running\n"
        "recipients  10,000  (estimate; 3,000 found so far)\n"
        "queued       2,500\n"
        "submitted      500\n"
        "delivered      400\n"
        "failed           0\n"
        "expired          0\n"
        "uncertain        0\n"
        "pending        100\n"
        "parts          500\n"
        "\n"
        "carrier  submitted  delivered  failed  pending\n"
        "viettel        500        400       0      100\n");
}

TEST_CASE("the delivered share rounds down, so 100.0% means everyone") {
  const auto c = parse(R"({"id": "1", "state": "done", "fanout_done": true, "recipients": 10000,
      "delivered": 9999, "failed": 1})");
  CHECK(summary(c).find("delivered    9,999  (99.9%)\n") != std::string::npos);
}

TEST_CASE("the summary of a campaign waiting for approval says when it is due") {
  const auto c = parse(R"({"id": "22", "state": "awaiting_approval", "due_at": "2026-11-23T07:30:00+07:00",
      "fanout_done": true, "recipients": 6000, "queued": 6000})");
  CHECK(
      summary(c).starts_with("campaign 22: awaiting approval, due 2026-11-23T07:30:00+07:00\n"
                             "recipients  6,000\n"
                             "queued      6,000\n"));
}

TEST_CASE("judging the end: 0 only when every recipient got it") {
  auto c =
      parse(R"({"id": "17", "state": "done", "fanout_done": true, "recipients": 10000, "submitted": 10000,
      "delivered": 10000})");
  auto v = judge(c);
  CHECK(v.code == exit_code::done);
  CHECK(v.message == "all 10,000 delivered");

  c = parse(R"({"id": "17", "state": "done", "fanout_done": true, "recipients": 10000, "submitted": 10000,
      "delivered": 9955, "failed": 30, "expired": 10, "uncertain": 5})");
  v = judge(c);
  CHECK(v.code == exit_code::some_failed);
  CHECK(v.message == "9,955 of 10,000 delivered; 45 not delivered (failed 30, expired 10, uncertain 5)");

  v = judge(
      parse(R"({"id": "17", "state": "done", "fanout_done": true, "recipients": 10000, "delivered": 9990})"));
  CHECK(v.code == exit_code::some_failed);
  CHECK(v.message == "9,990 of 10,000 delivered; 10 with no outcome reported");

  v = judge(parse(R"({"id": "5", "state": "done", "fanout_done": true})"));
  CHECK(v.code == exit_code::done);
  CHECK(v.message == "nobody to send to: no recipients");
}

TEST_CASE("judging a wait that gave up: receipts still pending, or a campaign that never started") {
  auto c =
      parse(R"({"id": "17", "state": "done", "fanout_done": true, "recipients": 10000, "submitted": 10000,
      "delivered": 9995, "pending": 5})");
  auto v = judge(c, 600s);
  CHECK(v.code == exit_code::some_failed);
  CHECK(v.message == "9,995 of 10,000 delivered; stopped waiting after 600 s with 5 still pending");

  c = parse(R"({"id": "18", "state": "scheduled", "fanout_done": false, "estimated_recipients": 1200})");
  v = judge(c, 600s);
  CHECK(v.code == exit_code::some_failed);
  CHECK(
      v.message ==
      "0 of 1,200 delivered; stopped waiting after 600 s: campaign 18 is scheduled with 1,200 not yet sent");
}

TEST_CASE("judging a cancelled campaign: what never left counts, however the gateway reports it") {
  const auto c = parse(R"({"id": "17", "state": "cancelled", "fanout_done": true, "recipients": 10000,
      "queued": 4770, "submitted": 5230, "delivered": 5200, "failed": 30})");
  const std::string expected =
      "5,200 of 10,000 delivered; 30 not delivered (failed 30); cancelled with 4,770 not sent";
  CHECK(judge(c).code == exit_code::some_failed);
  CHECK(judge(c).message == expected);
  CHECK(judge(with(c, &counts::queued, 0)).message == expected);
}

TEST_CASE("the wait for receipts is bounded from when the campaign is done") {
  const auto t0 = clock::time_point{};
  wait_deadline deadline(600s);
  auto c = halfway;
  for (int i = 0; i < 2000; ++i) {  // sending for 1000 s, the counts moving at every poll
    c.submitted += 1;
    REQUIRE_FALSE(deadline.passed(c, t0 + i * 500ms));
  }
  c.state = "done";
  CHECK_FALSE(deadline.passed(c, t0 + 1000s));
  c.delivered += 1;  // receipts arriving do not extend the wait
  CHECK_FALSE(deadline.passed(c, t0 + 1599s));
  c.delivered += 1;
  CHECK(deadline.passed(c, t0 + 1600s));
}

TEST_CASE("before it is done, the wait stops after the timeout without any change") {
  const auto t0 = clock::time_point{};
  wait_deadline deadline(600s);
  auto c = halfway;
  c.state = "awaiting_approval";
  CHECK_FALSE(deadline.passed(c, t0));
  CHECK_FALSE(deadline.passed(c, t0 + 599s));
  CHECK(deadline.passed(c, t0 + 600s));

  wait_deadline moving(600s);
  CHECK_FALSE(moving.passed(halfway, t0));
  CHECK_FALSE(moving.passed(with(halfway, &counts::submitted, 5300), t0 + 500s));
  CHECK_FALSE(moving.passed(with(halfway, &counts::submitted, 5300), t0 + 1099s));  // 599 s since it moved
  CHECK(moving.passed(with(halfway, &counts::submitted, 5300), t0 + 1100s));
}

TEST_CASE("the summary of a campaign held for approval says why it waits") {
  const auto c = parse(R"({"id": "7", "state": "awaiting_approval", "fanout_done": false, "recipients": 0,
      "estimated_recipients": 0, "approval_reason": "the audience grew to 5998 recipients > 5000 after it was created",
      "approval_recipients": 5998})");
  CHECK(summary(c).starts_with(
      "campaign 7: awaiting approval\n"
      "waits for an approver because the audience grew to 5998 recipients > 5000 after it was created; an approver "
      "releases it with `loa approve 7`\n"));
  const auto urgent = parse(R"({"id": "8", "state": "awaiting_approval", "approval_reason": "urgent"})");
  CHECK(summary(urgent).find("waits for an approver because it is urgent;") != std::string::npos);
  const auto released = parse(R"({"id": "9", "state": "running", "approval_reason": "urgent"})");
  CHECK(summary(released).find("waits") == std::string::npos);
}

TEST_CASE("the summary of a running campaign ends with one line per lane of the gateway, and why a lane waits") {
  const auto c = parse(R"({"id": "22", "state": "running", "fanout_done": true, "recipients": 3000,
      "queued": 1000, "submitted": 2000, "delivered": 2000, "parts": 2000,
      "lanes": [{"carrier": "viettel", "queued": 40, "parked": 0, "in_flight": 50, "uncertain": 0, "sent": 1800,
                 "waiting_reason": null, "waiting_since": null},
                {"carrier": "mobifone", "queued": 0, "parked": 960, "in_flight": 0, "uncertain": 2, "sent": 200,
                 "waiting_reason": "not bound", "waiting_since": "2026-12-05T15:04:05+07:00"}]})");
  REQUIRE(c.lanes.size() == 2);
  CHECK(c.lanes[1].parked == 960);
  CHECK(summary(c) ==
        "campaign 22: running\n"
        "recipients  3,000\n"
        "queued      1,000\n"
        "submitted   2,000\n"
        "delivered   2,000  (66.6%)\n"
        "failed          0\n"
        "expired         0\n"
        "uncertain       0\n"
        "pending         0\n"
        "parts       2,000\n"
        "\n"
        "lanes on this gateway:\n"
        "viettel   queued 40, parked 0, in flight 50, uncertain 0, sent 1,800\n"
        "mobifone  queued 0, parked 960, in flight 0, uncertain 2, sent 200; waiting: not bound since "
        "2026-12-05T15:04:05+07:00\n");
}
