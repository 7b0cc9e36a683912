// Calls `tick` every `interval` from a thread of its own until destroyed: the reminders of a
// lasting problem, the stats summary line. On its own thread so that a busy input and a silent
// one alike get them on time (a `pipe` whose events go nowhere can run for months).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace faultline::runtime {

class Periodic {
 public:
  Periodic(std::chrono::milliseconds interval, std::function<void()> tick);
  ~Periodic();
  Periodic(const Periodic&) = delete;
  Periodic& operator=(const Periodic&) = delete;

 private:
  void loop();

  const std::chrono::milliseconds interval_;
  const std::function<void()> tick_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace faultline::runtime
