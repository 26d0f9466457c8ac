#include "gateway/redis/command_route.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

#include "gateway/redis/key_slot.hpp"

namespace loa::redis {
namespace {

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::toupper(static_cast<unsigned char>(x)) == std::toupper(static_cast<unsigned char>(y));
         });
}

bool one_of(std::string_view name, std::initializer_list<std::string_view> names) noexcept {
  return std::any_of(names.begin(), names.end(), [&](std::string_view n) { return iequals(name, n); });
}

// A non-negative count argument, or nullopt when it is not one.
std::optional<std::size_t> count_at(std::span<const std::string> c, std::size_t i) {
  if (i >= c.size()) return std::nullopt;
  std::size_t n = 0;
  const auto& s = c[i];
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return n;
}

// Accumulates the slots of the keys seen.
struct slots {
  std::optional<std::uint16_t> first;
  bool mixed = false;
  void add(std::string_view key) {
    const auto s = key_slot(key);
    if (!first)
      first = s;
    else if (*first != s)
      mixed = true;
  }
  void add_range(std::span<const std::string> c, std::size_t from, std::size_t to, std::size_t step = 1) {
    for (std::size_t i = from; i < to && i < c.size(); i += step) add(c[i]);
  }
  command_route result() const {
    if (mixed) return {command_route::kind::cross_slot, 0};
    if (!first) return {command_route::kind::keyless, 0};
    return {command_route::kind::slot, *first};
  }
};

}  // namespace

bool is_wait(std::string_view name) noexcept {
  return iequals(name, "WAIT");
}

command_route route_of(std::span<const std::string> c) {
  const std::string_view name = c[0];
  const std::size_t n = c.size();
  slots keys;
  if (one_of(name, {"MULTI", "EXEC", "DISCARD", "WATCH", "UNWATCH"}))
    return {command_route::kind::transaction, 0};
  if (one_of(name, {"FLUSHALL", "FLUSHDB"}) ||
      (n >= 2 && iequals(name, "SCRIPT") && one_of(c[1], {"LOAD", "FLUSH"})) ||
      (n >= 2 && iequals(name, "CONFIG") && iequals(c[1], "SET")))
    return {command_route::kind::every_primary, 0};
  if (one_of(name, {"PING",    "WAIT",     "WAITAOF",      "SCRIPT", "INFO",      "CONFIG",   "CLUSTER",
                    "TIME",    "ECHO",     "DBSIZE",       "CLIENT", "COMMAND",   "READONLY", "READWRITE",
                    "ASKING",  "SELECT",   "AUTH",         "HELLO",  "ROLE",      "SLOWLOG",  "LASTSAVE",
                    "SAVE",    "BGSAVE",   "BGREWRITEAOF", "DEBUG",  "RANDOMKEY", "KEYS",     "SCAN",
                    "PUBLISH", "FUNCTION", "LATENCY",      "LOLWUT", "MIGRATE",   "QUIT",     "RESET"}))
    return {command_route::kind::keyless, 0};
  if (one_of(name, {"EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO"})) {
    const auto k = count_at(c, 2);
    if (!k) return {command_route::kind::keyless, 0};  // the server answers the bad count
    keys.add_range(c, 3, 3 + *k);
  } else if (one_of(name, {"DEL", "UNLINK", "EXISTS", "TOUCH", "MGET", "SINTER", "SUNION", "SDIFF", "PFCOUNT",
                           "PFMERGE", "SINTERSTORE", "SUNIONSTORE", "SDIFFSTORE"})) {
    keys.add_range(c, 1, n);
  } else if (one_of(name, {"RENAME", "RENAMENX", "RPOPLPUSH", "BRPOPLPUSH", "SMOVE", "LMOVE", "BLMOVE",
                           "COPY", "GEOSEARCHSTORE", "ZRANGESTORE"})) {
    keys.add_range(c, 1, 3);
  } else if (one_of(name, {"MSET", "MSETNX"})) {
    keys.add_range(c, 1, n, 2);
  } else if (one_of(name, {"BLPOP", "BRPOP", "BZPOPMIN", "BZPOPMAX"})) {
    keys.add_range(c, 1, n - 1);
  } else if (one_of(name, {"ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"})) {
    keys.add_range(c, 1, 2);
    if (const auto k = count_at(c, 2)) keys.add_range(c, 3, 3 + *k);
  } else if (one_of(name, {"ZUNION", "ZINTER", "ZDIFF", "SINTERCARD", "ZINTERCARD", "LMPOP", "ZMPOP"})) {
    if (const auto k = count_at(c, 1)) keys.add_range(c, 2, 2 + *k);
  } else if (one_of(name, {"BLMPOP", "BZMPOP"})) {
    if (const auto k = count_at(c, 2)) keys.add_range(c, 3, 3 + *k);
  } else if (one_of(name, {"XREAD", "XREADGROUP"})) {
    for (std::size_t i = 1; i < n; ++i) {
      if (!iequals(c[i], "STREAMS")) continue;
      const std::size_t streams = (n - i - 1) / 2;
      keys.add_range(c, i + 1, i + 1 + streams);
      break;
    }
  } else if (one_of(name, {"OBJECT", "MEMORY", "XINFO"})) {
    keys.add_range(c, 2, 3);
  } else {
    keys.add_range(c, 1, 2);
  }
  return keys.result();
}

}  // namespace loa::redis
