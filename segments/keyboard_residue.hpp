// A notice typed with the Vietnamese keyboard switched off: Telex ("phuwowngf", "thoong baos") or VNI
// ("tie6m chu3ng") keystrokes left in the text instead of diacritics. Pure; a warning, never a refusal.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace loa::segments {

/// The words of `text` that look like Telex or VNI keystrokes (as written), when the text as a whole reads
/// as Vietnamese: empty otherwise. Vietnamese written without diacritics ("thong bao lich tiem chung"),
/// English words and brand names give nothing. A word counts when it is not a Vietnamese syllable but
/// becomes one once its keystrokes are read (a tone letter s/f/r/x/j at the end, aa/ee/oo/dd, a w after a
/// vowel, a VNI digit between letters); it takes two such words, or one with a w, dd or a VNI digit.
std::vector<std::string> keyboard_off_words(std::string_view text);

/// True when `word` (ASCII lower-case letters) is a Vietnamese syllable written without diacritics.
bool is_plain_vietnamese_syllable(std::string_view word);

}  // namespace loa::segments
