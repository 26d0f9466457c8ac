// Citizens' replies (MO): HUY / TU CHOI opts the number out of every ward's notices, DK opts it back in, HD
// asks for help, each only when the reply is nothing but the keyword; each gets a short confirmation SMS
// through the carrier it came from (an opted-out number receives nothing but that), naming the keyword that
// undoes it. Anything else is kept for the wards that hold the number (`loa replies list`). A long reply
// whose parts stopped coming is read as far as it came: a keyword is acted on, anything else kept.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"
#include "gateway/broadcast/keywords.hpp"
#include "gateway/store/subscriber_store.hpp"
#include "gateway/carrier_pool.hpp"
#include "gateway/smpp/mo.hpp"

namespace loa::gateway {

namespace metrics {
class counter;
class registry;
}  // namespace metrics

class reply_handler {
 public:
  reply_handler(boost::asio::io_context& io, const config::configuration& cfg, broadcast::subscriber_store& store,
                std::map<std::string, std::unique_ptr<carrier_pool>, std::less<>>& carriers,
                std::function<void(std::string_view)> info, std::function<void(std::string_view)> warn);

  /// One reply as the carrier delivered it (reassembled when it came in parts); `ack` answers its deliver_sm
  /// once what it asks for is stored in Redis (the SMSC delivers it again if the gateway dies before).
  void on_reply(std::string_view carrier, const smpp::mo_message& m, smpp::deliver_ack ack = {});

  /// Counts replies into `registry` from now on (loa_mo_total), with zeros shown for `carriers`. The registry
  /// must outlive this.
  void attach_metrics(metrics::registry& registry, const std::vector<std::string>& carriers);

 private:
  boost::asio::awaitable<void> handle(std::string carrier, smpp::mo_message m, smpp::deliver_ack ack);
  void confirm(const std::string& carrier, const std::string& number, std::string_view text);
  metrics::counter* counter_for(std::string_view carrier, std::string_view kind);

  boost::asio::io_context& io_;
  const config::configuration& cfg_;
  broadcast::subscriber_store& store_;
  std::map<std::string, std::unique_ptr<carrier_pool>, std::less<>>& carriers_;
  broadcast::keyword_sets keywords_;
  std::function<void(std::string_view)> info_;
  std::function<void(std::string_view)> warn_;
  metrics::registry* metrics_ = nullptr;
};

}  // namespace loa::gateway
