#include <doctest/doctest.h>

#include "segments/keyboard_residue.hpp"

using namespace loa::segments;
using words = std::vector<std::string>;

TEST_CASE("keyboard residue: Telex and VNI keystrokes left in the text are found") {
  CHECK(keyboard_off_words("Thoong baos lich tieem chungr") == words{"Thoong", "baos", "tieem", "chungr"});
  CHECK(keyboard_off_words("UBND phuwowngf Long Thuy moi ba con di hop") == words{"phuwowngf"});
  CHECK(keyboard_off_words("Lich tie6m chu3ng mui 2 tai tram y te") == words{"tie6m", "chu3ng"});
  CHECK(keyboard_off_words("ddi hop luc 7h30 tai nha van hoa") == words{"ddi"});
  CHECK(keyboard_off_words("Thoong baos: cat dien") == words{"Thoong", "baos"});
}

TEST_CASE("keyboard residue: Vietnamese, English and brand names give no false alarm") {
  CHECK(keyboard_off_words("thong bao lich tiem chung").empty());
  CHECK(keyboard_off_words("Thông báo lịch tiêm chủng mũi 2 cho trẻ 18 tháng tuổi").empty());
  CHECK(keyboard_off_words("UBND phuong Long Thuy moi ba con den hop luc 7h30 thu Hai 23/11/2026 tai nha van "
                           "hoa to dan pho 3")
            .empty());
  CHECK(keyboard_off_words("Kinh gui quy phu huynh: tre duoi 5 tuoi can tiem vac xin soi - rubella").empty());
  CHECK(keyboard_off_words("See you soon at the laws office, book now").empty());
  CHECK(keyboard_off_words("Please check your Facebook and Zalo messages").empty());
  CHECK(keyboard_off_words("Viettel, VinaPhone, MobiFone: mat song tu 22h den 6h sang mai").empty());
  CHECK(keyboard_off_words("Cuu hoa 114, Covid19, H5N1, U23 Viet Nam").empty());
  CHECK(keyboard_off_words("Nuoc sach: nha may nuoc tam ngung cap nuoc ngay mai tu 8h den 17h").empty());
  CHECK(keyboard_off_words("Noi xoong va chao cua hop tac xa").empty());  // one "oo" word is Vietnamese
  CHECK(keyboard_off_words("").empty());
}

TEST_CASE("keyboard residue: plain Vietnamese syllables") {
  for (auto s : {"nghieng", "khuyen", "giuong", "quyet", "ruou", "thuong", "uyen", "oanh", "the", "a"})
    CHECK_MESSAGE(is_plain_vietnamese_syllable(s), std::string(s));
  for (auto s : {"thoong", "xoong", "baos", "phuwowngf", "book", "you", "viettel"})
    CHECK_MESSAGE(!is_plain_vietnamese_syllable(s), std::string(s));
}
