// Campaigns in Redis (key schema: docs/REDIS.md): creation with an idempotency key, the chunks on a Redis
// Stream that several gateways share a campaign by, the fan-out reads, the per-recipient claims and
// outcomes, receipts, counts and cancel. Every call is one round trip; the record-changing ones take batches.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

#include "gateway/broadcast/campaign.hpp"
#include "gateway/redis/connection.hpp"

namespace loa::broadcast {

namespace campaign_keys {
std::string meta(std::string_view id);
std::string counts(std::string_view id);
std::string records(std::string_view id);
/// The stream of the campaign's chunks (one entry per range of buckets), read by the consumer group
/// chunk_group.
std::string chunks(std::string_view id);
/// Chunks set aside after too many deliveries: "FROM-TO" -> "ms|why".
std::string poison(std::string_view id);
/// The last error a gateway met reading a chunk: FROM -> message (what a poison record quotes).
std::string chunk_errors(std::string_view id);
/// One bit per bucket: set once the bucket's recipients are counted into `recipients`.
std::string counted(std::string_view id);
/// The receipt mapping of one accepted part: (carrier, normalised message id) -> "campaign|number|part";
/// "loa:dlr:{CARRIER:ID}", tagged with itself (its own Redis Cluster slot, beside its `:held` key).
std::string receipt(std::string_view carrier, std::string_view normalised_id);
std::string ward_index(std::string_view ward);
/// Receipt mappings recorded (their parts S) and not yet written: mapping key -> "number|part|carrier".
std::string mappings_to_write(std::string_view id);
/// Prefix of the 4096 buckets of the recipients who received campaign `id` (what a correction reads).
std::string received(std::string_view id);
/// Bucket prefix of the recipients of campaign `id` whose message failed or expired (for --resend-failed).
std::string failed(std::string_view id);
inline constexpr std::string_view next_id = "loa:campaign:next";
inline constexpr std::string_view active = "loa:campaigns:active";
/// Campaigns whose pending parts count as expired after a time (score: Unix seconds).
inline constexpr std::string_view receipt_deadlines = "loa:campaigns:receipt_deadline";
}  // namespace campaign_keys

/// A campaign's 4096 buckets travel in chunks of this many: 64 chunks, the unit of work gateways share.
inline constexpr std::uint64_t buckets_per_chunk = 64;
/// Buckets per script call when the approval rule counts a campaign's audience (16 calls per count).
inline constexpr std::uint64_t audience_count_step = 256;
/// The consumer group of every campaign's chunk stream.
inline constexpr std::string_view chunk_group = "gateways";

/// A chunk set aside as poison.
struct poison_chunk {
  std::uint64_t from = 0, to = 0;
  std::string why;
};

/// How long a receipt that matches no submitted part waits for the submit's answer to be recorded.
inline constexpr std::chrono::seconds unmatched_receipt_keep{24 * 3600};

/// The parts of a stored record (see gateway/store/lua/lib/records.lua).
struct recipient_record {
  std::string carrier, parts, owner, reason;
  std::int64_t claimed_ms = 0, settled_ms = 0;
  std::int64_t marked_ms = 0;  ///< when last marked submitting (Redis's clock); 0 unknown (a 6-field record)
};
recipient_record parse_recipient_record(std::string_view value);

/// One step of a dry run (campaign_store::preview).
struct audience_page {
  std::uint64_t skipped_optout = 0;
  /// The numbers kept and, for each, the campaign's groups it is in.
  std::vector<std::pair<std::string, std::vector<std::string>>> recipients;
};

/// One receipt to apply.
struct receipt_update {
  std::string receipt_key;
  char letter = part_state::delivered;
  std::string reason;
  std::string source;  ///< the number the receipt came from, normalised (numbers.hpp); "" when it is none
};

/// The receipt mapping of one part recorded accepted (campaign_store::map_receipts).
struct receipt_mapping {
  std::string receipt_key;  ///< campaign_keys::receipt(carrier, message id)
  std::string number;
  int part = 1;  ///< 1-based
  std::string carrier;
};

/// A campaign as a ward's index holds it.
struct indexed_campaign {
  std::string id;
  std::int64_t created_at_ms = 0;
};

/// True when `again` asks for what `earlier` was created with: the same text to the same wards and groups (or
/// as a correction of the same campaign). Only such a request may reuse `earlier`'s idempotency key.
bool same_notice(const campaign_spec& earlier, const campaign_spec& again);

class campaign_store {
 public:
  explicit campaign_store(redis::connection& connection);

