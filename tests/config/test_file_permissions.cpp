// config/file_permissions.hpp: a configuration file with passwords in it that others can read is named, with
// its mode and the keys, at start; one kept private, or without inline passwords, is not.
#include "config/file_permissions.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <string>

#include <stdlib.h>  // mkdtemp

using namespace loa::config;
namespace fs = std::filesystem;

namespace {

// A configuration file in a fresh temporary directory, removed with the object.
struct temp_config {
  explicit temp_config(const std::string& text) {
    std::string pattern = (fs::temp_directory_path() / "loa-perm-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot make a temporary directory");
    dir = pattern;
    path = dir / "loa.yaml";
    std::ofstream(path) << text;
  }
  ~temp_config() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void chmod(fs::perms p) const { fs::permissions(path, p, fs::perm_options::replace); }
  fs::path dir, path;
};

const std::string carrier_with_password =
    "sender: LongThuy\n"
    "carriers:\n"
    "  - name: viettel\n"
    "    host: 127.0.0.1\n"
    "    port: 2775\n"
    "    system_id: loa\n"
    "    password: secret\n";

std::optional<std::string> warning_for(const temp_config& f, const env_lookup& env) {
  return exposed_secrets_warning(load_config(f.path, env));
}

std::optional<std::string> no_variable(const std::string&) {
  return std::nullopt;
}

}  // namespace

TEST_CASE(
    "file permissions: inline passwords in a file others can read are named with the mode and the fix") {
  const temp_config f(carrier_with_password + "redis:\n  url: redis://:hunter2@127.0.0.1:6379/0\n");
  f.chmod(fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
  const auto warning = warning_for(f, no_variable);
  REQUIRE(warning);
  INFO(*warning);
  CHECK(warning->find(f.path.string()) != std::string::npos);
  CHECK(warning->find("mode 0644") != std::string::npos);
  CHECK(warning->find("its group and others") != std::string::npos);
  CHECK(warning->find("carriers") != std::string::npos);
  CHECK(warning->find("password") != std::string::npos);
  CHECK(warning->find("redis.url") != std::string::npos);
  CHECK(warning->find("chmod 600") != std::string::npos);
  CHECK(warning->find("password_env") != std::string::npos);
  CHECK(warning->find("secret") == warning->find("secrets"));  // the value itself is never in the message
  CHECK(warning->find("hunter2") == std::string::npos);

  f.chmod(fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  const auto group_only = warning_for(f, no_variable);
  REQUIRE(group_only);
  CHECK(group_only->find("mode 0640") != std::string::npos);
  CHECK(group_only->find("by its group") != std::string::npos);
}

TEST_CASE("file permissions: a private file, or one whose secrets come from the environment, says nothing") {
  const temp_config private_file(carrier_with_password);
  private_file.chmod(fs::perms::owner_read | fs::perms::owner_write);
  CHECK_FALSE(warning_for(private_file, no_variable));

  std::string from_env = carrier_with_password;
  from_env.replace(from_env.find("password: secret"), std::string("password: secret").size(),
                   "password_env: VIETTEL_SMPP_PASSWORD");
  const temp_config env_file(from_env);
  env_file.chmod(fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                 fs::perms::others_read);
  const env_lookup env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "VIETTEL_SMPP_PASSWORD") return "secret";
    return std::nullopt;
  };
  const auto c = load_config(env_file.path, env);
  CHECK(c.inline_secrets.empty());
  CHECK_FALSE(exposed_secrets_warning(c));
}

TEST_CASE("file permissions: the keys that hold inline secrets are recorded while parsing") {
  const auto c = parse_config(carrier_with_password + "redis:\n  url: redis://user:pw@127.0.0.1:6379/0\n",
                              "t.yaml", no_variable);
  REQUIRE(c.inline_secrets.size() == 2);
  CHECK(c.inline_secrets[0] == "redis.url");  // read before the carriers
  CHECK(c.inline_secrets[1].find("password") != std::string::npos);
  const auto none = parse_config(carrier_with_password.substr(0, carrier_with_password.find("    password")),
                                 "t.yaml", no_variable);
  CHECK(none.inline_secrets.empty());
}
