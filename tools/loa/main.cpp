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
#include "tools/loa/i18n/translate.hpp"
#include "tools/loa/report_command.hpp"
#include "tools/loa/split_command.hpp"
#include "tools/loa/subscriber_commands.hpp"
#include "tools/loa/template_commands.hpp"

int main(int argc, char** argv) {
  using namespace loa::cli;
  global_options globals;
  if (const char* env = std::getenv("LOA_CONFIG")) globals.config_file = env;
  if (globals.config_file.empty()) globals.config_file = "config/loa.yaml";
  if (const char* env = std::getenv("LOA_TOKEN")) globals.token = env;
  if (const char* env = std::getenv("LOA_CACERT")) globals.cacert = env;

  CLI::App app{"loa: the ward SMS broadcast gateway"};
  app.require_subcommand(1);
  // Global flags may also come after the command (`loa send ... --json`, as CONTRACT.md writes them);
  // subcommands inherit this.
  app.fallthrough();
  app.add_option("--config", globals.config_file, "Configuration file (or LOA_CONFIG)");
  app.add_option(
      "--server", globals.server,
      "Gateway URL: https://HOST:PORT, http://HOST:PORT or HOST:PORT (default: from gateway.listen)");
  app.add_option("--cacert", globals.cacert,
                 "PEM file of the CA that signed an https gateway's certificate (or LOA_CACERT; default: the "
                 "system's CAs)");
  app.add_option("--token", globals.token, "Operator token (or LOA_TOKEN)");
  app.add_flag("--json", globals.json, "Machine-readable output on stdout");

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return fail(globals, exit_code::bad_input, e.what());
  }
  if (!run) return static_cast<int>(exit_code::bad_input);
  // The official's language (Vietnamese unless LOA_LANG or the locale names English); --json is the same in
  // every language (CONTRACT.md), so it keeps the source strings.
  if (!globals.json) {
    if (const auto why = loa::cli::i18n::use_environment(); !why.empty()) fmt::print(stderr, "loa: {}\n", why);
  }
  // A file the configuration names (routing.ported_file, ...) may be read only when a command or the gateway
  // needs it: its error ends the program with FILE: reason and exit 1 wherever it is thrown, never an abort.
  try {
    return run();
  } catch (const loa::config::config_error& e) {
    return fail(globals, exit_code::bad_input, e.what());
  }
}
