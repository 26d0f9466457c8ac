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
    std::size_t w = col.english.size();
    for (const auto& [name, c] : by) w = std::max(w, progress::thousands(count(c, col.field)).size());
    widths.push_back(w);
  }
  std::string out = pad_right(title, first);
  for (std::size_t i = 0; i < widths.size(); ++i)
    out += fmt::format("  {:>{}}", count_columns[i].english, widths[i]);
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

// Numbers the Vietnamese way: 1.234.567 and 12,3.
std::string vi_number(std::uint64_t n) {
  auto s = progress::thousands(n);
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

// A name for people beside its id, "Tổ 3 (to-3)", from the gateway's `group_names` or `created_by_name`;
// the id alone when it has none.
std::string named(std::string_view id, const json::value* name) {
  if (!name || !name->is_string() || name->as_string().empty() || name->as_string() == id)
    return std::string(id);
  return fmt::format("{} ({})", std::string_view(name->as_string()), id);
}

// A column the page leaves out when every row has 0 in it: what is still pending or queued matters while a
// campaign runs, and two empty columns fewer let the table fit a printed A4 page and a phone.
bool shown(const column& col, const json::object& by) {
  if (col.field != "pending" && col.field != "queued") return true;
  return std::any_of(by.begin(), by.end(),
                     [&](const auto& row) { return count(row.value(), col.field) != 0; });
}

std::string html_counts_table(std::string_view first_heading, const json::object& by,
                              const json::object& names = {}) {
  std::vector<const column*> columns;
  for (const auto& col : count_columns)
    if (shown(col, by)) columns.push_back(&col);
  std::string out = "<div class=\"wide\"><table>\n<thead><tr><th>" + std::string(first_heading) + "</th>";
  for (const auto* col : columns) out += fmt::format("<th class=\"n\">{}</th>", col->vietnamese);
  out += "<th class=\"n\">Tỉ lệ đã nhận</th></tr></thead>\n<tbody>\n";
  for (const auto& [name, c] : by) {
    out += "<tr>" + cell(html_escape(named(vi_label(name), names.if_contains(name))));
    for (const auto* col : columns) out += cell(vi_number(count(c, col->field)), true);
    out += cell(vi_percent(count(c, "delivered"), count(c, "recipients")), true) + "</tr>\n";
  }
  return out + "</tbody>\n</table></div>\n";
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
  std::string out = "<div class=\"wide\"><table class=\"summary\">\n<tbody>\n";
  const bool cancelled = str(campaign, "state") == "cancelled" && campaign.is_object() &&
                         campaign.as_object().contains("not_sent") && campaign.at("not_sent").is_number();
  for (const auto& [field, label] : rows) {
    if (cancelled && field == "queued") {  // never sent, not on the way
      out += fmt::format("<tr><th>{}</th>{}</tr>\n", "Không gửi (đã hủy)", cell(vi_number(count(campaign, "not_sent")), true));
      continue;
    }
    auto value = vi_number(count(campaign, field));
    if (field == "delivered")
      value += " (" + vi_percent(count(campaign, field), count(campaign, "recipients")) + ")";
    out += fmt::format("<tr><th>{}</th>{}</tr>\n", label, cell(value, true));
  }
  return out + "</tbody>\n</table></div>\n";
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

// The chart's geometry, in the SVG's own units (it is scaled to the page's width): two panels over one time
// axis, deliveries above and failures below, each with its own scale. Failures are a percent or two of the
// deliveries: on one scale their bars would be a line.
struct chart_frame {
  static constexpr double width = 720, height = 292, left = 64, right = 14;
  static constexpr double plot_w = width - left - right;
  static constexpr double axis_labels_y = 282;
  static constexpr double label_char = 6.6;  // the width of a digit of an 11-unit label, with some room
};

// One panel: where its bars stand and how tall the highest may be.
struct chart_panel {
  std::string_view field, title, bar_class;
  double title_y, plot_top, plot_h;
};
constexpr chart_panel chart_panels[] = {
    {"delivered", "Đã nhận (người)", "ok", 14, 36, 140},
    {"failed", "Thất bại (người)", "bad", 200, 222, 40},
};

// The failed bars' hatching: told apart from the solid delivered bars on a black-and-white printer, where the
// red and the green are the same grey. Defined once; the legend's keys use it too.
constexpr std::string_view hatch_pattern =
    "<defs><pattern id=\"hatch-failed\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" "
    "patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" class=\"hatch-ground\"/>"
    "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" class=\"hatch-line\"/></pattern></defs>\n";

// A panel's scale, grid and title (its name written in the chart itself, not only in the legend).
std::string panel_frame(const chart_panel& panel, std::uint64_t ceiling) {
  using f = chart_frame;
  std::string out = fmt::format("<text x=\"{}\" y=\"{}\" class=\"panel-title\">{}</text>\n", f::left,
                                panel.title_y, panel.title);
  const auto bottom = panel.plot_top + panel.plot_h;
  std::vector<std::uint64_t> ticks{0, ceiling};
  if (ceiling % 2 == 0 && panel.plot_h >= 80) ticks.insert(ticks.begin() + 1, ceiling / 2);
  for (const auto v : ticks) {
    const double y = bottom - panel.plot_h * static_cast<double>(v) / static_cast<double>(ceiling);
    out += fmt::format("<line x1=\"{}\" y1=\"{:.1f}\" x2=\"{}\" y2=\"{:.1f}\" class=\"grid\"/>\n", f::left, y,
                       f::width - f::right, y);
    out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"axis\" text-anchor=\"end\">{}</text>\n",
                       f::left - 6, y + 4, vi_number(v));
  }
  return out;
}

// Deliveries (solid) above, failures (hatched) below, per interval; each bar has its count above it when the
// bars are wide enough for the numbers, else the highest of each panel has; a <title> on each interval is
// the tooltip, so the exact numbers are there without a script.
std::string timeline_svg(const json::array& points, std::int64_t bucket) {
  using f = chart_frame;
  const std::string first_at = str(points.front(), "at"), last_at = str(points.back(), "at");
  const bool several_days = first_at.substr(0, 10) != last_at.substr(0, 10);
  const auto parts = bucket >= 86400 ? time_parts::day
                     : several_days  ? time_parts::day_and_time
                     : bucket < 60   ? time_parts::time_with_seconds
                                     : time_parts::time;
  const double slot = f::plot_w / static_cast<double>(points.size());
  const double bar_w = std::clamp(slot * 0.7, 1.0, 40.0);  // one interval alone is a bar, not a wall

  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {} {}\" width=\"100%\" role=\"img\" "
      "aria-label=\"Số người nhận được tin và số tin thất bại theo thời gian\">\n{}",
      f::width, f::height, hatch_pattern);
  for (const auto& panel : chart_panels) {
    std::uint64_t highest = 0;
    for (const auto& p : points) highest = std::max(highest, count(p, panel.field));
    const auto ceiling = nice_ceiling(std::max<std::uint64_t>(highest, 1));
    out += panel_frame(panel, ceiling);
    const auto bottom = panel.plot_top + panel.plot_h;
    // An empty panel says so: no bars could also read as a chart that failed to draw.
    if (highest == 0)
      out += fmt::format("<text x=\"{}\" y=\"{:.1f}\" class=\"count\">không có</text>\n", f::left + 8,
                         bottom - 6);
    const bool label_every_bar = slot >= f::label_char * static_cast<double>(vi_number(highest).size());
    bool peak_labelled = false;
    for (std::size_t i = 0; i < points.size(); ++i) {
      const auto n = count(points[i], panel.field);
      if (n == 0) continue;
      // A bar of a few people still shows: at least 2 units high.
      const double top =
          std::min(bottom - panel.plot_h * static_cast<double>(n) / static_cast<double>(ceiling), bottom - 2);
      const double x = f::left + slot * static_cast<double>(i) + (slot - bar_w) / 2;
      const auto tip =
          fmt::format("{}: {} đã nhận, {} thất bại", vi_time(str(points[i], "at"), parts),
                      vi_number(count(points[i], "delivered")), vi_number(count(points[i], "failed")));
      out += fmt::format(
          "<g><title>{}</title><rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
          "class=\"{}\"/>",
          html_escape(tip), x, top, bar_w, bottom - top, panel.bar_class);
      if (label_every_bar || (n == highest && !peak_labelled))
        out += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" class=\"count\" text-anchor=\"middle\">{}</text>",
                           x + bar_w / 2, top - 4, vi_number(n));
      peak_labelled = peak_labelled || n == highest;
      out += "</g>\n";
    }
  }
  // Labels under the first, middle and last intervals: enough to read the time span, never overlapping.
  std::vector<std::size_t> labelled{0};
  if (points.size() > 2) labelled.push_back(points.size() / 2);
  if (points.size() > 1) labelled.push_back(points.size() - 1);
  // The first and last flush with the plot's edges, so that no font size pushes them out of the picture.
  for (const auto i : labelled) {
    const bool first = i == 0, last = i + 1 == points.size() && i != 0;
    const double x = first  ? f::left
                     : last ? f::width - f::right
                            : f::left + slot * (static_cast<double>(i) + 0.5);
    out += fmt::format("<text x=\"{:.1f}\" y=\"{}\" class=\"axis\" text-anchor=\"{}\">{}</text>\n", x,
                       f::axis_labels_y,
                       first  ? "start"
                       : last ? "end"
                              : "middle",
                       html_escape(vi_time(str(points[i], "at"), parts)));
  }
  return out + "</svg>\n";
}

