#include "agent/runtime/reminder.h"

#include "agent/telemetry/log.h"

namespace faultline::runtime {

Reminder::Reminder(std::chrono::milliseconds interval, std::function<std::string()> message)
    : interval_(interval), message_(std::move(message)), thread_([this] { loop(); }) {}

Reminder::~Reminder() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Reminder::loop() {
  std::unique_lock<std::mutex> lock(mu_);
  auto next = std::chrono::steady_clock::now() + interval_;
  while (!wake_.wait_until(lock, next, [this] { return stopping_; })) {
    log::error(message_());
    next += interval_;
  }
}

}  // namespace faultline::runtime
