// The hot-path view of one Pino line: the handful of fields every line is classified by.
//
// PinoFormat says where those fields live (keys are configurable because pino's messageKey,
// errorKey, level formatter, timestamp function, nestedKey and pino-http's customAttributeKeys
// all move them). RecordSchema compiles a format, plus any extra paths the rules ask for, into a
// FieldPlan; it is immutable afterwards and shared read-only. RecordReader reads one line with
// simdjson On-Demand along that plan: no DOM, no allocation per line.
//
// Lifetimes: the string_views in a RecordView point into the line or into the reader's parser
// and are valid until the reader's next read(). RecordReader is not thread-safe; use one per
// thread.
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "parsers/field_plan.h"
#include "parsers/pino_levels.h"

namespace faultline {

// Where a Pino configuration puts things. Each list is tried in order; the first key present in a
// line wins (a key that appears twice in one line keeps its last value, as JSON.parse does).
struct PinoFormat {
  std::vector<std::string> level_keys = {"level", "severity"};
  std::vector<std::string> time_keys = {"time", "@timestamp", "timestamp"};
  std::vector<std::string> message_keys = {"msg", "message"};
  std::vector<std::string> error_keys = {"err", "error"};
  // pino's nestedKey: the call's fields (err, ids, trace fields) sit under it; msg stays on top.
  std::string nested_key;
  std::vector<std::string> request_id_keys = {"reqId", "req.id", "requestId", "request_id",
                                              "request.id"};
  std::vector<std::string> trace_id_keys = {"trace_id", "traceId"};
  std::vector<std::string> span_id_keys = {"span_id", "spanId"};
  std::vector<std::string> trace_flags_keys = {"trace_flags", "traceFlags"};
  // The response status of the request a line is about: pino-http's res, and GCP's httpRequest
  // (a request log entry). Not `response.statusCode`: apps log upstream answers under that name.
  std::vector<std::string> status_keys = {"res.statusCode", "httpRequest.status"};
  // pino-http's request object (customAttributeKeys.req renames it). Read on the event path only.
  std::vector<std::string> request_keys = {"req", "request"};
  std::vector<std::string> job_id_keys = {"jobId", "job.id"};
  std::vector<std::string> queue_keys = {"queue", "queueName", "job.queueName"};
  std::vector<std::string> attempts_made_keys = {"attemptsMade", "job.attemptsMade"};
  std::vector<std::string> attempts_keys = {"attempts", "maxAttempts", "job.opts.attempts"};
  std::vector<std::string> logger_keys = {"name"};
  // Which process wrote the line (pino's base bindings). pino-http's request ids are a counter
  // per process that restarts at 1, so a request id is only unique together with these.
  std::vector<std::string> pid_keys = {"pid"};
  std::vector<std::string> hostname_keys = {"hostname"};
  // pino-http writes responseTime only on its completion lines ("request completed", "request
  // errored", "request aborted"), so its presence marks a completion even when the status is null.
  std::vector<std::string> response_time_keys = {"responseTime"};
  // A status under these keys makes the line the request's own log entry (GCP's httpRequest) and
  // so a completion, with or without a response time.
  std::vector<std::string> request_log_keys = {"httpRequest.status"};
  LevelTable levels;
};

// A captured value. Strings are unescaped; numbers keep their raw token as `text` too.
struct FieldValue {
  enum class Kind : uint8_t { kAbsent, kString, kNumber, kBool, kNull, kObject, kArray };
  Kind kind = Kind::kAbsent;
  std::string_view text;
  double number = 0;
  bool boolean = false;
  bool empty_object = false;  // `{}`

  bool present() const { return kind != Kind::kAbsent; }
  // String values, and numbers as their JSON token (request ids are often counters).
  bool has_text() const { return kind == Kind::kString || kind == Kind::kNumber; }
};

class RecordSchema {
 public:
  static Result<RecordSchema> build(const PinoFormat& format);

