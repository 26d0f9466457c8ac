// How fast notices become SMS parts. Run: build/bin/segments_bench
#include <benchmark/benchmark.h>

#include <string>

#include "segments/split.hpp"

namespace {

using namespace loa::segments;

// 300 characters of a real vaccination notice, with diacritics (NFC, as officials type it).
const std::string vietnamese_notice =
    "UBND phường Long Thủy thông báo: Lịch tiêm chủng vắc xin sởi - rubella cho trẻ từ 1 đến 5 tuổi vào thứ Hai "
    "23/11/2026, từ 7h30 đến 11h00 tại Trạm Y tế phường, số 12 đường Nguyễn Huệ. Phụ huynh mang theo sổ tiêm chủng "
    "và thẻ bảo hiểm y tế của trẻ. Trẻ đang sốt hoặc ốm xin báo cán bộ y tế. Xin cảm ơn!!!";

// 160 ASCII characters: one full GSM-7 part.
const std::string ascii_message =
    "UBND phuong Long Thuy: Lich tiem chung soi - rubella cho tre 1-5 tuoi thu Hai 23/11/2026 tu 7h30 tai Tram Y "
    "te phuong, so 12 Nguyen Hue. Mang so tiem chun";

void run(benchmark::State& state, const std::string& text, split_options options) {
  splitter s(options);
  message m;
  for (auto _ : state) {
    auto status = s.split(text, m);
    benchmark::DoNotOptimize(status);
    benchmark::DoNotOptimize(m.bytes.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
  state.counters["parts"] = static_cast<double>(m.segments);
  state.counters["chars"] = static_cast<double>(m.chars);
}

void vietnamese_keep(benchmark::State& state) { run(state, vietnamese_notice, {}); }
void vietnamese_strip(benchmark::State& state) { run(state, vietnamese_notice, {.accent_policy = accents::strip}); }
void vietnamese_auto(benchmark::State& state) { run(state, vietnamese_notice, {.accent_policy = accents::automatic}); }
void vietnamese_sar(benchmark::State& state) { run(state, vietnamese_notice, {.concat = concat_method::sar}); }
void ascii_160(benchmark::State& state) { run(state, ascii_message, {}); }
void ascii_160_packed(benchmark::State& state) { run(state, ascii_message, {.packed_gsm7 = true}); }

// Decomposed input (some keyboards and copy-paste give it): the ICU normalisation path.
void vietnamese_nfd_keep(benchmark::State& state) {
  static const std::string nfd = [] {
    std::string out;
    loa::segments::to_nfc(vietnamese_notice, out);  // warm ICU, then decompose by hand below
    out.clear();
    for (const char c : vietnamese_notice) out.push_back(c);
    // "ệ" in NFD (e + dot below + circumflex) throughout: enough to fail the quick check.
    std::string decomposed;
    for (std::size_t i = 0; i < out.size(); ++i) {
      if (out.compare(i, 3, "ệ") == 0) {
        decomposed += "e\u0323\u0302";
        i += 2;
      } else {
        decomposed += out[i];
      }
    }
    return decomposed + " Bệnh viện";
  }();
  run(state, nfd, {});
}

}  // namespace

BENCHMARK(vietnamese_keep);
BENCHMARK(vietnamese_strip);
BENCHMARK(vietnamese_auto);
BENCHMARK(vietnamese_sar);
BENCHMARK(vietnamese_nfd_keep);
BENCHMARK(ascii_160);
BENCHMARK(ascii_160_packed);
BENCHMARK_MAIN();
