// How many submit_sm a second loa-smsc-sim takes from one bind, so that it is never the bottleneck of a
// benchmark. A minimal pipelined client: raw Asio, every submit_sm encoded before the clock starts, a window
// of unanswered submits, no receipts asked for. Prints figures; asserts nothing. Run: build/bin/sim_bench
// [--count N] [--window W] [--connect HOST:PORT] [--sim PATH] [-- SIM_ARGS...] Without --connect it starts
// the simulator built with it (`--port 0`, plus SIM_ARGS) and stops it at the end.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/sim_process.hpp"
#include "gateway/smpp/codec.hpp"


namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace loa::smpp;

struct settings {
  std::size_t count = 200000;
  std::size_t window = 500;
  std::string connect;  // HOST:PORT; empty: start the simulator
  std::string sim = LOA_SMSC_SIM_PATH;
  std::vector<std::string> sim_args;
};

settings parse(int argc, char** argv) {
  settings s;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      return argv[++i];
    };
    if (a == "--count")
      s.count = std::stoul(value());
    else if (a == "--window")
      s.window = std::stoul(value());
    else if (a == "--connect")
      s.connect = value();
    else if (a == "--sim")
      s.sim = value();
    else if (a == "--") {
      for (++i; i < argc; ++i) s.sim_args.emplace_back(argv[i]);
    } else {
      throw std::invalid_argument("unknown argument " + a);
    }
  }
  if (s.count == 0 || s.window == 0) throw std::invalid_argument("--count and --window must be positive");
  return s;
}

using loa::bench::simulator;


std::uint32_t get_u32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

// All the submits back to back, and where each one ends.
struct prepared {
  std::vector<std::uint8_t> bytes;
  std::vector<std::size_t> ends;
};

prepared prepare(std::size_t count) {
  prepared p;
  p.ends.reserve(count);
  short_message m;
  m.source = {5, 0, "LOA"};
  m.esm_class = 0;
  m.registered_delivery = 0;  // no receipts: only submit_sm -> submit_sm_resp is measured
  const std::string text =
      "UBND phuong Long Thuy: cup nuoc tu 8h den 17h ngay 25/11. Xin loi vi su bat tien.";
  m.message.assign(text.begin(), text.end());
  for (std::size_t i = 0; i < count; ++i) {
    m.destination = {1, 1, "849" + std::to_string(10000000 + i % 90000000)};
    if (auto ec = encode(pdu{command_id::submit_sm, 0, static_cast<std::uint32_t>(i + 1), m}, p.bytes))
      throw std::runtime_error("encode: " + ec.message());
    p.ends.push_back(p.bytes.size());
  }
  return p;
}

// Pipelines the submits over one connection: one write in flight at a time covering every submit the window
// allows, reads parsed by header only.
class pipeline {
 public:
  pipeline(tcp::socket& socket, const prepared& work, std::size_t window)
      : socket_(socket), work_(work), window_(window) {}

  void start() {
    write_more();
    read_more();
  }

  std::size_t ok = 0, throttled = 0, other = 0;

 private:
  void write_more() {
    if (writing_ || sent_ == work_.ends.size()) return;
    const std::size_t allowed = std::min(work_.ends.size(), answered() + window_);
    if (allowed <= sent_) return;
    const std::size_t from = sent_ == 0 ? 0 : work_.ends[sent_ - 1];
    const std::size_t to = work_.ends[allowed - 1];
    sent_ = allowed;
    writing_ = true;
    asio::async_write(socket_, asio::buffer(work_.bytes.data() + from, to - from),
                      [this](const boost::system::error_code& ec, std::size_t) {
                        writing_ = false;
                        if (ec) throw std::runtime_error("write: " + ec.message());
                        write_more();
                      });
  }

  void read_more() {
    if (answered() == work_.ends.size()) return;
    socket_.async_read_some(asio::buffer(buffer_.data() + filled_, buffer_.size() - filled_),
                            [this](const boost::system::error_code& ec, std::size_t n) {
                              if (ec) throw std::runtime_error("read: " + ec.message());
                              filled_ += n;
                              std::size_t pos = 0;
                              while (filled_ - pos >= 16) {
                                const auto length = get_u32(buffer_.data() + pos);
                                if (length < 16 || length > 4096)
                                  throw std::runtime_error("bad command_length");
                                if (filled_ - pos < length) break;
                                const auto id = get_u32(buffer_.data() + pos + 4);
                                const auto status = get_u32(buffer_.data() + pos + 8);
                                if (id == static_cast<std::uint32_t>(command_id::submit_sm_resp)) {
                                  if (status == 0)
                                    ++ok;
                                  else if (status == status::throttled)
                                    ++throttled;
                                  else
                                    ++other;
                                }
                                pos += length;
                              }
                              std::memmove(buffer_.data(), buffer_.data() + pos, filled_ - pos);
                              filled_ -= pos;
                              write_more();
                              read_more();
                            });
  }

  std::size_t answered() const noexcept { return ok + throttled + other; }

  tcp::socket& socket_;
  const prepared& work_;
  std::size_t window_;
  std::size_t sent_ = 0;
  bool writing_ = false;
  std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(256 * 1024);
  std::size_t filled_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    const auto s = parse(argc, argv);
    std::unique_ptr<simulator> sim;
    std::string host = "127.0.0.1", port;
    if (s.connect.empty()) {
      sim = std::make_unique<simulator>(s.sim, s.sim_args);
      port = std::to_string(sim->port());
    } else {
      const auto colon = s.connect.rfind(':');
      if (colon == std::string::npos) throw std::invalid_argument("--connect wants HOST:PORT");
      host = s.connect.substr(0, colon);
      port = s.connect.substr(colon + 1);
    }
    const auto work = prepare(s.count);

    asio::io_context io(1);
    tcp::socket socket(io);
    asio::connect(socket, tcp::resolver(io).resolve(host, port));
    socket.set_option(tcp::no_delay(true));
    std::vector<std::uint8_t> bind_bytes;
    encode(pdu{command_id::bind_transmitter, 0, 0x7FFFFFFF, loa::smpp::bind{"bench", "bench", "", 0x34, {}}},
           bind_bytes);
    asio::write(socket, asio::buffer(bind_bytes));
    std::vector<std::uint8_t> head(16);
    asio::read(socket, asio::buffer(head));
    std::vector<std::uint8_t> rest(get_u32(head.data()) - 16);
    asio::read(socket, asio::buffer(rest));
    if (get_u32(head.data() + 8) != 0) throw std::runtime_error("bind refused");

    pipeline p(socket, work, s.window);
    const auto started = std::chrono::steady_clock::now();
    p.start();
    io.run();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    std::printf(
        "sim_bench: %zu submit_sm, window %zu, one bind: %.3f s, %.0f submits/s (ok %zu, throttled %zu, "
        "other %zu)\n",
        s.count, s.window, took.count(), static_cast<double>(s.count) / took.count(), p.ok, p.throttled,
        p.other);
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "sim_bench: %s\n", e.what());
    return 1;
  }
}
