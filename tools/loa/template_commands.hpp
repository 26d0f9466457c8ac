// `loa templates list | show NAME | render NAME --var k=v...`: the notice templates of the configuration's
// templates_dir. Standalone: they need the configuration, not the gateway.
#pragma once

#include <CLI/App.hpp>

#include <functional>

#include "tools/loa/cli.hpp"

namespace loa::cli {

/// Registers `templates` and its subcommands list, show and render.
void add_template_commands(CLI::App& app, const global_options& globals, std::function<int()>& run);

}  // namespace loa::cli
