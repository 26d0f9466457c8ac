// The report page (`loa report --html`, tools/loa/report_render) in a real browser: Debian's chromium prints
// it to PDF and shows it on a 400 px phone screen, and poppler's pdfinfo and pdftotext read the PDF back. The
// page must print on A4 with the letterhead, the chart beside its legend on one page and the signature block,
// and must fit a phone's width (wide tables scroll inside their own box). Without chromium or poppler the
// cases are skipped (exit 77, ctest's SKIP_RETURN_CODE); in CI (CI=1) they fail instead.
#include <doctest/doctest.h>

#include <fmt/format.h>
#include <png.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/fixtures/process.hpp"
#include "tools/loa/report_render.hpp"

using namespace loa;
namespace json = boost::json;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

bool has(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

// A real report's document (the gateway's GET /v1/campaigns/{id}/report): 14,666 households of one ward,
// 15 groups, a timeline of 60 one-minute intervals.
json::value fixture() {
  return json::parse(read_file("tests/integration/fixtures/report_page.json"));
}

std::optional<std::string> on_path(std::string_view program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    const auto candidate = fs::path(dir) / program;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  return std::nullopt;
}

struct browser_tools {
  std::string chromium, pdfinfo, pdftotext;
};

// The programs, or the case ends here: skipped locally (exit 77), failed in CI.
browser_tools tools_or_skip() {
  const auto chromium = on_path("chromium"), pdfinfo = on_path("pdfinfo"), pdftotext = on_path("pdftotext");
  if (chromium && pdfinfo && pdftotext) return {*chromium, *pdfinfo, *pdftotext};
  const char* ci = std::getenv("CI");
  const auto missing = fmt::format("{}{}{}", chromium ? "" : "chromium ", pdfinfo ? "" : "pdfinfo ",
                                   pdftotext ? "" : "pdftotext ");
  if (ci && std::string_view(ci) == "1")
    FAIL("CI=1 and not on PATH: ", missing, "(tools/install-deps installs chromium and poppler-utils)");
  std::fprintf(stderr, "skipped: not on PATH: %s(tools/install-deps installs them)\n", missing.c_str());
  std::exit(77);
}

struct ran {
  int exit_code = -1;
  std::string out;
};

// Runs a program to its end, at most `limit`, and returns its exit code and standard output.
ran run(const std::string& program, const std::vector<std::string>& args, const fs::path& stderr_file,
        std::chrono::seconds limit = 60s) {
  test::child_process p(program, args, stderr_file.string());
  const auto deadline = std::chrono::steady_clock::now() + limit;
  ran r;
  while (std::chrono::steady_clock::now() < deadline) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    auto line = p.read_line(std::max(left, std::chrono::milliseconds(1)));
    if (!line) break;
    r.out += *line + '\n';
  }
  r.exit_code = p.stop(0, 5s);
  return r;
}

// Where the pages, PDFs and screenshots go, kept for a person to look at (build/tests/report-page).
fs::path output_dir() {
  const fs::path dir = fs::path(LOA_REPORT_PAGE_DIR);
  fs::create_directories(dir);
  return dir;
}

// chromium, headless, with a profile of its own: runs of the suite in parallel never share one.
std::vector<std::string> chromium_args(const fs::path& profile, std::vector<std::string> more) {
  // --no-sandbox: CI runs as root; --disable-dev-shm-usage: containers' /dev/shm is often 64 MB.
  std::vector<std::string> args = {"--headless",
                                   "--no-sandbox",
                                   "--disable-gpu",
                                   "--disable-dev-shm-usage",
                                   "--no-first-run",
                                   "--no-default-browser-check",
                                   "--user-data-dir=" + profile.string()};
  args.insert(args.end(), more.begin(), more.end());
  return args;
}

std::string file_url(const fs::path& path) {
  return "file://" + fs::absolute(path).string();
}

struct pdf_page_size {
  double width = 0, height = 0;
  int pages = 0;
};

pdf_page_size pdf_info(const std::string& pdfinfo_output) {
  pdf_page_size s;
  std::istringstream lines(pdfinfo_output);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("Pages:")) s.pages = std::atoi(line.c_str() + 6);
    if (line.starts_with("Page size:")) std::sscanf(line.c_str() + 10, "%lf x %lf", &s.width, &s.height);
  }
  return s;
}

// pdftotext separates pages with form feeds.
std::vector<std::string> split_pages(const std::string& text) {
  std::vector<std::string> pages(1);
  for (const char c : text) {
    if (c == '\f')
      pages.emplace_back();
    else
      pages.back() += c;
  }
  if (pages.back().find_first_not_of(" \n") == std::string::npos) pages.pop_back();
  return pages;
}

