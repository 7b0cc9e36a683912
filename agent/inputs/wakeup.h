// How faultline's threads sleep: in poll() on descriptors, never on a timer they do not need. A
// Wakeup is an eventfd that one thread, or a signal handler, rings to wake a thread waiting on it
// (a chunk queued, a stop, a signal); wait_readable() is the one wait of the inputs, on their own
// descriptors and the Wakeups they watch, until a deadline or for as long as it takes.
//
// A ring is kept until clear(), so none is lost between a thread's last look and its wait.
// Thread-safe; ring() is async-signal-safe.
#pragma once

#include <chrono>
#include <initializer_list>
#include <optional>

namespace faultline {

class Wakeup {
 public:
  Wakeup();  // aborts when no eventfd can be made (out of descriptors at startup)
  ~Wakeup();
  Wakeup(const Wakeup&) = delete;
  Wakeup& operator=(const Wakeup&) = delete;

  // Readable from the first ring() until clear().
  int fd() const { return fd_; }
  void ring() const noexcept;
  // True when it had been rung since the last clear().
  bool clear() const noexcept;

 private:
  int fd_;
};

// Waits until one of `fds` is readable (entries of -1 are ignored), `timeout` has passed
// (nullopt: no limit) or a signal interrupts the wait. Returns the index in `fds` of the first
// readable one (hung up or in error counts as readable: the read says what happened), or -1.
int wait_readable(std::initializer_list<int> fds, std::optional<std::chrono::milliseconds> timeout);

// The shorter of two timeouts, nullopt being no limit.
std::optional<std::chrono::milliseconds> earliest(std::optional<std::chrono::milliseconds> a,
                                                  std::optional<std::chrono::milliseconds> b);

}  // namespace faultline