// A legend key: a small SVG square drawn as the bars are (printers drop CSS backgrounds, never SVG fills).
std::string legend_key(std::string_view cls) {
  return fmt::format(
      "<svg class=\"key\" viewBox=\"0 0 14 14\" width=\"14\" height=\"14\" aria-hidden=\"true\">"
      "<rect x=\"0.5\" y=\"0.5\" width=\"13\" height=\"13\" class=\"{}\"/></svg>",
      cls);
}

// The chart with its heading and legend in one block that a printed page never splits.
std::string timeline_figure(const json::value& timeline) {
  std::string out = "<section class=\"chart\">\n<h2>Tin đến máy theo thời gian</h2>\n";
  const auto& points = array_at(timeline, "points");
  if (points.empty()) return out + "<p>Chưa có tin nào đến máy hay thất bại.</p>\n</section>\n";
  const auto bucket = static_cast<std::int64_t>(real(timeline, "bucket_seconds"));
  std::uint64_t delivered = 0, failed = 0;
  for (const auto& p : points) {
    delivered += count(p, "delivered");
    failed += count(p, "failed");
  }
  out += timeline_svg(points, bucket);
  out += fmt::format(
      "<p class=\"legend\"><span>{} Đã nhận: {} người</span> <span>{} Thất bại: {} người</span> "
      "<span>· mỗi cột là {}</span></p>\n",
      legend_key("ok"), vi_number(delivered), legend_key("bad"), vi_number(failed), bucket_words(bucket));
  return out + "</section>\n";
}