// The 1-based page that holds `needle`, 0 when none does, -1 when several do.
int page_of(const std::vector<std::string>& pages, std::string_view needle) {
  int found = 0;
  for (std::size_t i = 0; i < pages.size(); ++i)
    if (has(pages[i], needle)) found = found ? -1 : static_cast<int>(i) + 1;
  return found;
}

// The words pdftotext -bbox finds beyond the printed area of A4 with the decree's margins (left 30 mm, right
// 15 mm): a table or a chart too wide for the page, cut off by the printer.
std::vector<std::string> words_outside_margins(const std::string& bbox_html) {
  constexpr double mm = 72 / 25.4, slack = 1.0;
  std::vector<std::string> outside;
  double page_width = 0;
  for (std::size_t at = 0; (at = bbox_html.find('<', at)) != std::string::npos; ++at) {
    if (bbox_html.compare(at, 12, "<page width=") == 0) {
      page_width = std::atof(bbox_html.c_str() + at + 13);
    } else if (bbox_html.compare(at, 11, "<word xMin=") == 0) {
      double x_min = 0, y_min = 0, x_max = 0, y_max = 0;
      std::sscanf(bbox_html.c_str() + at, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\"", &x_min,
                  &y_min, &x_max, &y_max);
      const auto text_at = bbox_html.find('>', at) + 1;
      const auto word = bbox_html.substr(text_at, bbox_html.find('<', text_at) - text_at);
      if (x_min < 30 * mm - slack || x_max > page_width - 15 * mm + slack)
        outside.push_back(fmt::format("{} at x {:.0f}-{:.0f} pt", word, x_min, x_max));
    }
  }
  return outside;
}

// The screenshot's pixels as 8-bit RGB rows (libpng).
struct rgb_image {
  std::uint32_t width = 0, height = 0;
  std::vector<std::uint8_t> pixels;  // width * height * 3
  std::uint8_t at(std::uint32_t x, std::uint32_t y, int channel) const {
    return pixels[(static_cast<std::size_t>(y) * width + x) * 3 + static_cast<std::size_t>(channel)];
  }
};

std::optional<rgb_image> read_png(const fs::path& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path.c_str())) return std::nullopt;
  image.format = PNG_FORMAT_RGB;
  rgb_image out;
  out.width = image.width;
  out.height = image.height;
  out.pixels.resize(PNG_IMAGE_SIZE(image));
  if (!png_image_finish_read(&image, nullptr, out.pixels.data(), 0, nullptr)) return std::nullopt;
  return out;
}

// Prints `html` to `stem`.pdf with chromium and returns the PDF's path (REQUIREd to exist).
fs::path print_to_pdf(const browser_tools& tools, const fs::path& stem, const std::string& html) {
  const auto page = fs::path(stem.string() + ".html"), pdf = fs::path(stem.string() + ".pdf");
  write_file(page, html);
  fs::remove(pdf);
  const auto started = std::chrono::steady_clock::now();
  run(tools.chromium,
      chromium_args(stem.string() + ".profile",
                    {"--no-pdf-header-footer", "--print-to-pdf=" + pdf.string(), file_url(page)}),
      stem.string() + ".chromium.log");
  MESSAGE("chromium printed ", page.string(), " in ",
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
              .count(),
          " ms");
  fs::remove_all(stem.string() + ".profile");
  REQUIRE_MESSAGE(fs::exists(pdf), "chromium wrote no PDF; see ", stem.string(), ".chromium.log");
  return pdf;
}

// The fixture with `extra_lines` more lines in its notice: the chart, which follows it, moves down the page.
std::string page_with_longer_notice(const json::value& base, int extra_lines) {
  auto doc = base;
  auto& text = doc.as_object()["campaign"].as_object()["text"];
  std::string notice(text.as_string());
  for (int i = 0; i < extra_lines; ++i) notice += fmt::format("\nDòng thêm {} của thông báo.", i + 1);
  text = notice;
  return cli::report::html(doc);
}

