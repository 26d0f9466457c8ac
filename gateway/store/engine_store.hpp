// The Redis side of the campaign engine (gateway/campaign/engine_io.hpp): one call per store action, each one
// round trip, each idempotent (the engine issues an action again after on_store_failed). A call returns an
// error only when Redis could not be asked or answered nonsense (-> on_store_failed); every other answer is
// in its result, shaped as the engine event it becomes (on_chunk, on_claimed, on_marked, ...). Key schema and
// scripts: docs/REDIS.md "The campaign engine".
//
// Work units. A chunk is an entry of loa:{c:ID}:chunks, a parcel an entry of loa:{c:ID}:backlog:CARRIER; both
// are read by the consumer group "gateways" and held by a consumer named after the run ("GATEWAY/RUN"). A run
// is alive while its deadline in loa:{c:ID}:alive (run -> ms, Redis's clock) is ahead; a unit held by a run
// that is not alive (or handed back: held by the consumer "released") is taken over.
#pragma once

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "gateway/broadcast/campaign.hpp"
#include "gateway/store/campaign_store.hpp"
#include "gateway/campaign/engine_io.hpp"
#include "gateway/redis/connection.hpp"

namespace loa::store {

namespace engine_keys {
/// Hash run ("GATEWAY/RUN") -> heartbeat deadline (Unix ms, Redis's clock).
std::string alive(std::string_view campaign);
/// The stream of `carrier`'s parcels (field `numbers`: the numbers joined by ','), group "gateways".
std::string backlog(std::string_view campaign, std::string_view carrier);
/// Hash "RUN|PARK-TOKEN" -> parcel entry: a park issued again adds no second parcel.
std::string parcels(std::string_view campaign);
/// Hash run -> the chunk its last take_chunk granted: returned once more should that answer have been lost.
std::string grants(std::string_view campaign);
/// Hash FROM (a chunk's first bucket) -> what its current holding got done, FROM:failed -> its holdings in a row
/// that failed without progress (engine_take_chunk.lua sets poison chunks aside by it), and `buckets`, `per`:
/// where a number's chunk is (lib/progress.lua).
std::string progress(std::string_view campaign);
/// Set of the normalised message ids of unmatched receipts on `carrier` from `source` (what
/// look_up_receipts reads).
std::string receipts_from(std::string_view carrier, std::string_view source);
}  // namespace engine_keys

/// The consumer that holds a unit handed back (release): any run takes it.
inline constexpr std::string_view released_consumer = "released";

/// What does not change during one run of one campaign.
struct engine_store_settings {
  std::string campaign;  ///< the campaign id
  std::string owner;     ///< this run, "GATEWAY/RUN" (engine_settings::owner)
  /// A chunk whose holdings failed this many times in a row without progress is set aside as poison
  /// (engine_take_chunk.lua says what counts).
  std::uint64_t max_deliveries = 5;
  /// The campaign's validity: receipt mappings outlive it (+48 h) and the receipt deadline a finishing ack
  /// sets is now + validity + receipt_grace.
  std::chrono::seconds validity{24 * 3600};
  std::chrono::seconds receipt_grace{3600};
};

/// take_chunk's answer -> on_chunk(request, grant, finished).
struct chunk_answer {
  std::optional<campaign::chunk_grant> grant;  ///< nullopt: none free now
  bool finished = false;                       ///< every chunk and parcel settled: the campaign is done
  std::uint64_t deliveries = 0;                ///< of the grant, this one included
  std::vector<broadcast::poison_chunk> set_aside;  ///< chunks set aside as poison by this call
};

/// read's answer -> on_read(request, routed numbers, held), or on_read_failed(request, failed) when `failed`
/// is not empty (the script could not read the buckets: a damaged bucket, not Redis being away or busy).
struct read_answer {
  std::vector<std::string> numbers;  ///< the driver routes them (broadcast::router)
  bool held = false;                 ///< this read moved the campaign to awaiting_approval
  std::string failed;
};

/// claim's answer -> on_claimed(request, results, refused).
struct claim_answer {
  std::vector<campaign::claim_result> results;  ///< one per number asked, in order
  bool refused = false;                         ///< the campaign is not running: nothing claimed
};

/// An unmatched receipt look_up_receipts found -> on_receipt(carrier, number, message_id).
struct receipt_found {
  std::string number;
  std::string message_id;  ///< normalised, as the receipt key holds it
};

/// A receipt to apply (the receipt matcher's, engine version: it also indexes unmatched receipts by source).
struct engine_receipt {
  std::string carrier;
  std::string message_id;  ///< normalised (smpp::normalise_receipt_id, id_origin::receipt)
  char letter = 'D';       ///< D F E
  std::string reason;
  std::string source;  ///< the normalised number it came from ("" when none)
};

/// True for a server error that says Redis cannot serve now (LOADING, BUSY, OOM, READONLY...), as opposed to a
/// script failing on the data: read() reports only the latter as `failed`, the former as an error.
bool transient_server_error(std::string_view message);

/// The engine's store actions against Redis, for one campaign and one run. Not thread-safe: one driver calls
/// it from the io_context thread; calls may overlap (the connection pipelines them).
class engine_store {
 public:
  engine_store(redis::connection& connection, engine_store_settings settings);

  const engine_store_settings& settings() const { return s_; }

