// hiredis' async context driven by an Asio executor, in the way hiredis' own adapters/libuv.h does it: the
// context's ev.addRead/delRead/addWrite/delWrite/cleanup hooks start and stop async_wait on a
// stream_descriptor that watches the context's socket without owning it. Internal to gateway/redis.
#pragma once

#include <boost/asio/any_io_executor.hpp>

struct redisAsyncContext;  // hiredis' type; its header stays out of ours

namespace loa::redis::detail {

/// Hooks `ac` (freshly created, not yet attached) to `ex`. Returns false when the socket cannot be watched;
/// the caller then frees the context. hiredis keeps ownership of the socket and closes it in redisFree();
/// cleanup releases our descriptor first.
bool attach_asio(redisAsyncContext* ac, const boost::asio::any_io_executor& ex);

}  // namespace loa::redis::detail
