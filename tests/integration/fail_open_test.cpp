// `pipe` fails open: whatever goes wrong inside faultline (its configuration, its DSN, its spool or
// state directory, a pipeline that falls behind), every byte of stdin reaches stdout unchanged,
// and the trouble is said on stderr and in the exit status.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "support/process.h"
#include "support/receiver.h"

using namespace faultline::test;
using namespace std::chrono_literals;
using faultline::testing::Receiver;

namespace {

bool cmp(const std::string& a, const std::string& b) {
  return run("/usr/bin/cmp", {.args = {"-s", a, b}}).exit_code == 0;
}

// The app's output: pino lines with errors, console text, binary bytes, no final newline.
std::string app_output() {
  std::string s;
  for (int i = 0; i < 2000; ++i) {
    s +=
        R"({"level":50,"time":1795502011000,"pid":1,"hostname":"h","err":{"type":"TypeError","message":"boom )" +
        std::to_string(i) +
        R"J(","stack":"TypeError: boom\n    at f (/app/x.js:1:1)"},"msg":"boom"})J" + "\n";
    if (i % 100 == 0) s += "console text " + std::to_string(i) + "\r\n";
  }
  s += std::string("\0\x01\xff\xfe binary", 11);
  return s;
}

RunResult pipe_with(const TempDir& dir, const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env) {
  const std::string in = dir.write("in.bin", app_output());
  RunOptions options{
      .args = args, .env = env, .stdin_file = in, .stdout_file = dir.file("out.bin")};
  RunResult r = run_faultline(options);
  INFO(r.err);
  CHECK(cmp(in, dir.file("out.bin")));
  return r;
}

// A config whose state.dir cannot be made (a path under a file), with `extra` YAML appended.
std::string unusable_state_config(const TempDir& dir, const std::string& extra = "") {
  const std::string not_a_dir = dir.write("file", "x");
  return dir.write("c.yaml", "state:\n  dir: " + not_a_dir + "/state\n" + extra);
}

}  // namespace

TEST_CASE("fail open: a malformed DSN still passes every byte, and exits 2", "[fail_open]") {
  TempDir dir;
  RunResult r = pipe_with(dir, {"pipe"}, {{"SENTRY_DSN", "not a dsn"}, {"HOME", dir.path()}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("invalid DSN") != std::string::npos);
  CHECK(r.err.find("passing stdin through unchanged") != std::string::npos);
}

TEST_CASE("fail open: a broken config file still passes every byte, and exits 2", "[fail_open]") {
  TempDir dir;
  const std::string config = dir.write("bad.yaml", "release: \"shop@1\nfoo: 1\n");
  RunResult r = pipe_with(dir, {"pipe", "-c", config}, {{"HOME", dir.path()}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(config + ":1:") != std::string::npos);
}

TEST_CASE("fail open: an unusable state directory still passes every byte, and exits 1",
          "[fail_open]") {
  TempDir dir;
  // Nothing listens at the DSN: a short grace, so the pipe does not wait on it after EOF.
  const std::string config = unusable_state_config(dir, "delivery:\n  shutdown_grace: 100ms\n");
  RunResult r = pipe_with(dir, {"pipe", "-c", config},
                          {{"SENTRY_DSN", "https://key@127.0.0.1:9/1"}, {"HOME", dir.path()}});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("passing stdin through and sending events through a temporary spool") !=
        std::string::npos);
  CHECK(r.err.find("events not sent are lost with the temporary spool") != std::string::npos);
  // The DSN's key never appears in faultline's own messages.
  CHECK(r.err.find("key@") == std::string::npos);
}

TEST_CASE("fail open: with the state directory unusable, events still reach Sentry from memory",
          "[fail_open]") {
  TempDir dir;
  Receiver rx;
  const std::string config = unusable_state_config(dir);
  std::string input;
  for (int i = 0; i < 20; ++i) {
    input += R"({"level":50,"time":1795502011000,"err":{"type":"Error","message":"failure )" +
             std::to_string(i) + R"("},"msg":"failed"})" + "\n";
  }
  RunResult r = run_faultline({.args = {"pipe", "-c", config},
                               .env = {{"SENTRY_DSN", rx.dsn()}, {"HOME", dir.path()}},
                               .stdin_data = input});
  INFO(r.err);
  CHECK(r.out == input);
  CHECK(r.exit_code == 1);  // the state directory is still a problem to fix
  CHECK(rx.accepted_event_ids().size() == 20);
  CHECK(r.err.find("0 events not sent are lost with the temporary spool") != std::string::npos);
  CHECK(r.err.find("0123456789abcdef0123456789abcdef") == std::string::npos);  // the DSN's key
}

