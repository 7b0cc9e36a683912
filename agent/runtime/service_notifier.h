// Tells systemd how the service is doing (sd_notify): READY=1 once the inputs are open,
// STOPPING=1 when shutdown begins, STATUS=<the stats summary>, and WATCHDOG=1 pings when the unit
// sets WatchdogSec=. The pings come from the pipeline thread (through the acknowledger's
// heartbeat), so a pipeline that stops moving stops them and systemd restarts the service.
//
// Outside systemd (no NOTIFY_SOCKET) every call does nothing. Thread-safe.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace faultline::runtime {

class ServiceNotifier {
 public:
  ServiceNotifier();

  void ready();
  void stopping();
  void status(const std::string& text);
  // Pings the watchdog if it is enabled and a quarter of its interval has passed since the last.
  void heartbeat();

  bool watchdog_enabled() const { return watchdog_usec_ != 0; }
  // How often heartbeat() must be called to keep the watchdog content: half its interval, so a
  // wake-up that comes a little late still pings in time; nullopt when it is off.
  std::optional<std::chrono::milliseconds> ping_interval() const {
    if (watchdog_usec_ == 0) return std::nullopt;
    return std::chrono::milliseconds(std::max<uint64_t>(watchdog_usec_ / 2000, 1));
  }

 private:
  uint64_t watchdog_usec_ = 0;
  std::atomic<int64_t> last_ping_us_{0};
};

}  // namespace faultline::runtime
