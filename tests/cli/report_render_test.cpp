// `loa report`'s outputs from a report document (tools/loa/report_render): the HTML page an official opens,
// the CSV of every recipient, and the text tables.
#include "tools/loa/report_render.hpp"
#include "tools/loa/csv_cell.hpp"

#include <doctest/doctest.h>

#include <boost/json.hpp>

using namespace loa::cli;
namespace json = boost::json;

namespace {

bool has(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

// A report whose data tries to break out of the page: the notice, a group and a reason hold markup.
const json::value sample = json::parse(R"json({
  "campaign": {"id": "42", "state": "done", "wards": ["long-thuy"], "groups": ["<b>cao tuổi</b>", "thanh niên"],
    "text": "Lịch tiêm chủng <script>alert(1)</script> & \"sởi\"", "created_by": "hoa",
    "created_at": "2026-11-23T07:30:00+07:00", "recipients": 1234, "delivered": 1180, "failed": 31,
    "expired": 12, "uncertain": 11, "pending": 0, "queued": 0, "skipped_optout": 5, "parts": 3702},
  "generated_at": "2026-11-23T09:05:10+07:00",
  "by_carrier": {
    "viettel": {"recipients": 700, "delivered": 671, "failed": 20, "expired": 5, "uncertain": 4, "pending": 0,
                "queued": 0, "parts": 2100},
    "vinaphone": {"recipients": 534, "delivered": 509, "failed": 11, "expired": 7, "uncertain": 7, "pending": 0,
                  "queued": 0, "parts": 1602}},
  "by_group": {
    "<b>cao tuổi</b>": {"recipients": 400, "delivered": 390, "failed": 10, "expired": 0, "uncertain": 0,
                        "pending": 0, "queued": 0, "parts": 1200},
    "thanh niên": {"recipients": 900, "delivered": 850, "failed": 25, "expired": 12, "uncertain": 13,
                   "pending": 0, "queued": 0, "parts": 2700},
    "(no longer subscribed)": {"recipients": 2, "delivered": 2, "failed": 0, "expired": 0, "uncertain": 0,
                               "pending": 0, "queued": 0, "parts": 6}},
  "failure_reasons": [{"reason": "UNDELIV err:<001>", "count": 25}, {"reason": "(no reason given)", "count": 6}],
  "delivery_seconds": {"count": 1180, "p50": 2.5, "p90": 7.1, "p99": 30.4, "max": 95.0},
  "timeline": {"bucket_seconds": 60, "points": [
    {"at": "2026-11-23T07:30:00+07:00", "delivered": 600, "failed": 10},
    {"at": "2026-11-23T07:31:00+07:00", "delivered": 0, "failed": 0},
    {"at": "2026-11-23T07:32:00+07:00", "delivered": 580, "failed": 21}]}
})json");

}  // namespace

