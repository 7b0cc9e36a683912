#include "agent/outputs/delivery_setup.h"

#include "agent/telemetry/log.h"
#include "build_info.h"

namespace faultline {

Result<std::unique_ptr<delivery::Delivery>> open_delivery(const config::Config& config) {
  delivery::Options o;
  o.dsn = config.sentry.dsn;
  o.spool_dir = config.delivery.spool_dir;
  o.spool_max_bytes = config.delivery.spool_max_bytes;
  o.concurrency = config.delivery.concurrency;
  o.connect_timeout = config.delivery.connect_timeout;
  o.request_timeout = config.delivery.request_timeout;
  o.shutdown_grace = config.delivery.shutdown_grace;
  o.gzip_threshold = config.delivery.gzip_threshold;
  o.tls_verify = config.delivery.tls_verify;
  o.ca_file = config.delivery.ca_file;
  o.ca_path = config.delivery.ca_path;
  o.proxy = config.delivery.proxy;
  o.backoff_initial = config.delivery.backoff_initial;
  o.backoff_max = config.delivery.backoff_max;
  o.sdk_name = "faultline";
  o.sdk_version = build_info::kVersion;
  o.log = [](delivery::LogLevel level, std::string_view message) {
    switch (level) {
      case delivery::LogLevel::kDebug:
        log::debug(message);
        break;
      case delivery::LogLevel::kInfo:
        log::info(message);
        break;
      case delivery::LogLevel::kWarning:
        log::warn(message);
        break;
      case delivery::LogLevel::kError:
        log::error(message);
        break;
    }
  };
  return delivery::Delivery::open(std::move(o));
}

std::string delivery_summary(const delivery::Delivery& d) {
  const delivery::Stats& s = d.stats();
  std::string out = std::to_string(s.sent.load()) + " sent, " +
                    std::to_string(s.spool_files.load()) + " waiting in the spool";
  const uint64_t dropped =
      s.dropped_permanent.load() + s.dropped_spool_full.load() + s.dropped_spool_error.load();
  if (dropped > 0) {
    out += ", " + std::to_string(dropped) + " dropped (";
    std::string parts;
    for (int status = 100; status < 600; ++status) {
      if (const uint64_t n = s.dropped_for_status(status); n > 0) {
        parts += (parts.empty() ? "" : ", ") + std::string("HTTP ") + std::to_string(status) +
                 ": " + std::to_string(n);
      }
    }
    if (s.dropped_spool_full.load() > 0) {
      parts += (parts.empty() ? "" : ", ") + std::string("spool full: ") +
               std::to_string(s.dropped_spool_full.load());
    }
    if (s.dropped_spool_error.load() > 0) {
      parts += (parts.empty() ? "" : ", ") + std::string("spool write errors: ") +
               std::to_string(s.dropped_spool_error.load());
    }
    out += parts + ")";
  }
  if (s.retried.load() > 0) out += ", " + std::to_string(s.retried.load()) + " retries";
  if (s.rate_limited.load() > 0)
    out += ", " + std::to_string(s.rate_limited.load()) + " rate limited";
  return out;
}

}  // namespace faultline
