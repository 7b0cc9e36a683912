#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/self_log.h"

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

TEST_CASE("cli: replay --timeout takes a number of seconds above 0, nothing else", "[cli]") {
  for (const char* bad : {"-1", "0", "nan", "inf", "abc", "1e99"}) {
    INFO(bad);
    RunResult r = run_faultline({.args = {"replay", "--timeout", bad, "-"}, .stdin_data = ""});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--timeout: expected a number of seconds greater than 0") !=
          std::string::npos);
  }
  RunResult ok = run_faultline({.args = {"replay", "--timeout", "2.5", "-"}, .stdin_data = ""});
  CHECK(ok.exit_code == 0);
}

TEST_CASE("cli: --log-level and -v override log.level on every command", "[cli]") {
  for (const char* command : {"check", "replay", "pipe", "run", "exec"}) {
    INFO(command);
    RunResult r = run_faultline({.args = {command, "--log-level", "loud", "-"}});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--log-level: loud not in {debug,info,warn,error}") != std::string::npos);
  }
  const std::string input = R"({"level":50,"time":1,"msg":"x"})"
                            "\n";
  RunResult quiet = run_faultline(
      {.args = {"replay", "--log-level", "error", "--print", "-"}, .stdin_data = input});
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());  // not even the summary line
  RunResult usual = run_faultline({.args = {"replay", "--print", "-"}, .stdin_data = input});
  CHECK(usual.err.find("faultline: info: replay:") != std::string::npos);
  RunResult verbose = run_faultline({.args = {"check", "-v"}});
  CHECK(verbose.exit_code == 0);
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

TEST_CASE("cli: a bad config exits 2 with file:line:col, and only pipe still passes stdin through",
          "[cli]") {
  TempDir dir;
  const std::string config = dir.write("faultline.yaml", "correlation:\n  hold: five\n");
  const std::string input = dir.write("app.log", R"({"level":50,"time":1,"msg":"x"})"
                                                 "\n");
  for (const char* command : {"check", "replay", "pipe", "run"}) {
    RunOptions options{.args = {command, "-c", config}};
    if (std::string(command) == "replay") options.args.push_back(input);
    const std::string app_output = R"({"level":50,"msg":"the app's own output"})"
                                   "\n";
    options.stdin_data = app_output;
    RunResult r = run_faultline(options);
    INFO(command);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(config + ":2:9: correlation.hold: expected a duration like \"5s\", "
                              "\"250ms\" or \"1.5m\", got \"five\"") != std::string::npos);
    // Fail open: the app's output matters more than faultline's events.
    CHECK(r.out == (std::string(command) == "pipe" ? app_output : ""));
  }
}

