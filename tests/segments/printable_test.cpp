// Text from outside printed safely: a citizen's reply cannot drive the official's terminal.
#include <doctest/doctest.h>

#include "segments/printable.hpp"

using loa::segments::printable;

TEST_CASE("printable: Vietnamese text and punctuation are kept as they are") {
  CHECK(printable("Cho hỏi lịch tiêm chủng ở đâu ạ? 7h30, Trạm Y tế.") ==
        "Cho hỏi lịch tiêm chủng ở đâu ạ? 7h30, Trạm Y tế.");
  CHECK(printable("") == "");
  CHECK(printable("😀 €") == "😀 €");
}

TEST_CASE("printable: terminal escape sequences and other control characters are escaped") {
  // Clear the screen, then a fake line in red: what a hostile reply would do to `loa replies list`.
  CHECK(printable("\x1b[2J\x1b[31mDa duyet\x1b[0m") == "\\x1b[2J\\x1b[31mDa duyet\\x1b[0m");
  CHECK(printable("a\nb\rc\td") == "a\\nb\\rc\\td");
  CHECK(printable(std::string_view("x\0y", 3)) == "x\\x00y");
  CHECK(printable("\x07\x7f") == "\\x07\\x7f");
  CHECK(printable("\xc2\x9b"
                  "31m") == "\\u{009b}31m");  // C1 CSI, which some terminals obey
  CHECK(printable("abc\xe2\x80\xae"
                  "cba") == "abc\\u{202e}cba");  // right-to-left override
  CHECK(printable("\xe2\x81\xa6x") == "\\u{2066}x");
}

TEST_CASE("printable: bytes that are not UTF-8 are escaped one by one, the backslash doubled") {
  CHECK(printable("\xff\xfe"
                  "ok") == "\\xff\\xfeok");
  CHECK(printable("\xe1\xba") == "\\xe1\\xba");  // a truncated sequence at the end
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");  // overlong
  CHECK(printable("a\\x1b") == "a\\\\x1b");      // typed by the citizen: not mistaken for an escape
}