  // Registers an extra path (a rule's field) before the schema is shared; returns its slot.
  Result<int> add_field(std::string_view path);

  // Slots read as their raw JSON token (quotes included, nothing unescaped or converted): values
  // used only as identities, such as the pid and hostname that scope a request id.
  bool raw(int slot) const { return raw_[static_cast<size_t>(slot)] != 0; }

  const FieldPlan& plan() const { return plan_; }
  const PinoFormat& format() const { return format_; }

  struct Candidates {
    std::vector<int> slots;  // in priority order
  };
  Candidates level, time, message, error, request_id, trace_id, span_id, trace_flags, status,
      job_id, queue, attempts_made, attempts, logger, response_time, request_log, pid, hostname;

 private:
  Result<Candidates> add_all(const std::vector<std::string>& keys, bool also_nested);
  PinoFormat format_;
  FieldPlan plan_;
  std::vector<uint8_t> raw_;  // per slot
};

struct RecordView {
  enum class ErrShape : uint8_t { kNone, kObject, kString, kOther };

  std::optional<int> level;        // numeric level, from a number or a known label
  std::string_view level_label;    // the label as written, when the level was a string
  std::optional<int64_t> time_us;  // from the first time key present
  std::string_view message;        // string, or a number's token
  ErrShape err = ErrShape::kNone;
  std::string_view request_id;
  std::string_view trace_id;
  std::string_view span_id;
  std::string_view trace_flags;
  int status_code = 0;  // 0 when absent or null (aborted requests)
  std::string_view job_id;
  std::string_view queue;
  int attempts_made = -1;
  int attempts = -1;
  std::string_view logger;
  std::string_view pid;  // as written (a number's token)
  std::string_view hostname;
  // The request's completion (pino-http's summary, with responseTime; or a request log entry).
  // status_code counts for detection only on such a line.
  bool completion = false;
};

enum class ReadOutcome : uint8_t {
  kRecord,       // a JSON object: the view is filled
  kNotJson,      // not a JSON object: console output, crash dumps, a broken or truncated line
  kInvalidUtf8,  // read after replacing invalid bytes, and lone surrogate escapes such as
                 // \ud800, with U+FFFD; the view is filled
};

class RecordReader {
 public:
  explicit RecordReader(const RecordSchema& schema);
  RecordReader(const RecordReader&) = delete;
  RecordReader& operator=(const RecordReader&) = delete;

  // `text` must be followed by at least simdjson::SIMDJSON_PADDING readable bytes, as a Line from
  // LineFramer is. Pass `padded = false` for any other buffer: the line is copied first.
  ReadOutcome read(std::string_view text, RecordView& view, bool padded = true);

  // The value captured at a slot registered with RecordSchema::add_field (after a kRecord read).
  const FieldValue& field(int slot) const {
    const auto i = static_cast<size_t>(slot);
    return written_by_[i] == reads_ ? captured_[i] : kAbsent;
  }

 private:
  static const FieldValue kAbsent;
  // The slot's value for the line being read, reset to absent.
  FieldValue& write(int slot);
  simdjson::error_code walk(simdjson::ondemand::object object, int node);
  bool all_captured_below(int node) const;
  simdjson::error_code capture(simdjson::ondemand::value& value, int slot);
  ReadOutcome read_padded(std::string_view text, size_t capacity, RecordView& view);
  void resolve(RecordView& view) const;
  const FieldValue* first(const RecordSchema::Candidates& c) const;

  const RecordSchema& schema_;
  simdjson::ondemand::parser parser_;
  // Values of earlier lines stay in captured_, told apart by the read that wrote them: nothing is
  // cleared per line.
  std::vector<FieldValue> captured_;
  std::vector<uint64_t> written_by_;  // per slot: the value of reads_ when it was written
  uint64_t reads_ = 0;                // read_padded() calls so far
  std::string scratch_;               // reused for lines that must be copied or repaired
  const char* line_end_ = nullptr;    // end of the line being read (padding follows it)
};

}  // namespace faultline