  /// action::publish -> on_published: the chunk stream and its group, unless published already.
  boost::asio::awaitable<std::error_code> publish();
  /// action::heartbeat -> on_heartbeat: this run is alive for `ttl` from now (Redis's clock); ttl 0 removes
  /// it (another run may take its units at once).
  boost::asio::awaitable<std::error_code> heartbeat(campaign::duration ttl);
  /// action::take_chunk -> on_chunk: this gateway's previous run's chunk, a dead run's, a released one, or a
  /// new one. The chunk the previous call granted, when still held, comes once more first (that answer may
  /// have been lost; the work book refreshes a chunk it holds).
  boost::asio::awaitable<std::error_code> take_chunk(chunk_answer& out);
  /// action::take_parcel -> on_parcel: a parcel of `carrier`'s backlog, in the same order (nullopt: none); a
  /// parcel of that carrier this run holds but for those in `held` (the entries it knows it holds) comes
  /// first: an answer was lost.
  boost::asio::awaitable<std::error_code> take_parcel(std::string_view carrier,
                                                      std::optional<campaign::parcel_grant>& out,
                                                      const std::vector<std::string>& held = {});
  /// action::read -> on_read / on_read_failed: the recipients of buckets [from, to) (campaign_store::fanout).
  /// `approval_above` is the approval threshold (-1: none).
  boost::asio::awaitable<std::error_code> read(const broadcast::campaign_spec& spec, std::uint64_t from,
                                               std::uint64_t to, std::int64_t approval_above, read_answer& out);
  /// action::claim -> on_claimed: records with every part C for new numbers (`parts` parts); a record of this
  /// gateway's previous run or of a dead run is taken over (owner rewritten), a live run's answers busy.
  boost::asio::awaitable<std::error_code> claim(std::string_view carrier, int parts,
                                                const std::vector<std::string>& numbers, claim_answer& out);
  /// action::mark_submitting -> on_marked(refused): C -> I where this run owns the record; `refused` gets the
  /// numbers whose records it does not own (or that are gone).
  boost::asio::awaitable<std::error_code> mark_submitting(const std::vector<campaign::part_ref>& parts,
                                                          std::vector<std::string>& refused);
  /// action::record -> on_recorded: the outcomes (S with a normalised message id: its receipt mapping is
  /// written and a held receipt from the recipient's number applied; C: an I part handed back unwritten) and
  /// `resent` parts sent again. `mismatched`, when given, gets the carrier of each held receipt dropped
  /// because it came from another number.
  boost::asio::awaitable<std::error_code> record(const std::vector<campaign::outcome>& outcomes,
                                                 std::uint64_t resent,
                                                 std::vector<std::string>* mismatched = nullptr);
  /// action::park -> on_parked: one parcel of `numbers` on `carrier`'s backlog, this run's all-C records of
  /// them deleted, parcels_open + 1. `token` (the request id) makes it idempotent: the same token adds
  /// nothing the second time.
  boost::asio::awaitable<std::error_code> park(std::string_view carrier, const std::vector<std::string>& numbers,
                                               std::uint64_t token);
  /// action::ack -> on_acked(done_now): a settled chunk (carrier "") or parcel; `done_now` when it was the
  /// campaign's last open unit (it is now done, its receipt deadline set).
  boost::asio::awaitable<std::error_code> ack(std::string_view carrier, std::string_view entry, bool& done_now);
  /// action::release -> on_acked(false): hands a chunk (carrier "") or parcel back so any run takes it at once;
  /// `error` ("" none) is kept for a chunk's poison record.
  boost::asio::awaitable<std::error_code> release(std::string_view carrier, std::string_view entry,
                                                  std::string_view error);
  /// action::keep -> on_kept(ours): per entry, whether this run still holds it, in the chunk stream or the
  /// backlog of one of `carriers` (every lane's carrier).
  boost::asio::awaitable<std::error_code> keep(const std::vector<std::string>& entries,
                                               const std::vector<std::string>& carriers, std::vector<bool>& ours);
  /// action::check_state -> on_state (nullopt: no such campaign).
  boost::asio::awaitable<std::error_code> check_state(std::optional<broadcast::campaign_state>& out);
  /// action::look_up_receipts -> on_receipt per found, then on_looked_up: unmatched receipts (still held) on
  /// `carrier` from these numbers.
  boost::asio::awaitable<std::error_code> look_up_receipts(std::string_view carrier,
                                                           const std::vector<std::string>& numbers,
                                                           std::vector<receipt_found>& out);

  /// The receipt matcher's call once engines run (in place of campaign_store::apply_receipts, whose
  /// behaviour it keeps): also indexes each unmatched receipt by carrier and source for look_up_receipts.
  /// `unmatched` and `mismatched` as campaign_store::apply_receipts's (0-based indexes into `receipts`).
  static boost::asio::awaitable<std::error_code> apply_receipts(redis::connection& connection,
                                                                const std::vector<engine_receipt>& receipts,
                                                                std::vector<std::size_t>& unmatched,
                                                                std::vector<std::size_t>& mismatched);

 private:
  std::int64_t receipt_deadline_s() const;
  std::string unit_stream(std::string_view carrier) const;  ///< the chunk stream ("") or carrier's backlog

  redis::connection& connection_;
  engine_store_settings s_;
};

}  // namespace loa::store
