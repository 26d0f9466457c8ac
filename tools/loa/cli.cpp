#include "tools/loa/cli.hpp"

#include <fmt/core.h>

#include <cstdio>

#include "gateway/common/plain_json.hpp"

namespace loa::cli {

int fail(const global_options& options, exit_code code, std::string_view message) {
  if (options.json) {
    print_json(boost::json::object{{"error", message}});
  } else {
    fmt::print(stderr, "loa: {}\n", message);
  }
  return static_cast<int>(code);
}

void print_json(const boost::json::value& document) {
  fmt::print("{}\n", serialize_plain(document));
  std::fflush(stdout);
}

}  // namespace loa::cli