// The letterhead on a report's first page: the ward's full name, the national motto, the place and the date.
void check_letterhead(const std::string& page) {
  CHECK(has(page, "ỦY BAN NHÂN DÂN"));
  CHECK(has(page, "PHƯỜNG LONG THỦY"));
  CHECK(has(page, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"));
  CHECK(has(page, "Độc lập - Tự do - Hạnh phúc"));
  CHECK(has(page, "Long Thủy, ngày 23 tháng 11 năm 2026"));
  CHECK(has(page, "BÁO CÁO"));
}

// The chart's heading, its time axis, its highest bar's own label and its legend on one page of `pages`.
void check_chart_whole(const std::vector<std::string>& pages) {
  const int chart_page = page_of(pages, "Tin đến máy theo thời gian");
  CHECK(chart_page > 0);
  CHECK(page_of(pages, "08:29") == chart_page);                  // the last interval, under the axis
  CHECK(page_of(pages, "3.200") == chart_page);                  // the highest bar's own label
  CHECK(page_of(pages, "Đã nhận: 14.457 người") == chart_page);  // the legend, with the totals
  CHECK(page_of(pages, "Thất bại: 169 người") == chart_page);
  CHECK(page_of(pages, "mỗi cột là 1 phút") == chart_page);
}

void check_signature(const std::string& last_page) {
  CHECK(has(last_page, "NGƯỜI LẬP BÁO CÁO"));
  CHECK(has(last_page, "(Ký, ghi rõ họ tên)"));
}

}  // namespace

TEST_CASE("report page: printed on A4 within the decree's margins, letterhead, chart and signature") {
  const auto tools = tools_or_skip();
  const auto stem = output_dir() / "bao-cao-a4";
  const auto pdf = print_to_pdf(tools, stem, cli::report::html(fixture()));
  INFO(pdf.string());

  const auto info = pdf_info(run(tools.pdfinfo, {pdf.string()}, stem.string() + ".pdfinfo.log").out);
  // A4 is 210 x 297 mm: 595.28 x 841.89 points (chromium rounds to its own units).
  CHECK(std::abs(info.width - 595.28) < 1.5);
  CHECK(std::abs(info.height - 841.89) < 1.5);
  // Four pages at most: the letterhead, the summary and the chart; the carriers and 15 groups; the reasons,
  // the delivery times and the signature.
  CHECK(info.pages >= 2);
  CHECK(info.pages <= 4);

  const auto pages = split_pages(
      run(tools.pdftotext, {"-enc", "UTF-8", pdf.string(), "-"}, stem.string() + ".pdftotext.log").out);
  REQUIRE(static_cast<int>(pages.size()) == info.pages);
  check_letterhead(pages.front());
  check_chart_whole(pages);
  check_signature(pages.back());
  // Every table whole, inside the margins: the carriers' last column (the rates), the last groups.
  CHECK(page_of(pages, "98,4%") > 0);
  CHECK(page_of(pages, "99,0%") > 0);
  CHECK(page_of(pages, "to-12") > 0);
  const auto outside = words_outside_margins(
      run(tools.pdftotext, {"-bbox", "-enc", "UTF-8", pdf.string(), "-"}, stem.string() + ".pdftotext.log")
          .out);
  CHECK_MESSAGE(outside.empty(), fmt::format("{} words outside the margins, e.g. {}", outside.size(),
                                             outside.empty() ? "" : outside.front()));
}

TEST_CASE("report page: wherever the page ends the chart and its legend stay on one page") {
  const auto tools = tools_or_skip();
  // Sixteen reports, each with a notice one line longer than the last (a line is about 6 mm, the chart with
  // its legend about 85 mm): their charts end at every place near a page's end, some of which would put the
  // legend on the next page but for the page's break rules. One document, each report from a new page, so
  // that chromium starts once.
  const auto base = fixture();
  constexpr std::size_t reports = 16;
  std::string combined;
  for (std::size_t extra = 0; extra < reports; ++extra) {
    const auto page = page_with_longer_notice(base, static_cast<int>(extra));
    const auto body = page.find("<body>\n") + 7;
    if (extra == 0)
      combined = page.substr(0, body);
    else
      combined += "<div style=\"break-before: page\"></div>\n";
    combined += page.substr(body, page.find("</body>") - body);
  }
  combined += "</body>\n</html>\n";
  const auto stem = output_dir() / "bao-cao-a4-dich-chuyen";
  const auto pdf = print_to_pdf(tools, stem, combined);
  const auto pages = split_pages(
      run(tools.pdftotext, {"-enc", "UTF-8", pdf.string(), "-"}, stem.string() + ".pdftotext.log").out);
  INFO(pdf.string());

  // Each report from the page with its letterhead to the page before the next one.
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < pages.size(); ++i)
    if (has(pages[i], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")) starts.push_back(i);
  REQUIRE(starts.size() == reports);
  starts.push_back(pages.size());
  for (std::size_t extra = 0; extra < reports; ++extra) {
    CAPTURE(extra);
    const std::vector<std::string> own(pages.begin() + static_cast<std::ptrdiff_t>(starts[extra]),
                                       pages.begin() + static_cast<std::ptrdiff_t>(starts[extra + 1]));
    CHECK(own.size() <= 5);
    check_letterhead(own.front());
    check_chart_whole(own);
    check_signature(own.back());
  }
}

TEST_CASE(
    "report page: on a 400 px phone screen nothing is cut off and wide tables scroll in their own box") {
  const auto tools = tools_or_skip();
  const auto dir = output_dir();
  auto doc = fixture();
  // A group name with no place to break, as imports sometimes bring.
  auto& by_group = doc.as_object()["by_group"].as_object();
  by_group["to-dan-pho-so-12-khu-pho-Long-Thuy-Thi-xa-Phong-Dien-Thua-Thien-Hue"] = by_group["to-12"];
  const auto page = dir / "bao-cao-dien-thoai.html";
  write_file(page, cli::report::html(doc));

  // The layout at 400 px, measured inside the page: the page goes in an iframe exactly 400 px wide (headless
  // chromium's window is never narrower than 500 px), and a script of this harness, not of the page, writes
  // the widths into the DOM that --dump-dom prints.
  const auto harness = dir / "bao-cao-dien-thoai.harness.html";
  write_file(
      harness,
      "<!DOCTYPE html><html><body style=\"margin:0\"><iframe id=\"page\" style=\"width:400px;height:12000px;"
      "border:0\" srcdoc=\"" +
          cli::report::html_escape(read_file(page)) +
          "\"></iframe><pre id=\"measured\">not measured</pre><script>\n"
          "document.getElementById('page').addEventListener('load', () => {\n"
          "  const d = document.getElementById('page').contentDocument, root = d.documentElement;\n"
          "  const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement)\n"
          "    if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };\n"
          "  const cut = [...d.body.querySelectorAll('*')].filter(e => !clipped(e) &&\n"
          "    e.getBoundingClientRect().right > root.clientWidth + 0.5).map(e => e.tagName + '.' + "
          "e.className);\n"
          "  document.getElementById('measured').textContent = 'client=' + root.clientWidth +\n"
          "    ' scroll=' + root.scrollWidth + ' height=' + Math.ceil(root.getBoundingClientRect().height) + "
          "' cut=' + cut.join(',') +\n"
          "    ' scrolling=' + [...d.querySelectorAll('.wide')].filter(w => w.scrollWidth > "
          "w.clientWidth).length;\n"
          "});\n</script></body></html>\n");
  const auto profile = dir / "phone.profile";
  const auto dumped = run(
      tools.chromium, chromium_args(profile, {"--virtual-time-budget=5000", "--dump-dom", file_url(harness)}),
      dir / "phone.chromium.log");
  const auto at = dumped.out.find("<pre id=\"measured\">");
  REQUIRE_MESSAGE(at != std::string::npos, dumped.out);
  const auto measured = dumped.out.substr(at + 19, dumped.out.find("</pre>", at) - at - 19);
  INFO(measured);
  int client = 0, scroll = 0, height = 0;
  REQUIRE(std::sscanf(measured.c_str(), "client=%d scroll=%d height=%d", &client, &scroll, &height) == 3);
  CHECK(client == 400);
  CHECK(scroll <= 400);           // the page itself never scrolls sideways
  CHECK(has(measured, "cut= "));  // no element reaches past the right edge outside a scrolling box
  CHECK_FALSE(has(measured, "scrolling=0"));  // the counts tables do not fit 400 px: they scroll in their box

  // The page as the phone shows it, whole (a window as tall as the page), kept for a person to look at; its
  // right margin must be blank from top to bottom: text or a table cut by the edge would cross it.
  const auto shot = dir / "bao-cao-dien-thoai.png";
  fs::remove(shot);
  run(tools.chromium,
      chromium_args(profile, {"--hide-scrollbars", fmt::format("--window-size=400,{}", height + 20),
                              "--screenshot=" + shot.string(), file_url(page)}),
      dir / "phone.chromium.log");
  fs::remove_all(profile);
  const auto image = read_png(shot);
  REQUIRE_MESSAGE(image, "no screenshot at ", shot.string());
  CHECK(image->width == 400);
  std::uint32_t marked_rows = 0;
  for (std::uint32_t y = 0; y < image->height; ++y)
    for (std::uint32_t x = 400 - 8; x < image->width; ++x)
      if (image->at(x, y, 0) < 200 || image->at(x, y, 1) < 200 || image->at(x, y, 2) < 200) {
        ++marked_rows;
        break;
      }
  CHECK_MESSAGE(marked_rows == 0, "rows with ink in the rightmost 8 px: ", marked_rows, " (", shot.string(),
                ")");
}
