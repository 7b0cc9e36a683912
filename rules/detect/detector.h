// Decides, for every line, whether it is an error record that should become a Sentry event.
//
// The defaults follow what real Express + pino-http apps write (PINO-FORMAT.md §5, §8):
//   - level ≥ min_level (default error, 50);
//   - a record carrying an error object at level ≥ err_floor (default warn, 40);
//   - a completion (pino-http's summary, or a GCP httpRequest entry) with a status ≥ 500, which
//     pino-http logs at info (30);
//   - worker job failures, except retries: a job line (jobId/queue/attemptsMade) below error level
//     whose attemptsMade is below its attempts is a retry and not an event unless job_retries.
// Then user rules: `include` rules turn any matching line into an error record, `exclude` rules
// (checked last) turn a matching one back. Every condition reads hot fields from the RecordView or
// slots registered in the RecordSchema, so classification allocates nothing.
//
// Built once at configuration time; immutable and safe to share between threads.
#pragma once

#include <re2/re2.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parsers/pino_record.h"

namespace faultline::rules {

enum class DetectReason : uint8_t { kNone, kLevel, kErrObject, kStatus5xx, kJobFailure, kInclude };
std::string_view to_string(DetectReason reason);

// One include/exclude rule: every condition given must hold.
struct DetectRule {
  std::string name;
  std::optional<int> min_level;
  std::optional<int> max_level;
  std::shared_ptr<const RE2> message;  // partial match on the message
  std::vector<int> present_slots;      // fields that must be present (not null)
  int status_min = 0, status_max = 0;  // inclusive range; 0/0 = no condition
  struct FieldMatch {
    int slot;
    std::shared_ptr<const RE2> pattern;
  };
  std::vector<FieldMatch> matches;  // partial match on string or number fields
};

struct DetectOptions {
  int min_level = 50;
  int err_floor = 40;
  bool status_5xx = true;
  bool job_retries = false;
  std::vector<DetectRule> include;
  std::vector<DetectRule> exclude;
};

class Detector {
 public:
  explicit Detector(DetectOptions options) : options_(std::move(options)) {}

  // `reader` is the reader that produced `view` (for rule slots).
  DetectReason classify(const RecordView& view, const RecordReader& reader) const;

  const DetectOptions& options() const { return options_; }

 private:
  bool matches(const DetectRule& rule, const RecordView& view, const RecordReader& reader) const;
  DetectReason builtin(const RecordView& view) const;

  DetectOptions options_;
};

}  // namespace faultline::rules
