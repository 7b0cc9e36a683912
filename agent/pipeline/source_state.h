// What the pipeline remembers about one source (a file, stdin) while it is read. The pipeline owns
// them for its whole life (a std::deque: the correlator keeps pointers to them for the requests it
// holds); inputs name a source by its SourceId, its index there.
#pragma once

#include <cstdint>
#include <string>

namespace faultline {

struct SourceState {
  SourceState(uint32_t i, std::string n) : id(i), name(std::move(n)) {}
  SourceState(const SourceState&) = delete;
  SourceState& operator=(const SourceState&) = delete;

  uint32_t id;       // the SourceId inputs use
  std::string name;  // a path or "stdin"
  std::string key;   // identity for event ids (a hash of the first line)
  bool key_known = false;
  bool long_line_reported = false;
  bool plain_text = true;  // look for plain-text error dumps (detect.plain_text, per input)
};

}  // namespace faultline
