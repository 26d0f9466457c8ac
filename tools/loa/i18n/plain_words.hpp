// Words an official understands for the technical ones the gateway reports: the encoding of a notice ("có
// dấu: 67 ký tự mỗi tin" rather than "UCS-2, 67 units") and why a message failed ("không gửi được đến máy: số
// không tồn tại hoặc tắt máy quá lâu" rather than "UNDELIV err:001"). The raw values stay in --json and the
// CSV.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace loa::cli::i18n {

/// "gsm7" or "ucs2" (the gateway's names) for people, with the characters one part holds when a message
/// takes `parts` of them: "UCS-2, with accents: 67 characters a part".
std::string encoding_words(std::string_view encoding, std::uint64_t parts);

/// A failure reason as the gateway records it (a receipt's "UNDELIV err:001", a refusal's "0x0000000B ...",
/// its own placeholders) in plain words, the raw reason after them in parentheses when the words replace it.
/// Unknown reasons come back as they are.
std::string failure_reason(std::string_view raw);

}  // namespace loa::cli::i18n
