// templates/notices/*.yaml -> checked notice templates (templates/template.hpp). A bad file is refused with
// config_error, "FILE:LINE: what is wrong", the way a bad configuration is: config/ is where YAML is read.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "templates/template.hpp"

namespace loa::config {

/// Checks YAML text as one template; `file` names it in messages. Throws config_error.
templates::notice_template parse_template(std::string_view yaml, std::string_view file);

/// Reads and checks one file; the template's name must equal the file's stem. Throws config_error.
templates::notice_template load_template(const std::filesystem::path& file);

/// Every *.yaml / *.yml file of `dir`, sorted by name. Throws config_error for the first bad file,
/// or naming `dir` when it cannot be read.
std::vector<templates::notice_template> load_directory(const std::filesystem::path& dir);

/// The template names (file stems) in `dir`, sorted, without reading the files.
std::vector<std::string> template_names(const std::filesystem::path& dir);

/// The file holding template `name` in `dir`, or nullopt when there is none (or name could leave dir).
std::optional<std::filesystem::path> template_file(const std::filesystem::path& dir, std::string_view name);

}  // namespace loa::config
