// loa-smsc-sim as a child process for the benchmarks: started with `--port 0`, its `listening HOST:PORT` line
// read from a pipe, its stderr kept in a file (for the closing "N messages accepted" line), stopped with
// SIGTERM (SIGKILL after 5 s) on destruction so that no run leaves one behind.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace loa::bench {

// The simulator as a child process: stdout is a pipe (for its `listening` line), stderr a file (for its
// closing "N messages accepted" line). SIGTERM then wait on destruction, so no run leaves one behind.
class simulator {
 public:
  simulator(const std::string& path, const std::vector<std::string>& extra) {
    stderr_path_ = "/tmp/loa_bench_sim_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++) + ".err";
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, stderr_path_.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    std::vector<std::string> args{path, "--port", "0"};
    args.insert(args.end(), extra.begin(), extra.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const int rc = ::posix_spawn(&pid_, path.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (rc != 0) {
      ::close(fds[0]);
      pid_ = 0;
      std::remove(stderr_path_.c_str());  // the child may have created it before exec failed
      throw std::runtime_error("cannot start " + path + ": " + std::strerror(rc));
    }
    out_fd_ = fds[0];
    port_ = read_port();
  }
  ~simulator() { stop(); }
  simulator(const simulator&) = delete;
  simulator& operator=(const simulator&) = delete;

  std::uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }

  // utime + stime of the simulator so far, in seconds.
  double cpu_seconds() const {
    std::ifstream in("/proc/" + std::to_string(pid_) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close_paren = stat.rfind(')');
    if (close_paren == std::string::npos) return 0;
    std::istringstream fields(stat.substr(close_paren + 2));
    std::string field;
    unsigned long long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && fields >> field; ++i) {  // field 3 is the state; 14 utime, 15 stime
      if (i == 14) utime = std::stoull(field);
      if (i == 15) stime = std::stoull(field);
    }
    return static_cast<double>(utime + stime) / static_cast<double>(::sysconf(_SC_CLK_TCK));
  }

  // Stops the simulator and returns the count from its "N messages accepted" line (nullopt if absent).
  std::optional<std::uint64_t> stop() {
    if (pid_ == 0) return accepted_;
    ::kill(pid_, SIGTERM);
    int status = 0;
    for (int i = 0; i < 500; ++i) {  // 5 s, then SIGKILL
      if (::waitpid(pid_, &status, WNOHANG) == pid_) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      if (i == 499) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
      }
    }
    pid_ = 0;
    if (out_fd_ >= 0) ::close(out_fd_);
    out_fd_ = -1;
    std::ifstream err(stderr_path_);
    std::string line;
    while (std::getline(err, line)) {
      if (const auto at = line.find("stopped; "); at != std::string::npos)
        accepted_ = std::stoull(line.substr(at + 9));
      else
        std::cerr << "simulator: " << line << '\n';
    }
    std::remove(stderr_path_.c_str());
    return accepted_;
  }

 private:
  std::uint16_t read_port() {
    std::string buffered;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_fd_, POLLIN, 0};
      if (::poll(&p, 1, 100) <= 0) continue;
      char chunk[256];
      const auto n = ::read(out_fd_, chunk, sizeof chunk);
      if (n <= 0) break;
      buffered.append(chunk, static_cast<std::size_t>(n));
      if (const auto nl = buffered.find('\n'); nl != std::string::npos) {
        const auto line = buffered.substr(0, nl);
        const auto colon = line.rfind(':');
        if (line.rfind("listening ", 0) == 0 && colon != std::string::npos)
          return static_cast<std::uint16_t>(std::stoul(line.substr(colon + 1)));
        buffered.erase(0, nl + 1);
      }
    }
    stop();
    throw std::runtime_error("the simulator printed no `listening` line within 10 s");
  }

  static inline int counter_ = 0;
  pid_t pid_ = 0;
  int out_fd_ = -1;
  std::uint16_t port_ = 0;
  std::string stderr_path_;
  std::optional<std::uint64_t> accepted_;
};

}  // namespace loa::bench
