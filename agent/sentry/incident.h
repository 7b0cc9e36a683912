// One failure, as the correlator hands it to the event builder: the raw bytes of the error line
// and of the lines that tell its story (the request's completion, earlier lines of the request,
// other lines that logged the same failure). Lines stay raw until here; only an incident's lines
// are ever parsed into a DOM.
//
// Plain data; owned by whoever holds it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parsers/json.h"

namespace faultline::sentry {

struct KeptLine {
  std::string text;     // the line's bytes (cut to correlation.max_record_bytes for breadcrumbs)
  uint64_t offset = 0;  // byte offset in its source
  uint64_t line = 0;    // 1-based line number in its source (0: unknown)
  bool cut = false;     // text was cut; it may not parse as JSON
};

struct Incident {
  std::string source;        // for messages: a path or "stdin"
  uint32_t source_id = 0;    // the pipeline's number for the source (acknowledgements)
  std::string source_key;    // identity of the source for deterministic event ids
  KeptLine error;            // the record the event is about
  int64_t read_time_us = 0;  // when the error line was read (for records without a time)
  // Why the detector flagged the error line ("level", "err", "status_5xx", "job_failure", …).
  std::string reason;
  std::optional<KeptLine> completion;  // the request's completion line (pino-http summary)
  std::vector<KeptLine> duplicates;    // other lines that logged the same failure
  std::vector<KeptLine> breadcrumbs;   // earlier lines of the request, oldest first
  std::optional<KeptLine> opening;     // the request's first kept line (maybe no breadcrumb now)
  // Trace context found on another line of the request when the error line has none.
  std::string trace_id, span_id, trace_flags;
  // True when the hold window ran out (or the correlator was flushed) before the completion came.
  bool forced = false;
  // The error line already parsed (by the correlator, to group failures), handed to the event
  // builder so that no error line is parsed twice. Empty: the builder parses error.text.
  std::optional<json::Value> record;
  // The completion line already parsed, when it was one of the request's error lines (parsed to
  // group them); shared by the request's incidents. Null: the builder parses completion->text.
  std::shared_ptr<const json::Value> completion_record;
};

}  // namespace faultline::sentry
