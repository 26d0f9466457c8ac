// Who a campaign reaches in buckets [from, to): read from each source's own Redis Cluster slot (a ward's
// subscriber buckets, or a correction's or resend's buckets), each number once, then its opt-outs from
// `loa:optout`, in separate calls so that no request spans two slots (docs/SCALING.md). Shared by the
// fan-out, the dry-run preview and the approval count of campaign_store.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <cstdint>
#include <string>
#include <system_error>
#include <vector>

#include "gateway/broadcast/campaign.hpp"
#include "gateway/redis/connection.hpp"

namespace loa::broadcast {

/// One number of an audience.
struct audience_member {
  std::uint64_t bucket = 0;
  std::string number;
  std::string groups;  ///< the campaign's groups it is in, ';'-separated ("" when the campaign names none)
};

/// What read_audience found in buckets [from, to).
struct audience_read {
  std::vector<audience_member> kept;  ///< bucket by bucket, each number once, opted-out numbers apart
  std::vector<audience_member> opted_out;
  std::vector<std::uint64_t> kept_per_bucket, opted_out_per_bucket;  ///< index: bucket - from
};

/// Reads the audience of `spec` in buckets [from, to): one call per source, then the opt-outs. Nothing is
/// written. On redis::error::server_error `why` (when given) gets the server's message.
boost::asio::awaitable<std::error_code> read_audience(redis::connection& connection, const campaign_spec& spec,
                                                      std::uint64_t from, std::uint64_t to, audience_read& out,
                                                      std::string* why = nullptr);

}  // namespace loa::broadcast
