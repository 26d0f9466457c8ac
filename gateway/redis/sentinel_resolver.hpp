// Asks Redis Sentinels, one after another, where the primary is: SENTINEL get-master-addr-by-name NAME on a
// short-lived connection to each (AUTH with the sentinel password first), bounded by
// settings::sentinel_timeout per sentinel. The sentinel that answered last is asked first next time.
// Internal to gateway/redis: connection.cpp calls it before every connection attempt.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "gateway/redis/settings.hpp"

namespace loa::redis {
class connection;
}

namespace loa::redis::detail {

class sentinel_resolver : public std::enable_shared_from_this<sentinel_resolver> {
 public:
  /// The primary's address, or error::no_master with what each sentinel said in `detail`.
  using done_handler = std::function<void(std::error_code, endpoint primary, std::string detail)>;

  sentinel_resolver(boost::asio::any_io_executor ex, const settings& s);
  ~sentinel_resolver();
  sentinel_resolver(const sentinel_resolver&) = delete;
  sentinel_resolver& operator=(const sentinel_resolver&) = delete;

  /// Asks the sentinels in turn; `done` is called once, through the executor. A resolve in progress is
  /// abandoned (its handler never called).
  void resolve(done_handler done);
  /// Abandons the resolve in progress.
  void cancel();

 private:
  void ask(std::size_t tried);

  boost::asio::any_io_executor ex_;
  settings settings_;
  std::size_t first_ = 0;    // index of the sentinel that answered last
  std::uint64_t round_ = 0;  // bumped per resolve and cancel: answers of an abandoned round are ignored
  done_handler done_;
  std::string failures_;
  std::unique_ptr<connection> asking_;
};

}  // namespace loa::redis::detail
