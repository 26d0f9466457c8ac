#include "tools/loa/campaign_commands.hpp"

#include <fmt/core.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <boost/json.hpp>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <memory>
#include <thread>

#include "gateway/common/plain_json.hpp"
#include "tools/loa/display_names.hpp"
#include "tools/loa/preview.hpp"
#include "tools/loa/progress.hpp"
#include "tools/loa/remote.hpp"
#include "tools/loa/template_commands.hpp"

namespace loa::cli {
namespace {

namespace json = boost::json;
using boost::beast::http::verb;
using progress::clock;

struct send_arguments {
  std::vector<std::string> wards;
  std::vector<std::string> groups;
  std::string text;
  std::string accents = "keep";
  std::string sender;
  std::string at;
  std::string key;
  bool urgent = false;
  std::uint64_t validity_s = 0;  // 0: the gateway's default
  std::string template_name;
  std::vector<std::string> vars;
  std::string corrects;  // a correction: goes to whoever received that campaign
  std::string resend_failed;  // a resend: goes to those of that campaign whose message failed or expired
  bool dry_run = false;
  bool yes = false;
  bool wait = false;
  double wait_timeout_s = 600;
  std::vector<std::string> stray;  // words that belong to no option: usually the notice without --text
};

struct campaign_arguments {
  std::string id;
  bool watch = false;
  double wait_timeout_s = 600;
};

std::string campaign_path(std::string_view id) {
  return "/v1/campaigns/" + url_encode(id);
}

std::string field(const json::value& doc, std::string_view key) {
  const auto* v = doc.as_object().if_contains(key);
  if (!v || v->is_null()) return {};
  return v->is_string() ? std::string(v->as_string()) : serialize_plain(*v);
}

std::uint64_t number(const json::value& doc, std::string_view key) {
  const auto* v = doc.as_object().if_contains(key);
  return v && v->is_number() ? static_cast<std::uint64_t>(std::max(0.0, v->to_number<double>())) : 0;
}

bool flag(const json::value& doc, std::string_view key, bool otherwise) {
  const auto* v = doc.as_object().if_contains(key);
  return v && v->is_bool() ? v->as_bool() : otherwise;
}

std::string plural(std::uint64_t n, std::string_view word) {
  return fmt::format("{} {}{}", progress::thousands(n), word, n == 1 ? "" : "s");
}

// Ctrl-C while following stops the following, not the campaign: say so, or an official may think it was
// cancelled.
volatile std::sig_atomic_t interrupted = 0;
void on_interrupt(int) {
  interrupted = 1;
}

enum class display { none, bar, lines };

display choose_display(const global_options& globals) {
  if (globals.json) return display::none;
  // The progress goes to stderr, so that is the stream whose kind matters: a bar's \r in a file is noise.
  const char* term = std::getenv("TERM");
  const bool terminal = isatty(STDERR_FILENO) && !(term && std::string_view(term) == "dumb");
  return terminal ? display::bar : display::lines;
}

std::size_t terminal_columns() {
  winsize size{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0)
    return std::min<std::size_t>(size.ws_col, 80);
  return 80;
}

// One poll, with call_gateway's exit codes. Unlike it, it prints nothing, so the progress line can be cleared
// before an error shows.
struct poll_result {
  std::optional<json::value> body;
  exit_code code = exit_code::done;
  std::string error;
  bool transient = false;  // the gateway or its Redis may come back (a restart)
};

poll_result poll(const global_options& globals, api::client& client, const std::string& target) {
  api::reply reply;
  if (const auto ec = client.call(verb::get, target, {}, {}, reply)) {
    auto why = describe_failure(globals, client, ec);
    return {std::nullopt, why.code, std::move(why.message), why.transient};
  }
  if (reply.status >= 200 && reply.status < 300) return {std::move(reply.body), exit_code::done, {}, false};
  std::string message = reply.body.is_object() && reply.body.as_object().contains("error")
                            ? std::string(reply.body.at("error").as_string())
                            : fmt::format("the gateway answered HTTP {}", reply.status);
  if (reply.status == 401 || reply.status == 403 || reply.status == 429)
    return {std::nullopt, exit_code::not_permitted, message, false};
  if (reply.status >= 500) return {std::nullopt, exit_code::unreachable, message, true};
  return {std::nullopt, exit_code::bad_input, message, false};
}

// Follows campaign `id` until it finishes, the wait times out, or the gateway goes away: progress on stderr,
// then the final document (--json) or the summary. Returns the exit code of CONTRACT.md.
int follow(const global_options& globals, const std::string& id, double timeout_s) {
  const auto mode = choose_display(globals);
  const auto start = clock::now();
  api::client client = make_client(globals, std::chrono::seconds(10));
  progress::rate_meter rate;
  progress::log_lines lines(start);
  progress::wait_deadline deadline(
      std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(timeout_s)));
  const std::size_t columns = mode == display::bar ? terminal_columns() : 80;
  std::size_t drawn = 0;  // characters of the bar on screen
  const auto clear = [&] {
    if (drawn > 0) fmt::print(stderr, "{}\r", progress::redraw("", drawn));
    drawn = 0;
  };