TEST_CASE("fail open: while its delivery is degraded, pipe says so again every reminder_interval",
          "[fail_open]") {
  TempDir dir;
  const std::string config = unusable_state_config(dir, "log:\n  reminder_interval: 1s\n");
  Spawned pipe(faultline_binary(),
               {.args = {"pipe", "-c", config},
                .env = {{"SENTRY_DSN", "https://key@127.0.0.1:9/1"}, {"HOME", dir.path()}},
                .stdin_pipe = true});
  REQUIRE(pipe.write_stdin("{\"level\":30,\"msg\":\"hello\"}\n"));
  // Silent stdin: the reminder comes anyway, and again.
  const std::string reminder = "still sending through a temporary spool: cannot create";
  const auto said = [&] {
    const std::string err = pipe.err();
    size_t n = 0;
    for (size_t at = err.find(reminder); at != std::string::npos; at = err.find(reminder, at + 1))
      ++n;
    return n;
  };
  const auto give_up = std::chrono::steady_clock::now() + 60s;
  while (said() < 2 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(50ms);
  CHECK(said() >= 2);
  CHECK(pipe.err().find("(0 events so far)") != std::string::npos);
  pipe.close_stdin();
  RunResult r = pipe.wait(30s);
  CHECK(r.exit_code == 1);
}

TEST_CASE("fail open: a spool held by another faultline still passes every byte", "[fail_open]") {
  TempDir dir;
  const std::string config = dir.write(
      "c.yaml", "state:\n  dir: " + dir.file("state") + "\ndelivery:\n  shutdown_grace: 100ms\n");
  const std::map<std::string, std::string> env = {{"SENTRY_DSN", "https://key@127.0.0.1:9/1"},
                                                  {"HOME", dir.path()}};
  // The first holds the spool's lock while its stdin stays open.
  Spawned first(faultline_binary(),
                {.args = {"pipe", "-c", config}, .env = env, .stdin_pipe = true});
  REQUIRE(first.write_stdin("{\"level\":30,\"msg\":\"hello\"}\n"));
  REQUIRE(first.wait_for_out(1, std::chrono::seconds(20)));
  RunResult second = pipe_with(dir, {"pipe", "-c", config}, env);
  CHECK(second.exit_code == 1);
  CHECK(second.err.find("sending events through a temporary spool") != std::string::npos);
  CHECK(second.err.find("lost with the temporary spool") != std::string::npos);
  first.close_stdin();
  first.wait(std::chrono::seconds(30));
}

TEST_CASE("fail open: without a DSN, pipe says where SENTRY_DSN must be set", "[fail_open]") {
  TempDir dir;
  RunResult r = pipe_with(dir, {"pipe"}, {{"HOME", dir.path()}});
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("set SENTRY_DSN for faultline, not only for the app") != std::string::npos);
}

TEST_CASE("fail open: 100 MB with an error burst passes byte-identical", "[fail_open]") {
  TempDir dir;
  // Every line an error: the pipeline cannot keep up with a reader this fast, and must skip
  // (count) lines rather than hold back the copy.
  std::string block;
  for (int i = 0; i < 1000; ++i) {
    block += R"({"level":50,"time":1795502011000,"err":{"type":"Error","message":"burst )" +
             std::to_string(i) +
             R"J(","stack":"Error: burst\n    at f (/app/x.js:1:1)"},"msg":"burst"})J" + "\n";
  }
  std::string input;
  input.reserve(100u << 20);
  while (input.size() < (100u << 20)) input += block;
  const std::string in = dir.write("big.bin", input);
  input.clear();
  RunResult r = run_faultline({.args = {"pipe"},
                               .env = {{"HOME", dir.path()}},
                               .stdin_file = in,
                               .stdout_file = dir.file("big.out"),
                               .timeout = std::chrono::seconds(120)});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(cmp(in, dir.file("big.out")));
}
