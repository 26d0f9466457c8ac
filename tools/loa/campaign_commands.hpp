// `loa send`, `loa status ID` and `loa cancel ID`: clients of the gateway's /v1/campaigns API (CONTRACT.md).
#pragma once

#include <CLI/App.hpp>

#include <functional>

#include "tools/loa/cli.hpp"

namespace loa::cli {

/// Registers `send`, `status` and `cancel`; when one is chosen, `run` is set to its body.
void add_campaign_commands(CLI::App& app, const global_options& globals, std::function<int()>& run);

}  // namespace loa::cli
