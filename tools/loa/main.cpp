// `loa`: the command officials, cron and operators use. `loa gateway` runs the service; every other
// command is a client of it, except the standalone diagnostics (`split`, `carrier check`).
#include <CLI/App.hpp>
#include <CLI/Config.hpp>
#include <CLI/Formatter.hpp>

#include <fmt/core.h>

#include <cstdlib>
#include <functional>

#include "config/config.hpp"
#include "tools/loa/audit_command.hpp"
#include "tools/loa/campaign_commands.hpp"
#include "tools/loa/campaigns_command.hpp"
#include "tools/loa/carrier_check_command.hpp"
#include "tools/loa/cli.hpp"
#include "tools/loa/gateway_command.hpp"
#include "tools/loa/i18n/gateway_words.hpp"
#include "tools/loa/i18n/translate.hpp"
#include "tools/loa/report_command.hpp"
#include "tools/loa/split_command.hpp"
#include "tools/loa/subscriber_commands.hpp"
#include "tools/loa/template_commands.hpp"

namespace {

// CLI11's own words in --help (its labels, the default group names) in the official's language.
void translate_help(CLI::App& app) {
  using loa::cli::i18n::tr;
  using loa::cli::i18n::tr_noop;
  static constexpr std::string_view labels[] = {
      tr_noop("Usage"),       tr_noop("OPTIONS"),  tr_noop("SUBCOMMAND"),
      tr_noop("SUBCOMMANDS"), tr_noop("REQUIRED"), tr_noop("Positionals"),
      tr_noop("Needs"),       tr_noop("Excludes")};  // TEXT, INT stay: CLI11 aligns by bytes
  for (const auto label : labels) app.get_formatter()->label(std::string(label), tr(label));
  const std::function<void(CLI::App&)> groups = [&](CLI::App& a) {
    for (auto* option : a.get_options())
      if (option->get_group() == "Options") option->group(tr("Options"));
    for (auto* sub : a.get_subcommands({})) {
      if (sub->get_group() == "Subcommands") sub->group(tr("Subcommands"));
      groups(*sub);
    }
  };
  groups(app);
}

}  // namespace

int main(int argc, char** argv) {
  using namespace loa::cli;
  global_options globals;
  if (const char* env = std::getenv("LOA_CONFIG")) globals.config_file = env;
  if (globals.config_file.empty()) globals.config_file = "config/loa.yaml";
  if (const char* env = std::getenv("LOA_TOKEN")) globals.token = env;
  if (const char* env = std::getenv("LOA_CACERT")) globals.cacert = env;

  // The official's language (Vietnamese unless LOA_LANG or the locale names English), chosen before the
  // options are declared so that --help speaks it too.
  const auto language_problem = i18n::use_environment();
  using i18n::tr;

  CLI::App app{tr("loa: the ward SMS broadcast gateway")};
  app.require_subcommand(1);
  app.set_help_flag("-h,--help", tr("Print this help message and exit"));  // before the subcommands copy it
  // Global flags may also come after the command (`loa send ... --json`, as CONTRACT.md writes them);
  // subcommands inherit this.
  app.fallthrough();
  app.add_option("--config", globals.config_file, tr("Configuration file (or LOA_CONFIG)"));
  app.add_option(
      "--server", globals.server,
      tr("Gateway URL: https://HOST:PORT, http://HOST:PORT or HOST:PORT (default: from gateway.listen)"));
  app.add_option(
      "--cacert", globals.cacert,
      tr("PEM file of the CA that signed an https gateway's certificate (or LOA_CACERT; default: the "
         "system's CAs)"));
  app.add_option("--token", globals.token, tr("Operator token (or LOA_TOKEN)"));
  app.add_flag("--json", globals.json, tr("Machine-readable output on stdout"));

  std::function<int()> run;
  add_audit_command(app, globals, run);
  add_campaign_commands(app, globals, run);
  add_campaigns_command(app, globals, run);
  add_carrier_check_command(app, globals, run);
  add_gateway_command(app, globals, run);
  add_report_command(app, globals, run);
  add_split_command(app, globals, run);
  add_subscriber_commands(app, globals, run);
  add_template_commands(app, globals, run);
  translate_help(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(globals, exit_code::bad_input,
                globals.json ? std::string(e.what()) : gateway_words(e.what()));
  }
  if (!run) return static_cast<int>(exit_code::bad_input);
  // --json is the same in every language (CONTRACT.md): it keeps the source strings.
  if (globals.json) {
    i18n::use_english();
  } else if (!language_problem.empty()) {
    fmt::print(stderr, "loa: {}\n", language_problem);
  }
  // A file the configuration names (routing.ported_file, ...) may be read only when a command or the gateway
  // needs it: its error ends the program with FILE: reason and exit 1 wherever it is thrown, never an abort.
  try {
    return run();
  } catch (const loa::config::config_error& e) {
    return fail(globals, exit_code::bad_input, e.what());
  }
}
