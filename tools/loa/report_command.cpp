#include "tools/loa/report_command.hpp"

#include <fmt/core.h>
#include <boost/json.hpp>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <unordered_set>

#include "tools/loa/remote.hpp"
#include "tools/loa/report_render.hpp"

namespace loa::cli {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;

constexpr int recipients_per_page = 1000;

struct report_arguments {
  std::string id;
  std::string html_file;  // "-": standard output
  std::string csv_file;   // "-": standard output
  std::string signer;     // the name under the page's signature block
};

std::string campaign_path(std::string_view id) {
  return "/v1/campaigns/" + url_encode(id);
}

// Where an output goes: standard output for "-", else the file, created or truncated.
class output {
 public:
  explicit output(const std::string& path) : path_(path) {
    if (path_ != "-") file_.open(path_, std::ios::binary | std::ios::trunc);
  }
  bool opened() const { return path_ == "-" || file_.is_open(); }
  std::ostream& stream() { return path_ == "-" ? std::cout : file_; }
  // Flushes and closes; false when anything failed to be written (a full disk).
  bool finish() {
    if (path_ == "-") return static_cast<bool>(std::cout.flush());
    file_.close();
    return !file_.fail();
  }
  // A partial file would pass for a whole one: it goes.
  void discard() {
    if (path_ == "-") return;
    file_.close();
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

 private:
  std::string path_;
  std::ofstream file_;
};

int cannot_write(const global_options& globals, const std::string& path) {
  const int saved = errno;
  return fail(globals, exit_code::bad_input,
              fmt::format("cannot write {}: {}", path, saved ? std::strerror(saved) : "write failed"));
}

int write_html(const global_options& globals, const std::string& path, const json::value& report,
               const std::string& signer) {
  errno = 0;
  output out(path);
  if (!out.opened()) return cannot_write(globals, path);
  out.stream() << report::html(report, signer);
  if (!out.finish()) {
    const int code = cannot_write(globals, path);
    out.discard();
    return code;
  }
  return 0;
}

// Pages through /recipients to the end. HSCAN may give a number twice (the hash grew meanwhile): one row
// each.
int write_csv(const global_options& globals, const std::string& id, const std::string& path) {
  errno = 0;
  output out(path);
  if (!out.opened()) return cannot_write(globals, path);
  out.stream() << report::csv_header();
  std::unordered_set<std::string> seen;
  std::string cursor = "0";
  do {
    const auto target = fmt::format("{}/recipients?cursor={}&count={}", campaign_path(id), url_encode(cursor),
                                    recipients_per_page);
    const auto r = call_gateway(globals, verb::get, target);
    if (!r.body) {
      out.discard();
      return r.exit;
    }
    const auto* page = r.body->if_object();
    const auto* next = page ? page->if_contains("cursor") : nullptr;
    const auto* list = page ? page->if_contains("recipients") : nullptr;
    if (!next || !next->is_string() || !list || !list->is_array()) {
      out.discard();
      return fail(globals, exit_code::unreachable, "the gateway's answer is not a page of recipients");
    }
    for (const auto& recipient : list->as_array()) {
      const auto* phone = recipient.is_object() ? recipient.as_object().if_contains("phone") : nullptr;
      if (phone && phone->is_string() && !seen.emplace(phone->as_string()).second) continue;
      out.stream() << report::csv_row(recipient);
    }
    cursor = std::string(next->as_string());
  } while (cursor != "0");
  if (!out.finish()) {
    const int code = cannot_write(globals, path);
    out.discard();
    return code;
  }
  return 0;
}

int run_report(const global_options& globals, const report_arguments& a) {
  if (a.html_file == "-" && a.csv_file == "-")
    return fail(globals, exit_code::bad_input,
                "--html - and --csv - would both go to standard output: pick one");
  const auto r = call_gateway(globals, verb::get, campaign_path(a.id) + "/report");
  if (!r.body) return r.exit;
  if (!r.body->is_object() || !r.body->as_object().contains("campaign"))
    return fail(globals, exit_code::unreachable, "the gateway's answer is not a report");
  if (!a.html_file.empty()) {
    if (const int code = write_html(globals, a.html_file, *r.body, a.signer)) return code;
  }
  if (!a.csv_file.empty()) {
    if (const int code = write_csv(globals, a.id, a.csv_file)) return code;
  }
  // Standard output holds one thing: the file asked for there, else the report.
  if (a.html_file == "-" || a.csv_file == "-") return 0;
  if (globals.json) {
    print_json(*r.body);
  } else {
    fmt::print("{}", report::text(*r.body));
  }
  return 0;
}

}  // namespace

void add_report_command(CLI::App& app, const global_options& globals, std::function<int()>& run) {
  auto a = std::make_shared<report_arguments>();
  auto* report =
      app.add_subcommand("report", "Delivery report of a campaign: per carrier, per group, over time");
  report->add_option("ID", a->id, "Campaign id")->required();
  report
      ->add_option("--html", a->html_file,
                   "Write the report as one HTML page (Vietnamese) to FILE (- for stdout)")
      ->option_text("FILE");
  report
      ->add_option(
          "--signer", a->signer,
          "The page's signature block names NAME as the one who made the report (else a dotted line)")
      ->option_text("NAME");
  report->add_option("--csv", a->csv_file, "Write every recipient's outcome as CSV to FILE (- for stdout)")
      ->option_text("FILE");
  report->callback([&run, &globals, a] { run = [&globals, a] { return run_report(globals, *a); }; });
}

}  // namespace loa::cli
