// The configuration as the officials' commands read it. They need the gateway's address, templates_dir and
// the time offset; the secrets that `password_env` names (carriers' SMPP passwords, Redis') are the
// gateway's, set in its environment only (config/loa-gateway.service's EnvironmentFile), never in an
// official's shell.
#pragma once

#include "config/config.hpp"
#include "tools/loa/cli.hpp"

namespace loa::cli {

/// globals.config_file, validated as config::load_config does, except that the variables `password_env`
/// names are not looked up: the passwords in the answer are placeholders. Throws config::config_error.
config::configuration load_client_config(const global_options& globals);

}  // namespace loa::cli
