// `loa audit --ward W [--since TIME]`: who did what, when (CONTRACT.md), a client of GET /v1/wards/{ward}/audit;
// without --ward an admin reads every ward's (GET /v1/audit).
#pragma once

#include <CLI/App.hpp>

#include <functional>

#include "tools/loa/cli.hpp"

namespace loa::cli {

/// Registers `audit`; when it is chosen, `run` is set to its body.
void add_audit_command(CLI::App& app, const global_options& globals, std::function<int()>& run);

}  // namespace loa::cli
