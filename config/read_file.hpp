// Reading a whole file for the YAML loaders of config/ (internal to config/).
#pragma once

#include <filesystem>
#include <string>

namespace loa::config::detail {

/// The file's bytes; throws config_error("FILE: cannot open: reason") when it cannot be read.
std::string read_file(const std::filesystem::path& file);

}  // namespace loa::config::detail
