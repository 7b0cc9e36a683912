#include "agent/runtime/service_notifier.h"

#include <systemd/sd-daemon.h>

namespace faultline::runtime {

namespace {

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

ServiceNotifier::ServiceNotifier() {
  uint64_t usec = 0;
  // The variables stay set: WATCHDOG_PID names faultline, so pings from the app `exec` starts
  // would not count, and NotifyAccess=main ignores its other messages.
  if (sd_watchdog_enabled(0, &usec) > 0) watchdog_usec_ = usec;
}

void ServiceNotifier::ready() {
  sd_notify(0, "READY=1");
}

void ServiceNotifier::stopping() {
  sd_notify(0, "STOPPING=1");
}

void ServiceNotifier::status(const std::string& text) {
  sd_notify(0, ("STATUS=" + text).c_str());
}

void ServiceNotifier::heartbeat() {
  if (watchdog_usec_ == 0) return;
  const int64_t now = now_us();
  const int64_t last = last_ping_us_.load(std::memory_order_relaxed);
  if (now - last < static_cast<int64_t>(watchdog_usec_ / 4)) return;
  last_ping_us_.store(now, std::memory_order_relaxed);
  sd_notify(0, "WATCHDOG=1");
}

}  // namespace faultline::runtime
