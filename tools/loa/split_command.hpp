// `loa split TEXT`: how a notice will travel (encoding, characters, parts, bytes), without sending it.
#pragma once

#include <CLI/App.hpp>

#include <functional>

#include "tools/loa/cli.hpp"

namespace loa::cli {

/// Registers `split` on `app`; when chosen, `run` is set to the command's body (returning the exit code).
void add_split_command(CLI::App& app, const global_options& globals, std::function<int()>& run);

}  // namespace loa::cli
