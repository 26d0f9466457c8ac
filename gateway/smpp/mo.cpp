#include "gateway/smpp/mo.hpp"

#include <algorithm>

#include "gateway/smpp/codec.hpp"
#include "segments/decode.hpp"
#include "segments/udh.hpp"

namespace loa::smpp {

mo_reassembler::mo_reassembler(reassembly_limits limits) : limits_(limits) {}

mo_message mo_reassembler::join(const partial& p, bool complete) {
  std::vector<std::uint8_t> text;
  text.reserve(p.bytes);
  for (const auto& [sequence, part] : p.bodies) text.insert(text.end(), part.begin(), part.end());
  return mo_message{p.from,          p.to,    segments::decode_text(text, p.data_coding), p.data_coding,
                    p.bodies.size(), complete};
}

void mo_reassembler::erase(partial_map::iterator it) {
  bytes_ -= it->second.bytes;
  age_.erase(it->second.serial);
  pending_.erase(it);
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
    const auto serial = next_serial_++;
    it = pending_
             .emplace(
                 k,
                 partial{
                     sm.source.addr, sm.destination.addr, sm.data_coding, concat->total, {}, 0, now, serial})
             .first;
    age_.emplace_hint(age_.end(), serial, it);
  }
  auto& p = it->second;
  auto& stored = p.bodies[concat->sequence];  // a repeated part replaces the earlier copy
  p.bytes = p.bytes - stored.size() + octets.size();
  bytes_ = bytes_ - stored.size() + octets.size();
  stored = std::move(octets);
  if (p.bodies.size() >= p.total) {
    auto whole = join(p, true);
    erase(it);
    return whole;
  }
  // Over a bound: the oldest incomplete messages give way (this one last, when it alone is too big).
  while (!age_.empty() && (pending_.size() > limits_.max_messages || bytes_ > limits_.max_bytes)) {
    erase(age_.begin()->second);
    ++dropped_;
  }
  return std::nullopt;
}

std::vector<mo_message> mo_reassembler::expire(clock::time_point now) {
  std::vector<mo_message> out;
  while (!age_.empty() && now - age_.begin()->second->second.first_seen >= limits_.timeout) {
    const auto oldest = age_.begin()->second;
    out.push_back(join(oldest->second, false));
    erase(oldest);
    ++expired_;
  }
  return out;
}

std::optional<mo_reassembler::clock::time_point> mo_reassembler::next_expiry() const {
  if (age_.empty()) return std::nullopt;
  return age_.begin()->second->second.first_seen + limits_.timeout;
}

}  // namespace loa::smpp