std::string reasons_table(const json::value& report) {
  const auto& reasons = array_at(report, "failure_reasons");
  if (reasons.empty()) return "<p>Không có người nhận nào thất bại.</p>\n";
  std::string out =
      "<div class=\"wide\"><table>\n<thead><tr><th>Lý do</th><th class=\"n\">Số người</th></tr></thead>\n"
      "<tbody>\n";
  for (const auto& r : reasons)
    out += "<tr>" + cell(html_escape(vi_label(str(r, "reason")))) + cell(vi_number(count(r, "count")), true) +
           "</tr>\n";
  return out + "</tbody>\n</table></div>\n";
}

std::string delivery_table(const json::value& d) {
  if (count(d, "count") == 0) return "<p>Chưa có tin nào đến máy.</p>\n";
  std::string out =
      "<div class=\"wide\"><table>\n<thead><tr><th class=\"n\">Số người đã nhận</th>"
      "<th class=\"n\">Một nửa đến trong</th><th class=\"n\">90% đến trong</th><th class=\"n\">99% đến "
      "trong</th>"
      "<th class=\"n\">Lâu nhất</th></tr></thead>\n<tbody>\n<tr>" +
      cell(vi_number(count(d, "count")), true);
  for (const auto* key : {"p50", "p90", "p99", "max"}) out += cell(vi_decimal(real(d, key)) + " giây", true);
  return out + "</tr>\n</tbody>\n</table></div>\n";
}

// ---- the letterhead and the signature (Decree 30/2020/NĐ-CP, Appendix I: administrative documents) ----

