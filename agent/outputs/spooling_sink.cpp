#include "agent/outputs/spooling_sink.h"

#include <chrono>
#include <vector>

namespace faultline {
namespace {

// A batch is what arrived during the previous commit, up to the spool's batch size and this many
// events: enough that one fsync serves thousands of events, small enough that a dropped batch
// (spool full) is a small part of the spool.
constexpr size_t kMaxBatchEvents = 8192;

}  // namespace

SpoolingSink::SpoolingSink(delivery::Delivery& delivery, size_t max_queued_bytes)
    : delivery_(delivery),
      max_bytes_(max_queued_bytes),
      max_batch_bytes_(static_cast<size_t>(delivery.max_batch_bytes())),
      writer_([this] { run(); }) {}

SpoolingSink::~SpoolingSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  writer_.join();
}

void SpoolingSink::register_metrics(Registry& r) const {
  r.add_counter("faultline_spool_queue_waits_total",
                "Events the pipeline waited to queue because the spool writer was behind "
                "(backpressure; nothing is dropped).",
                waits_);
  r.add_micros_as_seconds("faultline_spool_queue_wait_seconds_total",
                          "Time the pipeline spent waiting for room in the spool queue.",
                          wait_micros_);
  r.add_gauge("faultline_spool_queue_bytes", "Bytes of events waiting for the spool writer.",
              queued_gauge_);
}

bool SpoolingSink::emit(const std::string& event_id, const json::Value& event, uint64_t ticket) {
  std::string payload = json::to_string(event);
  std::unique_lock<std::mutex> lock(mu_);
  // One event always fits in an empty queue, however large.
  const auto fits = [&] {
    return queued_bytes_ + payload.size() <= max_bytes_ || queued_bytes_ == 0;
  };
  if (!fits()) {
    waits_.add();
    const auto start = std::chrono::steady_clock::now();
    changed_.wait(lock, fits);
    wait_micros_.add(static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                               std::chrono::steady_clock::now() - start)
                                               .count()));
  }
  queued_bytes_ += payload.size();
  queued_gauge_.store(queued_bytes_, std::memory_order_relaxed);
  const json::Value* type = event.find("type");
  const delivery::ItemKind kind =
      type != nullptr && type->is_string() && type->as_string() == "transaction"
          ? delivery::ItemKind::kTransaction
          : delivery::ItemKind::kEvent;
  queue_.push_back(Queued{event_id, std::move(payload), ticket, kind});
  lock.unlock();
  changed_.notify_all();
  return true;
}

void SpoolingSink::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return queue_.empty() && !writing_; });
}

void SpoolingSink::run() {
  std::vector<Queued> batch;
  std::vector<delivery::Delivery::Submission> submissions;
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    changed_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_ and nothing left to write
    batch.clear();
    size_t batch_bytes = 0;
    while (!queue_.empty() && batch.size() < kMaxBatchEvents &&
           (batch.empty() || batch_bytes + queue_.front().payload.size() <= max_batch_bytes_)) {
      batch_bytes += queue_.front().payload.size();
      batch.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    writing_ = true;
    lock.unlock();
    submissions.clear();
    for (const Queued& q : batch) submissions.push_back({q.id, q.payload, q.kind});
    // The delivery library counts and logs refusals (spool full, disk errors) itself.
    (void)delivery_.submit_batch(submissions);
    for (const Queued& q : batch) settle(q.ticket);
    lock.lock();
    queued_bytes_ -= batch_bytes;
    queued_gauge_.store(queued_bytes_, std::memory_order_relaxed);
    writing_ = false;
    changed_.notify_all();
  }
}

}  // namespace faultline
