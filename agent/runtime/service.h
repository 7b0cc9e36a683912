// What a long-running command (run, pipe, exec) shows the outside while it runs: systemd's
// notifications and watchdog, the HTTP status endpoints of `server.listen`, and the periodic
// one-line summary of `log.stats_interval` (also systemd's STATUS=).
//
// ready() once the inputs are open, heartbeat() from the pipeline thread, stopping() when the
// inputs end or a stop signal comes. Thread-safe; the registry and the summary outlive it.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "agent/config/config.h"
#include "agent/runtime/periodic.h"
#include "agent/runtime/service_notifier.h"
#include "agent/server/status_server.h"
#include "agent/telemetry/health.h"
#include "base/metrics.h"
#include "base/status.h"

namespace faultline::runtime {

class Service {
 public:
  // `summary` makes the summary line; `progress` reads the sender's counters (empty: no sender).
  Service(const config::Config& config, const Registry& registry,
          std::function<std::string()> summary, std::function<Health::Progress()> progress);
  ~Service();
  Service(const Service&) = delete;
  Service& operator=(const Service&) = delete;

  // Starts the HTTP endpoints when server.listen is set. An error says why (address in use).
  Status serve();
  void ready();
  void heartbeat() { notifier_.heartbeat(); }
  // How often an idle pipeline thread must wake to beat the heartbeat: half the watchdog's
  // interval when systemd set one (WATCHDOG_USEC), else never.
  std::optional<std::chrono::milliseconds> heartbeat_interval() const {
    return notifier_.ping_interval();
  }
  void stopping();

 private:
  const config::Config& config_;
  const Registry& registry_;
  const std::function<std::string()> summary_;
  ServiceNotifier notifier_;
  Health health_;
  std::unique_ptr<StatusServer> server_;
  std::optional<Periodic> stats_;
};

}  // namespace faultline::runtime
