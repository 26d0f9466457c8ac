#include "gateway/redis/asio_adapter.hpp"

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <boost/asio/error.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <memory>

namespace loa::redis::detail {
namespace {

// The per-context event state (libuv.h's redisLibuvEvents). hiredis holds a raw pointer to it in ev.data; the
// object keeps itself alive through self_ until cleanup, and every pending wait holds a shared_ptr too, so a
// wait that completes after the context was freed finds a live object whose context_ is null.
class asio_events : public std::enable_shared_from_this<asio_events> {
 public:
  asio_events(redisAsyncContext* ac, const boost::asio::any_io_executor& ex)
      : context_(ac), descriptor_(ex) {}
  ~asio_events() {
    // Never close hiredis' socket: release() gives the descriptor back without closing it.
    if (descriptor_.is_open()) descriptor_.release();
  }
  asio_events(const asio_events&) = delete;
  asio_events& operator=(const asio_events&) = delete;

  bool watch(int fd, std::shared_ptr<asio_events> self) {
    boost::system::error_code ec;
    descriptor_.assign(fd, ec);
    if (ec) return false;
    self_ = std::move(self);
    return true;
  }

  void add_read() {
    want_read_ = true;
    arm_read();
  }
  // A wait already started stays pending; when it completes, it sees want_read_ false and does nothing.
  void del_read() { want_read_ = false; }
  void add_write() {
    want_write_ = true;
    arm_write();
  }
  void del_write() { want_write_ = false; }

  // hiredis is about to free the context (and close the socket): forget both, cancel the waits.
  void cleanup() {
    const auto keep = std::move(self_);  // destroys this object on return when no wait holds it
    context_ = nullptr;
    want_read_ = want_write_ = false;
    if (descriptor_.is_open()) descriptor_.release();  // also cancels the pending waits
  }

 private:
  // Asio's epoll reactor re-arms the descriptor for a wait with EPOLL_CTL_MOD, which reports readiness that
  // is already there, so data hiredis left in the socket (it reads 16 KiB per call) completes the next wait.
  void arm_read() {
    if (read_waiting_ || !want_read_ || context_ == nullptr) return;
    read_waiting_ = true;
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                           [self = shared_from_this()](const boost::system::error_code& ec) {
                             self->read_waiting_ = false;
                             if (ec == boost::asio::error::operation_aborted || self->context_ == nullptr)
                               return;
                             // Any other error is left to hiredis: its read() fails and it frees the context.
                             if (self->want_read_) redisAsyncHandleRead(self->context_);
                             self->arm_read();  // context_ is null if hiredis freed the context meanwhile
                           });
  }

  void arm_write() {
    if (write_waiting_ || !want_write_ || context_ == nullptr) return;
    write_waiting_ = true;
    descriptor_.async_wait(boost::asio::posix::stream_descriptor::wait_write,
                           [self = shared_from_this()](const boost::system::error_code& ec) {
                             self->write_waiting_ = false;
                             if (ec == boost::asio::error::operation_aborted || self->context_ == nullptr)
                               return;
                             // The first writable event also completes a non-blocking connect (hiredis
                             // checks).
                             if (self->want_write_) redisAsyncHandleWrite(self->context_);
                             self->arm_write();
                           });
  }

  redisAsyncContext* context_;
  boost::asio::posix::stream_descriptor descriptor_;
  std::shared_ptr<asio_events> self_;
  bool want_read_ = false;
  bool want_write_ = false;
  bool read_waiting_ = false;
  bool write_waiting_ = false;
};

}  // namespace
}  // namespace loa::redis::detail

// The hooks hiredis calls: C linkage, privdata is the asio_events.
extern "C" {
static void loa_redis_add_read(void* privdata) {
  static_cast<loa::redis::detail::asio_events*>(privdata)->add_read();
}
static void loa_redis_del_read(void* privdata) {
  static_cast<loa::redis::detail::asio_events*>(privdata)->del_read();
}
static void loa_redis_add_write(void* privdata) {
  static_cast<loa::redis::detail::asio_events*>(privdata)->add_write();
}
static void loa_redis_del_write(void* privdata) {
  static_cast<loa::redis::detail::asio_events*>(privdata)->del_write();
}
static void loa_redis_cleanup(void* privdata) {
  static_cast<loa::redis::detail::asio_events*>(privdata)->cleanup();
}
}

namespace loa::redis::detail {

bool attach_asio(redisAsyncContext* ac, const boost::asio::any_io_executor& ex) {
  if (ac == nullptr || ac->ev.data != nullptr) return false;
  auto events = std::make_shared<asio_events>(ac, ex);
  if (!events->watch(ac->c.fd, events)) return false;
  ac->ev.data = events.get();
  ac->ev.addRead = loa_redis_add_read;
  ac->ev.delRead = loa_redis_del_read;
  ac->ev.addWrite = loa_redis_add_write;
  ac->ev.delWrite = loa_redis_del_write;
  ac->ev.cleanup = loa_redis_cleanup;
  return true;
}

}  // namespace loa::redis::detail
