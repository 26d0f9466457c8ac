// Keeps several import batches in flight, so Redis runs one batch's script while the gateway reads and parses
// the next rows of the upload: the difference between waiting on every round trip and not.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "gateway/store/subscriber_store.hpp"

namespace loa::broadcast {

/// One import's batches, at most `depth` of them sent and unanswered at once. Sent in order on the one
/// connection, so Redis runs them in file order (duplicate rows are recognised as in a sequential import).
class import_pipeline {
 public:
  import_pipeline(boost::asio::any_io_executor executor, subscriber_store& store, std::string ward,
                  std::vector<std::string> extra_groups, std::string source, std::size_t depth = 4);

  /// Sends `batch`, first waiting while `depth` batches are unanswered. Returns the first error of any batch
  /// so far (then stop pushing).
  boost::asio::awaitable<std::error_code> push(std::vector<subscriber_row> batch);
  /// Waits for every batch; the first error of any.
  boost::asio::awaitable<std::error_code> finish();
  /// What the answered batches did.
  const import_counts& counts() const noexcept { return state_->counts; }

 private:
  struct state {
    explicit state(boost::asio::any_io_executor ex) : wake(ex) {}
    import_counts counts;
    std::size_t in_flight = 0;
    std::error_code error;
    boost::asio::steady_timer wake;
  };
  boost::asio::awaitable<void> wait_below(std::size_t limit);

  boost::asio::any_io_executor executor_;
  subscriber_store& store_;
  std::string ward_;
  std::vector<std::string> extra_groups_;
  std::string source_;
  std::size_t depth_;
  std::shared_ptr<state> state_;  // shared with the batches under way
};

}  // namespace loa::broadcast
