// Where finished events go: printed (replay --print, pipe --events), or handed to delivery.
// Called from the pipeline thread only.
#pragma once

#include <cstdio>
#include <string>

#include "parsers/json.h"

namespace faultline {

class EventSink {
 public:
  virtual ~EventSink() = default;
  // False when the sink had to drop the event (counted by the caller; the sink logs why).
  virtual bool emit(const std::string& event_id, const json::Value& event) = 0;
  virtual void flush() {}
};

// Takes every event and sends it nowhere: counting only (no DSN, no --print), or `check
// --explain`.
class NullSink final : public EventSink {
 public:
  bool emit(const std::string&, const json::Value&) override { return true; }
};

// Writes each event as one line of JSON: exactly the payload of the envelope's `event` item.
class PrintSink final : public EventSink {
 public:
  // `flush_each`: flush after every event (a live pipe), or only in flush() (a replay to a file).
  PrintSink(std::FILE* out, bool flush_each) : out_(out), flush_each_(flush_each) {}
  bool emit(const std::string& event_id, const json::Value& event) override;
  void flush() override { std::fflush(out_); }

 private:
  std::FILE* out_;
  bool flush_each_;
  std::string buffer_;
};

// Sends each event to several sinks (print and deliver).
class TeeSink final : public EventSink {
 public:
  TeeSink(EventSink& a, EventSink& b) : a_(a), b_(b) {}
  bool emit(const std::string& id, const json::Value& e) override {
    const bool a = a_.emit(id, e);
    const bool b = b_.emit(id, e);
    return a && b;
  }
  void flush() override {
    a_.flush();
    b_.flush();
  }

 private:
  EventSink& a_;
  EventSink& b_;
};

}  // namespace faultline