// The campaign's wards as people name them ("Phường Long Thủy"), from the gateway's `ward_names` {id: name};
// empty for a ward it names not (an older gateway, a ward without a display_name).
struct ward_name {
  std::string id, name;
};

std::vector<ward_name> ward_names(const json::value& campaign) {
  const auto& names = object_at(campaign, "ward_names");
  std::vector<ward_name> out;
  for (const auto& w : array_at(campaign, "wards")) {
    if (!w.is_string()) continue;
    const auto* name = names.if_contains(w.as_string());
    // The gateway maps an id without a name to itself: that is no name.
    const bool named = name && name->is_string() && name->as_string() != w.as_string();
    out.push_back({std::string(w.as_string()), named ? std::string(name->as_string()) : ""});
  }
  return out;
}

// "Phường Long Thủy", or "phường long-thuy" for a ward known by its id only.
std::string wards_in_words(const json::value& campaign) {
  std::string out;
  for (const auto& w : ward_names(campaign))
    out += (out.empty() ? "" : ", ") + (w.name.empty() ? "phường " + w.id : w.name);
  return out;
}

// "Phường Long Thủy" -> "Long Thủy": the place a document is dated at; empty for a name without such a word
// (an id).
std::string place_of(std::string_view ward_name) {
  for (const std::string_view unit : {"Phường ", "Xã ", "Thị trấn ", "Đặc khu "})
    if (ward_name.starts_with(unit) && ward_name.size() > unit.size())
      return std::string(ward_name.substr(unit.size()));
  return {};
}

// "ngày 05 tháng 02 năm 2026": the decree writes a day below 10 and the months 1 and 2 with a leading zero.
std::string vi_long_date(std::string_view iso) {
  if (iso.size() < 10 || iso[4] != '-' || iso[7] != '-') return std::string(iso);
  const auto month = iso.substr(5, 2);
  return fmt::format("ngày {} tháng {} năm {}", iso.substr(8, 2),
                     month == "01" || month == "02" || month[0] != '0' ? month : month.substr(1),
                     iso.substr(0, 4));
}

std::string letterhead(const json::value& report, const json::value& campaign) {
  std::string names, place;
  for (const auto& w : ward_names(campaign)) {
    names += (names.empty() ? "" : ", ") + (w.name.empty() ? w.id : w.name);
    if (place.empty()) place = place_of(w.name);
  }
  auto date = vi_long_date(str(report, "generated_at"));
  // Without a place the line starts the sentence: "Ngày 23 tháng 11 năm 2026".
  if (place.empty() && date.starts_with("ngày ")) date[0] = 'N';
  // The place and date stand under the motto, as the decree lays the first lines out.
  std::string out = fmt::format(
      "<header class=\"letterhead\">\n"
      "<div class=\"agency\"><div>Ủy ban nhân dân</div><div class=\"ward\">{}</div></div>\n"
      "<div class=\"motto\"><div class=\"nation\">Cộng hòa xã hội chủ nghĩa Việt Nam</div>"
      "<div class=\"slogan\"><span>Độc lập - Tự do - Hạnh phúc</span></div>\n"
      "<p class=\"place-date\">{}</p></div>\n"
      "</header>\n",
      html_escape(names), html_escape(place.empty() ? date : place + ", " + date));
  return out;
}

std::string signature_block(std::string_view signer) {
  return fmt::format(
      "<section class=\"signature\"><div class=\"signer\">\n<p class=\"role\">Người lập báo cáo</p>\n"
      "<p class=\"hint\">(Ký, ghi rõ họ tên)</p>\n<div class=\"sign-space\"></div>\n{}\n</div></section>\n",
      signer.empty() ? "<p class=\"name-line\"></p>" : "<p class=\"name\">" + html_escape(signer) + "</p>");
}

constexpr std::string_view style = R"css(
body { font-family: "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", Arial, sans-serif; color: #1a1a1a;
       max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; line-height: 1.45; overflow-wrap: break-word; }
.letterhead { display: flex; flex-wrap: wrap; justify-content: space-between; gap: .6rem 1.5rem;
              text-align: center; font-weight: bold; text-transform: uppercase; font-size: .95rem; }
.letterhead .agency { flex: 1 1 14rem; }
.letterhead .motto { flex: 1 1 20rem; }
.letterhead .agency::after { content: ""; display: block; width: 5rem; margin: .25rem auto 0;
                             border-top: 1px solid currentColor; }