TEST_CASE("cli: a missing config file is a configuration error", "[cli]") {
  RunResult r = run_faultline({.args = {"check", "-c", "/nonexistent/faultline.yaml"}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("/nonexistent/faultline.yaml: cannot read config file") != std::string::npos);
}

TEST_CASE("cli: run without inputs says how to configure them", "[cli]") {
  RunResult r = run_faultline({.args = {"run"}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no inputs configured") != std::string::npos);
  CHECK(r.err.find("faultline pipe") != std::string::npos);
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

// --- Configuration errors: each is exit 2 with file:line:col, within a second, before any input.

namespace {

// Runs `faultline check -c FILE`. Its deadline only guards against a hang: how fast a refusal
// is belongs in bench/, and the caps (size, values) are what keep it fast.
struct Checked {
  RunResult r;
};

Checked check_config(const std::string& path) {
  return {run_faultline({.args = {"check", "-c", path}, .timeout = std::chrono::seconds(30)})};
}

// Nine levels of nine aliases ("billion laughs"): one line per level at `indent`, as list items.
std::string laughs(const std::string& indent) {
  std::string out;
  for (int level = 0; level < 9; ++level) {
    out += indent + "- &a" + std::to_string(level) + " [";
    for (int i = 0; i < 9; ++i) {
      if (i) out += ", ";
      out += level == 0 ? "lol" : "*a" + std::to_string(level - 1);
    }
    out += "]\n";
  }
  return out;
}

}  // namespace

TEST_CASE("cli: a directory given as the config is an error, not \"config ok\"", "[cli]") {
  TempDir dir;
  Checked c = check_config(dir.path());
  CHECK(c.r.exit_code == 2);
  CHECK(c.r.err.find(dir.path() + ": is a directory") != std::string::npos);
  CHECK(c.r.out.find("config ok") == std::string::npos);
}

TEST_CASE("cli: an unclosed quote is reported at the quote", "[cli]") {
  TempDir dir;
  const std::string config =
      dir.write("faultline.yaml",
                "sentry:\n  release: \"shop@1\n  environment: staging\nlog:\n  level: info\n");
  Checked c = check_config(config);
  CHECK(c.r.exit_code == 2);
  CHECK(c.r.err.find(config + ":2:12: sentry.release: this \" is not closed on its line") !=
        std::string::npos);
}

TEST_CASE("cli: a self-referencing alias is an error, not a crash", "[cli]") {
  TempDir dir;
  const std::string config = dir.write("faultline.yaml", "a: &a [*a]\n");
  Checked c = check_config(config);
  CHECK(c.r.signal == 0);
  CHECK(c.r.exit_code == 2);
  CHECK(c.r.err.find(config + ":1:8: a[0]: alias *a is inside the node it names") !=
        std::string::npos);
}

TEST_CASE("cli: alias bombs are refused within a second, wherever they are", "[cli]") {
  TempDir dir;
  const std::string where[] = {
      "bomb:\n" + laughs("  "),
      "rules:\n  list:\n" + laughs("    "),
      "rules:\n  presets: []\n  list:\n    - drop: bomb\n      when:\n        any:\n" +
          laughs("          "),
  };
  for (const std::string& text : where) {
    INFO(text);
    const std::string config = dir.write("faultline.yaml", text);
    Checked c = check_config(config);
    CHECK_FALSE(c.r.timed_out);
    CHECK(c.r.exit_code == 2);
    CHECK(c.r.err.find(config + ":") != std::string::npos);
    CHECK(c.r.err.find("more than 100000 values") != std::string::npos);
  }
}

TEST_CASE("cli: a second YAML document is an error at its ---", "[cli]") {
  TempDir dir;
  const std::string config =
      dir.write("faultline.yaml", "log:\n  level: info\n---\nlog:\n  level: debug\n");
  Checked c = check_config(config);
  CHECK(c.r.exit_code == 2);
  CHECK(c.r.err.find(config + ":3:1: a second YAML document starts here") != std::string::npos);
}

TEST_CASE("cli: a 50 MB config is refused at once, naming its size and the cap", "[cli]") {
  TempDir dir;
  std::string text = "inputs:\n";
  text.reserve(50 * 1024 * 1024 + 64);
  while (text.size() < 50 * 1024 * 1024) text += "  - {path: /var/log/app.log}\n";
  const std::string config = dir.write("faultline.yaml", text);
  Checked c = check_config(config);
  CHECK(c.r.exit_code == 2);
  CHECK(c.r.err.find(config + ": the file is " + std::to_string(text.size()) +
                     " bytes; a configuration file may be at most 1MiB") != std::string::npos);
}

TEST_CASE("cli: release and proxy errors have positions and never echo a secret", "[cli]") {
  TempDir dir;
  const std::string config = dir.write(
      "faultline.yaml",
      "sentry:\n  release: https://s3cr3tk3y@o1.ingest.sentry.io/42\n  release_file: /tmp\n"
      "delivery:\n  proxy: \"notaurl x\"\n");
  Checked c = check_config(config);
  CHECK(c.r.exit_code == 2);
  CHECK(c.r.err.find("s3cr3tk3y") == std::string::npos);
  CHECK(c.r.err.find(config + ":2:12: sentry.release: a release must not contain") !=
        std::string::npos);
  CHECK(c.r.err.find(config + ":5:10: delivery.proxy: expected a proxy URL") != std::string::npos);
  const std::string release_dir =
      dir.write("release-dir.yaml", "sentry:\n  release_file: " + dir.path() + "\n");
  Checked d = check_config(release_dir);
  CHECK(d.r.exit_code == 2);
  CHECK(d.r.err.find(release_dir + ":2:17: sentry.release_file: cannot read " + dir.path() +
                     ": is a directory") != std::string::npos);
}

TEST_CASE("cli: replay without a file says what to give", "[cli]") {
  RunResult r = run_faultline({.args = {"replay"}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("replay: give one or more files, or - for stdin") != std::string::npos);
  CHECK(r.err.find("inputs is required") == std::string::npos);
}

// faultline's own log: JSON lines where a program reads stderr, text where a person does.
TEST_CASE("cli: self-logs are JSON lines off a terminal, text on one or with log.format: text",
          "[cli]") {
  TempDir dir;
  const std::string input = R"({"level":50,"time":1795502011000,"msg":"boom \"quoted\""})"
                            "\n";
  const std::string file = dir.write("app.log", input);
  RunResult json = run_faultline({.args = {"replay", "--print", file}});
  REQUIRE(json.exit_code == 0);
  const std::vector<std::string> lines = split_lines(json.err_raw);
  REQUIRE_FALSE(lines.empty());
  for (const std::string& line : lines) {
    INFO(line);
    std::string text;
    CHECK(self_log_as_text(line, text));
    // {"time":"2026-12-05T09:32:01.123Z",...}: UTC with milliseconds.
    CHECK(line.size() > 34);
    CHECK(line.substr(32, 2) == "Z\"");
    CHECK(line[28] == '.');
  }
  CHECK(json.err_raw.find(R"("level":"info","msg":"replay: 1 lines read)") != std::string::npos);

  const std::string text_config = dir.write("text.yaml", "log:\n  format: text\n");
  RunResult text = run_faultline({.args = {"replay", "--print", "-c", text_config, file}});
  REQUIRE(text.exit_code == 0);
  CHECK(text.err_raw.rfind("faultline: info: replay: 1 lines read", 0) == 0);

  // On a terminal (script(1) gives the command a pty for its stdin, stdout and stderr).
  RunResult tty = run(
      "/usr/bin/script",
      {.args = {"-q", "-e", "-c", faultline_binary() + " replay --print " + file, "/dev/null"}});
  CHECK(tty.exit_code == 0);
  INFO(tty.out);
  CHECK(tty.out.find("faultline: info: replay: 1 lines read") != std::string::npos);
  CHECK(tty.out.find(R"({"time":)") == std::string::npos);
}
