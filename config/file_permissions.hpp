// A configuration file that holds passwords inline must be readable by its owner only: the warning that
// `loa gateway` logs at start when it is not (a warning, not a refusal: a file written with the default umask
// keeps working, and the message says how to fix it).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace loa::config {

/// What to warn about when `cfg` holds secrets inline (configuration::inline_secrets) and its file can be
/// read by its group or by others: the file, its mode, those keys, and the fix (chmod 600, or password_env).
/// nullopt when there is nothing to say (no inline secret, a private file, or a file that cannot be stat'ed).
std::optional<std::string> exposed_secrets_warning(const configuration& cfg);

/// The same for a file and keys given directly (for a caller that has no configuration).
std::optional<std::string> exposed_secrets_warning(const std::filesystem::path& file,
                                                   const std::vector<std::string>& inline_secrets);

}  // namespace loa::config
