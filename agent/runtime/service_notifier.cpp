#include "agent/runtime/service_notifier.h"

#include "agent/runtime/systemd_notify.h"

namespace faultline::runtime {

namespace {

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ServiceNotifier::ServiceNotifier() {
  // The variables stay set: WATCHDOG_PID names faultline, so pings from the app `exec` starts
  // would not count, and NotifyAccess=main ignores its other messages.
  watchdog_usec_ = systemd::watchdog_usec();
}

void ServiceNotifier::ready() {
  systemd::notify("READY=1");
}

void ServiceNotifier::stopping() {
  systemd::notify("STOPPING=1");
}

void ServiceNotifier::status(const std::string& text) {
  systemd::notify("STATUS=" + text);
}

void ServiceNotifier::heartbeat() {
  if (watchdog_usec_ == 0) return;
  const int64_t now = now_us();
  const int64_t last = last_ping_us_.load(std::memory_order_relaxed);
  if (now - last < static_cast<int64_t>(watchdog_usec_ / 4)) return;
  last_ping_us_.store(now, std::memory_order_relaxed);
  systemd::notify("WATCHDOG=1");
}

}  // namespace faultline::runtime
