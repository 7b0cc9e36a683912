// Notices a log whose shape the PinoFormat does not describe, and says which keys to set.
//
// pino-http's customAttributeKeys rename `req`, `res`, `err`, `reqId` and `responseTime`; other
// HTTP loggers write `response.statusCode` next to a request object and a `durationMs`. faultline
// then sees no completion (no status, route or duration for events, no 5xx detection) or no error
// object, and nothing says why. The advisor looks at the first records of a run (or a sample
// file, `check --sample`) for:
//   - completion-shaped lines: an HTTP status (`<object>.statusCode` or `<object>.status`, or a
//     top-level `statusCode`, an integer 100..599) next to a request object (`method` and `url`
//     strings) or a duration (`durationMs`, `elapsed`, `latency`, ...);
//   - error objects (a `stack` with V8 frames, or a `message` with an `...Error` type or name)
//     under a top-level key that is not an error key.
// It advises only keys the format does not already name, and completion keys only while no line
// was recognised as a completion with the configured keys (an app that logs upstream answers as
// `response.statusCode` beside pino-http's own `res` is not misconfigured).
//
// Cost: a byte search for the keys it compares by name (`stack`, `message`, and until a completion
// is recognised `status`/`statusCode`) in each record it is shown, and one On-Demand pass over the
// top two levels of the few that hold one; the caller stops showing lines once done(). Memory: a
// handful of tallies, allocated when a key is first seen. Not thread-safe.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/pino_record.h"

namespace faultline {

class ShapeAdvisor {
 public:
  // Records looked at before the advisor gives up watching (a run's first few minutes).
  static constexpr uint64_t kDefaultWindow = 20000;

  explicit ShapeAdvisor(const PinoFormat& format, uint64_t window = kDefaultWindow);
  ShapeAdvisor(const ShapeAdvisor&) = delete;
  ShapeAdvisor& operator=(const ShapeAdvisor&) = delete;

  // One JSON record. `text` must be followed by simdjson::SIMDJSON_PADDING readable bytes (a
  // LineFramer line is). `recognised_completion`: the reader found a completion with the
  // configured keys. `where` names the line for the advice ("app.log:12"); read only when the
  // line is the first example of a key.
  void observe(std::string_view text, bool recognised_completion, std::string_view source,
               uint64_t line_number);

  // The window is over: stop calling observe().
  bool done() const { return records_ >= window_; }

  // Advice for the keys that enough lines agree on (three completions, or one error object) and
  // that were not advised before; empty otherwise. A run says each key once.
  std::string take_advice();
  // The advice for everything seen so far, whatever the thresholds (check --sample).
  std::string advice() const;

  uint64_t records() const { return records_; }
  uint64_t recognised_completions() const { return recognised_; }
  // Completion-shaped lines, counted until a completion is recognised under the configured keys.
  uint64_t completion_shaped() const { return shaped_; }

 private:
  struct Tally {
    std::string option;  // "pino.status_keys"
    std::string key;     // "response.statusCode"
    uint64_t lines = 0;
    std::string example;  // "app.log:12"
    bool said = false;
  };
  struct Found;

  bool worth_scanning(std::string_view text) const;
  void scan_object(simdjson::ondemand::object object, std::string_view parent, Found& found);
  void tally(std::string_view option, std::string_view key, std::string_view source,
             uint64_t line_number);
  bool configured(const std::vector<std::string>& keys, std::string_view path) const;
  enum class Pick : uint8_t { kNewlyReady, kAll };
  std::string render(Pick pick) const;
  bool ready(const Tally& t) const;

  const PinoFormat& format_;
  const uint64_t window_;
  simdjson::ondemand::parser parser_;
  std::vector<Tally> tallies_;
  uint64_t records_ = 0;
  uint64_t recognised_ = 0;
  uint64_t shaped_ = 0;
  bool tallied_ = false;  // a tally moved since the last take_advice()
};

}  // namespace faultline
