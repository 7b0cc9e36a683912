// The outputs of one run, built from what the command asked for: events printed (to stdout or a
// file), delivered to Sentry through the disk spool, both (a fan-out), or neither (counted only).
// sink() is what the pipeline emits to; its tickets settle as the EventSink contract says.
//
// Owned by the runtime; sink() and flush() are for the pipeline thread; the delivery threads are
// internal.
#pragma once

#include <cstdio>
#include <memory>
#include <string>

#include "agent/config/config.h"
#include "agent/delivery/delivery.h"
#include "agent/outputs/event_sink.h"
#include "agent/outputs/spooling_sink.h"
#include "base/metrics.h"
#include "base/status.h"

namespace faultline {

struct OutputPlan {
  std::string print_path;         // "-": stdout; a path: appended to; "": no printing
  bool print_flush_each = false;  // a live stream (pipe) flushes every event
  bool deliver = false;           // to Sentry, when the configuration has a DSN
  // Events waiting for the spool writer, in bytes. When full, the pipeline waits (the app's
  // output never does: spooling_sink.h).
  size_t queue_bytes = 16 * 1024 * 1024;
};

class Outputs {
 public:
  // Fails (with the path or the delivery problem in the message) when a print file cannot be
  // opened or the spool cannot be used.
  static Result<std::unique_ptr<Outputs>> open(const config::Config& config,
                                               const OutputPlan& plan);
  ~Outputs();
  Outputs(const Outputs&) = delete;
  Outputs& operator=(const Outputs&) = delete;

  EventSink& sink() { return *sink_; }
  // Null when nothing is delivered (no DSN, or printing only).
  delivery::Delivery* delivery() { return delivery_.get(); }
  // Every event emitted so far is printed and flushed, or in the spool.
  void flush() { sink_->flush(); }
  // Adds the outputs' metrics (delivery's counters, the spool and its queue) to `registry`.
  void register_metrics(Registry& registry) const;

 private:
  Outputs() = default;

  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_{nullptr, &std::fclose};
  std::unique_ptr<delivery::Delivery> delivery_;
  std::unique_ptr<SpoolingSink> spooling_;
  std::unique_ptr<PrintSink> print_;
  std::unique_ptr<NullSink> null_;
  std::unique_ptr<FanOut> fan_out_;
  EventSink* sink_ = nullptr;
};

}  // namespace faultline
