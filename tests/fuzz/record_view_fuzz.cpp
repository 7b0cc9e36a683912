// libFuzzer target: arbitrary bytes through LineFramer and RecordReader (padded and unpadded,
// default and nestedKey schemas), and json::parse + json::write. The properties checked are in
// fuzz_checks.h. Built with -DFAULTLINE_FUZZ=ON under clang; run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string failure = faultline::fuzz::check_record_view(input);
  if (!failure.empty()) {
    std::fprintf(stderr, "record_view_fuzz: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
