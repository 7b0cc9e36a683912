// Which error lines of one request log the same failure. pino-http and an error middleware often
// log one failure twice ("request errored" with res.err, and the handler's own error line), and
// pino-http's "failed with status code 500" placeholder only says that something failed. Lines
// with the same signature become one event; distinct failures stay distinct events.
// Stateless; runs on error lines only (it parses them).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "agent/pipeline/request_table.h"
#include "parsers/pino_record.h"

namespace faultline {

struct FailureSignature {
  uint64_t hash = 0;
  bool placeholder = false;  // says only that the response was an error (no real cause)
};

// The err's type, message and first stack frame; for a line without an err, its message. A
// completion line without a real err is a placeholder.
FailureSignature failure_signature(std::string_view line, bool is_completion,
                                   const PinoFormat& format);

struct FailureGroup {
  size_t primary = 0;              // index into the pending list: the line the event is built from
  std::vector<size_t> duplicates;  // the other lines that logged the same failure
  uint64_t signature = 0;
};

// Groups `pending` (in arrival order) by signature. Placeholder lines form no group; their
// indexes go to `placeholders`.
std::vector<FailureGroup> group_failures(const std::vector<PendingError>& pending,
                                         const PinoFormat& format,
                                         std::vector<size_t>& placeholders);

}  // namespace faultline
