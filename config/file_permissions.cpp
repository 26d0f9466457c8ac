#include "config/file_permissions.hpp"

#include <fmt/format.h>

namespace loa::config {

namespace fs = std::filesystem;

std::optional<std::string> exposed_secrets_warning(const fs::path& file,
                                                   const std::vector<std::string>& inline_secrets) {
  if (inline_secrets.empty()) return std::nullopt;
  std::error_code ec;
  const fs::file_status st = fs::status(file, ec);
  if (ec) return std::nullopt;
  const fs::perms p = st.permissions();
  const bool group = (p & fs::perms::group_read) != fs::perms::none;
  const bool others = (p & fs::perms::others_read) != fs::perms::none;
  if (!group && !others) return std::nullopt;
  const auto mode = static_cast<unsigned>(p & fs::perms::mask);
  return fmt::format(
      "{} holds secrets inline ({}) and is readable by {} (mode {:04o}): run `chmod 600 {}`, or move them "
      "out of the file with password_env",
      file.string(), fmt::join(inline_secrets, ", "),
      group && others ? "its group and others" : (group ? "its group" : "others"), mode, file.string());
}

std::optional<std::string> exposed_secrets_warning(const configuration& cfg) {
  return exposed_secrets_warning(cfg.file, cfg.inline_secrets);
}

}  // namespace loa::config
