// A request: one or more Redis commands sent back to back (pipelined) and answered together. Arguments are
// kept as bytes, so keys and values may hold zero bytes, CR LF or any UTF-8.
#pragma once

#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/redis/script.hpp"

namespace loa::redis {

/// Several commands for one round trip. Cheap to build: arguments are stored flat, one string each.
class request {
 public:
  /// An empty request; push() commands into it.
  request() = default;
  /// A request of one command, e.g. request{"SET", key, value}.
  request(std::initializer_list<std::string_view> command) { push_range(command); }

  /// Appends one command: its name then its arguments. Integers are written in decimal.
  template <class... Args>
  request& push(std::string_view name, const Args&... args) {
    arg_counts_.push_back(0);
    add(name);
    (add(args), ...);
    return *this;
  }

  /// Appends one command given as a sequence of byte strings (name first).
  template <class Range>
  request& push_range(const Range& command) {
    arg_counts_.push_back(0);
    for (const auto& a : command) add(std::string_view(a));
    return *this;
  }

  /// Appends `EVALSHA sha numkeys keys... args...`: `args` start with the number of keys, then the keys
  /// (every key the script touches), then its arguments. exec() loads the script and retries on NOSCRIPT.
  template <class... Args>
  request& push_script(const script& s, const Args&... args) {
    scripts_.push_back({arg_counts_.size(), &s});
    return push("EVALSHA", s.sha1, args...);
  }

  /// push_script() with the number of keys, keys and arguments given as a sequence of byte strings.
  template <class Range>
  request& push_script_range(const script& s, const Range& numkeys_keys_args) {
    scripts_.push_back({arg_counts_.size(), &s});
    push("EVALSHA", s.sha1);
    for (const auto& a : numkeys_keys_args) add(std::string_view(a));
    return *this;
  }

  /// push_script() with the keys and the arguments as two sequences of byte strings (the number of keys is
  /// the first's size).
  template <class Keys, class Args>
  request& push_script_range(const script& s, const Keys& keys, const Args& args) {
    scripts_.push_back({arg_counts_.size(), &s});
    push("EVALSHA", s.sha1, std::size(keys));
    for (const auto& k : keys) add(std::string_view(k));
    for (const auto& a : args) add(std::string_view(a));
    return *this;
  }

  /// Appends a copy of one command given as its arguments (name first), as a script call of `called` when
  /// not null (so that exec() loads that script on NOSCRIPT). The cluster client splits requests with it.
  request& push_copy(std::span<const std::string> command, const script* called = nullptr) {
    if (called != nullptr) scripts_.push_back({arg_counts_.size(), called});
    return push_range(command);
  }

  /// An EVALSHA command of this request: its index among the commands and its script.
  struct script_call {
    std::size_t command;
    const script* called;
  };
  /// The EVALSHA commands pushed by push_script(), in order.
  const std::vector<script_call>& script_calls() const noexcept { return scripts_; }

  /// Number of commands.
  std::size_t size() const noexcept { return arg_counts_.size(); }
  /// True when no command was pushed.
  bool empty() const noexcept { return arg_counts_.empty(); }
  /// All arguments of all commands, in order.
  const std::vector<std::string>& arguments() const noexcept { return args_; }
  /// How many arguments each command has (its name included).
  const std::vector<std::uint32_t>& argument_counts() const noexcept { return arg_counts_; }

  /// This request's timeout, replacing settings::request_timeout; zero means none (waits until answered,
  /// failed, or stopped).
  std::optional<std::chrono::milliseconds> timeout;

 private:
  void add(std::string_view s) {
    args_.emplace_back(s);
    ++arg_counts_.back();
  }
  void add(const std::string& s) { add(std::string_view(s)); }
  void add(const char* s) { add(std::string_view(s)); }
  template <std::integral T>
  void add(T value) {
    args_.push_back(std::to_string(value));
    ++arg_counts_.back();
  }

  std::vector<std::string> args_;
  std::vector<std::uint32_t> arg_counts_;
  std::vector<script_call> scripts_;
};

/// Where each command's arguments start in req.arguments().
inline std::vector<std::size_t> command_offsets(const request& req) {
  std::vector<std::size_t> offsets;
  offsets.reserve(req.size());
  std::size_t at = 0;
  for (auto n : req.argument_counts()) {
    offsets.push_back(at);
    at += n;
  }
  return offsets;
}

/// The arguments of the i-th command (name first), given command_offsets(req).
inline std::span<const std::string> command_at(const request& req, const std::vector<std::size_t>& offsets,
                                               std::size_t i) {
  return {req.arguments().data() + offsets[i], req.argument_counts()[i]};
}

}  // namespace loa::redis
