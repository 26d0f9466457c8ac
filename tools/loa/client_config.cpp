#include "tools/loa/client_config.hpp"

namespace loa::cli {

config::configuration load_client_config(const global_options& globals) {
  // One character: within every password limit (SMPP allows 8), never empty.
  return config::load_config(globals.config_file,
                             [](const std::string&) { return std::optional<std::string>("-"); });
}

}  // namespace loa::cli
