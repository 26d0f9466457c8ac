#include "tools/loa/i18n/plain_words.hpp"

#include <cstdlib>
#include <optional>
#include <utility>

#include "tools/loa/i18n/translate.hpp"

namespace loa::cli::i18n {
namespace {

// A receipt's stat: what became of the message.
constexpr std::pair<std::string_view, std::string_view> states[] = {
    {"UNDELIV", tr_noop("not delivered to the phone")},
    {"EXPIRED", tr_noop("expired: the phone could not be reached while the carrier kept trying")},
    {"REJECTD", tr_noop("refused by the carrier")},
    {"DELETED", tr_noop("deleted by the carrier")},
    {"UNKNOWN", tr_noop("the carrier does not know what became of it")},
};

// A receipt's err: the codes Vietnamese carriers' SMSCs put there are GSM MAP error values (3GPP TS 29.002);
// no standard obliges them to, so an unknown code is shown as a code.
constexpr std::pair<int, std::string_view> receipt_errors[] = {
    {1, tr_noop("the number does not exist or the phone has been off too long")},
    {5, tr_noop("the network does not know the number")},
    {6, tr_noop("the phone has been off or out of coverage too long")},
    {9, tr_noop("the carrier has blocked this subscriber")},
    {11, tr_noop("the subscription does not include text messages")},
    {13, tr_noop("the subscriber has barred incoming messages")},
    {21, tr_noop("the phone cannot take this kind of message")},
    {27, tr_noop("the phone is off or out of coverage")},
    {31, tr_noop("the phone was busy")},
    {32, tr_noop("the phone could not take it (its memory may be full)")},
    {34, tr_noop("a fault in the carrier's network")},
    {36, tr_noop("a fault in the carrier's network")},
};

// A submit_sm refused (the gateway records "0x0000000B message"): DOMAIN.md's permanent ones, and the usual.
constexpr std::pair<std::uint32_t, std::string_view> refusals[] = {
    {0x0A, tr_noop("the carrier refused the sender name (brandname)")},
    {0x0B, tr_noop("the carrier refused the number as a destination")},
    {0x45, tr_noop("the carrier refused the message")},
    {0x48, tr_noop("the carrier refused the sender's address format")},
    {0x49, tr_noop("the carrier refused the sender's address format")},
    {0x50, tr_noop("the carrier refused the number's format")},
    {0x51, tr_noop("the carrier refused the number's format")},
    {0x58, tr_noop("the carrier was sending too fast and refused it")},
    {0x62, tr_noop("the carrier refused the validity period")},
    {0x01, tr_noop("the carrier refused the message's length")},
};

// The gateway's own words (gateway/broadcast/campaign_report.hpp and the validity timer).
constexpr std::string_view own[] = {
    tr_noop("(no longer subscribed)"),
    tr_noop("(no reason given)"),
    tr_noop("no receipt within the validity period"),
};

std::optional<int> number_after(std::string_view text, std::string_view key) {
  const auto at = text.find(key);
  if (at == std::string_view::npos) return std::nullopt;
  const std::string digits(text.substr(at + key.size(), 3));
  char* end = nullptr;
  const long value = std::strtol(digits.c_str(), &end, 10);
  if (end == digits.c_str()) return std::nullopt;
  return static_cast<int>(value);
}

}  // namespace

std::string encoding_words(std::string_view encoding, std::uint64_t parts) {
  if (encoding == "ucs2") return trf("UCS-2, with accents: {} characters a part", parts > 1 ? 67 : 70);
  if (encoding == "gsm7") return trf("GSM-7, without accents: {} characters a part", parts > 1 ? 153 : 160);
  return std::string(encoding);
}

std::string failure_reason(std::string_view raw) {
  for (const auto words : own)
    if (raw == words) return tr(words);
  // "0x0000000B ESME_RINVDSTADR ..." : a refused submit.
  if (raw.starts_with("0x") && raw.size() >= 10) {
    const auto status =
        static_cast<std::uint32_t>(std::strtoul(std::string(raw.substr(2, 8)).c_str(), nullptr, 16));
    for (const auto& [code, words] : refusals)
      if (code == status) return trf("{} ({})", tr(words), raw);
    return trf("the carrier refused it ({})", raw);
  }
  for (const auto& [stat, words] : states) {
    if (!raw.starts_with(stat)) continue;
    const auto err = number_after(raw, "err:");
    if (err && *err != 0) {
      for (const auto& [code, why] : receipt_errors)
        if (code == *err) return trf("{}: {} ({})", tr(words), tr(why), raw);
      return trf("{}: carrier's code {} ({})", tr(words), *err, raw);
    }
    return trf("{} ({})", tr(words), raw);
  }
  return std::string(raw);
}

}  // namespace loa::cli::i18n
