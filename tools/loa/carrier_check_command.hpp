// `loa carrier check NAME [--to NUMBER --text TEXT] [--timeout S]`: bind to one carrier, probe the link, and
// optionally send one message and wait for its receipt. Standalone: it needs the configuration, not the
// gateway.
#pragma once

#include <CLI/App.hpp>

#include <functional>

#include "tools/loa/cli.hpp"

namespace loa::cli {

/// Registers `carrier check`.
void add_carrier_check_command(CLI::App& app, const global_options& globals, std::function<int()>& run);

}  // namespace loa::cli
