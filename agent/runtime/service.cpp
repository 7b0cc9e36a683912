#include "agent/runtime/service.h"

#include "agent/telemetry/log.h"

namespace faultline::runtime {

Service::Service(const config::Config& config, const Registry& registry,
                 std::function<std::string()> summary, std::function<Health::Progress()> progress)
    : config_(config),
      registry_(registry),
      summary_(std::move(summary)),
      health_(config.server.unhealthy_after, std::move(progress)) {}

Service::~Service() {
  stats_.reset();
  server_.reset();
}

Status Service::serve() {
  if (config_.server.listen.empty()) return Status::Ok();
  auto server = StatusServer::start(config_.server.listen, registry_, health_);
  if (!server.ok()) return server.status();
  server_ = std::move(server).value();
  log::info("serving /metrics, /healthz and /readyz on http://" + server_->address());
  return Status::Ok();
}

void Service::ready() {
  health_.set_ready(true);
  notifier_.ready();
  if (config_.log.stats_interval.count() > 0 && !stats_) {
    stats_.emplace(config_.log.stats_interval, [this] {
      const std::string line = summary_();
      log::info(line);
      notifier_.status(line);
    });
  }
}

void Service::stopping() {
  health_.set_stopping();
  notifier_.stopping();
  stats_.reset();
}

}  // namespace faultline::runtime