.letterhead .slogan { text-transform: none; font-size: 1.05em; }
.letterhead .slogan span { display: inline-block; border-bottom: 1px solid currentColor; padding-bottom: .1rem; }
.letterhead .place-date { font-style: italic; font-weight: normal; text-transform: none; font-size: 1.05em;
                         margin: .9rem 0 0; }
h1 { text-align: center; font-size: 1.4rem; margin: 1.2rem 0 .2rem; text-transform: uppercase; }
h1 .what { display: block; font-size: 1.05rem; text-transform: none; }
h2 { font-size: 1.15rem; margin-top: 1.6rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
.meta { color: #444; margin: .2rem 0; }
blockquote { margin: .5rem 0; padding: .6rem 1rem; background: #f4f6f8; border-left: 4px solid #1f5fa8;
             white-space: pre-wrap; }
.wide { max-width: 100%; overflow-x: auto; }
table { border-collapse: collapse; margin: .5rem 0; }
th, td { border: 1px solid #999; padding: .3rem .5rem; text-align: left; vertical-align: top; }
thead th { background: #eef1f4; }
.n { text-align: right; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
td.n { white-space: nowrap; }
table.summary th { background: #f7f7f7; font-weight: normal; }
.chart > svg { max-width: 720px; display: block; }
svg .grid { stroke: #bbb; stroke-width: 1; }
svg .axis { font-size: 12px; fill: #444; }
svg .count { font-size: 11px; fill: #1a1a1a; }
svg .panel-title { font-size: 12px; font-weight: bold; fill: #1a1a1a; }
.ok { fill: #2e7d32; stroke: #1b4d1f; stroke-width: 1; }
.bad { fill: url(#hatch-failed); stroke: #b71c1c; stroke-width: 1; }
.hatch-ground { fill: #fff; }
.hatch-line { stroke: #c62828; stroke-width: 3; }
.legend span { white-space: nowrap; margin-right: .6rem; }
.key { display: inline-block; vertical-align: -2px; }
.signature { display: flex; justify-content: flex-end; margin-top: 2rem; break-inside: avoid; }
.signer { text-align: center; min-width: 15rem; }
.signer p { margin: 0; }
.signer .role { font-weight: bold; text-transform: uppercase; }
.signer .hint { font-style: italic; }
.signer .sign-space { height: 6rem; }
.signer .name-line { border-bottom: 1px dotted #555; height: 1.4rem; }
.signer .name { font-weight: bold; }
@media (max-width: 32rem) {  /* a phone: the chart is drawn at half its size, its words would be 6 px */
  svg .axis, svg .count { font-size: 16px; }
  svg .panel-title { font-size: 17px; }
}
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
@page { @top-center { content: counter(page); font-size: 11pt; } }
@page :first { @top-center { content: none; } }
@media print {
  body { font-family: "Times New Roman", Tinos, "Liberation Serif", "DejaVu Serif", serif; font-size: 12pt;
         max-width: none; margin: 0; padding: 0; color: #000; }
  .letterhead { font-size: 11pt; flex-wrap: nowrap; }
  .letterhead .agency { flex: 0 0 38%; }
  .letterhead .motto { flex: 0 0 60%; }
  h1 { font-size: 14pt; }
  h1 .what { font-size: 13pt; }
  h2 { font-size: 12.5pt; margin: 12pt 0 4pt; break-after: avoid; }
  .meta { margin: 2pt 0; }
  .wide { overflow: visible; }
  table { font-size: 9.5pt; }
  th, td { padding: 1.5pt 4pt; }
  table, .chart, .signature, blockquote { break-inside: avoid; }
  blockquote { background: none; border-left-width: 2px; }
  .chart > svg { max-width: 100%; }
}
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
  const auto& campaign = object_at(report, "campaign");
  const json::value c(campaign);
  std::string out = fmt::format("Campaign {}, {}; report made {}\n", str(c, "id"),
                                progress::state_words(str(c, "state")), str(report, "generated_at"));
  // The notice (another official's) and a carrier's failure reasons may hold escape sequences that would
  // drive the terminal: printed escaped (segments/printable.hpp).
  out += fmt::format("Notice: {}\n", segments::printable(str(c, "text")));
  // A cancelled campaign's unsent recipients are not on their way: "not sent (cancelled)", not "queued".
  const bool cancelled = str(c, "state") == "cancelled" && campaign.contains("not_sent") && campaign.at("not_sent").is_number();
  const std::string unsent = cancelled ? progress::thousands(count(c, "not_sent")) + " not sent (cancelled)"
                                       : progress::thousands(count(c, "queued")) + " queued";
  out += fmt::format(
      "{} recipients: {} delivered, {} failed, {} expired, {} uncertain, {} pending, {}; {} skipped "
      "(opted out)\n\n",
      progress::thousands(count(c, "recipients")), progress::thousands(count(c, "delivered")),
      progress::thousands(count(c, "failed")), progress::thousands(count(c, "expired")),
      progress::thousands(count(c, "uncertain")), progress::thousands(count(c, "pending")), unsent,
      progress::thousands(count(c, "skipped_optout")));
  out += counts_table("By carrier", object_at(report, "by_carrier")) + "\n";
  out += counts_table("By group", object_at(report, "by_group")) + "\n";
  out += "Failure reasons\n";
  const auto& reasons = array_at(report, "failure_reasons");
  if (reasons.empty()) out += "  none\n";
  for (const auto& r : reasons)
    out += fmt::format("  {:>10}  {}\n", progress::thousands(count(r, "count")),
                       segments::printable(str(r, "reason")));
  const json::value d(object_at(report, "delivery_seconds"));
  out += "\nDelivery time (submit to receipt)\n";
  if (count(d, "count") == 0) {
    out += "  nothing delivered yet\n";
  } else {
    out += fmt::format("  {} delivered: median {:.1f} s, 90% {:.1f} s, 99% {:.1f} s, longest {:.1f} s\n",
                       progress::thousands(count(d, "count")), real(d, "p50"), real(d, "p90"), real(d, "p99"),
                       real(d, "max"));
  }
  return out;
}

std::string html(const json::value& report, std::string_view signer) {
  const json::value c(object_at(report, "campaign"));
  const auto id = html_escape(str(c, "id"));
  std::string out = "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>Báo cáo gửi tin – đợt gửi số {}</title>\n<style>{}</style>\n</head>\n<body>\n",
                     id, style);
  out += letterhead(report, c);
  out += fmt::format("<h1>Báo cáo<span class=\"what\">Kết quả gửi tin nhắn, đợt gửi số {}</span></h1>\n", id);
  out += fmt::format("<p class=\"meta\">Đợt gửi số {} · {} · {} · nhóm {}</p>\n", id,
                     html_escape(vi_state(str(c, "state"))), html_escape(wards_in_words(c)),
                     html_escape(joined(c, "groups", ", ")));
  out += fmt::format("<p class=\"meta\">Người gửi: {} · Tạo lúc {} · Lập báo cáo lúc {}</p>\n",
                     html_escape(named(str(c, "created_by"), c.as_object().if_contains("created_by_name"))),
                     html_escape(vi_time(str(c, "created_at"))),
                     html_escape(vi_time(str(report, "generated_at"))));
  out += "<h2>Nội dung tin nhắn</h2>\n<blockquote>" + html_escape(str(c, "text")) + "</blockquote>\n";
  out += "<h2>Tóm tắt</h2>\n" + summary_table(c);
  out += timeline_figure(json::value(object_at(report, "timeline")));
  out += "<h2>Theo nhà mạng</h2>\n" + html_counts_table("Nhà mạng", object_at(report, "by_carrier"));
  out += "<h2>Theo nhóm</h2>\n" +
         html_counts_table("Nhóm", object_at(report, "by_group"), object_at(c, "group_names"));
  out += "<p class=\"meta\">Người ở nhiều nhóm được tính trong mỗi nhóm.</p>\n";
  out += "<h2>Lý do thất bại</h2>\n" + reasons_table(report);
  out +=
      "<h2>Thời gian đến máy</h2>\n<p class=\"meta\">Từ lúc gửi cho nhà mạng đến lúc nhà mạng báo đã "
      "nhận.</p>\n" +
      delivery_table(json::value(object_at(report, "delivery_seconds")));
  out += signature_block(signer);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace loa::cli::report
