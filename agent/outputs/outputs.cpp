#include "agent/outputs/outputs.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "agent/delivery/stats_metrics.h"
#include "agent/outputs/delivery_setup.h"

namespace faultline {

Result<std::unique_ptr<Outputs>> Outputs::open(const config::Config& config,
                                               const OutputPlan& plan) {
  std::unique_ptr<Outputs> o(new Outputs());
  std::vector<EventSink*> sinks;
  if (!plan.print_path.empty()) {
    std::FILE* out = stdout;
    if (plan.print_path != "-") {
      // Events carry what the app logged (scrubbed, but still the app's data): 0600 whatever
      // the umask, like the spool.
      const int fd =
          ::open(plan.print_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd >= 0) {
        o->file_.reset(::fdopen(fd, "a"));
        if (!o->file_) ::close(fd);
      }
      if (!o->file_) {
        return Status::Error(plan.print_path +
                             ": cannot open for writing: " + std::strerror(errno));
      }
      out = o->file_.get();
    }
    o->print_ = std::make_unique<PrintSink>(out, plan.print_flush_each);
    sinks.push_back(o->print_.get());
  }
  if (plan.deliver && !config.sentry.dsn.empty()) {
    auto opened = open_delivery(config);
    if (!opened.ok()) return opened.status();
    o->delivery_ = std::move(opened).value();
    o->spooling_ = std::make_unique<SpoolingSink>(*o->delivery_, plan.queue_bytes);
    sinks.push_back(o->spooling_.get());
  }
  if (sinks.empty()) {
    o->null_ = std::make_unique<NullSink>();
    o->sink_ = o->null_.get();
  } else if (sinks.size() == 1) {
    o->sink_ = sinks.front();
  } else {
    o->fan_out_ = std::make_unique<FanOut>(std::move(sinks));
    o->sink_ = o->fan_out_.get();
  }
  return o;
}

void Outputs::register_metrics(Registry& registry) const {
  if (delivery_) delivery::register_stats(delivery_->stats(), registry);
  if (spooling_) spooling_->register_metrics(registry);
}

// The spooling sink writes what it still holds before delivery goes away.
Outputs::~Outputs() {
  fan_out_.reset();
  spooling_.reset();
  delivery_.reset();
}

}  // namespace faultline