  /// Creates the campaign (spec.id is set), or finds the one created earlier with the same key (`existing`;
  /// whether it asked for the same notice is the caller's to check, with same_notice). `key_ttl` is how long
  /// a key is remembered.
  boost::asio::awaitable<std::error_code> create(campaign_spec& spec, std::chrono::seconds key_ttl,
                                                 bool& existing);
  /// Reads a campaign; `found` false when there is none with that id.
  boost::asio::awaitable<std::error_code> load(std::string_view id, campaign_spec& out, bool& found);
  /// Only its state (nullopt when there is no such campaign): what a runner checks every second.
  boost::asio::awaitable<std::error_code> state(std::string_view id, std::optional<campaign_state>& out);
  /// Reads its counts.
  boost::asio::awaitable<std::error_code> counts(std::string_view id, campaign_counts& out);
  /// Ids of the campaigns not yet done or cancelled.
  boost::asio::awaitable<std::error_code> active(std::vector<std::string>& ids);
  /// Every ward that ever held a subscriber, sorted: every ward a campaign can have gone to.
  boost::asio::awaitable<std::error_code> indexed_wards(std::vector<std::string>& wards);
  /// Per ward of `wards` (one round trip), its campaigns created in [since_ms, until_ms], newest first, at
  /// most `count` each.
  boost::asio::awaitable<std::error_code> ward_campaigns(const std::vector<std::string>& wards,
                                                         std::int64_t since_ms, std::int64_t until_ms,
                                                         std::size_t count,
                                                         std::vector<std::vector<indexed_campaign>>& out);
  /// Moves a campaign from `from` to `to` (done and cancelled also leave the active set), only when it is
  /// still in `from`: `moved` says whether it was.
  boost::asio::awaitable<std::error_code> advance(std::string_view id, campaign_state from, campaign_state to,
                                                  bool& moved);
  /// Cancels unless done; `before` is the state it had (nullopt when there is no such campaign).
  boost::asio::awaitable<std::error_code> cancel(std::string_view id, std::optional<campaign_state>& before);
  /// Takes a campaign found done or cancelled out of the active set: the set is written after the state, by
  /// a command of its own (another slot in a Cluster), so a crash in between leaves it there for this.
  boost::asio::awaitable<std::error_code> forget_inactive(std::string_view id);
  /// After the campaign's state became done (or cancelled): its receipt deadline set (when > 0) and the
  /// campaign out of the active set, each a command of its own; nothing when it is not in the set any more.
  boost::asio::awaitable<std::error_code> retire(std::string_view id, std::int64_t receipt_deadline_s);
  /// Publishes the campaign's chunks (the stream and its consumer group) unless published already.
  boost::asio::awaitable<std::error_code> publish_chunks(std::string_view id);

