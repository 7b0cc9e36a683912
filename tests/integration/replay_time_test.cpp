// replay is a function of its input: correlation runs on the records' time alone, so the same
// bytes give the same events and ids however fast (or with what pauses) they arrive.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "parsers/json.h"
#include "support/process.h"

using namespace faultline::test;

namespace {

std::multiset<std::string> event_ids(const std::string& out) {
  std::multiset<std::string> ids;
  for (const std::string& line : split_lines(out)) {
    auto event = faultline::json::parse(line);
    REQUIRE(event.ok());
    ids.insert(event->find("event_id")->as_string());
  }
  return ids;
}

}  // namespace

TEST_CASE("replay: a pause in the input changes no event", "[replay][time]") {
  // The fixture twice, as `cat a.ndjson a.ndjson | faultline replay --print -` reads it. Its
  // records span 1.6 s; with a hold window of 1 s, requests the first copy closed in its last
  // second are still known when the second copy starts, and its lines fold into them. If wall
  // time counted, a pause longer than the window (and than the input's idle tick of 250 ms)
  // would release and forget them, and the second copy would make other events.
  TempDir dir;
  const std::string config = dir.write("faultline.yaml", "correlation:\n  hold: 1s\n");
  const std::string bytes = read_file(data_dir() + "/pino/a-default.ndjson");
  const std::vector<std::string> args = {"replay", "-c", config, "--print", "-"};

  RunResult whole = run_faultline({.args = args, .stdin_data = bytes + bytes});
  INFO(whole.err);
  REQUIRE(whole.exit_code == 0);

  Spawned paused(faultline_binary(), {.args = args, .stdin_pipe = true});
  REQUIRE(paused.write_stdin(bytes));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  REQUIRE(paused.write_stdin(bytes));
  paused.close_stdin();
  RunResult r = paused.wait(std::chrono::seconds(60));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);

  const std::multiset<std::string> expected = event_ids(whole.out);
  CHECK_FALSE(expected.empty());
  CHECK(event_ids(r.out) == expected);
}
