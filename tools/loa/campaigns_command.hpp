// `loa campaigns [--ward W] [--state S] [--since TIME]`: the campaigns, newest first, with state, time,
// audience and counts (CONTRACT.md), a client of GET /v1/campaigns.
#pragma once

#include <CLI/App.hpp>

#include <functional>

#include "tools/loa/cli.hpp"

namespace loa::cli {

/// Registers `campaigns`; when it is chosen, `run` is set to its body.
void add_campaigns_command(CLI::App& app, const global_options& globals, std::function<int()>& run);

}  // namespace loa::cli
