// Which emitted events are not yet durable, by the source line they came from: the half of the
// acknowledgement path between the pipeline and the outputs. The pipeline issues a ticket for
// each event it hands to the outputs (the event's oldest line: its source and offset); an output
// settles the ticket once the event is durable (fsynced in the spool, printed) or given up
// (dropped and counted). oldest() is what an input may not checkpoint past.
//
// Thread-safe: tickets are issued on the pipeline thread and settled from output threads (the
// spool writer). The work per call is O(log n) in the tickets open, never per line.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_map>
#include <vector>

#include "agent/outputs/event_sink.h"
#include "base/thread_annotations.h"

namespace faultline {

class AckTracker final : public SettleListener {
 public:
  AckTracker() = default;
  AckTracker(const AckTracker&) = delete;
  AckTracker& operator=(const AckTracker&) = delete;

  // A ticket (never 0) for an event whose oldest line starts at `offset` in `source`.
  uint64_t issue(uint32_t source, uint64_t offset);
  void settled(uint64_t ticket) override;

  // The lowest offset in `source` with an open ticket, or nullopt.
  std::optional<uint64_t> oldest(uint32_t source) const;
  size_t open() const;

 private:
  struct Open {
    uint32_t source;
    uint64_t offset;
  };
  mutable std::mutex mu_;
  uint64_t next_ GUARDED_BY(mu_) = 1;
  std::unordered_map<uint64_t, Open> open_ GUARDED_BY(mu_);
  // Per source: offset → open tickets at that offset.
  std::vector<std::map<uint64_t, uint32_t>> by_source_ GUARDED_BY(mu_);
};

}  // namespace faultline
