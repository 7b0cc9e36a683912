// What `/healthz` and `/readyz` answer: whether faultline is ready (its inputs are open and the
// pipeline runs) and whether it is healthy (not stopping, and its sender is not stuck: events wait
// in the spool and none has been accepted for longer than `unhealthy_after`).
//
// The sender's progress is sampled at each report() (every probe), so a stall is measured from
// the first probe that saw events waiting with nothing sent since; probes come every few seconds.
// Thread-safe: the runtime sets the state, the HTTP server's thread asks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

namespace faultline {

class Health {
 public:
  struct Progress {
    uint64_t sent = 0;     // events accepted so far
    uint64_t waiting = 0;  // events in the spool now
  };
  struct Answer {
    bool ok = true;
    std::string reason;  // why not, for the 503's body; "ok" when ok
  };
  using time_point = std::chrono::steady_clock::time_point;

  // `progress` reads the sender's counters (empty: no sender, never unhealthy for it).
  Health(std::chrono::milliseconds unhealthy_after, std::function<Progress()> progress);

  void set_ready(bool ready);
  void set_stopping();

  Answer healthy(time_point now);
  Answer ready() const;

 private:
  const std::chrono::milliseconds unhealthy_after_;
  const std::function<Progress()> progress_;
  mutable std::mutex mu_;
  bool ready_ = false;          // guarded by mu_
  bool stopping_ = false;       // guarded by mu_
  uint64_t last_sent_ = 0;      // guarded by mu_
  bool stalled_ = false;        // guarded by mu_: events waited, nothing sent, since...
  time_point stalled_since_{};  // guarded by mu_
};

}  // namespace faultline
