// Which error lines of one request log the same failure. pino-http and an error middleware often
// log one failure twice ("request errored" with res.err, and the handler's own error line), and
// pino-http's "failed with status code 500" placeholder only says that something failed. Lines
// with the same signature become one event; distinct failures stay distinct events.
// Stateless; runs on error lines only. Each line is parsed into a DOM once, here, and the DOM goes
// on with the incident to the event builder, which does not parse the line again.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "agent/pipeline/request_table.h"
#include "parsers/json.h"
#include "parsers/pino_record.h"

namespace faultline {

struct FailureSignature {
  uint64_t hash = 0;
  bool placeholder = false;  // says only that the response was an error (no real cause)
};

// `line` parsed, or nullopt when it is not a JSON object. A value that cannot be read is replaced
// by a marker (json::parse) and counted in `*unreadable` when given.
std::optional<json::Value> parse_record(std::string_view line, size_t* unreadable = nullptr);

// The err's type, message and first stack frame; for a line without an err, its message. A
// completion line without a real err is a placeholder. `record` is `line` parsed (parse_record).
FailureSignature failure_signature(const std::optional<json::Value>& record, std::string_view line,
                                   bool is_completion, const PinoFormat& format);
inline FailureSignature failure_signature(std::string_view line, bool is_completion,
                                          const PinoFormat& format) {
  return failure_signature(parse_record(line), line, is_completion, format);
}

struct FailureGroup {
  size_t primary = 0;              // index into the pending list: the line the event is built from
  std::vector<size_t> duplicates;  // the other lines that logged the same failure
  uint64_t signature = 0;
};

// Groups `pending` (in arrival order) by signature. Placeholder lines form no group; their
// indexes go to `placeholders`. `records` receives every pending line parsed, by index; values
// replaced by a marker while parsing them are counted in `*unreadable` when given.
std::vector<FailureGroup> group_failures(const std::vector<PendingError>& pending,
                                         const PinoFormat& format,
                                         std::vector<size_t>& placeholders,
                                         std::vector<std::optional<json::Value>>& records,
                                         size_t* unreadable = nullptr);

// The request's completion line, when it is one of `pending` (a 5xx summary is an error line
// too), as group_failures() parsed it into `records`, for the event builder to take instead of
// parsing the line again; null when it is not there or is not an object. Moved out of `records`,
// or copied when it is the error line of one of `groups` (or there are none: then a placeholder
// is), whose DOM goes to the builder as that incident's record.
std::shared_ptr<const json::Value> parsed_completion(
    const std::vector<PendingError>& pending, uint64_t completion_offset,
    const std::vector<FailureGroup>& groups, std::vector<std::optional<json::Value>>& records);

}  // namespace faultline