  /// The recipients in buckets [from, to) of the campaign's wards and groups, opted-out numbers left out;
  /// buckets read for the first time are counted into `recipients`. When that count passes
  /// `approval_above` (-1: never) and nobody approved the campaign, this call moves it from running to
  /// awaiting_approval (`held`: this call did). On redis::error::server_error `why` (when given) gets the
  /// server's message.
  boost::asio::awaitable<std::error_code> fanout(const campaign_spec& spec, std::uint64_t from,
                                                 std::uint64_t to, std::int64_t approval_above,
                                                 std::vector<std::string>& numbers, bool& held,
                                                 std::string* why = nullptr);
  /// The exact audience of the campaign (every bucket, each number once, opted-out numbers left out), read
  /// in steps of audience_count_step buckets; writes nothing.
  boost::asio::awaitable<std::error_code> count_audience(const campaign_spec& spec, std::uint64_t& kept);
  /// Moves the campaign to awaiting_approval when its state is one of `from`, recording `reason`, the
  /// `audience` counted and the threshold `above`; `before` is the state it had (nullopt: no campaign).
  boost::asio::awaitable<std::error_code> hold(std::string_view id, std::string_view reason,
                                               std::uint64_t audience, std::uint64_t above,
                                               const std::vector<campaign_state>& from,
                                               std::optional<campaign_state>& before);
  /// What fanout() would return for buckets [from, to), with each number's groups; writes nothing.
  boost::asio::awaitable<std::error_code> preview(const campaign_spec& spec, std::uint64_t from,
                                                  std::uint64_t to, audience_page& out);
  /// Writes the recipients who received campaign `id` into campaign_keys::received(id), which a
  /// correction's fan-out reads; `found` is how many there are.
  boost::asio::awaitable<std::error_code> collect_received(std::string_view id, std::uint64_t& found);

  /// After a cancel: records in the meta hash what it stopped: `audience` (the exact audience now) and, of
  /// it, `not_sent`: those never claimed (no record; claims stop once the state is cancelled, so the records
  /// are final). Fields cancel_audience and cancelled_not_sent.
  boost::asio::awaitable<std::error_code> record_cancel(std::string_view id, std::uint64_t audience,
                                                        std::uint64_t& not_sent);

  /// Writes the recipients of campaign `id` whose message failed or expired into campaign_keys::failed(id),
  /// which a resend's fan-out reads (`loa send --resend-failed`); `found` is how many.
  boost::asio::awaitable<std::error_code> collect_failed(std::string_view id, std::uint64_t& found);
  /// Applies receipts; `unmatched` gets the indexes of those whose message is not known (yet): they are kept
  /// in Redis for unmatched_receipt_keep and applied when the submit's answer is recorded. `mismatched` gets
  /// the indexes of those whose source is not the number their message went to: not applied.
  boost::asio::awaitable<std::error_code> apply_receipts(const std::vector<receipt_update>& receipts,
                                                         std::vector<std::size_t>& unmatched,
                                                         std::vector<std::size_t>& mismatched);
  /// Writes the receipt mappings of parts just recorded accepted (S), after their records (a call of its own:
  /// the mappings' slots are not the campaign's), and applies the receipts that came before them when they
  /// came from the recipient's number; `mismatched`, when given, gets the carrier of each that did not.
  boost::asio::awaitable<std::error_code> map_receipts(std::string_view id,
                                                       const std::vector<receipt_mapping>& mappings,
                                                       std::chrono::seconds ttl,
                                                       std::vector<std::string>* mismatched = nullptr);
  /// map_receipts() of every mapping the campaign's records left to write (campaign_keys::mappings_to_write):
  /// those of a gateway that died between recording its answers and writing their mappings.
  boost::asio::awaitable<std::error_code> write_pending_mappings(std::string_view id, std::chrono::seconds ttl);
  /// From `when` (Unix seconds) on, parts of the campaign still waiting for a receipt count as expired.
  boost::asio::awaitable<std::error_code> set_receipt_deadline(std::string_view id, std::int64_t when);
  /// Campaigns whose receipt deadline has passed at `now` (Unix seconds), at most `limit`.
  boost::asio::awaitable<std::error_code> receipt_deadlines_due(std::int64_t now, std::size_t limit,
                                                                std::vector<std::string>& ids);
  /// Expires the campaign's pending parts, in steps of about 1,000 records, then forgets its deadline.
  boost::asio::awaitable<std::error_code> expire_pending(std::string_view id, std::uint64_t& records_seen);

 private:
  /// collect_received ("received") and collect_failed ("failed"): the records of `id` of that kind copied
  /// into buckets under `prefix`.
  boost::asio::awaitable<std::error_code> collect(std::string_view id, std::string_view which, std::string prefix,
                                                  std::uint64_t& found);

  redis::connection& connection_;
};

}  // namespace loa::broadcast
