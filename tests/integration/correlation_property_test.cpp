// Property: the interleaving of concurrent requests does not change which events come out.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>

#include "parsers/json.h"
#include "support/process.h"

using namespace faultline::test;

namespace {

// Each event without the fields that depend on where its line sits in the file.
std::vector<std::string> normalized_events(const std::string& out) {
  std::vector<std::string> events;
  for (const std::string& line : split_lines(out)) {
    auto v = faultline::json::parse(line);
    REQUIRE(v.ok());
    v->as_object().erase("event_id");
    if (auto* trace = v->find("contexts") ? v->find("contexts")->find("trace") : nullptr) {
      trace->as_object().erase("span_id");  // derived from the event id when the log has none
    }
    events.push_back(faultline::json::to_string(*v));
  }
  std::sort(events.begin(), events.end());
  return events;
}

// The scope a line belongs to: its request, its job, or (for the rest) one shared sequence.
std::string scope_of(const std::string& line) {
  auto v = faultline::json::parse(line);
  REQUIRE(v.ok());
  if (const auto* job = v->find("jobId")) return "job:" + faultline::json::to_string(*job);
  if (const auto* id = v->find_path("req.id")) return "req:" + faultline::json::to_string(*id);
  return "rest";
}

}  // namespace

TEST_CASE("correlation: shuffling lines between requests does not change the events",
          "[correlation][property]") {
  const std::string fixture = data_dir() + "/pino/a-default.ndjson";
  const std::vector<std::string> lines = read_lines(fixture);
  std::map<std::string, std::vector<std::string>> scopes;
  std::vector<std::string> order;
  for (const std::string& line : lines) {
    const std::string scope = scope_of(line);
    if (scopes.find(scope) == scopes.end()) order.push_back(scope);
    scopes[scope].push_back(line);
  }
  RunResult original = run_faultline({.args = {"replay", "--print", fixture}});
  REQUIRE(original.exit_code == 0);
  const std::vector<std::string> expected = normalized_events(original.out);
  REQUIRE(!expected.empty());

  TempDir dir;
  for (uint32_t seed : {1u, 2u, 3u, 4u, 5u}) {
    std::mt19937 rng(seed);
    std::map<std::string, size_t> next;
    std::vector<std::string> pending = order;
    std::string shuffled;
    while (!pending.empty()) {
      std::uniform_int_distribution<size_t> pick(0, pending.size() - 1);
      const size_t i = pick(rng);
      const std::string& scope = pending[i];
      shuffled += scopes[scope][next[scope]++] + "\n";
      if (next[scope] == scopes[scope].size()) pending.erase(pending.begin() + i);
    }
    REQUIRE(shuffled.size() == read_file(fixture).size());
    const std::string path = dir.write("shuffled-" + std::to_string(seed) + ".ndjson", shuffled);
    RunResult r = run_faultline({.args = {"replay", "--print", path}});
    REQUIRE(r.exit_code == 0);
    INFO("seed " << seed);
    CHECK(normalized_events(r.out) == expected);
  }
}
