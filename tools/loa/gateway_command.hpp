// `loa gateway`: runs the service until SIGTERM or SIGINT.
#pragma once

#include <CLI/App.hpp>

#include <functional>

#include "tools/loa/cli.hpp"

namespace loa::cli {

/// Registers `gateway`.
void add_gateway_command(CLI::App& app, const global_options& globals, std::function<int()>& run);

}  // namespace loa::cli
