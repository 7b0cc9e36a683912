// Hands finished events to delivery without making the pipeline wait for each fsync: events are
// serialized on the pipeline thread and queued in memory (bounded by bytes); one writer thread
// takes everything that arrived while its previous batch was being written and spools it with
// one group commit (Delivery::submit_batch: one file, one fsync), then settles the tickets of
// the whole batch, only once every event of it is durable (or refused by the spool and counted
// there).
//
// A full queue is backpressure, never a drop: emit() waits until the writer has made room. That
// slows the pipeline thread only; the app's output is copied by a passthrough thread of its own
// (inputs/passthrough.h), which skips the pipeline's copy of lines, counted, when the pipeline
// falls that far behind. Only the spool itself drops, when it is full (spool_max_bytes).
//
// emit() and flush() are called from the pipeline thread; the writer thread is internal.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>

#include "agent/delivery/delivery.h"
#include "agent/outputs/event_sink.h"
#include "base/metrics.h"
#include "base/thread_annotations.h"

namespace faultline {

class SpoolingSink final : public EventSink {
 public:
  SpoolingSink(delivery::Delivery& delivery, size_t max_queued_bytes);
  ~SpoolingSink() override;  // writes everything still queued, then stops the writer
  SpoolingSink(const SpoolingSink&) = delete;
  SpoolingSink& operator=(const SpoolingSink&) = delete;

  // Always true: waits for room instead of dropping.
  bool emit(const std::string& event_id, const json::Value& event, uint64_t ticket) override;
  // Returns when every event emitted so far is in the spool (or was refused by it).
  void flush() override;

  // The queue's metrics; this object must outlive `registry`.
  void register_metrics(Registry& registry) const;

 private:
  void run();

  delivery::Delivery& delivery_;
  const size_t max_bytes_;
  const size_t max_batch_bytes_;
  Counter waits_;                          // emits that found the queue full
  Counter wait_micros_;                    // and how long they waited
  std::atomic<uint64_t> queued_gauge_{0};  // queued_bytes_, for metrics

  std::mutex mu_;
  std::condition_variable changed_;
  struct Queued {
    std::string id;
    std::string payload;
    uint64_t ticket;
    delivery::ItemKind kind;
  };
  std::deque<Queued> queue_ GUARDED_BY(mu_);
  size_t queued_bytes_ GUARDED_BY(mu_) = 0;  // queued and being written
  bool writing_ GUARDED_BY(mu_) = false;
  bool stop_ GUARDED_BY(mu_) = false;
  std::thread writer_;
};

}  // namespace faultline
