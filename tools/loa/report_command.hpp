// `loa report ID [--html FILE] [--csv FILE]`: a campaign's delivery report, a client of the gateway's
// /v1/campaigns/{id}/report and /recipients (CONTRACT.md, docs/API.md).
#pragma once

#include <CLI/App.hpp>

#include <functional>

#include "tools/loa/cli.hpp"

namespace loa::cli {

/// Registers `report`; when it is chosen, `run` is set to its body.
void add_report_command(CLI::App& app, const global_options& globals, std::function<int()>& run);

}  // namespace loa::cli
