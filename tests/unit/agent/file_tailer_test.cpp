// FileTailer while its files are quiet: it sleeps until inotify reports a write, the sink's
// deadline or wake-up, or one of its own timers that has work. (Rotation, copytruncate and
// restarts are tested on the real binary, tests/integration/tail_test.cpp.)
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "agent/inputs/file_tailer.h"
#include "input_recorder.h"

using namespace faultline;
using namespace std::chrono_literals;
using test::InputRecorder;
using test::wait_until;

TEST_CASE("file tailer: a quiet file wakes nothing - a write does, through inotify",
          "[tail][idle]") {
  std::string dir = "/tmp/faultline-tail-XXXXXX";
  REQUIRE(::mkdtemp(dir.data()) != nullptr);
  std::filesystem::create_directories(dir + "/logs");
  std::filesystem::create_directories(dir + "/state");  // the runtime makes it
  const std::string log = dir + "/logs/app.log";
  const auto append = [&](const std::string& line) {
    std::ofstream(log, std::ios::app | std::ios::binary) << line << "\n";
  };
  append("{\"level\":30,\"msg\":\"before\"}");

  TailSpec spec;
  spec.globs = {dir + "/logs/*.log"};
  spec.start_at_end = false;
  TailOptions o;
  o.specs.push_back(spec);
  o.state_dir = dir + "/state";
  o.checkpoint_interval = 20ms;  // saved soon after the first line, then nothing moves
  InputRecorder sink;
  std::atomic<bool> stop{false};
  int idles_before = -1;
  int idles_after = -1;
  std::thread app([&] {
    wait_until([&] { return sink.lines_seen >= 1; });
    std::this_thread::sleep_for(100ms);  // the first turns and the checkpoint save are over
    idles_before = sink.idles;
    std::this_thread::sleep_for(300ms);  // what a timer of the tailer's own would show
    idles_after = sink.idles;
    append("{\"level\":30,\"msg\":\"after\"}");
    wait_until([&] { return sink.lines_seen >= 2; });
    stop = true;
    sink.wakeup.ring();
  });
  {
    FileTailer tailer(o);
    REQUIRE(tailer.run(sink, stop).ok());
  }
  app.join();
  CHECK(idles_before == idles_after);
  CHECK(sink.lines[log] == std::vector<std::string>{R"({"level":30,"msg":"before"})",
                                                    R"({"level":30,"msg":"after"})"});
  CHECK(std::filesystem::exists(dir + "/state/checkpoints.json"));
  std::filesystem::remove_all(dir);
}
