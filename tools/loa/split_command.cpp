#include "tools/loa/split_command.hpp"

#include <fmt/core.h>
#include <boost/json.hpp>

#include <iostream>
#include <iterator>
#include <memory>
#include <span>
#include <string>

#include "segments/split.hpp"
#include "segments/utf8.hpp"
#include "tools/loa/i18n/translate.hpp"

namespace loa::cli {

using i18n::tr;
namespace {

struct split_arguments {
  std::string text;
  std::string accents = "keep";
  std::string concat = "udh8";
  unsigned reference = 0;
  std::size_t max_parts = 10;
  bool packed = false;
  unsigned gsm7_data_coding = 0;
};

std::string hex(std::span<const std::uint8_t> bytes, std::string_view separator = "") {
  std::string s;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) s += separator;
    s += fmt::format("{:02x}", bytes[i]);
  }
  return s;
}

// UCS-2 reads best in 16-bit groups, GSM septets one octet at a time.
std::string body_hex(const segments::message& m, std::span<const std::uint8_t> body) {
  if (m.coding == segments::encoding::gsm7) return hex(body, " ");
  std::string s;
  for (std::size_t i = 0; i + 1 < body.size(); i += 2) {
    if (i > 0) s += ' ';
    s += fmt::format("{:02x}{:02x}", body[i], body[i + 1]);
  }
  return s;
}

// Characters [first, first + count) of `text`, as UTF-8 for showing.
std::string characters(const std::string& text, std::size_t first, std::size_t count) {
  std::u32string cps;
  segments::decode_utf8(text, cps);
  std::string out;
  for (std::size_t i = first; i < first + count && i < cps.size(); ++i) segments::append_utf8(out, cps[i]);
  return out;
}

std::string character_at(const std::string& text, std::size_t index) {
  return characters(text, index, 1);
}

boost::json::object to_json(const segments::message& m) {
  boost::json::array parts;
  for (std::size_t i = 0; i < m.parts.size(); ++i) {
    boost::json::object part{
        {"hex", hex(m.uses_payload() ? m.message_payload() : m.short_message(i))},
        {"udh_hex", hex(m.udh(i))},
        {"units", m.parts[i].units},
        {"chars", m.parts[i].chars},
    };
    if (auto sar = m.sar(i)) {
      part["sar"] = {
          {"msg_ref_num", sar->reference}, {"total_segments", sar->total}, {"segment_seqnum", sar->sequence}};
    }
    if (m.uses_payload()) part["tlv"] = "message_payload";
    parts.push_back(std::move(part));
  }
  boost::json::object doc{
      {"encoding", segments::to_string(m.coding)},
      {"chars", m.chars},
      {"units", m.units},
      {"segments", m.segments},
      {"free_units", m.free_units},
      {"parts", std::move(parts)},
      {"text", m.text},
      {"accents", segments::to_string(m.applied)},
      {"concat", segments::to_string(m.concat)},
      {"data_coding", m.data_coding},
      {"esm_class", m.esm_class},
      {"reference", m.reference},
      {"packed", m.packed},
  };
  if (m.first_non_gsm) {
    doc["first_non_gsm"] = {{"index", *m.first_non_gsm}, {"char", character_at(m.text, *m.first_non_gsm)}};
  } else {
    doc["first_non_gsm"] = nullptr;
  }
  return doc;
}

