#include "segments/keyboard_residue.hpp"

#include <algorithm>
#include <array>

namespace loa::segments {
namespace {

// Initial consonants as written without diacritics (đ is d), longest first is not needed: every prefix is tried.
constexpr std::array<std::string_view, 28> initials = {
    "",   "b",  "c",  "ch", "d",  "g",  "gh", "gi", "h",  "k",   "kh", "l",  "m", "n",
    "ng", "ngh", "nh", "p", "ph", "qu", "r",  "s",  "t",  "th",  "tr", "v",  "x", "q"};

// Vowel groups of Vietnamese syllables with their diacritics stripped ("ươ" is "uo", "iê" is "ie").
constexpr std::array<std::string_view, 39> vowel_groups = {
    "a",  "e",  "i",  "o",  "u",   "y",   "ai",  "ao",  "au",  "ay",  "eo",  "eu",  "ia", "ie",
    "iu", "oa", "oe", "oi", "ua",  "ue",  "ui",  "uo",  "uu",  "uy",  "ye",  "ieu", "oai", "oao",
    "oay", "oeo", "uai", "uay", "uoi", "uou", "uya", "uye", "uyu", "yeu", "uau"};

constexpr std::array<std::string_view, 9> finals = {"", "c", "ch", "m", "n", "ng", "nh", "p", "t"};

bool is_vowel(char c) {
  return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

// "oo" (xoong, boong, soóc) is left out: "thoong" is far more often Telex for "thông". A lone "xoong" in a
// notice is one weak word, which does not warn.
bool is_rhyme(std::string_view r) {
  for (auto f : finals) {
    if (r.size() <= f.size() || !r.ends_with(f)) continue;
    const auto v = r.substr(0, r.size() - f.size());
    if (std::find(vowel_groups.begin(), vowel_groups.end(), v) != vowel_groups.end()) return true;
  }
  return false;
}

// The word with its Telex keystrokes read: a final tone letter dropped, aa/ee/oo/dd made single, w after a
// vowel dropped. `strong` says whether a keystroke no English word has (w after u, dd, ow/aw before a letter) was read.
std::string read_telex(std::string_view w, bool& strong) {
  std::string s(w);
  if (s.size() > 1 && std::string_view("sfrxj").find(s.back()) != std::string_view::npos) s.pop_back();
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == 'w' && i > 0 && (s[i - 1] == 'u' || s[i - 1] == 'o' || s[i - 1] == 'a')) {
      if (s[i - 1] == 'u' || i + 1 < s.size()) strong = true;
      continue;
    }
    if (i > 0 && c == s[i - 1] && (c == 'a' || c == 'e' || c == 'o' || c == 'd')) {
      if (c == 'd') strong = true;
      continue;
    }
    out += c;
  }
  return out;
}

// A VNI word: a tone or mark digit right after a vowel and before another letter ("tie6m", "chu3ng").
bool vni_word(std::string_view w, std::string& letters) {
  bool digit_inside = false;
  letters.clear();
  for (std::size_t i = 0; i < w.size(); ++i) {
    const char c = w[i];
    if (c >= '1' && c <= '9') {
      if (i == 0 || i + 1 >= w.size() || !is_vowel(w[i - 1]) || !(w[i + 1] >= 'a' && w[i + 1] <= 'z'))
        return false;
      digit_inside = true;
      continue;
    }
    if (!(c >= 'a' && c <= 'z')) return false;
    letters += c;
  }
  return digit_inside;
}

}  // namespace

bool is_plain_vietnamese_syllable(std::string_view word) {
  for (auto i : initials)
    if (word.starts_with(i) && is_rhyme(word.substr(i.size()))) return true;
  return false;
}

std::vector<std::string> keyboard_off_words(std::string_view text) {
  std::size_t words = 0, vietnamese = 0, strong = 0;
  std::vector<std::string> suspicious;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto is_word_byte = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             static_cast<unsigned char>(c) >= 0x80;
    };
    if (!is_word_byte(text[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    bool ascii = true;
    while (i < text.size() && is_word_byte(text[i])) ascii &= static_cast<unsigned char>(text[i++]) < 0x80;
    const auto raw = text.substr(start, i - start);
    if (raw[0] >= '0' && raw[0] <= '9') continue;  // 7h30, 0912345678: not words
    ++words;
    if (!ascii) {  // typed with diacritics: the keyboard was on
      ++vietnamese;
      continue;
    }
    std::string w(raw);
    for (auto& c : w) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    std::string letters;
    if (vni_word(w, letters)) {
      if (is_plain_vietnamese_syllable(letters)) {
        ++vietnamese, ++strong;
        suspicious.emplace_back(raw);
      }
      continue;
    }
    if (is_plain_vietnamese_syllable(w)) {
      ++vietnamese;
      continue;
    }
    bool marked = false;
    const auto read = read_telex(w, marked);
    if (read != w && is_plain_vietnamese_syllable(read)) {
      ++vietnamese;
      strong += marked ? 1 : 0;
      suspicious.emplace_back(raw);
    }
  }
  // English or a brand-heavy text: its words are mostly not Vietnamese syllables, read or not.
  const bool reads_vietnamese = words > 0 && vietnamese * 5 >= words * 4;
  if (!reads_vietnamese || (suspicious.size() < 2 && strong == 0)) suspicious.clear();
  return suspicious;
}

}  // namespace loa::segments
