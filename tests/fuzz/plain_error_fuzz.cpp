// libFuzzer target: arbitrary bytes as the non-JSON lines of a log (PlainErrorAssembler, and
// through it parse_inspected_error and parse_pino_error) and as one util.inspect dump
// (parse_inspected_error). The properties checked are in fuzz_checks.h. Built with
// -DFAULTLINE_FUZZ=ON under clang; run by scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string failure = faultline::fuzz::check_plain_error(input);
  if (!failure.empty()) {
    std::fprintf(stderr, "plain_error_fuzz: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