void print_human(const segments::message& m) {
  const auto cap = segments::capacity_of(m.coding, m.concat);
  fmt::print("text      {}\n", m.text);
  if (m.coding == segments::encoding::gsm7) {
    fmt::print("encoding  GSM-7 (data_coding 0x{:02x}{})\n", m.data_coding, m.packed ? ", packed" : "");
  } else {
    fmt::print("encoding  UCS-2 (data_coding 0x08): '{}' at character {} is not in GSM 03.38\n",
               character_at(m.text, m.first_non_gsm.value_or(0)), m.first_non_gsm.value_or(0) + 1);
  }
  fmt::print("accents   {}\n", m.applied == segments::accents::strip ? "stripped" : "kept");
  fmt::print("length    {} characters, {} {}\n", m.chars, m.units,
             m.coding == segments::encoding::gsm7 ? "septets" : "UTF-16 units");
  if (m.segments == 1) {
    fmt::print("parts     1 (up to {} units alone), {} free\n", cap.single, m.free_units);
  } else {
    fmt::print("parts     {} of up to {} units ({}, reference {}), {} free in the last\n", m.segments,
               cap.per_part, segments::to_string(m.concat), m.reference, m.free_units);
  }
  if (m.uses_payload()) {
    fmt::print("payload   message_payload TLV, {} octets: {}\n", m.message_payload().size(),
               body_hex(m, m.message_payload()));
    return;
  }
  for (std::size_t i = 0; i < m.parts.size(); ++i) {
    const auto udh = m.udh(i);
    std::string sar;
    if (auto f = m.sar(i)) sar = fmt::format("(SAR ref {} part {}/{}) ", f->reference, f->sequence, f->total);
    const auto& p = m.parts[i];
    fmt::print("part {}/{}  {} units  \"{}\"\n          {}{}{}\n", i + 1, m.parts.size(), p.units,
               characters(m.text, p.first_char, p.chars), udh.empty() ? "" : "[UDH " + hex(udh, " ") + "] ",
               sar, m.packed ? hex(m.body(i), " ") : body_hex(m, m.body(i)));
  }
}

int run_split(const global_options& globals, const split_arguments& args) {
  segments::split_options options;
  options.accent_policy = segments::parse_accents(args.accents).value();  // CLI11 checked the name
  options.concat = segments::parse_concat(args.concat).value();
  options.reference = static_cast<std::uint16_t>(args.reference);
  options.max_parts = args.max_parts;
  options.packed_gsm7 = args.packed;
  options.gsm7_data_coding = static_cast<std::uint8_t>(args.gsm7_data_coding);

  std::string text = args.text;
  if (text == "-") {  // a long notice from a file: loa split - < notice.txt
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
    if (text.ends_with('\n')) text.pop_back();
  }
  segments::message m;
  const auto status = segments::split(text, options, m);
  if (!status) return fail(globals, exit_code::bad_input, segments::describe(status, m));
  if (globals.json) {
    print_json(to_json(m));
  } else {
    print_human(m);
  }
  return 0;
}

}  // namespace

void add_split_command(CLI::App& app, const global_options& globals, std::function<int()>& run) {
  auto args = std::make_shared<split_arguments>();
  auto* cmd =
      app.add_subcommand("split", tr("Show how a text travels: encoding, characters, parts and their bytes"));
  cmd->add_option("TEXT", args->text, tr("The notice text (UTF-8); - reads it from standard input"))
      ->required();
  cmd->add_option("--accents", args->accents, "keep | strip | auto")
      ->check(CLI::IsMember({"keep", "strip", "auto"}))
      ->capture_default_str();
  cmd->add_option("--concat", args->concat, "udh8 | udh16 | sar | payload")
      ->check(CLI::IsMember({"udh8", "udh16", "sar", "payload"}))
      ->capture_default_str();
  cmd->add_option("--ref", args->reference, tr("Concatenation reference number"))
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cmd->add_option("--max-parts", args->max_parts, tr("Refuse texts that need more parts"))
      ->check(CLI::Range(1, 255))
      ->capture_default_str();
  cmd->add_flag("--packed", args->packed, tr("Pack GSM 7-bit septets (for SMSCs that want packed data)"));
  cmd->add_option("--gsm-data-coding", args->gsm7_data_coding, tr("data_coding for GSM 7-bit text (0 or 1)"))
      ->check(CLI::IsMember({0, 1}))
      ->capture_default_str();
  cmd->callback([&globals, &run, args] { run = [&globals, args] { return run_split(globals, *args); }; });
}

}  // namespace loa::cli