TEST_CASE("report html: one self-contained Vietnamese page with the escaped notice, the tables and a chart") {
  const auto page = report::html(sample);
  CHECK(page.starts_with("<!DOCTYPE html>"));
  CHECK(has(page, "<meta charset=\"utf-8\">"));
  CHECK(has(page, "lang=\"vi\""));
  // Data is text, never markup: no script anywhere, whatever the notice holds.
  CHECK_FALSE(has(page, "<script"));
  CHECK(has(page, "Lịch tiêm chủng &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;sởi&quot;"));
  CHECK(has(page, "&lt;b&gt;cao tuổi&lt;/b&gt;"));
  CHECK_FALSE(has(page, "<b>cao"));
  CHECK(has(page, "UNDELIV err:&lt;001&gt;"));
  // Nothing to fetch: no links to other files, no remote resources.
  CHECK_FALSE(has(page, "src="));
  CHECK_FALSE(has(page, "href="));
  CHECK_FALSE(has(page, "@import"));

  for (const auto* heading : {"Báo cáo gửi tin", "Theo nhà mạng", "Theo nhóm", "Lý do thất bại",
                              "Thời gian đến máy", "Đã nhận", "Thất bại", "Tóm tắt"})
    CHECK_MESSAGE(has(page, heading), heading);
  CHECK(has(page, "đã gửi xong"));
  // The numbers, written the Vietnamese way.
  CHECK(has(page, "<td>viettel</td><td class=\"n\">700</td><td class=\"n\">671</td><td class=\"n\">20</td>"));
  CHECK(has(page, "<td>vinaphone</td><td class=\"n\">534</td><td class=\"n\">509</td>"));
  CHECK(has(page, "<td class=\"n\">1.234</td>"));          // recipients
  CHECK(has(page, "<td class=\"n\">1.180 (95,6%)</td>"));  // delivered, with its share
  CHECK(has(page, "<td class=\"n\">3.702</td>"));          // parts
  CHECK(has(page, "(không còn đăng ký)"));
  CHECK(has(page, "(không rõ lý do)"));
  CHECK(has(page, "<td class=\"n\">25</td>"));
  CHECK(has(page, "2,5 giây"));
  CHECK(has(page, "95,0 giây"));

  // The chart: an inline SVG, a bar per interval with its numbers as a tooltip (none for an empty interval).
  CHECK(has(page, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(has(page, "<title>07:30: 600 đã nhận, 10 thất bại</title>"));
  CHECK_FALSE(has(page, "<title>07:31:"));
  CHECK(has(page, "mỗi cột là 1 phút"));
  CHECK(has(page, "</html>"));
}

TEST_CASE(
    "report html: a chart told apart in black and white by hatching and direct labels, kept with its "
    "legend") {
  const auto page = report::html(sample);
  // Failed bars are hatched (a pattern with its own white ground), delivered bars solid: a greyscale printer
  // turns the green and the red into the same grey.
  CHECK(has(page, "<pattern id=\"hatch-failed\""));
  CHECK(has(page, ".bad { fill: url(#hatch-failed);"));
  CHECK(has(page, "class=\"ok\"/>"));
  CHECK(has(page, "class=\"bad\"/>"));
  // Each panel names itself inside the chart; with three intervals every bar has its count above it.
  CHECK(has(page, ">Đã nhận (người)</text>"));
  CHECK(has(page, ">Thất bại (người)</text>"));
  for (const auto* n : {">600</text>", ">580</text>", ">10</text>", ">21</text>"})
    CHECK_MESSAGE(has(page, n), n);
  // The legend's keys are drawn as the bars are (SVG: printers drop CSS backgrounds), with the totals.
  CHECK(has(page, "<rect x=\"0.5\" y=\"0.5\" width=\"13\" height=\"13\" class=\"bad\"/>"));
  CHECK(has(page, "Đã nhận: 1.180 người"));
  CHECK(has(page, "Thất bại: 31 người"));
  CHECK_FALSE(has(page, ">không có</text>"));
  // The heading, the chart and the legend in one block a printed page does not split.
  const auto block = page.find("<section class=\"chart\">");
  REQUIRE(block != std::string::npos);
  CHECK(page.find("Tin đến máy theo thời gian", block) < page.find("<svg", block));
  CHECK(page.find("mỗi cột là", block) < page.find("</section>", block));
  CHECK(has(page, "table, .chart, .signature, blockquote { break-inside: avoid; }"));

  // Nothing failed: the failures' panel says so rather than stay blank.
  auto doc = sample;
  for (auto& p : doc.as_object()["timeline"].as_object()["points"].as_array()) p.as_object()["failed"] = 0;
  const auto none_failed = report::html(doc);
  CHECK(has(none_failed, ">không có</text>"));
  CHECK(has(none_failed, "Thất bại: 0 người"));
}

TEST_CASE(
    "report html: an A4 page with the letterhead of Decree 30 and a signature block, tables that scroll on a "
    "phone") {
  auto doc = sample;
  doc.as_object()["campaign"].as_object()["ward_names"] = json::object{{"long-thuy", "Phường Long Thủy"}};
  auto page = report::html(doc);
  CHECK(has(page, "@page { size: A4; margin: 20mm 15mm 20mm 30mm; }"));
  CHECK(has(page, "<div class=\"ward\">Phường Long Thủy</div>"));
  CHECK(has(page, "Cộng hòa xã hội chủ nghĩa Việt Nam"));
  CHECK(has(page, "<span>Độc lập - Tự do - Hạnh phúc</span>"));
  CHECK(has(page, "<p class=\"place-date\">Long Thủy, ngày 23 tháng 11 năm 2026</p>"));
  CHECK(has(page, "· Phường Long Thủy · nhóm"));
  CHECK(has(page, "<p class=\"role\">Người lập báo cáo</p>"));
  CHECK(has(page, "(Ký, ghi rõ họ tên)"));
  CHECK(has(page, "<p class=\"name-line\"></p>"));  // the name written by hand, unless --signer gives it
  CHECK(has(report::html(doc, "Trần <Văn> Nam"), "<p class=\"name\">Trần &lt;Văn&gt; Nam</p>"));
  // Every table in a box of its own that scrolls sideways on a narrow screen.
  CHECK(has(page, ".wide { max-width: 100%; overflow-x: auto; }"));
  std::size_t tables = 0, boxed = 0;
  for (auto at = page.find("<table"); at != std::string::npos; at = page.find("<table", at + 1)) {
    ++tables;
    boxed += page.compare(at - 18, 18, "<div class=\"wide\">") == 0;
  }
  CHECK(tables == 5);
  CHECK(boxed == tables);

  // A day below 10 and the months 1 and 2 take a leading zero, as the decree writes dates.
  doc.as_object()["generated_at"] = "2026-02-05T09:05:10+07:00";
  CHECK(has(report::html(doc), "Long Thủy, ngày 05 tháng 02 năm 2026"));
  doc.as_object()["generated_at"] = "2026-03-05T09:05:10+07:00";
  CHECK(has(report::html(doc), "Long Thủy, ngày 05 tháng 3 năm 2026"));

  // The gateway's names for people beside the ids: a group renamed, the sender's full name.
  doc.as_object()["campaign"].as_object()["group_names"] = json::object{{"thanh niên", "Đoàn thanh niên"}};
  doc.as_object()["campaign"].as_object()["created_by_name"] = "Nguyễn Thị Hoa";
  page = report::html(doc);
  CHECK(has(page, "<td>Đoàn thanh niên (thanh niên)</td>"));
  CHECK(has(page, "Người gửi: Nguyễn Thị Hoa (hoa)"));
  // An id without a name, which the gateway maps to itself, is no name.
  doc.as_object()["campaign"].as_object()["ward_names"] = json::object{{"long-thuy", "long-thuy"}};
  CHECK(has(report::html(doc), "<p class=\"place-date\">Ngày 05 tháng 3 năm 2026</p>"));
  CHECK(has(report::html(doc), "· phường long-thuy · nhóm"));

  // A name with markup is text; a gateway that sends no names leaves the ids, and a date without a place.
  doc.as_object()["campaign"].as_object()["ward_names"] =
      json::object{{"long-thuy", "Phường <i>Long</i> Thủy"}};
  CHECK(has(report::html(doc), "<div class=\"ward\">Phường &lt;i&gt;Long&lt;/i&gt; Thủy</div>"));
  page = report::html(sample);
  CHECK(has(page, "<div class=\"ward\">long-thuy</div>"));
  CHECK(has(page, "<p class=\"place-date\">Ngày 23 tháng 11 năm 2026</p>"));
  CHECK(has(page, "· phường long-thuy · nhóm"));
}

TEST_CASE("report html: the pending and queued columns only while some row has any") {
  auto doc = sample;
  CHECK_FALSE(has(report::html(doc), "<th class=\"n\">Đang chờ báo nhận</th>"));
  CHECK_FALSE(has(report::html(doc), "<th class=\"n\">Chưa gửi xong</th>"));
  doc.as_object()["by_carrier"].as_object()["viettel"].as_object()["pending"] = 3;
  const auto page = report::html(doc);
  CHECK(has(page, "<th class=\"n\">Đang chờ báo nhận</th>"));
  CHECK_FALSE(has(page, "<th class=\"n\">Chưa gửi xong</th>"));
  CHECK(has(page,
            "<td>viettel</td><td class=\"n\">700</td><td class=\"n\">671</td><td class=\"n\">20</td>"
            "<td class=\"n\">5</td><td class=\"n\">4</td><td class=\"n\">3</td><td class=\"n\">2.100</td>"));
}

TEST_CASE("report html: a campaign with nothing delivered yet says so instead of an empty chart") {
  auto doc = sample;
  doc.as_object()["timeline"] = json::object{{"bucket_seconds", 1}, {"points", json::array{}}};
  doc.as_object()["delivery_seconds"] =
      json::object{{"count", 0}, {"p50", 0}, {"p90", 0}, {"p99", 0}, {"max", 0}};
  doc.as_object()["failure_reasons"] = json::array{};
  const auto page = report::html(doc);
  CHECK_FALSE(has(page, "<svg"));
  CHECK(has(page, "Chưa có tin nào đến máy"));
  CHECK(has(page, "Không có người nhận nào thất bại."));
}

TEST_CASE("report csv: RFC 4180 quoting of a reason with a comma and a quote, groups joined by semicolons") {
  CHECK(report::csv_header() == "phone,carrier,state,parts,reason,groups,submitted_at,settled_at\r\n");
  CHECK(csv_cell("plain") == "plain");
  CHECK(csv_cell("a,b") == "\"a,b\"");
  CHECK(csv_cell("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(csv_cell("two\nlines") == "\"two\nlines\"");

  const auto recipient = json::parse(R"({"phone": "84961000007", "carrier": "viettel", "state": "failed",
      "parts": 3, "reason": "REJECTD err:0B, \"bad number\"", "groups": ["cao tuổi", "all"],
      "submitted_at": "2026-11-23T07:30:01+07:00", "settled_at": "2026-11-23T07:30:04+07:00"})");
  CHECK(report::csv_row(recipient) ==
        "84961000007,viettel,failed,3,\"REJECTD err:0B, \"\"bad number\"\"\",cao tuổi;all,"
        "2026-11-23T07:30:01+07:00,2026-11-23T07:30:04+07:00\r\n");
  // Not yet settled: the time is null, an empty field.
  const auto queued = json::parse(R"({"phone": "84911000014", "carrier": "vinaphone", "state": "queued",
      "parts": 1, "reason": "", "groups": [], "submitted_at": "2026-11-23T07:30:01+07:00", "settled_at": null})");
  CHECK(report::csv_row(queued) == "84911000014,vinaphone,queued,1,,,2026-11-23T07:30:01+07:00,\r\n");
}

TEST_CASE("report csv: cells a spreadsheet would run as formulas are neutralised with a leading quote") {
  // OWASP's list: = + - @ tab and carriage return at the start of a cell.
  CHECK(csv_cell("=HYPERLINK(\"http://evil.example\",\"x\")") ==
        "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\"");
  CHECK(csv_cell("@SUM(1)") == "'@SUM(1)");
  CHECK(csv_cell("+1+1") == "'+1+1");
  CHECK(csv_cell("-2+3") == "'-2+3");
  CHECK(csv_cell("\t=1+1") == "'\t=1+1");
  CHECK(csv_cell("\r=1+1") == "\"'\r=1+1\"");
  CHECK(csv_cell("a=1") == "a=1");  // only the first character starts a formula
  CHECK(csv_cell("") == "");

  // A group and a reason that came from outside (an imported CSV, a carrier's receipt) reach the file inert.
  const auto recipient = json::parse(R"json({"phone": "84961000007", "carrier": "viettel", "state": "failed",
      "parts": 1, "reason": "@SUM(1)", "groups": ["=HYPERLINK(\"http://x\")", "all"],
      "submitted_at": "2026-11-23T07:30:01+07:00", "settled_at": null})json");
  CHECK(report::csv_row(recipient) ==
        "84961000007,viettel,failed,1,'@SUM(1),\"'=HYPERLINK(\"\"http://x\"\");all\","
        "2026-11-23T07:30:01+07:00,\r\n");
}

TEST_CASE("report text: the summary line with the notice and state, then tables by carrier and group") {
  const auto out = report::text(sample);
  INFO(out);
  CHECK(has(out, "Campaign 42, done"));
  CHECK(has(out, "Notice: Lịch tiêm chủng <script>alert(1)</script>"));  // a terminal shows text as it is
  CHECK(has(out,
            "1,234 recipients: 1,180 delivered, 31 failed, 12 expired, 11 uncertain, 0 pending, 0 queued"));
  CHECK(has(out, "By carrier  recipients  delivered  failed  expired  uncertain  pending  queued  parts\n"));
  CHECK(has(out, "viettel            700        671      20        5          4        0       0  2,100\n"));
  CHECK(has(out, "By group"));
  CHECK(has(
      out,
      "thanh niên                     900        850      25       12         13        0       0  2,700\n"));
  CHECK(has(out, "        25  UNDELIV err:<001>"));
  CHECK(has(out, "1,180 delivered: median 2.5 s, 90% 7.1 s, 99% 30.4 s, longest 95.0 s"));
}

TEST_CASE("report html escape covers the five characters of markup") {
  CHECK(report::html_escape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(report::html_escape("Thủy") == "Thủy");
}
