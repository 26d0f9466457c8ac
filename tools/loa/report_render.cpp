#include "tools/loa/report_render.hpp"

#include <fmt/format.h>
#include <boost/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "gateway/common/plain_json.hpp"
#include "segments/printable.hpp"
#include "tools/loa/csv_cell.hpp"
#include "tools/loa/i18n/plain_words.hpp"
#include "tools/loa/i18n/translate.hpp"
#include "tools/loa/progress.hpp"

namespace loa::cli::report {
namespace {

namespace json = boost::json;

// Reading the document leniently: a missing or null field reads as empty or 0, so an older or newer gateway
// still gives a report.
const json::object& object_at(const json::value& v, std::string_view key) {
  static const json::object empty;
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(key) : nullptr;
  return f && f->is_object() ? f->as_object() : empty;
}

const json::array& array_at(const json::value& v, std::string_view key) {
  static const json::array empty;
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(key) : nullptr;
  return f && f->is_array() ? f->as_array() : empty;
}

std::string str(const json::value& v, std::string_view key) {
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(key) : nullptr;
  if (!f || f->is_null()) return {};
  return f->is_string() ? std::string(f->as_string()) : serialize_plain(*f);
}

double real(const json::value& v, std::string_view key) {
  const auto* o = v.if_object();
  const auto* f = o ? o->if_contains(key) : nullptr;
  return f && f->is_number() ? f->to_number<double>() : 0.0;
}

std::uint64_t count(const json::value& v, std::string_view key) {
  return static_cast<std::uint64_t>(std::max(0.0, real(v, key)));
}

std::string joined(const json::value& v, std::string_view key, std::string_view separator) {
  std::string out;
  for (const auto& e : array_at(v, key)) {
    if (!e.is_string()) continue;
    if (!out.empty()) out += separator;
    out += std::string_view(e.as_string());
  }
  return out;
}

// The columns of the carrier and group tables: the field, its English and its Vietnamese heading.
struct column {
  std::string_view field, english, vietnamese;
};
constexpr column count_columns[] = {
    {"recipients", "recipients", "Người nhận"}, {"delivered", "delivered", "Đã nhận"},
    {"failed", "failed", "Thất bại"},           {"expired", "expired", "Hết hạn"},
    {"uncertain", "uncertain", "Chưa rõ"},      {"pending", "pending", "Đang chờ báo nhận"},
    {"queued", "queued", "Chưa gửi xong"},      {"parts", "parts", "Số tin SMS"},
};

// ---- text ----

// Characters as a terminal shows them (UTF-8 continuation bytes take no column): Vietnamese group names
// would otherwise push their rows out of line.
std::size_t columns_of(std::string_view s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad_right(std::string_view s, std::size_t width) {
  return std::string(s) + std::string(width - std::min(width, columns_of(s)), ' ');
}

// Each column as wide as its heading or its widest number, so that the table fits a terminal.
std::string counts_table(std::string_view title, const json::object& by) {
  std::size_t first = columns_of(title);
  for (const auto& [name, c] : by) first = std::max(first, columns_of(segments::printable(name)));
  std::vector<std::size_t> widths;
  for (const auto& col : count_columns) {
    std::size_t w = columns_of(i18n::tr(col.english));
    for (const auto& [name, c] : by) w = std::max(w, progress::thousands(count(c, col.field)).size());
    widths.push_back(w);
  }
  std::string out = pad_right(title, first);
  for (std::size_t i = 0; i < widths.size(); ++i)
    out += fmt::format("  {:>{}}", i18n::tr(count_columns[i].english), widths[i]);
  out += '\n';
  for (const auto& [name, c] : by) {
    out += pad_right(segments::printable(name), first);
    for (std::size_t i = 0; i < widths.size(); ++i)
      out += fmt::format("  {:>{}}", progress::thousands(count(c, count_columns[i].field)), widths[i]);
    out += '\n';
  }
  return out;
}

// ---- HTML ----

// Numbers the Vietnamese way: 1.234.567 and 12,3 (the page is Vietnamese whatever the terminal's language).
std::string vi_number(std::uint64_t n) {
  auto s = std::to_string(n);
  for (std::size_t i = s.size(); i > 3; i -= 3) s.insert(i - 3, ",");
  std::replace(s.begin(), s.end(), ',', '.');
  return s;
}

std::string vi_decimal(double x) {
  auto s = fmt::format("{:.1f}", x);
  std::replace(s.begin(), s.end(), '.', ',');
  return s;
}

std::string vi_percent(std::uint64_t part, std::uint64_t whole) {
  if (whole == 0) return "–";
  return vi_decimal(100.0 * static_cast<double>(part) / static_cast<double>(whole)) + "%";
}

std::string vi_state(std::string_view state) {
  if (state == "awaiting_approval") return "chờ duyệt";
  if (state == "scheduled") return "đã hẹn giờ gửi";
  if (state == "waiting") return "chờ hết giờ nghỉ đêm";
  if (state == "running") return "đang gửi";
  if (state == "done") return "đã gửi xong";
  if (state == "cancelled") return "đã hủy";
  return std::string(state);
}

// The gateway's placeholders (gateway/broadcast/campaign_report.hpp) in the page's language.
std::string vi_label(std::string_view name) {
  if (name == "(no longer subscribed)") return "(không còn đăng ký)";
  if (name == "(no reason given)") return "(không rõ lý do)";
  if (name == "no receipt within the validity period") return "không có báo nhận trong thời hạn hiệu lực";
  return std::string(name);
}

// "2026-11-23T07:30:05+07:00" as a Vietnamese reader writes it; `parts` picks what to show.
enum class time_parts { date_and_time, time, time_with_seconds, day, day_and_time };

std::string vi_time(std::string_view iso, time_parts parts = time_parts::date_and_time) {
  if (iso.size() < 19 || iso[4] != '-' || iso[10] != 'T') return std::string(iso);
  const auto day = fmt::format("{}/{}", iso.substr(8, 2), iso.substr(5, 2));
  const auto hm = std::string(iso.substr(11, 5));
  switch (parts) {
    case time_parts::time:
      return hm;
    case time_parts::time_with_seconds:
      return std::string(iso.substr(11, 8));
    case time_parts::day:
      return day;
    case time_parts::day_and_time:
      return day + " " + hm;
    case time_parts::date_and_time:
      break;
  }
  return fmt::format("{} {}/{}", hm, day, iso.substr(0, 4));
}

std::string cell(std::string_view text, bool number = false) {
  return fmt::format("<td{}>{}</td>", number ? " class=\"n\"" : "", text);
}

std::string html_counts_table(std::string_view first_heading, const json::object& by) {
  std::string out = "<table>\n<thead><tr><th>" + std::string(first_heading) + "</th>";
  for (const auto& col : count_columns) out += fmt::format("<th class=\"n\">{}</th>", col.vietnamese);
  out += "<th class=\"n\">Tỉ lệ đã nhận</th></tr></thead>\n<tbody>\n";
  for (const auto& [name, c] : by) {
    out += "<tr>" + cell(html_escape(vi_label(name)));
    for (const auto& col : count_columns) out += cell(vi_number(count(c, col.field)), true);
    out += cell(vi_percent(count(c, "delivered"), count(c, "recipients")), true) + "</tr>\n";
  }
  return out + "</tbody>\n</table>\n";
}

std::string summary_table(const json::value& campaign) {
  const std::pair<std::string_view, std::string_view> rows[] = {
      {"recipients", "Người nhận"},
      {"delivered", "Đã nhận"},
      {"failed", "Thất bại"},
      {"expired", "Hết hạn (không có báo nhận)"},
      {"uncertain", "Chưa rõ (mất trả lời của nhà mạng)"},
      {"pending", "Đang chờ báo nhận"},
      {"queued", "Chưa gửi xong"},
      {"skipped_optout", "Bỏ qua vì đã từ chối nhận tin"},
      {"parts", "Số tin SMS đã gửi"},
  };
  std::string out = "<table class=\"summary\">\n<tbody>\n";
  for (const auto& [field, label] : rows) {
    auto value = vi_number(count(campaign, field));
    if (field == "delivered")
      value += " (" + vi_percent(count(campaign, field), count(campaign, "recipients")) + ")";
    out += fmt::format("<tr><th>{}</th>{}</tr>\n", label, cell(value, true));
  }
  return out + "</tbody>\n</table>\n";
}

// 1, 2 or 5 times a power of ten, at least `n`: the chart's top line.
std::uint64_t nice_ceiling(std::uint64_t n) {
  constexpr std::uint64_t multiples[] = {1, 2, 5};
  std::uint64_t step = 1;
  for (;;) {
    for (const auto m : multiples)
      if (m * step >= n) return m * step;
    step *= 10;
  }
}

std::string bucket_words(std::int64_t seconds) {
  if (seconds % 86400 == 0) return fmt::format("{} ngày", seconds / 86400);
  if (seconds % 3600 == 0) return fmt::format("{} giờ", seconds / 3600);
  if (seconds % 60 == 0) return fmt::format("{} phút", seconds / 60);
  return fmt::format("{} giây", seconds);
}

// Deliveries (green) and failures (red, stacked above) per interval, as bars; a <title> on each bar is the
// tooltip, so the exact numbers are there without a script.
std::string timeline_chart(const json::value& timeline) {
  const auto& points = array_at(timeline, "points");
  if (points.empty()) return "<p>Chưa có tin nào đến máy hay thất bại.</p>\n";
  const auto bucket = static_cast<std::int64_t>(real(timeline, "bucket_seconds"));
  const std::string first_at = str(points.front(), "at"), last_at = str(points.back(), "at");
  const bool several_days = first_at.substr(0, 10) != last_at.substr(0, 10);
  const auto parts = bucket >= 86400 ? time_parts::day
                     : several_days  ? time_parts::day_and_time
                     : bucket < 60   ? time_parts::time_with_seconds
                                     : time_parts::time;

  constexpr double width = 720, height = 260, left = 56, right = 12, top = 14, bottom = 40;
  const double plot_w = width - left - right, plot_h = height - top - bottom;
  std::uint64_t highest = 0;
  for (const auto& p : points) highest = std::max(highest, count(p, "delivered") + count(p, "failed"));
  const auto ceiling = nice_ceiling(std::max<std::uint64_t>(highest, 1));
  const auto y = [&](double v) { return top + plot_h - plot_h * v / static_cast<double>(ceiling); };

  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"100%\" role=\"img\" "
      "aria-label=\"Số người nhận được tin và số tin thất bại theo thời gian\">\n",
      width, height);
  for (const double v : {0.0, static_cast<double>(ceiling) / 2, static_cast<double>(ceiling)}) {
    out += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" class=\"grid\"/>\n", left, y(v),
                       width - right, y(v));
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>\n", left - 6,
                       y(v) + 4, vi_number(static_cast<std::uint64_t>(v)));
  }
  const double slot = plot_w / static_cast<double>(points.size());
  const double bar = std::max(1.0, slot * 0.8);
  for (std::size_t i = 0; i < points.size(); ++i) {
    const auto& p = points[i];
    const auto delivered = count(p, "delivered"), failed = count(p, "failed");
    const double x = left + slot * static_cast<double>(i) + (slot - bar) / 2;
    const auto tip = fmt::format("{}: {} đã nhận, {} thất bại", vi_time(str(p, "at"), parts),
                                 vi_number(delivered), vi_number(failed));
    out += fmt::format("<g><title>{}</title>", html_escape(tip));
    const double d_top = y(static_cast<double>(delivered));
    const double f_top = y(static_cast<double>(delivered + failed));
    if (delivered > 0)
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" class=\"ok\"/>",
                         x, d_top, bar, top + plot_h - d_top);
    if (failed > 0)
      out += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" class=\"bad\"/>",
                         x, f_top, bar, d_top - f_top);
    out += "</g>\n";
  }
  // Labels under the first, middle and last bars: enough to read the time span, never overlapping.
  std::vector<std::size_t> labelled{0};
  if (points.size() > 2) labelled.push_back(points.size() / 2);
  if (points.size() > 1) labelled.push_back(points.size() - 1);
  for (const auto i : labelled)
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"axis\" text-anchor=\"middle\">{}</text>\n",
                       left + slot * (static_cast<double>(i) + 0.5), height - bottom + 18,
                       html_escape(vi_time(str(points[i], "at"), parts)));
  out += "</svg>\n";
  out += fmt::format(
      "<p class=\"legend\"><span class=\"key ok\"></span> Đã nhận <span class=\"key bad\"></span> Thất bại "
      "· mỗi cột là {}</p>\n",
      bucket_words(bucket));
  return out;
}

