#include "agent/outputs/spooling_sink.h"

namespace faultline {

SpoolingSink::SpoolingSink(delivery::Delivery& delivery, size_t max_queued_bytes,
                           bool wait_when_full)
    : delivery_(delivery),
      max_bytes_(max_queued_bytes),
      wait_when_full_(wait_when_full),
      writer_([this] { run(); }) {}

SpoolingSink::~SpoolingSink() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  changed_.notify_all();
  writer_.join();
}

bool SpoolingSink::emit(const std::string& event_id, const json::Value& event, uint64_t ticket) {
  std::string payload = json::to_string(event);
  std::unique_lock<std::mutex> lock(mu_);
  if (queued_bytes_ + payload.size() > max_bytes_ && !queue_.empty()) {
    if (!wait_when_full_) {
      lock.unlock();
      full_log_.write(log::Level::kWarn, "the disk spool is not keeping up; event " + event_id +
                                             " dropped rather than hold back the app's output");
      settle(ticket);
      return false;  // the pipeline counts it
    }
    changed_.wait(lock,
                  [&] { return queued_bytes_ + payload.size() <= max_bytes_ || queue_.empty(); });
  }
  queued_bytes_ += payload.size();
  queue_.push_back(Queued{event_id, std::move(payload), ticket});
  lock.unlock();
  changed_.notify_all();
  return true;
}

void SpoolingSink::flush() {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait(lock, [&] { return queue_.empty() && !writing_; });
}

void SpoolingSink::run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    changed_.wait(lock, [&] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stop_ and nothing left to write
    Queued next = std::move(queue_.front());
    queue_.pop_front();
    writing_ = true;
    lock.unlock();
    // The delivery library counts and logs refusals (spool full, disk errors) itself.
    (void)delivery_.submit(next.id, next.payload);
    settle(next.ticket);
    lock.lock();
    queued_bytes_ -= next.payload.size();
    writing_ = false;
    changed_.notify_all();
  }
}

}  // namespace faultline
