#include <catch2/catch.hpp>

#include "support/process.h"

using namespace faultline::test;

TEST_CASE("cli: version names faultline, the git revision and the libraries", "[cli]") {
  RunResult r = run_faultline({.args = {"version"}});
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("faultline 0.", 0) == 0);
  CHECK(r.out.find("(git ") != std::string::npos);
  for (const char* lib : {"simdjson", "libcurl", "OpenSSL", "zlib", "yaml-cpp", "RE2", "CLI11",
                          "cpp-httplib", "libsystemd"}) {
    CHECK(r.out.find(lib) != std::string::npos);
  }
}

TEST_CASE("cli: usage errors exit 2", "[cli]") {
  CHECK(run_faultline({.args = {}}).exit_code == 2);
  CHECK(run_faultline({.args = {"frobnicate"}}).exit_code == 2);
  CHECK(run_faultline({.args = {"replay"}}).exit_code == 2);  // needs an input
  CHECK(run_faultline({.args = {"replay", "--bogus", "x"}}).exit_code == 2);
}

TEST_CASE("cli: --help documents the exit codes", "[cli]") {
  RunResult r = run_faultline({.args = {"--help"}});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Exit codes: 0 success, 1 runtime failure") != std::string::npos);
}

TEST_CASE("cli: check accepts config.example.yaml and the built-in defaults", "[cli]") {
  RunResult r = run_faultline({.args = {"check", "-c", source_dir() + "/config.example.yaml"}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.rfind("config ok", 0) == 0);
  RunResult d = run_faultline({.args = {"check"}});
  CHECK(d.exit_code == 0);
  CHECK(d.out.rfind("config ok: built-in defaults", 0) == 0);
}

TEST_CASE("cli: a bad config exits 2 with file:line:col before touching any input", "[cli]") {
  TempDir dir;
  const std::string config = dir.write("faultline.yaml", "correlation:\n  hold: five\n");
  const std::string input = dir.write("app.log", R"({"level":50,"time":1,"msg":"x"})"
                                                 "\n");
  for (const char* command : {"check", "replay", "pipe", "run"}) {
    RunOptions options{.args = {command, "-c", config}};
    if (std::string(command) == "replay") options.args.push_back(input);
    options.stdin_data = R"({"level":50,"msg":"must not be passed through"})"
                         "\n";
    RunResult r = run_faultline(options);
    INFO(command);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(config + ":2:9: correlation.hold: expected a duration like \"5s\", got "
                              "\"five\"") != std::string::npos);
    CHECK(r.out.empty());
  }
}

TEST_CASE("cli: a missing config file is a configuration error", "[cli]") {
  RunResult r = run_faultline({.args = {"check", "-c", "/nonexistent/faultline.yaml"}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("/nonexistent/faultline.yaml: cannot read config file") != std::string::npos);
}

TEST_CASE("cli: run says clearly that the daemon is not there yet", "[cli]") {
  RunResult r = run_faultline({.args = {"run"}});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("not in this version yet") != std::string::npos);
}

TEST_CASE("cli: an unreadable input is a runtime failure, the others are still read", "[cli]") {
  TempDir dir;
  const std::string good =
      dir.write("good.log", R"({"level":50,"time":1795502011075,"msg":"still read"})"
                            "\n");
  RunResult r = run_faultline({.args = {"replay", "--print", dir.file("missing.log"), good}});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("missing.log: cannot open") != std::string::npos);
  CHECK(split_lines(r.out).size() == 1);
}