std::string reasons_table(const json::value& report) {
  const auto& reasons = array_at(report, "failure_reasons");
  if (reasons.empty()) return "<p>Không có người nhận nào thất bại.</p>\n";
  std::string out = "<table>\n<thead><tr><th>Lý do</th><th class=\"n\">Số người</th></tr></thead>\n<tbody>\n";
  for (const auto& r : reasons)
    out += "<tr>" + cell(html_escape(vi_label(str(r, "reason")))) + cell(vi_number(count(r, "count")), true) +
           "</tr>\n";
  return out + "</tbody>\n</table>\n";
}

std::string delivery_table(const json::value& d) {
  if (count(d, "count") == 0) return "<p>Chưa có tin nào đến máy.</p>\n";
  std::string out =
      "<table>\n<thead><tr><th class=\"n\">Số người đã nhận</th><th class=\"n\">Một nửa đến trong</th>"
      "<th class=\"n\">90% đến trong</th><th class=\"n\">99% đến trong</th><th class=\"n\">Lâu nhất</th>"
      "</tr></thead>\n<tbody>\n<tr>" +
      cell(vi_number(count(d, "count")), true);
  for (const auto* key : {"p50", "p90", "p99", "max"}) out += cell(vi_decimal(real(d, key)) + " giây", true);
  return out + "</tr>\n</tbody>\n</table>\n";
}

