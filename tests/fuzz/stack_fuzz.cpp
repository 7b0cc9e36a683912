// libFuzzer target: arbitrary bytes as a V8 stack (parse_v8_frames, parse_stack_header,
// is_frame_line, infer_app_root, module_from_filename) and as a pino `err` (parse_pino_error on
// an error whose stack is the input, and on the input itself when it is JSON). The properties
// checked are in fuzz_checks.h. Built with -DFAULTLINE_FUZZ=ON under clang; run by
// scripts/fuzz.sh.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string failure = faultline::fuzz::check_stack(input);
  if (!failure.empty()) {
    std::fprintf(stderr, "stack_fuzz: %s\n", failure.c_str());
    std::abort();
  }
  return 0;
}
