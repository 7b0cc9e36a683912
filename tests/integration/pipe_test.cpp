#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "parsers/json.h"
#include "support/process.h"

using namespace faultline::test;

namespace {

bool cmp(const std::string& a, const std::string& b) {
  return run("/usr/bin/cmp", {.args = {"-s", a, b}}).exit_code == 0;
}

}  // namespace

TEST_CASE("pipe: stdout is byte-identical to stdin, whatever stdin holds", "[pipe]") {
  TempDir dir;
  std::string input = read_file(data_dir() + "/pino/a-default.ndjson");
  input += "plain console output\r\n";
  input += std::string("\0\x01\xff\xfe binary\n", 13);
  input += "{\"level\":50,\"msg\":\"" + std::string(2 << 20, 'x') + "\"}\n";  // over the 1 MiB cap
  input += read_file(data_dir() + "/pino/e-edge-cases.ndjson");
  input += "{\"level\":50,\"msg\":\"last line without a newline\"}";
  const std::string in_path = dir.write("in.bin", input);
  const std::string out_path = dir.file("out.bin");
  RunResult r = run_faultline({.args = {"pipe"}, .stdin_file = in_path, .stdout_file = out_path});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(cmp(in_path, out_path));
}

TEST_CASE("pipe: every pending event is emitted when stdin closes", "[pipe]") {
  TempDir dir;
  // An error whose request never completes is held for the hold window (5 s by default); stdin
  // closing must not lose it.
  const std::string input =
      "{\"level\":30,\"time\":1795502011075,\"req\":{\"id\":1},\"msg\":\"start\"}\n"
      "{\"level\":50,\"time\":1795502011076,\"req\":{\"id\":1},\"err\":{\"type\":\"Error\","
      "\"message\":\"the app's last words\",\"stack\":\"Error: x\\n    at a (/app/a.js:1:1)\"},"
      "\"msg\":\"failed\"}\n";
  const std::string events = dir.file("events.ndjson");
  RunResult r = run_faultline({.args = {"pipe", "--events", events}, .stdin_data = input});
  CHECK(r.exit_code == 0);
  CHECK(r.out == input);
  const auto lines = read_lines(events);
  REQUIRE(lines.size() == 1);
  auto event = faultline::json::parse(lines[0]);
  REQUIRE(event.ok());
  CHECK(event->find_path("breadcrumbs.values") != nullptr);
}

TEST_CASE("pipe: a closed stdout does not stop faultline from reading stdin", "[pipe]") {
  // `faultline pipe | head -1`: once head exits, writes fail with EPIPE; faultline must keep
  // draining stdin (so the app never blocks) and still emit the events.
  TempDir dir;
  std::string input;
  for (int i = 0; i < 20000; ++i) {
    input +=
        "{\"level\":30,\"time\":1795502011075,\"msg\":\"filler line " + std::to_string(i) + "\"}\n";
  }
  input += "{\"level\":60,\"time\":1795502011099,\"msg\":\"fatal at the end\"}\n";
  const std::string in_path = dir.write("in.ndjson", input);
  const std::string events = dir.file("events.ndjson");
  const std::string script = "\"" + faultline_binary() + "\" pipe --events \"" + events +
                             "\" < \"" + in_path + "\" | head -c 10 > /dev/null";
  RunResult r = run("/bin/sh", {.args = {"-c", script}});
  CHECK(r.exit_code == 0);
  CHECK(read_lines(events).size() == 1);
}

TEST_CASE("pipe: the --events file is created 0600 whatever the umask", "[pipe]") {
  TempDir dir;
  const std::string events = dir.file("events.ndjson");
  const std::string script =
      "umask 000; exec \"" + faultline_binary() + "\" pipe --events \"" + events + "\" > /dev/null";
  RunResult r = run("/bin/sh", {.args = {"-c", script},
                                .stdin_data = "{\"level\":60,\"time\":1,\"msg\":\"fatal\"}\n"});
  CHECK(r.exit_code == 0);
  struct stat st {};
  REQUIRE(::stat(events.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0600);
  CHECK(read_lines(events).size() == 1);
}

TEST_CASE("pipe: after SIGTERM the last lines of the app are still read, passed and reported",
          "[pipe]") {
  // systemd's KillMode=control-group and Ctrl-C signal the app and faultline together; the app
  // then logs its fatal line and exits. faultline must not have stopped reading by then.
  TempDir dir;
  const std::string events = dir.file("events.ndjson");
  Spawned p(faultline_binary(), {.args = {"pipe", "--events", events}, .stdin_pipe = true});
  const std::string first = "{\"level\":30,\"time\":1795502011075,\"msg\":\"serving\"}\n";
  REQUIRE(p.write_stdin(first));
  REQUIRE(p.wait_for_out(first.size(), std::chrono::seconds(30)));
  p.signal(SIGTERM);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const std::string last =
      "{\"level\":60,\"time\":1795502011999,\"err\":{\"type\":\"Error\",\"message\":\"shutting "
      "down\",\"stack\":\"Error: shutting down\\n    at exit (/app/a.js:9:9)\"},\"msg\":\"fatal "
      "on SIGTERM\"}\n";
  REQUIRE(p.write_stdin(last));
  p.close_stdin();
  RunResult r = p.wait(std::chrono::seconds(60));
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == first + last);
  const auto lines = read_lines(events);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("shutting down") != std::string::npos);
}
