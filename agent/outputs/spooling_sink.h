// Hands finished events to delivery without making the pipeline wait for the disk: events are
// serialized on the pipeline thread and queued in memory (bounded by bytes); one writer thread
// spools them (Delivery::submit fsyncs). In `pipe`, a full queue drops and counts the event
// rather than hold back the app's stdout; in `replay`, it waits instead (there is nothing to
// hold back, and every event should reach the spool).
//
// emit() and flush() are called from the pipeline thread; the writer thread is internal and
// settles each ticket once the spool holds the event (fsynced) or refused it (counted there).
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "agent/delivery/delivery.h"
#include "agent/outputs/event_sink.h"
#include "agent/telemetry/log.h"
#include "base/thread_annotations.h"

namespace faultline {

class SpoolingSink final : public EventSink {
 public:
  SpoolingSink(delivery::Delivery& delivery, size_t max_queued_bytes, bool wait_when_full);
  ~SpoolingSink() override;  // writes everything still queued, then stops the writer
  SpoolingSink(const SpoolingSink&) = delete;
  SpoolingSink& operator=(const SpoolingSink&) = delete;

  bool emit(const std::string& event_id, const json::Value& event, uint64_t ticket) override;
  // Returns when every event emitted so far is in the spool (or was refused by it).
  void flush() override;

 private:
  void run();

  delivery::Delivery& delivery_;
  const size_t max_bytes_;
  const bool wait_when_full_;
  log::LogLimiter full_log_;

  std::mutex mu_;
  std::condition_variable changed_;
  struct Queued {
    std::string id;
    std::string payload;
    uint64_t ticket;
  };
  std::deque<Queued> queue_ GUARDED_BY(mu_);
  size_t queued_bytes_ GUARDED_BY(mu_) = 0;
  bool writing_ GUARDED_BY(mu_) = false;
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread writer_;
};

}  // namespace faultline
