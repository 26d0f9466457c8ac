// `loa templates list | show NAME | render NAME --var k=v...`: the notice templates of the configuration's
// templates_dir. Standalone: they need the configuration, not the gateway.
#pragma once

#include <CLI/App.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "tools/loa/cli.hpp"

namespace loa::cli {

/// Registers `templates` and its subcommands list, show and render.
void add_template_commands(CLI::App& app, const global_options& globals, std::function<int()>& run);

/// A template rendered for `loa send`.
struct notice_for_send {
  std::string text;                   ///< the notice as phones will show it (the template's accent policy applied)
  std::vector<std::string> warnings;  ///< sendable but probably a mistake (a date already past)
};

/// `loa send --template NAME --var k=v...`: the notice, or nullopt with the failure reported and the exit code
/// in `code`.
std::optional<notice_for_send> render_for_send(const global_options& globals, const std::string& name,
                                               const std::vector<std::string>& vars, int& code);

}  // namespace loa::cli
