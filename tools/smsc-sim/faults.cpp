#include "tools/smsc-sim/faults.hpp"

#include <charconv>

namespace loa::sim {
namespace {

// "0x58" or "58": command_status values are written in hex, with or without the prefix.
std::optional<std::uint32_t> parse_status(std::string_view s) {
  if (s.starts_with("0x") || s.starts_with("0X")) s.remove_prefix(2);
  std::uint32_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 16);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

std::optional<std::uint64_t> parse_count(std::string_view s) {
  std::uint64_t v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, 10);
  if (ec != std::errc{} || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

std::string_view fault_names() noexcept {
  return "never-answer, no-submit-resp, generic-nack, generic-nack-zero-seq, submit-error=0xNN, "
         "unbind-after=N, "
         "unbind-no-answer, bind-error=0xNN, short-length, long-length, deliver-before-bind, "
         "receipt-before-resp, receipt-source=national|plus|ADDRESS, receipt-error=TEXT";
}

std::string receipt_source_for(std::string_view how, const std::string& recipient) {
  const auto national = recipient.size() >= 9 ? recipient.substr(recipient.size() - 9) : recipient;
  if (how == "national") return "0" + national;
  if (how == "plus") return "+84" + national;
  return std::string(how);
}

std::string apply_fault(std::string_view spec, fault_set& f) {
  const auto eq = spec.find('=');
  const auto name = spec.substr(0, eq);
  const auto arg = eq == std::string_view::npos ? std::string_view{} : spec.substr(eq + 1);
  const bool has_arg = eq != std::string_view::npos;
  auto flag = [&](bool& b) -> std::string {
    if (has_arg) return "fault " + std::string(name) + " takes no value";
    b = true;
    return {};
  };
  if (name == "never-answer") return flag(f.never_answer);
  if (name == "no-submit-resp") return flag(f.no_submit_resp);
  if (name == "generic-nack") return flag(f.generic_nack);
  if (name == "generic-nack-zero-seq") return flag(f.generic_nack_zero_seq);
  if (name == "unbind-no-answer") return flag(f.unbind_no_answer);
  if (name == "short-length") return flag(f.short_length);
  if (name == "long-length") return flag(f.long_length);
  if (name == "deliver-before-bind") return flag(f.deliver_before_bind);
  if (name == "receipt-before-resp") return flag(f.receipt_before_resp);
  if (name == "submit-error" || name == "bind-error") {
    const auto v = parse_status(arg);
    if (!v || *v == 0)
      return "fault " + std::string(name) + " needs a non-zero hex command_status, e.g. =0x58";
    (name == "submit-error" ? f.submit_error : f.bind_error) = *v;
    return {};
  }
  if (name == "receipt-source") {
    if (arg.empty())
      return "fault receipt-source needs national, plus or an address, e.g. receipt-source=84912345678";
    f.receipt_source = std::string(arg);
    return {};
  }
  if (name == "receipt-error") {
    if (arg.empty()) return "fault receipt-error needs the text of the err: field, e.g. receipt-error=0x0B";
    f.receipt_error = std::string(arg);
    return {};
  }
  if (name == "unbind-after") {
    const auto v = parse_count(arg);
    if (!v) return "fault unbind-after needs a count, e.g. unbind-after=10";
    f.unbind_after = *v;
    return {};
  }
  return "unknown fault '" + std::string(spec) + "' (known: " + std::string(fault_names()) + ")";
}

}  // namespace loa::sim
