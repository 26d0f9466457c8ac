// What a campaign costs Redis and the gateway, read from outside: a redis-server's CPU (`INFO cpu`), its
// calls per command (`INFO commandstats`) and its memory (`INFO memory`), summed over the nodes given, and a
// process's CPU from /proc/PID/stat. Taken before and after a run, the difference over the messages sent is
// the per-message cost docs/SCALING.md sizes a province and the country with ("Measured (issue 15)").
#pragma once

#include <unistd.h>

#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/fixtures/redis_server.hpp"

namespace loa::test {

struct redis_cost {
  double cpu_s = 0;                        ///< used_cpu_sys + used_cpu_user
  std::map<std::string, long long> calls;  ///< per command, lower case ("evalsha", "hmget", ...)
  long long used_memory = 0;               ///< bytes

  long long calls_of(const std::string& command) const {
    const auto it = calls.find(command);
    return it == calls.end() ? 0 : it->second;
  }
  long long all_calls() const {
    long long n = 0;
    for (const auto& [command, c] : calls) n += c;
    return n;
  }
  redis_cost& operator+=(const redis_cost& o) {
    cpu_s += o.cpu_s;
    for (const auto& [command, c] : o.calls) calls[command] += c;
    used_memory += o.used_memory;
    return *this;
  }
  /// What happened between `before` and this (memory: the growth, which may be negative).
  redis_cost since(const redis_cost& before) const {
    redis_cost d = *this;
    d.cpu_s -= before.cpu_s;
    for (const auto& [command, c] : before.calls) d.calls[command] -= c;
    d.used_memory -= before.used_memory;
    return d;
  }
};

/// One node's figures now. INFO's own call is counted too: one per read, negligible against a campaign.
inline redis_cost read_redis_cost(const redis_server& node) {
  redis_cost out;
  std::istringstream in(node.command({"INFO", "cpu"}) + node.command({"INFO", "commandstats"}) +
                        node.command({"INFO", "memory"}));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string name = line.substr(0, colon), value = line.substr(colon + 1);
    if (name == "used_cpu_sys" || name == "used_cpu_user") {
      out.cpu_s += std::stod(value);
    } else if (name == "used_memory") {
      out.used_memory = std::stoll(value);
    } else if (name.rfind("cmdstat_", 0) == 0 && value.rfind("calls=", 0) == 0) {
      // cmdstat_evalsha:calls=12,usec=...; subcommands read cmdstat_cluster|slots
      out.calls[name.substr(8)] = std::stoll(value.substr(6));
    }
  }
  return out;
}

/// The sum over `nodes` (a cluster's primaries, or one server).
inline redis_cost read_redis_cost(const std::vector<const redis_server*>& nodes) {
  redis_cost sum;
  for (const auto* n : nodes) sum += read_redis_cost(*n);
  return sum;
}

/// utime + stime of a running process, in seconds (the rig's gateway: rig.gateway_pid()).
inline double process_cpu_s(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), {});
  const auto paren = stat.rfind(')');  // the command name may hold spaces: count fields after it
  if (paren == std::string::npos) throw std::runtime_error("no /proc/" + std::to_string(pid) + "/stat");
  std::istringstream fields(stat.substr(paren + 2));
  std::vector<std::string> f{std::istream_iterator<std::string>(fields), {}};
  // f[0] is field 3 (state); utime and stime are fields 14 and 15, in clock ticks.
  return (std::stod(f.at(11)) + std::stod(f.at(12))) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

}  // namespace loa::test
