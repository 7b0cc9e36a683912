// Where finished events go: printed (replay --print, pipe --events), handed to delivery, or both
// (FanOut). Each event comes with a ticket from the acknowledgement path (agent/pipeline/
// ack_tracker.h); a sink settles every ticket it is given, exactly once, when the event is durable
// (written and flushed, fsynced in the spool) or given up (dropped and counted), so that an input
// may checkpoint past the lines behind it. Ticket 0 means nobody is waiting.
//
// emit() and flush() are called from the pipeline thread only; settle callbacks may come from a
// sink's own thread (the spool writer).
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/thread_annotations.h"
#include "parsers/json.h"

namespace faultline {

// Told when an event's ticket is settled. Implementations are thread-safe.
class SettleListener {
 public:
  virtual ~SettleListener() = default;
  virtual void settled(uint64_t ticket) = 0;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // False when the sink had to drop the event (counted by the caller; the sink logs why). The
  // ticket is settled either way.
  virtual bool emit(const std::string& event_id, const json::Value& event, uint64_t ticket) = 0;
  // Returns when every event emitted so far is durable or given up.
  virtual void flush() {}
  // Where this sink reports settled tickets; set once, before the first emit().
  void set_listener(SettleListener* listener) { listener_ = listener; }

 protected:
  void settle(uint64_t ticket) {
    if (ticket != 0 && listener_ != nullptr) listener_->settled(ticket);
  }

 private:
  SettleListener* listener_ = nullptr;
};

// Takes every event and sends it nowhere: counting only (no DSN, no --print), or `check
// --explain`.
class NullSink final : public EventSink {
 public:
  bool emit(const std::string&, const json::Value&, uint64_t ticket) override {
    settle(ticket);
    return true;
  }
};

// Writes each event as one line of JSON: exactly the payload of the envelope's `event` item.
class PrintSink final : public EventSink {
 public:
  // `flush_each`: flush after every event (a live pipe), or only in flush() (a replay to a file);
  // tickets settle when their bytes are flushed.
  PrintSink(std::FILE* out, bool flush_each) : out_(out), flush_each_(flush_each) {}
  bool emit(const std::string& event_id, const json::Value& event, uint64_t ticket) override;
  void flush() override;

 private:
  std::FILE* out_;
  bool flush_each_;
  std::string buffer_;
  std::vector<uint64_t> unflushed_;
};

// Sends each event to every sink (print and deliver); a ticket settles when all of them settled
// it.
class FanOut final : public EventSink, private SettleListener {
 public:
  explicit FanOut(std::vector<EventSink*> sinks);
  bool emit(const std::string& event_id, const json::Value& event, uint64_t ticket) override;
  void flush() override;

 private:
  void settled(uint64_t ticket) override;

  std::vector<EventSink*> sinks_;
  std::mutex mu_;
  std::unordered_map<uint64_t, size_t> waiting_ GUARDED_BY(mu_);  // ticket → sinks still to settle
};

}  // namespace faultline
