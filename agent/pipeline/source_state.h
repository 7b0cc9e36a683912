// What the pipeline remembers about one input (a file or stdin) while it is read. The correlator
// keeps pointers to it for the requests it holds, so a SourceState must outlive the Pipeline
// run that reads it (keep them in a std::deque or similar, never a loop-local variable).
#pragma once

#include <string>

namespace faultline {

struct SourceState {
  explicit SourceState(std::string n) : name(std::move(n)) {}
  SourceState(const SourceState&) = delete;
  SourceState& operator=(const SourceState&) = delete;

  std::string name;  // a path or "stdin"
  std::string key;   // identity for event ids (a hash of the first line)
  bool key_known = false;
  bool long_line_reported = false;
};

}  // namespace faultline
