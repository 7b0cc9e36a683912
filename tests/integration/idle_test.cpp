// An idle faultline sleeps in the kernel until a line, a timer it needs or a signal arrives
// (docs/operations.md, "When faultline wakes up"): `pipe` on a silent stdin, `run` on a file that
// receives nothing, `exec` of an app that writes nothing. Counted, not timed: every thread's
// voluntary context switches (/proc/PID/task/*/status), one per wake-up, over 2 s of silence
// must stay within a few; a timer of a thread's own (the 200-250 ms ticks they had) makes about
// twenty. Each case then shows faultline still awake to a line and to a stop.
#include <signal.h>
#include <sys/types.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "support/ports.h"
#include "support/process.h"

using namespace faultline::test;
using namespace std::chrono_literals;

namespace {

constexpr uint64_t kMaxWakeups = 4;

// The voluntary context switches of every thread of `pid` so far.
uint64_t wakeups(pid_t pid) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& task :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", ec)) {
    std::ifstream status(task.path() / "status");
    std::string line;
    constexpr std::string_view kKey = "voluntary_ctxt_switches:";
    while (std::getline(status, line)) {
      if (line.rfind(kKey, 0) == 0) total += std::stoull(line.substr(kKey.size()));
    }
  }
  return total;
}

// Waits `settle` for what the first line set going to end (its acknowledgement, a checkpoint's
// save), checks that 2 s of silence wake `p` a few times at most, runs `more` (another line, which
// must still be read at once), then stops `p` with SIGTERM. Returns how it ended.
RunResult sleeps_until_woken(Spawned& p, std::chrono::milliseconds settle,
                             const std::function<void()>& more) {
  std::this_thread::sleep_for(settle);
  const uint64_t before = wakeups(p.pid());
  std::this_thread::sleep_for(2s);
  const uint64_t woken = wakeups(p.pid()) - before;
  CHECK(woken <= kMaxWakeups);
  more();
  p.signal(SIGTERM);
  return p.wait(60s);
}

// Delivery on (a DSN nothing answers: its sender thread is there too), the spool and the state
// in `dir`, a short stop.
std::string config_in(const TempDir& dir, const std::string& extra = "") {
  return dir.write("c.yaml", "state:\n  dir: " + dir.file("state") +
                                 "\ndelivery:\n  shutdown_grace: 100ms\n" + extra);
}

std::string dsn() {
  return "http://key@127.0.0.1:" + std::to_string(unused_port()) + "/1";
}

const std::string kLine = "{\"level\":30,\"msg\":\"ready\"}\n";

}  // namespace

TEST_CASE("idle: pipe on a silent stdin wakes only for a line or a signal", "[idle][pipe]") {
  TempDir dir;
  Spawned p(faultline_binary(), {.args = {"pipe", "-c", config_in(dir)},
                                 .env = {{"SENTRY_DSN", dsn()}, {"HOME", dir.path()}},
                                 .stdin_pipe = true});
  REQUIRE(p.write_stdin(kLine));
  REQUIRE(p.wait_for_out(kLine.size(), 30s));
  const RunResult r = sleeps_until_woken(p, 200ms, [&] {
    REQUIRE(p.write_stdin(kLine));
    REQUIRE(p.wait_for_out(2 * kLine.size(), 30s));
  });  // stdin stays open: the stop alone ends it, after its grace
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("idle: run on a file that receives nothing wakes only for a write or a signal",
          "[idle][tail]") {
  TempDir dir;
  std::filesystem::create_directories(dir.file("logs"));
  const std::string log = dir.file("logs/app.log");
  const std::string events = dir.file("events.ndjson");
  const auto error_line = [](const std::string& message) {
    return "{\"level\":50,\"err\":{\"type\":\"Error\",\"message\":\"" + message +
           "\",\"stack\":\"Error: " + message + "\\n    at f (/app/a.js:1:1)\"},\"msg\":\"" +
           message + "\"}\n";
  };
  const auto events_written = [&](size_t n) {
    for (int i = 0; i < 3000 && read_lines(events).size() < n; ++i) {
      std::this_thread::sleep_for(10ms);
    }
    return read_lines(events).size() >= n;
  };
  std::ofstream(log) << "";
  const std::string config = config_in(
      dir, "inputs:\n  - path: " + dir.file("logs/*.log") + "\n    start_at: beginning\n");
  Spawned p(faultline_binary(), {.args = {"run", "-c", config, "--events", events},
                                 .env = {{"SENTRY_DSN", dsn()}, {"HOME", dir.path()}}});
  std::ofstream(log, std::ios::app) << error_line("first");
  REQUIRE(events_written(1));
  // Its event settles (the spool writer's fsync) and its checkpoint is saved within a second of
  // it; delivery's retries of the unanswered DSN back off (1 s, 2 s, 4 s, ...).
  const RunResult r = sleeps_until_woken(p, 1200ms, [&] {
    std::ofstream(log, std::ios::app) << error_line("second");
    REQUIRE(events_written(2));
  });
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("idle: exec of a silent app wakes only for its output, its exit or a signal",
          "[idle][exec]") {
  TempDir dir;
  Spawned p(faultline_binary(), {.args = {"exec", "-c", config_in(dir), "--", "sh", "-c",
                                          "echo ready; read line; echo \"$line\"; exec sleep 30"},
                                 .env = {{"SENTRY_DSN", dsn()}, {"HOME", dir.path()}},
                                 .stdin_pipe = true});
  REQUIRE(p.wait_for_out(6, 30s));
  // SIGTERM is forwarded: the app's exit ends the run.
  const RunResult r = sleeps_until_woken(p, 200ms, [&] {
    REQUIRE(p.write_stdin("again\n"));  // the app's stdin is faultline's
    REQUIRE(p.wait_for_out(12, 30s));
  });
  INFO(r.err);
  CHECK(r.out == "ready\nagain\n");
  CHECK(r.exit_code == 128 + SIGTERM);
}
