#include "agent/telemetry/run_summary.h"

namespace faultline {

std::string run_summary(const Metrics& m) {
  std::string s = std::to_string(m.lines.get()) + " lines read, " +
                  std::to_string(m.json_lines.get()) + " JSON, " +
                  std::to_string(m.non_json_lines.get()) + " non-JSON";
  if (m.plain_text_dumps.get() > 0) {
    const uint64_t dumps = m.plain_text_dumps.get();
    s += ", " + std::to_string(dumps) +
         (dumps == 1 ? " plain-text error dump (" : " plain-text error dumps (") +
         std::to_string(m.plain_text_lines.get()) + " lines)";
  }
  if (m.long_lines.get() > 0) s += ", " + std::to_string(m.long_lines.get()) + " too long";
  if (m.skipped_lines.get() > 0) {
    s += ", " + std::to_string(m.skipped_lines.get()) +
         " skipped (passed through, not processed: faultline fell behind)";
  }
  if (m.invalid_utf8_lines.get() > 0) {
    s += ", " + std::to_string(m.invalid_utf8_lines.get()) + " with invalid UTF-8";
  }
  s += "; " + std::to_string(m.errors_detected.get()) + " errors detected, " +
       std::to_string(m.events.get()) + " events";
  if (m.events_dropped_rules.get() > 0) {
    s += " (" + std::to_string(m.events_dropped_rules.get()) + " dropped by rules)";
  }
  if (m.events_dropped_queue.get() > 0) {
    s += ", " + std::to_string(m.events_dropped_queue.get()) + " dropped by an output";
  }
  if (m.events_truncated.get() > 0) {
    s += ", " + std::to_string(m.events_truncated.get()) + " cut to fit Sentry's limits";
  }
  if (m.build_failures.get() > 0) {
    s += ", " + std::to_string(m.build_failures.get()) + " error records unusable";
  }
  return s;
}

}  // namespace faultline
