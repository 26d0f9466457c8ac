// The work a run holds: chunks (ranges of buckets, read a few buckets at a time) and parcels (a parked batch
// of one carrier's numbers). Each counts the numbers handed out from it that are not yet settled or parked
// again; a unit read to the end with none open is acknowledged, so that a run that takes it over after a
// crash reads it again and overlooks nothing left unsettled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "gateway/campaign/engine_io.hpp"

namespace loa::campaign {

/// One chunk or parcel held by this run.
struct work_unit {
  std::uint64_t id = 0;
  std::string carrier;                       ///< "" for a chunk
  std::string entry;                         ///< its stream entry
  std::uint64_t from = 0, to = 0, next = 0;  ///< a chunk's buckets [from, to) and the next to read
  std::size_t open = 0;                      ///< numbers handed out and not yet settled or parked
  bool reading = false;                      ///< a read of it is in flight
  bool acking = false;                       ///< its ack (or release) is in flight
  std::string failed;  ///< why it could not be read ("" while fine): released once nothing is open
  bool is_chunk() const { return carrier.empty(); }
  bool read_to_end() const { return !is_chunk() || next >= to; }
  bool settled() const { return read_to_end() && !reading && open == 0; }
};

class work_book {
 public:
  /// Holds a chunk granted by the store; its id (a chunk already held is refreshed and keeps its id).
  std::uint64_t add_chunk(const chunk_grant& g);
  /// Holds a parcel of `carrier`'s backlog whose numbers are handed out at once.
  std::uint64_t add_parcel(const std::string& carrier, const parcel_grant& g);
  /// The unit, or nullptr when it is no longer held.
  work_unit* find(std::uint64_t id);
  /// A chunk with buckets left to read and no read in flight, or nullptr.
  work_unit* readable();
  const work_unit* find(std::uint64_t id) const;
  /// Chunks held, but for those in `aside` (units held open only by parts waiting for their grace).
  std::size_t chunks(const std::set<std::uint64_t>& aside = {}) const;
  /// The entries of the parcels of `carrier` held, but for those in `aside`.
  std::vector<std::string> parcels(const std::string& carrier, const std::set<std::uint64_t>& aside = {}) const;
  /// One more number of the unit handed out / settled (or parked again).
  void opened(std::uint64_t id, std::size_t n = 1);
  void closed(std::uint64_t id);
  /// Units to acknowledge (settled, not failed) or hand back (failed, nothing open), not already in hand.
  std::vector<work_unit*> to_ack();
  std::vector<work_unit*> to_release_failed();
  /// Every unit (for keep, stop and cancel).
  std::vector<work_unit*> all();
  void erase(std::uint64_t id);
  bool empty() const { return units_.empty(); }

 private:
  std::map<std::uint64_t, work_unit> units_;
  std::uint64_t next_id_ = 1;
};

}  // namespace loa::campaign
