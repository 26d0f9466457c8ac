#include "gateway/smpp/mo.hpp"

#include <algorithm>

#include "gateway/smpp/codec.hpp"
#include "segments/decode.hpp"
#include "segments/udh.hpp"

namespace loa::smpp {

mo_reassembler::mo_reassembler(std::chrono::seconds keep, std::size_t max_pending)
    : keep_(keep), max_pending_(max_pending) {}

mo_message mo_reassembler::join(partial& p, bool complete) {
  std::vector<std::uint8_t> text;
  for (const auto& [sequence, part] : p.bodies) text.insert(text.end(), part.begin(), part.end());
  mo_message m{p.from,          p.to,    segments::decode_text(text, p.data_coding), p.data_coding,
               p.bodies.size(), complete};
  return m;
}

std::optional<mo_message> mo_reassembler::add(const short_message& sm, clock::time_point now) {
  // The text: message_payload when the carrier used it, else short_message after its UDH.
  std::vector<std::uint8_t> octets = sm.message;
  if (const tlv* payload = find_tlv(sm.tlvs, tag::message_payload); payload && sm.message.empty())
    octets = payload->value;

  std::optional<segments::udh_concat> concat;
  if (sm.esm_class & esm::udhi) {
    std::size_t udh_length = 0;
    concat = segments::parse_concat_udh(octets, udh_length);
    octets.erase(octets.begin(),
                 octets.begin() + static_cast<std::ptrdiff_t>(std::min(udh_length, octets.size())));
  } else if (const tlv* ref = find_tlv(sm.tlvs, tag::sar_msg_ref_num)) {
    const tlv* total = find_tlv(sm.tlvs, tag::sar_total_segments);
    const tlv* seq = find_tlv(sm.tlvs, tag::sar_segment_seqnum);
    if (total && seq && tlv_integer(*total) > 0 && tlv_integer(*seq) > 0 &&
        tlv_integer(*seq) <= tlv_integer(*total))
      concat = segments::udh_concat{static_cast<std::uint16_t>(tlv_integer(*ref)),
                                    static_cast<std::uint8_t>(tlv_integer(*total)),
                                    static_cast<std::uint8_t>(tlv_integer(*seq))};
  }
  if (!concat || concat->total == 1) {
    return mo_message{sm.source.addr,
                      sm.destination.addr,
                      segments::decode_text(octets, sm.data_coding),
                      sm.data_coding,
                      1,
                      true};
  }

  const key k{sm.source.addr, sm.destination.addr, concat->reference, concat->total};
  auto it = pending_.find(k);
  if (it == pending_.end()) {
    if (pending_.size() >= max_pending_) {  // the oldest gives way; expire() hands it over
      auto oldest = std::min_element(pending_.begin(), pending_.end(), [](const auto& a, const auto& b) {
        return a.second.first_seen < b.second.first_seen;
      });
      oldest->second.first_seen = clock::time_point::min();
    }
    it = pending_
             .emplace(k, partial{sm.source.addr, sm.destination.addr, sm.data_coding, concat->total, {}, now})
             .first;
  }
  it->second.bodies[concat->sequence] = std::move(octets);  // a repeated part replaces the earlier copy
  if (it->second.bodies.size() < it->second.total) return std::nullopt;
  auto whole = join(it->second, true);
  pending_.erase(it);
  return whole;
}

std::vector<mo_message> mo_reassembler::expire(clock::time_point now) {
  std::vector<mo_message> out;
  for (auto it = pending_.begin(); it != pending_.end();) {
    if (it->second.first_seen == clock::time_point::min() || now - it->second.first_seen >= keep_) {
      out.push_back(join(it->second, false));
      it = pending_.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace loa::smpp
