#include "gateway/store/engine_store.hpp"

#include <utility>

namespace loa::store {

namespace engine_keys {
namespace {
std::string campaign_key(std::string_view id, std::string_view what) {
  std::string k = "loa:{c:";
  k += id;
  k += "}:";
  k += what;
  return k;
}
}  // namespace

std::string alive(std::string_view campaign) { return campaign_key(campaign, "alive"); }

std::string backlog(std::string_view campaign, std::string_view carrier) {
  auto k = campaign_key(campaign, "backlog:");
  k += carrier;
  return k;
}

std::string parcels(std::string_view campaign) { return campaign_key(campaign, "parcels"); }

std::string receipts_from(std::string_view carrier, std::string_view source) {
  std::string k = "loa:dlr_from:";
  k += carrier;
  k += ':';
  k += source;
  return k;
}
}  // namespace engine_keys

engine_store::engine_store(redis::connection& connection, engine_store_settings settings)
    : connection_(connection), s_(std::move(settings)) {}

}  // namespace loa::store