  interrupted = 0;
  const auto previous_handler = std::signal(SIGINT, on_interrupt);
  std::optional<json::value> latest;
  clock::time_point unreachable_since{};  // when the gateway stopped answering; the epoch while it answers
  bool gave_up = false;
  for (;;) {
    auto r = poll(globals, client, campaign_path(id));
    const auto now = clock::now();
    if (!r.body) {
      // A gateway restarting (or reconnecting to Redis) is not the end of the campaign: allow it 10 s.
      if (r.transient && !interrupted) {
        if (unreachable_since == clock::time_point{}) unreachable_since = now;
        if (now - unreachable_since < std::chrono::seconds(10)) {
          std::this_thread::sleep_for(std::chrono::milliseconds(500));
          continue;
        }
      }
      std::signal(SIGINT, previous_handler);
      clear();
      return fail(globals, r.code, r.error);
    }
    unreachable_since = {};
    latest = std::move(r.body);
    const auto c = progress::read_counts(*latest);
    rate.add(now, c.submitted);
    gave_up = !c.finished() && deadline.passed(c, now);
    const bool last = c.finished() || gave_up || interrupted;
    if (mode == display::bar) {
      const auto line = progress::bar_line(c, rate.per_second(), columns);
      fmt::print(stderr, "{}", progress::redraw(line, drawn));
      std::fflush(stderr);
      drawn = line.size();
    } else if (mode == display::lines) {
      if (auto line = lines.next(c, now, last)) fmt::print(stderr, "{}\n", *line);
    }
    if (last) break;
    for (int i = 0; i < 10 && !interrupted; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::signal(SIGINT, previous_handler);
  clear();
  if (interrupted) {
    fmt::print(
        stderr,
        "stopped following campaign {}; it goes on (`loa status {}` shows it, `loa cancel {}` stops it)\n",
        id, id, id);
    return 130;  // what a shell reports for Ctrl-C
  }

  const auto c = progress::read_counts(*latest);
  const auto verdict = progress::judge(
      c, gave_up ? std::optional(std::chrono::seconds(std::llround(timeout_s))) : std::nullopt);
  if (globals.json) {
    print_json(*latest);  // the verdict is in the counts and the exit code
  } else {
    fmt::print("{}\n{}\n", progress::summary(c), verdict.message);
  }
  return static_cast<int>(verdict.code);
}

// Asks at the terminal itself (not standard input, which may hold the notice or come from a pipe) for the
// ward's name. False, with why, when it was not typed or there is no terminal (cron must pass --yes).
bool confirmed_at_terminal(const std::vector<std::string>& wards, const std::vector<std::string>& display_names,
                           std::uint64_t recipients, std::string& why) {
  std::FILE* tty = std::fopen("/dev/tty", "r+");
  if (!tty) {
    why = "no terminal to confirm at";
    return false;
  }
  fmt::print(tty, "{}", preview::question(wards, recipients, display_names));
  std::fflush(tty);
  char line[512] = {};
  const bool read = std::fgets(line, sizeof line, tty) != nullptr;
  std::fclose(tty);
  why = read ? "the ward's name was not typed" : "no answer";
  return read && preview::names_the_wards(line, wards, display_names);
}

// The preview's "warnings" with `more` after the gateway's own.
void add_warnings(json::value& preview, const std::vector<std::string>& more) {
  if (more.empty() || !preview.is_object()) return;
  auto& doc = preview.as_object();
  if (!doc["warnings"].is_array()) doc["warnings"] = json::array{};
  for (const auto& w : more) doc["warnings"].as_array().emplace_back(w);
}

int run_send(const global_options& globals, const send_arguments& a) {
  if (!a.stray.empty())
    return fail(globals, exit_code::bad_input,
                fmt::format("'{}' belongs to no option: put the notice after --text: loa send --ward W --group G "
                            "--text \"...\" (or --template NAME --var k=v)",
                            a.stray.front()));
  if (a.corrects.empty() && a.resend_failed.empty() && (a.wards.empty() || a.groups.empty()))
    return fail(globals, exit_code::bad_input,
                "name the recipients: --ward W --group G (or --corrects ID for a correction, --resend-failed ID "
                "to send a campaign's failed messages again)");
  std::string text = a.text;
  std::string accents = a.accents;
  std::vector<std::string> template_warnings;  // joined to the preview's warnings
  if (!a.template_name.empty()) {
    // Rendered here, with the template's accent policy already applied: the gateway sends it as it is.
    int code = 0;
    auto rendered = render_for_send(globals, a.template_name, a.vars, code);
    if (!rendered) return code;
    text = std::move(rendered->text);
    template_warnings = std::move(rendered->warnings);
    accents = "keep";
    // The preview shows its warnings to people; with --json (stdout holds one document) or --yes (no preview)
    // stderr is where they are seen.
    if (globals.json || (a.yes && !a.dry_run))
      for (const auto& w : template_warnings) fmt::print(stderr, "Warning: {}\n", w);
  }
  if (text == "-") {  // a long notice from a file: loa send ... --text - < notice.txt
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
    while (text.ends_with('\n') || text.ends_with('\r')) text.pop_back();  // a newline would cost a character
  }
  // A resend without --text sends the campaign's own text again (the gateway fills it in).
  if (text.empty() && a.resend_failed.empty())
    return fail(globals, exit_code::bad_input, "give the notice with --text TEXT (- reads standard input)");

  json::object body{{"wards", json::value_from(a.wards)},
                    {"groups", json::value_from(a.groups)},
                    {"accents", accents}};
  if (!text.empty()) body["text"] = text;
  if (!a.corrects.empty()) body["corrects"] = a.corrects;
  if (!a.resend_failed.empty()) body["resend_failed"] = a.resend_failed;
  if (!a.sender.empty()) body["sender"] = a.sender;
  if (!a.at.empty()) body["at"] = a.at;
  if (!a.key.empty()) body["key"] = a.key;
  if (a.urgent) body["urgent"] = true;
  if (a.validity_s > 0) body["validity_s"] = a.validity_s;

  // The preview: what --dry-run prints, and what a large send shows before it asks for the ward's name.
  if (a.dry_run || !a.yes) {
    auto ask = body;
    ask["dry_run"] = true;
    auto p = call_gateway(globals, verb::post, "/v1/campaigns", serialize_plain(ask));
    if (!p.body) return p.exit;
    add_warnings(*p.body, template_warnings);
    const bool nobody = p.body->is_object() && p.body->as_object().contains("recipients") &&
                        number(*p.body, "recipients") == 0;
    if (a.dry_run) {
      if (globals.json) {
        print_json(*p.body);
      } else {
        fmt::print("{}", preview::describe(*p.body));
      }
      // A preview of nobody is the mistake itself (a group emptied by opt-outs): a script must see it.
      if (nobody && globals.json) return static_cast<int>(exit_code::bad_input);  // one document on stdout
      if (nobody)
        return fail(globals, exit_code::bad_input,
                    "0 recipients: every number of these groups opted out, or none is left; nothing would be sent");
      return 0;
    }
    if (!flag(*p.body, "needs_confirmation", false) && !globals.json)
      fmt::print(stderr, "{}", preview::warnings(*p.body));
    if (flag(*p.body, "needs_confirmation", false)) {
      fmt::print(stderr, "{}", preview::describe(*p.body));
      std::vector<std::string> wards, display_names;
      if (const auto* w = p.body->as_object().if_contains("wards"); w && w->is_array())
        for (const auto& e : w->as_array())
          if (e.is_string()) {
            wards.emplace_back(e.as_string());
            display_names.push_back(display_name(p.body->as_object(), "ward_names", wards.back()));
          }
      std::string why;
      if (!confirmed_at_terminal(wards, display_names, number(*p.body, "recipients"), why))
        return fail(globals, exit_code::bad_input,
                    fmt::format("not sent: {} recipients need a confirmation and {} ({}); to send without "
                                "asking, as cron does, add --yes (with --key)",
                                progress::thousands(number(*p.body, "recipients")),
                                why == "no terminal to confirm at" ? "there is no terminal to ask at" : why,
                                "loa send --dry-run shows it again"));
    }
  }

  const auto r = call_gateway(globals, verb::post, "/v1/campaigns", serialize_plain(body));
  if (!r.body) return r.exit;
  const auto& doc = *r.body;
  if (!doc.is_object())
    return fail(globals, exit_code::unreachable, "the gateway's answer is not a campaign");
  const std::string id = progress::read_counts(doc).id;
  if (id.empty()) return fail(globals, exit_code::unreachable, "the gateway's answer has no campaign id");

  if (!globals.json) {
    const auto what = fmt::format("{}, about {}, {} ({}) each", progress::state_words(field(doc, "state")),
                                  plural(number(doc, "estimated_recipients"), "recipient"),
                                  plural(number(doc, "parts_per_message"), "part"), field(doc, "encoding"));
    if (flag(doc, "existing", false)) {
      fmt::print("campaign {} was already created with key {}: nothing new is sent ({})\n", id, a.key, what);
    } else {
      fmt::print("campaign {} created: {}\n", id, what);
    }
    if (field(doc, "state") == "awaiting_approval")
      fmt::print("it waits for a second person: an approver of the ward releases it with `loa approve {}`\n", id);
    std::fflush(stdout);
  }
  if (a.wait) return follow(globals, id, a.wait_timeout_s);
  if (globals.json) print_json(doc);
  return 0;
}

int run_status(const global_options& globals, const campaign_arguments& a) {
  if (a.watch) return follow(globals, a.id, a.wait_timeout_s);
  const auto r = call_gateway(globals, verb::get, campaign_path(a.id));
  if (!r.body) return r.exit;
  if (globals.json) {
    print_json(*r.body);
  } else {
    fmt::print("{}", progress::summary(progress::read_counts(*r.body)));
  }
  return 0;
}

int run_cancel(const global_options& globals, const campaign_arguments& a) {
  const auto r = call_gateway(globals, verb::post, campaign_path(a.id) + "/cancel");
  if (!r.body) return r.exit;
  if (globals.json) {
    print_json(*r.body);
    return 0;
  }
  const auto c = progress::read_counts(*r.body);
  const std::string id = c.id.empty() ? a.id : c.id;
  if (flag(*r.body, "cancelled", c.state == "cancelled") && c.state == "cancelled") {
    // The gateway counts, at the cancel, those of the audience never sent (the fan-out may not have reached
    // them yet): that is what the cancel stopped. An older gateway gives only what it had queued.
    if (c.not_sent) {
      fmt::print("campaign {} cancelled: {} of {} never sent", id, progress::thousands(*c.not_sent),
                 plural(c.recipients, "recipient"));
      if (c.queued > 0) fmt::print("; {} already handed to the carriers still go out", progress::thousands(c.queued));
    } else {
      fmt::print("campaign {} cancelled: {} not sent", id, progress::thousands(c.queued));
    }
    // What left before the cancel still travels; its receipts keep coming.
    if (c.pending > 0)
      fmt::print("; {} already submitted still await a receipt", progress::thousands(c.pending));
    fmt::print("\n");
  } else if (c.state == "cancelled") {
    fmt::print("campaign {} was already cancelled: nothing to cancel\n", id);
  } else {
    fmt::print("campaign {} was already {}: nothing to cancel\n", id, progress::state_words(c.state));
  }
  return 0;
}

int run_approve(const global_options& globals, const campaign_arguments& a) {
  const auto r = call_gateway(globals, verb::post, campaign_path(a.id) + "/approve");
  if (!r.body) return r.exit;
  if (globals.json) {
    print_json(*r.body);
    return 0;
  }
  const auto c = progress::read_counts(*r.body);
  fmt::print("campaign {} approved: now {}; about {}, sent by {}\n", c.id.empty() ? a.id : c.id,
             progress::state_words(c.state), plural(number(*r.body, "estimated_recipients"), "recipient"),
             sender_name(r.body->as_object()));
  return 0;
}

}  // namespace

void add_campaign_commands(CLI::App& app, const global_options& globals, std::function<int()>& run) {
  auto s = std::make_shared<send_arguments>();
  auto* send = app.add_subcommand("send", "Send a notice to groups of a ward (a campaign); prints its id");
  // One value per --ward/--group/--var: `--group all "the notice"` must not make the notice a group.
  send->add_option("--ward", s->wards, "Ward (repeatable)")->allow_extra_args(false);
  send->add_option("--group", s->groups, "Group (repeatable)")->allow_extra_args(false);
  send->add_option("--corrects", s->corrects,
                   "A correction: send to whoever received campaign ID (its wards and groups)");
  send->add_option("--resend-failed", s->resend_failed,
                   "A new campaign to those of campaign ID whose message failed or expired (its text unless "
                   "--text or --template gives another)")
      ->excludes("--corrects");
  auto* text = send->add_option("--text", s->text, "The notice (UTF-8); - reads it from standard input");
  auto* tmpl = send->add_option("--template", s->template_name, "A notice template (loa templates list)");
  text->excludes(tmpl);
  send->add_option("--var", s->vars, "name=value for the template's placeholders (repeatable)")
      ->needs(tmpl)
      ->allow_extra_args(false);
  send->add_option("--accents", s->accents, "keep | strip | auto")
      ->check(CLI::IsMember({"keep", "strip", "auto"}))
      ->capture_default_str();
  send->add_option("--sender", s->sender, "Source address (brandname; default from the configuration)");
  send->add_option("--at", s->at, "When: 2026-11-23T07:30 (gateway time), or with +07:00 or Z");
  send->add_option("--key", s->key, "Idempotency key: a repeated call with it sends nothing new");
  send->add_flag("--urgent", s->urgent, "Send inside quiet hours too");
  send->add_option("--validity", s->validity_s, "Seconds a carrier keeps trying to deliver")
      ->check(CLI::PositiveNumber);
  send->add_flag("--dry-run", s->dry_run, "Show recipients per carrier and group, encoding, parts and cost; send nothing");
  send->add_flag("--yes", s->yes, "Do not ask to type the ward's name before a large send (cron)");
  send->add_flag("--wait", s->wait, "Follow it to the end; exit 4 unless every recipient got it");
  send->add_option("--wait-timeout", s->wait_timeout_s, "Seconds to wait for receipts once it is done")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  // `loa send "text"` (no --text): a hidden positional, so run_send can say what was meant rather than
  // CLI11's "The following argument was not expected".
  send->add_option("stray", s->stray)->group("");
  send->callback([&run, &globals, s] { run = [&globals, s] { return run_send(globals, *s); }; });

  auto c = std::make_shared<campaign_arguments>();
  auto* status = app.add_subcommand("status", "Counts of a campaign");
  status->add_option("ID", c->id, "Campaign id")->required();
  status->add_flag("--watch", c->watch, "Follow it to the end (like send --wait)");
  status
      ->add_option("--wait-timeout", c->wait_timeout_s,
                   "With --watch: seconds to wait for receipts once it is done")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  status->callback([&run, &globals, c] { run = [&globals, c] { return run_status(globals, *c); }; });

  auto* approve = app.add_subcommand("approve", "Release a send that waits for approval (approvers)");
  approve->add_option("ID", c->id, "Campaign id")->required();
  approve->callback([&run, &globals, c] { run = [&globals, c] { return run_approve(globals, *c); }; });

  auto* cancel = app.add_subcommand("cancel", "Stop what a campaign has not yet submitted");
  cancel->add_option("ID", c->id, "Campaign id")->required();
  cancel->callback([&run, &globals, c] { run = [&globals, c] { return run_cancel(globals, *c); }; });
}

}  // namespace loa::cli
