#include "tools/smsc-sim/message_log.hpp"

#include <boost/json.hpp>
#include <stdexcept>

#include "gateway/smpp/codec.hpp"
#include "segments/decode.hpp"
#include "segments/udh.hpp"

namespace loa::sim {
namespace {

// Partial messages kept at most; a client that never sends the last part must not grow us without bound.
constexpr std::size_t max_partial = 10000;

// "udh8" or "udh16", from the concatenation element's identifier (0x00 or 0x08) inside the UDH.
std::string udh_method(std::span<const std::uint8_t> udh) {
  std::size_t pos = 1;
  while (pos + 1 < udh.size()) {
    const auto iei = udh[pos];
    const auto len = udh[pos + 1];
    if (iei == 0x00) return "udh8";
    if (iei == 0x08) return "udh16";
    pos += 2u + len;
  }
  return "udh";
}

boost::json::object address_fields(const smpp::short_message& m) {
  return {{"source", m.source.addr}, {"destination", m.destination.addr}, {"data_coding", m.data_coding}};
}

}  // namespace

message_log::message_log(const std::string& path) : out_(path, std::ios::app), enabled_(true) {
  if (!out_) throw std::runtime_error("cannot open log file " + path);
}

void message_log::write(const std::string& line) {
  if (!enabled_) return;
  out_ << line << '\n';
  dirty_ = true;
}

void message_log::flush() {
  if (!dirty_) return;
  out_.flush();
  dirty_ = false;
}

void message_log::complete(const std::string& system_id, const smpp::short_message& m,
                           const std::string& text, std::size_t parts, const std::string& method,
                           const std::vector<std::string>& ids) {
  ++complete_;
  if (!enabled_) return;
  auto o = address_fields(m);
  o["event"] = "message";
  o["system_id"] = system_id;
  o["parts"] = parts;
  o["method"] = method;
  boost::json::array id_list;
  for (const auto& id : ids) id_list.emplace_back(id);
  o["ids"] = std::move(id_list);
  o["text"] = text;
  write(boost::json::serialize(o));
}

void message_log::mo_delivered(const std::string& system_id, const std::string& from, const std::string& to,
                               const std::string& text, std::size_t parts) {
  if (!enabled_) return;
  boost::json::object o{{"event", "mo"},     {"system_id", system_id}, {"source", from},
                        {"destination", to}, {"parts", parts},         {"text", text}};
  write(boost::json::serialize(o));
  flush();
}

void message_log::accepted(const std::string& system_id, const std::string& message_id,
                           const smpp::short_message& m) {
  std::span<const std::uint8_t> body = m.message;
  std::optional<segments::udh_concat> concat;
  std::string method = "single";
  std::string udh_problem;
  if (m.esm_class & smpp::esm::udhi) {
    std::size_t udh_length = 0;
    concat = segments::parse_concat_udh(m.message, udh_length);
    if (udh_length == 0) {
      udh_problem = "malformed UDH";  // log the octets as text; the gateway sent something broken
      concat.reset();
    } else {
      if (concat) method = udh_method(body.first(udh_length));
      body = body.subspan(udh_length);
    }
  }
  const auto* payload = smpp::find_tlv(m.tlvs, smpp::tag::message_payload);
  if (payload && m.message.empty()) {
    body = payload->value;
    method = "payload";
  }
  if (!concat) {
    const auto* ref = smpp::find_tlv(m.tlvs, smpp::tag::sar_msg_ref_num);
    const auto* total = smpp::find_tlv(m.tlvs, smpp::tag::sar_total_segments);
    const auto* seq = smpp::find_tlv(m.tlvs, smpp::tag::sar_segment_seqnum);
    if (ref && total && seq) {
      const auto r = smpp::tlv_integer(*ref), t = smpp::tlv_integer(*total), s = smpp::tlv_integer(*seq);
      if (r >= 0 && t >= 1 && t <= 255 && s >= 1 && s <= t) {
        concat = segments::udh_concat{static_cast<std::uint16_t>(r), static_cast<std::uint8_t>(t),
                                      static_cast<std::uint8_t>(s)};
        method = "sar";
      }
    }
  }
  // Without a log only the counters matter: reassembly needs the parts, not their text.
  const std::string text = enabled_ ? segments::decode_text(body, m.data_coding) : std::string();

  if (enabled_) {
    auto o = address_fields(m);
    o["event"] = "submit";
    o["id"] = message_id;
    o["system_id"] = system_id;
    o["esm_class"] = m.esm_class;
    o["registered_delivery"] = m.registered_delivery;
    o["text"] = text;
    if (concat)
      o["concat"] = {{"method", method},
                     {"reference", concat->reference},
                     {"total", concat->total},
                     {"sequence", concat->sequence}};
    if (!udh_problem.empty()) o["problem"] = udh_problem;
    if (!udh_problem.empty() || text.find("\xEF\xBF\xBD") != std::string::npos)
      o["hex"] = smpp::to_hex(m.message);
    write(boost::json::serialize(o));
  }

  if (!concat || concat->total == 1) {
    complete(system_id, m, text, 1, method, {message_id});
    return;
  }
  const key k{system_id, m.source.addr, m.destination.addr, concat->reference, concat->total};
  auto [it, fresh] = partial_.try_emplace(k);
  auto& p = it->second;
  if (fresh) {
    p.method = method;
    p.arrival = arrivals_++;
    if (partial_.size() > max_partial) {
      auto oldest = partial_.begin();
      for (auto i = partial_.begin(); i != partial_.end(); ++i)
        if (i->second.arrival < oldest->second.arrival) oldest = i;
      partial_.erase(oldest);
      it = partial_.find(k);
      if (it == partial_.end()) return;
    }
  }
  it->second.texts[concat->sequence] = text;  // a resent part replaces the earlier copy
  it->second.ids.push_back(message_id);
  if (it->second.texts.size() < concat->total) return;
  std::string whole;
  for (const auto& [seq, part] : it->second.texts) whole += part;
  complete(system_id, m, whole, concat->total, it->second.method, it->second.ids);
  partial_.erase(it);
}

}  // namespace loa::sim
