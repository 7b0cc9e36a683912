// A LineSink for input tests, where the input runs on one thread and the test watches from
// another: it records each source's lines and what was closed, and counts the input's calls of
// on_idle(). Its wake-up stands for the runtime's (which a stop, a reload or SIGCHLD rings);
// `timed_idles` makes its first on_idle() calls due `deadline` apart, as a pipeline holding
// errors would, and nothing is due after them.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/inputs/line_sink.h"
#include "agent/inputs/wakeup.h"

namespace faultline::test {

class InputRecorder final : public LineSink {
 public:
  SourceId open_source(std::string name, std::string_view) override {
    names.push_back(std::move(name));
    return static_cast<SourceId>(names.size() - 1);
  }
  void on_line(SourceId source, const Line& line) override {
    lines[names[source]].emplace_back(line.text);
    ++lines_seen;
  }
  void close_source(SourceId source) override {
    closed.push_back(names[source]);
    ++closed_count;
  }
  void on_idle() override {
    wakeup.clear();
    ++idles;
  }
  std::optional<uint64_t> oldest_unsafe(SourceId) const override { return std::nullopt; }
  std::optional<std::chrono::milliseconds> idle_timeout() const override {
    if (idles < timed_idles) return deadline;
    return std::nullopt;
  }
  int wake_fd() const override { return wakeup.fd(); }

  // Read by the test's thread once the input returned.
  std::vector<std::string> names;
  std::map<std::string, std::vector<std::string>> lines;
  std::vector<std::string> closed;
  // Read by the test's thread while the input runs.
  Wakeup wakeup;
  std::atomic<int> lines_seen{0};
  std::atomic<int> closed_count{0};
  std::atomic<int> idles{0};
  // Set before the input runs.
  int timed_idles = 0;
  std::chrono::milliseconds deadline{10};
};

// Waits until `done()`, for 10 s at most (a CHECK after it then fails): the input's progress,
// seen from the test's thread.
template <typename Done>
void wait_until(Done done) {
  for (int i = 0; i < 2000 && !done(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

}  // namespace faultline::test
