#include "gateway/broadcast/import_pipeline.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace loa::broadcast {
namespace {

namespace asio = boost::asio;

// Owns its arguments in the coroutine frame: the batch outlives the push() that started it.
asio::awaitable<std::error_code> run_batch(subscriber_store& store, std::string ward,
                                           std::vector<subscriber_row> batch,
                                           std::vector<std::string> extra_groups, std::string source,
                                           std::shared_ptr<import_counts> counts) {
  co_return co_await store.import_batch(ward, batch, extra_groups, source, *counts);
}

}  // namespace

import_pipeline::import_pipeline(asio::any_io_executor executor, subscriber_store& store, std::string ward,
                                 std::vector<std::string> extra_groups, std::string source, std::size_t depth)
    : executor_(executor),
      store_(store),
      ward_(std::move(ward)),
      extra_groups_(std::move(extra_groups)),
      source_(std::move(source)),
      depth_(depth < 1 ? 1 : depth),
      state_(std::make_shared<state>(executor)) {}

asio::awaitable<void> import_pipeline::wait_below(std::size_t limit) {
  while (state_->in_flight >= limit) {
    state_->wake.expires_at(asio::steady_timer::time_point::max());
    co_await state_->wake.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled when a batch ends
  }
}

asio::awaitable<std::error_code> import_pipeline::push(std::vector<subscriber_row> batch) {
  co_await wait_below(depth_);
  if (state_->error) co_return state_->error;
  ++state_->in_flight;
  auto counts = std::make_shared<import_counts>();
  asio::co_spawn(executor_, run_batch(store_, ward_, std::move(batch), extra_groups_, source_, counts),
                 [s = state_, counts](std::exception_ptr e, std::error_code ec) {
                   --s->in_flight;
                   if (e) ec = std::make_error_code(std::errc::io_error);
                   if (ec && !s->error) s->error = ec;
                   s->counts.imported += counts->imported;
                   s->counts.updated += counts->updated;
                   s->counts.duplicates += counts->duplicates;
                   s->wake.cancel();
                 });
  co_return state_->error;
}

asio::awaitable<std::error_code> import_pipeline::finish() {
  co_await wait_below(1);
  co_return state_->error;
}

}  // namespace loa::broadcast
