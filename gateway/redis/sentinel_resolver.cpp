#include "gateway/redis/sentinel_resolver.hpp"

#include <boost/asio/post.hpp>
#include <charconv>
#include <utility>

#include "gateway/redis/connection.hpp"

namespace loa::redis::detail {

sentinel_resolver::sentinel_resolver(boost::asio::any_io_executor ex, const settings& s)
    : ex_(std::move(ex)), settings_(s) {}

sentinel_resolver::~sentinel_resolver() = default;

void sentinel_resolver::resolve(done_handler done) {
  ++round_;
  done_ = std::move(done);
  failures_.clear();
  ask(0);
}

void sentinel_resolver::cancel() {
  ++round_;
  done_ = nullptr;
  // Destroyed later: cancel() may be called from inside one of its completions' call chains.
  if (asking_) boost::asio::post(ex_, [c = std::shared_ptr<connection>(std::move(asking_))] {});
}

void sentinel_resolver::ask(std::size_t tried) {
  const auto& sentinels = settings_.sentinels;
  if (tried == sentinels.size()) {
    auto done = std::move(done_);
    done_ = nullptr;
    if (done) done(error::no_master, {}, failures_);
    return;
  }
  const std::size_t index = (first_ + tried) % sentinels.size();
  const endpoint& at = sentinels[index];
  settings s;
  s.host = at.host;
  s.port = at.port;
  s.password = settings_.sentinel_password;
  s.connect_timeout = settings_.sentinel_timeout;
  s.request_timeout = settings_.sentinel_timeout;
  s.max_connect_attempts = 1;  // one try each; the next sentinel is the retry
  s.health_check_interval = std::chrono::hours(1);
  s.health_check_timeout = std::chrono::hours(1);
  if (asking_) boost::asio::post(ex_, [c = std::shared_ptr<connection>(std::move(asking_))] {});
  asking_ = std::make_unique<connection>(ex_, s);
  asking_->async_run([](std::error_code) {});
  request req;
  req.push("SENTINEL", "get-master-addr-by-name", settings_.master_name);
  asking_->async_exec(std::move(req), [weak = weak_from_this(), round = round_, tried, index](
                                          std::error_code ec, response r) {
    auto self = weak.lock();
    if (!self || self->round_ != round) return;
    const endpoint& asked = self->settings_.sentinels[index];
    std::string why;
    if (!r.empty() && r[0].is_error()) {
      why = r[0].str();
    } else if (ec) {
      why = ec.message();
    } else if (r[0].is_nil()) {
      why = "does not monitor a master named " + self->settings_.master_name;
    } else if (r[0].elements().size() == 2) {
      const auto& port = r[0].elements()[1].str();
      unsigned v = 0;
      auto [p, perr] = std::from_chars(port.data(), port.data() + port.size(), v);
      if (perr == std::errc() && p == port.data() + port.size() && v > 0 && v < 65536) {
        self->first_ = index;
        self->asking_->cancel();
        auto done = std::move(self->done_);
        self->done_ = nullptr;
        if (done) done({}, endpoint{r[0].elements()[0].str(), static_cast<std::uint16_t>(v)}, {});
        return;
      }
      why = "answered a bad port";
    } else {
      why = "answered something that is not an address";
    }
    if (!self->failures_.empty()) self->failures_ += "; ";
    self->failures_ += "sentinel " + asked.host + ":" + std::to_string(asked.port) + ": " + why;
    self->ask(tried + 1);
  });
}

}  // namespace loa::redis::detail
