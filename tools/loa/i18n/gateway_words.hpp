// The gateway answers in English (its API is for scripts too, docs/API.md), and so do the libraries the CLI
// calls (templates/); the official reads their refusals and warnings in her language. The sentences an
// official meets (a group or ward that does not exist, a time already past, an audience of 0, a key used
// before, a send of her own to approve, ...) are in the catalogue with the gateway's English as msgid; their
// {} match the values in the gateway's message.
#pragma once

#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace loa::cli {

/// `message` of the gateway in the current language: a known sentence translated with its values kept, the
/// rest as it came (English).
std::string gateway_words(std::string_view message);

/// A value of such a sentence in the current language: a role or a campaign state in words ("awaiting_approval"
/// reads "chờ duyệt"), the "or" of "'to-3' or 'to-5'" the reader's; anything else as it came.
std::string value_in_words(std::string value);

/// A set of English sentence pieces with {} for values (msgids of the catalogue). words() reads a message as a
/// chain of them, the first that fits at each point, and gives it in the current language with its values
/// kept (roles and campaign states in words); a message not entirely made of them stays English whole rather
/// than half translated.
class sentence_pieces {
 public:
  explicit sentence_pieces(std::span<const std::string_view> pieces);
  std::string words(std::string_view message) const;

 private:
  struct compiled {
    std::string_view msgid;
    std::regex pattern;
  };
  std::vector<compiled> compiled_;
};

}  // namespace loa::cli
