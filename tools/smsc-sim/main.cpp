// loa-smsc-sim: an SMPP 3.4 SMSC for demos, tests and benchmarks (CONTRACT.md "The SMSC simulator").
// One io_context thread; prints `listening HOST:PORT` once ready so that scripts can read the port.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <exception>
#include <iostream>
#include <memory>

#include "tools/smsc-sim/message_log.hpp"
#include "tools/smsc-sim/mo.hpp"
#include "tools/smsc-sim/options.hpp"
#include "tools/smsc-sim/server.hpp"

int main(int argc, char** argv) {
  int exit_code = -1;
  auto opts = loa::sim::parse_options(argc, argv, exit_code);
  if (exit_code >= 0) return exit_code;
  try {
    boost::asio::io_context io(1);
    std::unique_ptr<loa::sim::message_log> log = opts.log_path.empty()
                                                     ? std::make_unique<loa::sim::message_log>()
                                                     : std::make_unique<loa::sim::message_log>(opts.log_path);
    std::vector<loa::sim::mo_message> mo;
    if (!opts.mo_path.empty()) {
      try {
        mo = loa::sim::load_mo_file(opts.mo_path);
      } catch (const std::exception& e) {
        std::cerr << "loa-smsc-sim: " << e.what() << '\n';
        return 1;  // CONTRACT.md: 1 for bad input
      }
    }
    const auto host = opts.host;
    loa::sim::server srv(io, std::move(opts), *log, std::move(mo));
    const auto port = srv.listen();
    boost::asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code& ec, int) {
      if (ec) return;
      srv.stop();
      io.stop();
    });
    std::cout << "listening " << host << ':' << port << std::endl;  // endl: tests wait for this line
    io.run();
    std::cerr << "loa-smsc-sim: stopped; " << log->complete_messages() << " messages accepted\n";
    return 0;
  } catch (const loa::sim::bad_tls_file& e) {
    std::cerr << "loa-smsc-sim: " << e.what() << '\n';
    return 1;  // CONTRACT.md: 1 for bad input
  } catch (const std::exception& e) {
    std::cerr << "loa-smsc-sim: " << e.what() << '\n';
    return 3;
  }
}
