// One failure, two reports: Node printed an error as plain text (its crash report, or a
// console.error dump such as Express's default handler's) and the app's pino log has the same
// failure (a fatal "uncaught exception" line, or the line its error handler wrote). EventPairing
// holds such events for a short window so that the two become one event: the JSON one, with its
// request, trace, tags and message, carrying whichever exception is the richer (more linked
// errors, more frames, then the properties the JSON serializer lost) (docs/sources.md).
//
// Two events pair when their logged errors have the same type and message, or when a crash
// report meets a JSON event of an uncaught error that has no error object of its own (a bare
// `logger.fatal('uncaught exception')`), their times at most `window` apart. What waits for a
// partner: events made from plain text, and JSON events of uncaught errors (the crash report
// follows them). Events leave in the order they were offered: one behind a held event waits for
// it, so that a replay's output does not depend on where windows end and rules see events in the
// order they would without pairing (deliver() gets the time each was offered at, for the rules'
// clock). The window runs on the pipeline's clock: record time in replay, wall time otherwise.
// At most kMaxHeld events wait; past that the oldest goes at once.
//
// Not thread-safe; owned by the pipeline thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "agent/sentry/incident.h"
#include "agent/telemetry/metrics.h"
#include "parsers/json.h"

namespace faultline {

class EventPairing {
 public:
  using Deliver =
      std::function<void(sentry::Incident&&, json::Value&& event, int64_t offered_at_us)>;

  EventPairing(int64_t window_us, Deliver deliver, Metrics& metrics);
  EventPairing(const EventPairing&) = delete;
  EventPairing& operator=(const EventPairing&) = delete;

  // A built event (before rules). `now_us`: the pipeline's clock.
  void offer(sentry::Incident&& incident, json::Value&& event, int64_t now_us);
  // Delivers what is due at `now_us`.
  void advance(int64_t now_us);
  // Delivers everything (end of input).
  void flush();
  bool empty() const { return held_.empty(); }
  // When advance() next delivers something (the pipeline's clock; 0: now), or nullopt when
  // nothing is held.
  std::optional<int64_t> next_deadline_us() const {
    if (held_.empty()) return std::nullopt;
    return held_.front().paired ? 0 : held_.front().deadline_us;
  }
  // The lowest offset in `source` of a line of an event still held.
  std::optional<uint64_t> oldest(uint32_t source) const;

  static constexpr size_t kMaxHeld = 256;

 private:
  struct Held {
    sentry::Incident incident;
    json::Value event;
    int64_t offered_at_us = 0;
    int64_t deadline_us = 0;  // leaves at the front once the clock reaches it
    int64_t time_us = 0;      // the event's timestamp
    std::string signature;    // type and value of the logged error
    bool plain = false;       // made from a plain-text dump
    bool crash = false;       // Node's crash report
    bool uncaught = false;    // its logged error is not handled
    bool synthetic = false;   // its exception was made up from the message (no error object)
    bool paired = false;
  };

  Held describe(sentry::Incident&& incident, json::Value&& event, int64_t now_us) const;
  bool pairs(const Held& a, const Held& b) const;
  void release(int64_t now_us);
  void pop_front();

  int64_t window_us_;
  Deliver deliver_;
  Metrics& metrics_;
  std::deque<Held> held_;
  size_t waiting_plain_ = 0;  // held events made from plain text, not paired yet
};

// Folds `plain` (the event of a plain-text dump) into `logged` (the JSON event of the same
// failure): `plain`'s exception when it is the richer, error contexts and the error.code tag
// `logged` lacks, level fatal and handled false when either says so, the dump's note in extra.
void merge_plain_event(json::Value& logged, const json::Value& plain);

}  // namespace faultline
