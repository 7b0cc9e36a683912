#include "agent/telemetry/series_board.h"

namespace faultline {

void SeriesBoard::publish(std::vector<Registry::Sample> series) {
  std::lock_guard<std::mutex> lock(mu_);
  series_ = std::move(series);
}

void SeriesBoard::list(std::vector<Registry::Sample>& out) const {
  std::lock_guard<std::mutex> lock(mu_);
  out.insert(out.end(), series_.begin(), series_.end());
}

void SeriesBoard::register_as(Registry& registry, std::string name, std::string help,
                              Registry::Type type) const {
  registry.add_family(std::move(name), std::move(help), type,
                      [this](std::vector<Registry::Sample>& out) { list(out); });
}

}  // namespace faultline