constexpr std::string_view style = R"css(
body { font-family: "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif; color: #1a1a1a; max-width: 60rem;
       margin: 1.5rem auto; padding: 0 1rem; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 1.8rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
.meta { color: #444; margin: .2rem 0; }
blockquote { margin: .5rem 0; padding: .6rem 1rem; background: #f4f6f8; border-left: 4px solid #1f5fa8;
             white-space: pre-wrap; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }
thead th { background: #eef1f4; }
.n { text-align: right; font-variant-numeric: tabular-nums; }
table.summary th { background: #f7f7f7; font-weight: normal; }
svg { max-width: 720px; display: block; }
svg .grid { stroke: #ddd; stroke-width: 1; }
svg .axis { font-size: 12px; fill: #555; }
.ok { fill: #2e7d32; background: #2e7d32; }
.bad { fill: #c62828; background: #c62828; }
.key { display: inline-block; width: .9rem; height: .9rem; vertical-align: middle; margin-left: .6rem; }
@media print { body { margin: 0; } h2 { break-after: avoid; } table, svg { break-inside: avoid; } }
)css";

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string csv_header() {
  return "phone,carrier,state,parts,reason,groups,submitted_at,settled_at\r\n";
}

std::string csv_row(const json::value& r) {
  const std::string fields[] = {str(r, "phone"),        str(r, "carrier"),   str(r, "state"),
                                str(r, "parts"),        str(r, "reason"),    joined(r, "groups", ";"),
                                str(r, "submitted_at"), str(r, "settled_at")};
  return csv_line(fields);
}

std::string text(const json::value& report) {
  using i18n::tr;
  using i18n::trf;
  const auto& campaign = object_at(report, "campaign");
  const json::value c(campaign);
  std::string out = trf("Campaign {}, {}; report made {}\n", str(c, "id"), progress::state_words(str(c, "state")),
                        progress::due_words(str(report, "generated_at")));
  // The notice (another official's) and a carrier's failure reasons may hold escape sequences that would
  // drive the terminal: printed escaped (segments/printable.hpp).
  out += trf("Notice: {}\n", segments::printable(str(c, "text")));
  out += trf(
      "{} recipients: {} delivered, {} failed, {} expired, {} uncertain, {} pending, {} queued; {} skipped "
      "(opted out)\n\n",
      progress::thousands(count(c, "recipients")), progress::thousands(count(c, "delivered")),
      progress::thousands(count(c, "failed")), progress::thousands(count(c, "expired")),
      progress::thousands(count(c, "uncertain")), progress::thousands(count(c, "pending")),
      progress::thousands(count(c, "queued")), progress::thousands(count(c, "skipped_optout")));
  out += counts_table(tr("By carrier"), object_at(report, "by_carrier")) + "\n";
  out += counts_table(tr("By group"), object_at(report, "by_group")) + "\n";
  out += tr("Failure reasons\n");
  const auto& reasons = array_at(report, "failure_reasons");
  if (reasons.empty()) out += tr("  none\n");
  // In plain words, the carrier's code after them ("UNDELIV err:001" stays as it is in --json and the CSV).
  for (const auto& r : reasons)
    out += fmt::format("  {:>10}  {}\n", progress::thousands(count(r, "count")),
                       segments::printable(i18n::failure_reason(str(r, "reason"))));
  const json::value d(object_at(report, "delivery_seconds"));
  out += tr("\nDelivery time (submit to receipt)\n");
  if (count(d, "count") == 0) {
    out += tr("  nothing delivered yet\n");
  } else {
    out += trf("  {} delivered: median {} s, 90% {} s, 99% {} s, longest {} s\n",
               progress::thousands(count(d, "count")), i18n::decimal(real(d, "p50")), i18n::decimal(real(d, "p90")),
               i18n::decimal(real(d, "p99")), i18n::decimal(real(d, "max")));
  }
  return out;
}

std::string html(const json::value& report) {
  const json::value c(object_at(report, "campaign"));
  const auto id = html_escape(str(c, "id"));
  std::string out = "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>Báo cáo gửi tin – đợt gửi số {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     id, style);
  out += "<h1>Báo cáo gửi tin</h1>\n";
  out += fmt::format("<p class=\"meta\">Đợt gửi số {} · {} · phường {} · nhóm {}</p>\n", id,
                     html_escape(vi_state(str(c, "state"))), html_escape(joined(c, "wards", ", ")),
                     html_escape(joined(c, "groups", ", ")));
  out += fmt::format("<p class=\"meta\">Người gửi: {} · Tạo lúc {} · Lập báo cáo lúc {}</p>\n",
                     html_escape(str(c, "created_by")), html_escape(vi_time(str(c, "created_at"))),
                     html_escape(vi_time(str(report, "generated_at"))));
  out += "<h2>Nội dung tin nhắn</h2>\n<blockquote>" + html_escape(str(c, "text")) + "</blockquote>\n";
  out += "<h2>Tóm tắt</h2>\n" + summary_table(c);
  out += "<h2>Tin đến máy theo thời gian</h2>\n" + timeline_chart(json::value(object_at(report, "timeline")));
  out += "<h2>Theo nhà mạng</h2>\n" + html_counts_table("Nhà mạng", object_at(report, "by_carrier"));
  out += "<h2>Theo nhóm</h2>\n" + html_counts_table("Nhóm", object_at(report, "by_group"));
  out += "<p class=\"meta\">Người ở nhiều nhóm được tính trong mỗi nhóm.</p>\n";
  out += "<h2>Lý do thất bại</h2>\n" + reasons_table(report);
  out +=
      "<h2>Thời gian đến máy</h2>\n<p class=\"meta\">Từ lúc gửi cho nhà mạng đến lúc nhà mạng báo đã "
      "nhận.</p>\n" +
      delivery_table(json::value(object_at(report, "delivery_seconds")));
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace loa::cli::report
