// A notice's text -> the SMS parts a PDU carries: encoding, UDH or SAR fields, bytes, and the preview
// (characters, parts, room left) that tells an official what a notice will cost.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "segments/accents.hpp"
#include "segments/udh.hpp"

namespace loa::segments {

/// The alphabet a message is sent in.
enum class encoding { gsm7, ucs2 };

/// How a long message travels: a UDH with an 8- or 16-bit reference in short_message, the SAR TLVs,
/// or the whole text in one message_payload TLV that the SMSC splits.
enum class concat_method { udh8, udh16, sar, payload };

/// "gsm7" | "ucs2".
std::string_view to_string(encoding e) noexcept;
/// "udh8" | "udh16" | "sar" | "payload".
std::string_view to_string(concat_method m) noexcept;
/// Parses the names to_string(concat_method) gives.
std::optional<concat_method> parse_concat(std::string_view name) noexcept;

/// Units (septets or UTF-16 code units) that fit in a message alone and in each part of a long one.
struct capacity {
  std::size_t single;
  std::size_t per_part;
};

/// GSM 7-bit: 160 alone, 153 per part (8-bit reference), 152 (16-bit). UCS-2: 70, 67, 66. SAR is
/// counted as 16-bit because sar_msg_ref_num is 16 bits and the SMSC picks the header it builds.
capacity capacity_of(encoding e, concat_method m) noexcept;

/// What the caller decides about a split.
struct split_options {
  accents accent_policy = accents::keep;
  concat_method concat = concat_method::udh8;
  std::uint16_t reference = 0;           ///< concatenation reference; udh8 uses its low byte
  std::size_t max_parts = 10;            ///< refuse texts that need more parts (1-255)
  bool packed_gsm7 = false;              ///< pack septets 8 into 7 octets, for SMSCs that want that
  std::uint8_t gsm7_data_coding = 0x00;  ///< the data_coding this SMSC reads as the GSM default alphabet
};

/// The SAR TLV values of one part (sar_msg_ref_num, sar_total_segments, sar_segment_seqnum).
struct sar_fields {
  std::uint16_t reference = 0;
  std::uint8_t total = 0;
  std::uint8_t sequence = 0;
  friend bool operator==(const sar_fields&, const sar_fields&) = default;
};

/// Where one PDU's bytes sit in message::bytes.
struct part {
  std::uint32_t offset = 0;      ///< first octet in message::bytes
  std::uint32_t length = 0;      ///< octets, UDH included
  std::uint16_t udh_length = 0;  ///< octets of UDH at the start (0 when none)
  std::uint16_t units = 0;       ///< septets or UTF-16 units of text in this part
  std::uint32_t first_char = 0;  ///< index of the part's first character in message::text
  std::uint32_t chars = 0;       ///< characters in this part
};

/// A text ready for submit_sm PDUs, with its preview.
struct message {
  std::string text;                 ///< what the phone shows: after the accent policy, in NFC
  accents applied = accents::keep;  ///< keep or strip: what the policy (auto included) chose
  encoding coding = encoding::gsm7;
  concat_method concat = concat_method::udh8;
  std::uint8_t data_coding = 0;
  std::uint8_t esm_class = 0;  ///< 0x40 (UDHI) when the parts start with a UDH
  bool packed = false;
  std::uint16_t reference = 0;               ///< the concatenation reference used
  std::size_t chars = 0;                     ///< characters (code points) of text
  std::size_t units = 0;                     ///< septets (ESC pairs count 2) or UTF-16 units (emoji count 2)
  std::size_t segments = 0;                  ///< SMS the phone receives, which carriers bill
  std::size_t free_units = 0;                ///< room left in the last segment
  std::optional<std::size_t> first_non_gsm;  ///< for UCS-2: index in text of the first character GSM lacks
  std::vector<std::uint8_t> bytes;           ///< every part's octets back to back
  std::vector<part> parts;                   ///< one per PDU

  /// True when the text travels whole in message_payload (concat payload and more than one segment).
  bool uses_payload() const noexcept { return concat == concat_method::payload && segments > 1; }
  /// short_message of PDU `i`, UDH included; empty when the text is in message_payload.
  std::span<const std::uint8_t> short_message(std::size_t i) const noexcept;
  /// The UDH at the start of short_message `i` (empty when none).
  std::span<const std::uint8_t> udh(std::size_t i) const noexcept;
  /// The encoded text of PDU `i`, without its UDH.
  std::span<const std::uint8_t> body(std::size_t i) const noexcept;
  /// The SAR TLVs of PDU `i` when concat is sar and there are several parts.
  std::optional<sar_fields> sar(std::size_t i) const noexcept;
  /// The message_payload TLV value (empty unless uses_payload()).
  std::span<const std::uint8_t> message_payload() const noexcept;
};

/// The outcome of a split; on error `code` says why and the other fields say where.
struct split_status {
  split_status() = default;
  split_status(std::error_code c, std::size_t offset = 0) : code(c), byte_offset(offset) {}

  std::error_code code;
  std::size_t byte_offset = 0;   ///< for invalid UTF-8 and control characters: where in the input
  char32_t control = 0;          ///< for control_character: which one
  std::size_t parts_needed = 0;  ///< for too_many_parts
  std::size_t max_parts = 0;     ///< for too_many_parts: the cap in force
  std::optional<std::size_t> parts_if_stripped;  ///< for too_many_parts under keep: what strip would need
  explicit operator bool() const noexcept { return !code; }
};

/// One line for a person: what is wrong and where (byte offset, or parts needed against the cap).
std::string describe(const split_status& status, const message& attempted);

/// Splits texts with one set of options, reusing its buffers (and the caller's message) between calls.
class splitter {
 public:
  explicit splitter(split_options options = {});

  /// The options this splitter applies.
  const split_options& options() const noexcept { return options_; }

  /// Turns UTF-8 `text` into `out`. On error `out` holds the preview computed so far (encoding, units,
  /// segments) but no parts.
  split_status split(std::string_view text, message& out);

 private:
  struct candidate;
  struct plan;
  struct scan_result;
  static scan_result scan(const std::u32string& cps, std::vector<std::uint8_t>& codes);
  bool try_ascii(std::string_view text, candidate& c, plan& p);
  split_status check_controls(const scan_result& r) const;
  split_status prepare_kept(std::string_view text, scan_result r, candidate& c, plan& p);
  void prepare_stripped(candidate& c, plan& p);
  static void set_encoding(const scan_result& r, plan& p);
  void layout(const candidate& c, plan& p);
  void encode(const candidate& c, const plan& p, message& out);

  split_options options_;
  std::u32string input_cps_;
  std::u32string nfc_cps_;
  std::string nfc_text_;
  std::u32string stripped_cps_;
  std::string stripped_text_;
  std::vector<std::uint8_t> kept_codes_;  // GSM septet code per character (bit 7: ESC pair)
  std::vector<std::uint8_t> stripped_codes_;
  std::vector<part> kept_segments_;
  std::vector<part> stripped_segments_;
  std::vector<std::uint8_t> septets_;
  std::vector<std::uint8_t> packed_;
};

/// Convenience for one-off use: a fresh splitter and message.
split_status split(std::string_view text, const split_options& options, message& out);

}  // namespace loa::segments
