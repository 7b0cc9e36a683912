// StreamInput over a pipe, as `pipe` reads stdin: while the stream is silent the input sleeps,
// woken only by the sink's deadline or wake-up (a signal), never by a timer of its own.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "agent/inputs/stream_input.h"
#include "input_recorder.h"

using namespace faultline;
using namespace std::chrono_literals;
using test::InputRecorder;
using test::wait_until;

namespace {

// The app's stdout: a pipe whose read end the input opens by path, as it opens a file.
struct AppPipe {
  int ends[2] = {-1, -1};
  AppPipe() { REQUIRE(::pipe2(ends, O_CLOEXEC) == 0); }
  ~AppPipe() {
    ::close(ends[0]);
    ::close(ends[1]);
  }
  std::string path() const { return "/proc/self/fd/" + std::to_string(ends[0]); }
  void put(const std::string& bytes) const {
    REQUIRE(::write(ends[1], bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  }
};

struct Outcome {
  int idles_while_silent = -1;
  int idles_at_end = -1;
  std::string lines;
};

// Runs `input` on this thread. The app writes one line, then nothing for 300 ms (what any timer
// of the input's own would show in on_idle() calls), then faultline is told to stop: a stop flag
// and the wake-up, as the runtime's signal handler does.
Outcome silent_then_stopped(StreamInput& input, InputRecorder& sink, const AppPipe& app,
                            int idles_before_silence) {
  std::atomic<bool> stop{false};
  Outcome outcome;
  std::thread signals([&] {
    app.put("{\"level\":30}\n");
    wait_until([&] { return sink.lines_seen >= 1 && sink.idles >= idles_before_silence; });
    std::this_thread::sleep_for(300ms);
    outcome.idles_while_silent = sink.idles;
    stop = true;
    sink.wakeup.ring();
  });
  REQUIRE(input.run(sink, stop).ok());
  signals.join();
  outcome.idles_at_end = sink.idles;
  for (const auto& [name, lines] : sink.lines) {
    for (const std::string& line : lines) outcome.lines += line + "\n";
  }
  return outcome;
}

}  // namespace

TEST_CASE("stream input: a silent stream with nothing due wakes nobody until a signal",
          "[stream_input][idle]") {
  // With a passthrough, as `pipe` reads stdin: the copy's thread sleeps too (the destructor's
  // wake-up ends it at once, or this test would hang in the join).
  AppPipe app;
  AppPipe out;
  InputRecorder sink;
  StreamInput input({.path = app.path(), .passthrough_fd = out.ends[1]});
  const Outcome o = silent_then_stopped(input, sink, app, 0);
  CHECK(o.lines == "{\"level\":30}\n");
  CHECK(o.idles_while_silent == 0);
  CHECK(o.idles_at_end == 1);  // the stop's wake-up
}

TEST_CASE("stream input: woken at each of the sink's deadlines, then not at all",
          "[stream_input][idle]") {
  // Without a passthrough, as `replay -` reads stdin.
  AppPipe app;
  InputRecorder sink;
  sink.timed_idles = 3;  // three deadlines 10 ms apart, then nothing is due
  StreamInput input({.path = app.path()});
  const Outcome o = silent_then_stopped(input, sink, app, 3);
  CHECK(o.lines == "{\"level\":30}\n");
  CHECK(o.idles_while_silent == 3);
  CHECK(o.idles_at_end == 4);
}
