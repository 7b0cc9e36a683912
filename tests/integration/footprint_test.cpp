// What an idle faultline keeps in memory: the libraries most runs never use are not mapped.
// libcurl (and with it a TLS stack, Kerberos, LDAP...) is opened by the first send, the HTTP
// server module (cpp-httplib, libssl) only for server.listen (server_test.cpp). Read from
// /proc/PID/maps of a running faultline.
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

constexpr auto kWait = 30s;

std::string maps_of(const Spawned& process) {
  return read_file("/proc/" + std::to_string(process.pid()) + "/maps");
}

const std::string kInfoLine = R"({"level":30,"time":1795502011000,"msg":"the app's line"})"
                              "\n";

}  // namespace

TEST_CASE("footprint: an idle pipe maps neither libcurl, cpp-httplib nor libssl",
          "[footprint][startup]") {
  TempDir dir;
  Spawned pipe(faultline_binary(),
               {.args = {"pipe"}, .env = {{"HOME", dir.path()}}, .stdin_pipe = true});
  REQUIRE(pipe.write_stdin(kInfoLine));
  REQUIRE(pipe.wait_for_out(kInfoLine.size(), kWait));  // up and past its first line
  const std::string maps = maps_of(pipe);
  INFO(maps);
  CHECK(maps.find("libcurl") == std::string::npos);
  CHECK(maps.find("libcpp-httplib") == std::string::npos);
  CHECK(maps.find("libssl") == std::string::npos);
  CHECK(maps.find("faultline-http.so") == std::string::npos);
  pipe.close_stdin();
  CHECK(pipe.wait(kWait).exit_code == 0);
}

TEST_CASE("footprint: with a DSN, libcurl is opened by the first event, which arrives",
          "[footprint][startup]") {
  TempDir dir;
  Receiver rx;
  const std::string config =
      dir.write("faultline.yaml", "sentry:\n  dsn: \"" + rx.dsn() +
                                      "\"\ndelivery:\n  spool_dir: " + dir.file("spool") + "\n");
  Spawned pipe(faultline_binary(),
               {.args = {"pipe", "-c", config}, .env = {{"HOME", dir.path()}}, .stdin_pipe = true});
  REQUIRE(pipe.write_stdin(kInfoLine));
  REQUIRE(pipe.wait_for_out(kInfoLine.size(), kWait));
  CHECK(maps_of(pipe).find("libcurl") == std::string::npos);  // nothing to send yet

  const std::string error =
      R"({"level":50,"time":1795502012000,"err":{"type":"Error","message":"boom"},"msg":"boom"})"
      "\n";
  REQUIRE(pipe.write_stdin(error));
  INFO(pipe.err());
  REQUIRE(rx.wait_for_accepted(1, kWait));
  CHECK(maps_of(pipe).find("libcurl") != std::string::npos);
  pipe.close_stdin();
  CHECK(pipe.wait(kWait).exit_code == 0);
}
