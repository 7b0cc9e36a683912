// The current series of a metric family whose label sets change while faultline runs (one per
// tailed file, one per rule that dropped events): the thread that owns the numbers publishes a
// fresh list now and then, and /metrics reads the last one. Thread-safe.
#pragma once

#include <mutex>
#include <vector>

#include "base/metrics.h"
#include "base/thread_annotations.h"

namespace faultline {

class SeriesBoard {
 public:
  void publish(std::vector<Registry::Sample> series);
  // Appends the last published series to `out` (a Registry family's list callback).
  void list(std::vector<Registry::Sample>& out) const;
  // Adds this board to `registry` as the family `name`; the board must outlive it.
  void register_as(Registry& registry, std::string name, std::string help,
                   Registry::Type type) const;

 private:
  mutable std::mutex mu_;
  std::vector<Registry::Sample> series_ GUARDED_BY(mu_);
};

}  // namespace faultline
