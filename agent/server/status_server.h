// `server.listen`: faultline's own HTTP endpoints, for probes and scrapers.
//   GET /metrics  Prometheus text (version 0.0.4) of the run's Registry.
//   GET /healthz  200 "ok", or 503 and the reason (stopping, sender stalled): see Health.
//   GET /readyz   200 once the inputs are open, 503 while starting and stopping.
// Anything else is 404. It serves on a thread of its own, in the HTTP module (faultline-http.so,
// opened by the first start: http_module_loader.h), and never touches the pipeline: the
// registry's readers are atomics. Not for the open internet: no TLS, no auth; bind it to
// 127.0.0.1 or the pod's network.
#pragma once

#include <memory>
#include <string>

#include "agent/server/http_module.h"
#include "agent/telemetry/health.h"
#include "base/metrics.h"
#include "base/status.h"

namespace faultline {

class StatusServer {
 public:
  // Binds `listen` ("HOST:PORT"; port 0 lets the kernel choose) and starts serving. `registry`
  // and `health` outlive the server. The error says why: a bad address, the address in use, or
  // the module missing.
  static Result<std::unique_ptr<StatusServer>> start(const std::string& listen,
                                                     const Registry& registry, Health& health);
  ~StatusServer();  // stops serving and joins the thread
  StatusServer(const StatusServer&) = delete;
  StatusServer& operator=(const StatusServer&) = delete;

  // "127.0.0.1:9464": the address bound, with the port the kernel chose.
  const std::string& address() const { return address_; }

 private:
  StatusServer() = default;
  std::unique_ptr<http_module::Listener> listener_;
  std::string address_;
};

}  // namespace faultline
