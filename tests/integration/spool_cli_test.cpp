// `faultline spool status` and `faultline spool flush`: what a pipe left in the spool is seen, and
// sent, by an operator.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>

#include "support/ports.h"
#include "support/process.h"
#include "support/receiver.h"

using namespace faultline::test;
using namespace std::chrono_literals;
using faultline::testing::Receiver;

namespace {

std::string errors(int n) {
  std::string text;
  for (int i = 0; i < n; ++i) {
    text += R"({"level":50,"time":1795502011000,"err":{"type":"Error","message":"left )" +
            std::to_string(i) + R"("},"msg":"left"})" + "\n";
  }
  return text;
}

}  // namespace

TEST_CASE("spool: status shows what a pipe left, flush sends it, status shows it gone",
          "[spool_cli]") {
  TempDir dir;
  const int port = unused_port();
  const std::string dsn =
      "http://0123456789abcdef0123456789abcdef@127.0.0.1:" + std::to_string(port) + "/42";
  const std::string config =
      dir.write("c.yaml", "state:\n  dir: " + dir.file("state") +
                              "\ndelivery:\n  backoff_initial: 100ms\n  backoff_max: 500ms\n"
                              "  shutdown_grace: 200ms\n");
  const std::map<std::string, std::string> env = {{"SENTRY_DSN", dsn}, {"HOME", dir.path()}};
  // Sentry is away: the pipe leaves its three events in the spool.
  RunResult piped =
      run_faultline({.args = {"pipe", "-c", config}, .env = env, .stdin_data = errors(3)});
  REQUIRE(piped.exit_code == 0);

  RunResult before = run_faultline({.args = {"spool", "status", "-c", config}, .env = env});
  INFO(before.out << before.err);
  CHECK(before.exit_code == 0);
  CHECK(before.out.find("events waiting: 3 (") != std::string::npos);
  CHECK(before.out.find("spool flush") != std::string::npos);

  // While a faultline holds the spool, status says so rather than waiting or counting twice.
  {
    Spawned holder(faultline_binary(),
                   {.args = {"pipe", "-c", config}, .env = env, .stdin_pipe = true});
    REQUIRE(holder.wait_for_err("holds 3 events", 30s));
    RunResult busy = run_faultline({.args = {"spool", "status", "-c", config}, .env = env});
    CHECK(busy.exit_code == 0);
    CHECK(busy.out.find("in use by a running faultline") != std::string::npos);
    holder.close_stdin();
    holder.wait(30s);
  }

  auto sentry = Receiver::on_port(port);
  RunResult flushed =
      run_faultline({.args = {"spool", "flush", "-c", config, "--timeout", "60"}, .env = env});
  INFO(flushed.err);
  CHECK(flushed.exit_code == 0);
  CHECK(sentry->accepted_event_ids().size() == 3);
  CHECK(flushed.err.find("0123456789abcdef0123456789abcdef") == std::string::npos);

  RunResult after = run_faultline({.args = {"spool", "status", "-c", config}, .env = env});
  CHECK(after.out.find("events waiting: 0 (") != std::string::npos);
}

TEST_CASE("spool: flush without a DSN says there is nowhere to send, and exits 2", "[spool_cli]") {
  TempDir dir;
  const std::string config = dir.write("c.yaml", "state:\n  dir: " + dir.file("state") + "\n");
  RunResult r =
      run_faultline({.args = {"spool", "flush", "-c", config}, .env = {{"HOME", dir.path()}}});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("no DSN") != std::string::npos);
  RunResult status =
      run_faultline({.args = {"spool", "status", "-c", config}, .env = {{"HOME", dir.path()}}});
  CHECK(status.exit_code == 0);
  CHECK(status.out.find("does not exist") != std::string::npos);
}
