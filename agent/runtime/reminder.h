// Says a lasting problem again on stderr every `interval` until destroyed, from a thread of its
// own, so that a busy or a silent input alike keeps the operator told (a `pipe` whose events go
// nowhere can run for months). The message is built each time: it may carry a count.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace faultline::runtime {

class Reminder {
 public:
  Reminder(std::chrono::milliseconds interval, std::function<std::string()> message);
  ~Reminder();
  Reminder(const Reminder&) = delete;
  Reminder& operator=(const Reminder&) = delete;

 private:
  void loop();

  const std::chrono::milliseconds interval_;
  const std::function<std::string()> message_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace faultline::runtime
