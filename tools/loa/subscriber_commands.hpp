// `loa subscribers ...` and `loa groups list`: clients of the gateway's /v1 API (CONTRACT.md).
#pragma once

#include <CLI/App.hpp>

#include <functional>

#include "tools/loa/cli.hpp"

namespace loa::cli {

/// Registers `subscribers` (import, add, remove, optout, optin, forget, count) and `groups` (list).
void add_subscriber_commands(CLI::App& app, const global_options& globals, std::function<int()>& run);

}  // namespace loa::cli
