#include "gateway/campaign/work_book.hpp"

namespace loa::campaign {

std::uint64_t work_book::add_chunk(const chunk_grant& g) {
  for (auto& [id, u] : units_)
    if (u.is_chunk() && u.entry == g.entry) return id;  // ours again: keep what was read of it
  work_unit u;
  u.id = next_id_++;
  u.entry = g.entry;
  u.from = g.from;
  u.to = g.to;
  u.next = g.from;
  units_.emplace(u.id, u);
  return u.id;
}

std::uint64_t work_book::add_parcel(const std::string& carrier, const parcel_grant& g) {
  work_unit u;
  u.id = next_id_++;
  u.carrier = carrier;
  u.entry = g.entry;
  units_.emplace(u.id, u);
  return u.id;
}

work_unit* work_book::find(std::uint64_t id) {
  auto it = units_.find(id);
  return it == units_.end() ? nullptr : &it->second;
}

const work_unit* work_book::find(std::uint64_t id) const {
  auto it = units_.find(id);
  return it == units_.end() ? nullptr : &it->second;
}

work_unit* work_book::readable() {
  for (auto& [id, u] : units_)
    if (u.is_chunk() && !u.read_to_end() && !u.reading && u.failed.empty() && !u.acking) return &u;
  return nullptr;
}

std::size_t work_book::chunks(const std::set<std::uint64_t>& aside) const {
  std::size_t n = 0;
  for (const auto& [id, u] : units_) n += u.is_chunk() && !aside.count(id);
  return n;
}

std::vector<std::string> work_book::parcels(const std::string& carrier, const std::set<std::uint64_t>& aside) const {
  std::vector<std::string> out;
  for (const auto& [id, u] : units_)
    if (u.carrier == carrier && !aside.count(id)) out.push_back(u.entry);
  return out;
}

void work_book::opened(std::uint64_t id, std::size_t n) {
  if (auto* u = find(id)) u->open += n;
}

void work_book::closed(std::uint64_t id) {
  if (auto* u = find(id); u && u->open > 0) --u->open;
}

std::vector<work_unit*> work_book::to_ack() {
  std::vector<work_unit*> out;
  for (auto& [id, u] : units_)
    if (u.settled() && u.failed.empty() && !u.acking) out.push_back(&u);
  return out;
}

std::vector<work_unit*> work_book::to_release_failed() {
  std::vector<work_unit*> out;
  for (auto& [id, u] : units_)
    if (!u.failed.empty() && u.open == 0 && !u.reading && !u.acking) out.push_back(&u);
  return out;
}

std::vector<work_unit*> work_book::all() {
  std::vector<work_unit*> out;
  for (auto& [id, u] : units_) out.push_back(&u);
  return out;
}

void work_book::erase(std::uint64_t id) {
  units_.erase(id);
}

}  // namespace loa::campaign
