// Finds the error dumps Node prints as plain text among the lines of a log that are not JSON:
// console.error(err), Express's default error handler, and Node's report of an uncaught exception
// or unhandled rejection (docs/sources.md, "Plain-text errors"). Fed those lines in order, it
// groups the lines of each dump and reads the error with parse_inspected_error()
// (node_inspect.h), giving it in the shape of a pino `err` so that the JSON path's error model
// (parse_pino_error) and event builder apply to it unchanged.
//
// A dump is one of
//   - an error header ("TypeError: msg", "[AggregateError: msg] {", "Failed: Error: msg" where
//     console.error printed text before the error) followed by "    at …" frames, within
//     max_message_lines (a message may span lines), then its property block "{ … }" up to the
//     "}" in column 0;
//   - Node's crash report: the preamble "file.js:LINE", the source line, the caret line and a
//     blank line, then an error as above, or a thrown value that is not an error followed by
//     "(Use `node --trace-uncaught ...` …)";
// either followed, after at most two blank lines, by Node's closing "Node.js vX.Y.Z" line, which
// (like the preamble) marks the dump as a crash.
// A dump ends at the first line that cannot continue it, at flush() (the caller calls it for a
// JSON line and when the input is idle or ends), or at max_lines / max_bytes (then `truncated`:
// the rest of its lines are read as ordinary lines). Lines that turn out not to be part of a dump
// are released: the caller counts them as the ordinary non-JSON lines they are.
//
// Cost: a line that cannot start a dump while nothing is held is rejected after one scan of it,
// without copying or allocating. Held lines are copied into buffers that are reused.
//
// Not thread-safe; one per source (a file, a child's stderr), owned by the pipeline thread. Views
// passed to feed() are copied before it returns.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/json.h"
#include "parsers/node_inspect.h"

namespace faultline {

struct PlainErrorLimits {
  size_t max_lines = 1000;        // lines of one dump
  size_t max_bytes = 256 * 1024;  // bytes of one dump
  size_t max_message_lines = 32;  // lines between a header and its first frame
};

struct PlainErrorDump {
  json::Value err;          // as pino-std-serializers' errWithCause logs an error
  std::string prefix;       // what console.error printed before the error ("Failed to charge:")
  std::string text;         // every line of the dump, joined by '\n'
  uint64_t offset = 0;      // byte offset of its first line in the source
  uint64_t first_line = 0;  // line numbers, 1-based, as the caller gave them
  uint64_t last_line = 0;
  size_t lines = 0;
  bool crash = false;         // Node's fatal exception report (preamble or closing line seen)
  bool thrown_value = false;  // a crash on something that is not an Error (`throw "boom"`)
  std::string crash_site;     // "/app/server.js:42", from the preamble
  std::string node_version;   // "v20.11.0", from the closing line
  bool truncated = false;     // cut at a limit, or its property block never closed
  size_t elisions = 0;        // "lines matching cause stack trace" lines restored
};

class PlainErrorAssembler {
 public:
  explicit PlainErrorAssembler(PlainErrorLimits limits = {});

  // The next non-JSON line of the source.
  void feed(std::string_view text, uint64_t offset, uint64_t number);
  // Nothing more belongs to what is held: a JSON line came, or the input is idle or ended.
  void flush();

  // Lines released since the last call: not part of any dump.
  size_t take_released();
  // The oldest complete dump not taken yet; false when there is none.
  bool take(PlainErrorDump& out);

  bool holding() const { return !held_.empty(); }
  // Byte offset of the oldest line held, waiting to be decided.
  std::optional<uint64_t> oldest_held() const;

 private:
  enum class State : uint8_t {
    kIdle,
    kPreambleSource,  // after "file.js:LINE": the source line
    kPreambleCaret,   // the caret line
    kAfterCaret,      // a blank line, or what was thrown
    kAfterBlank,      // what was thrown
    kThrown,          // a thrown non-error, up to Node's "(Use `node --trace-uncaught" line
    kMessage,         // after a header: message lines until the first frame
    kFrames,
    kBlock,   // inside the property block, until "}" in column 0
    kParked,  // complete; blank lines, then maybe "Node.js vX"
  };
  enum class Step : uint8_t {
    kNext,      // the line belongs to what is being read
    kReject,    // what is held from line 0 is not a dump: release line 0 and read again
    kPark,      // the state changed without taking the line: read the same line again
    kComplete,  // the dump ends with this line
  };
  struct Held {
    size_t begin = 0;
    size_t size = 0;
    uint64_t offset = 0;
    uint64_t number = 0;
  };

  std::string_view line(size_t i) const { return {buf_.data() + held_[i].begin, held_[i].size}; }
  void run();
  Step step(size_t i);
  Step start_error(size_t i, bool after_preamble);
  // Emits the dump made of lines [0, end) and drops them.
  void complete(size_t end);
  void release_first();
  void drop_front(size_t n);
  void reset();
  bool over_limits(size_t i) const;

  PlainErrorLimits limits_;
  std::string buf_;
  std::vector<Held> held_;
  size_t scanned_ = 0;  // held_[0, scanned_) were read by the state machine
  State state_ = State::kIdle;
  // The dump being read.
  bool crash_ = false;
  bool thrown_ = false;
  size_t error_line_ = 0;  // the line of its header (or of the thrown value)
  size_t header_col_ = 0;  // where the header starts in it (after console.error's prefix)
  size_t message_lines_ = 0;
  size_t message_budget_ = 0;  // message lines allowed before the first frame
  static constexpr size_t kLooseMessageLines = 2;
  size_t dump_end_ = 0;  // parked: the lines [0, dump_end_) are the dump
  size_t blanks_ = 0;    // parked: blank lines after it
  bool truncated_ = false;
  std::string node_version_;
  size_t released_ = 0;
  std::deque<PlainErrorDump> done_;
  std::string scratch_;
};

// Whether Node's crash report could start with `line`, or an error header could (what feed()
// checks first for every line). No allocation.
bool could_start_plain_error(std::string_view line);

}  // namespace faultline
