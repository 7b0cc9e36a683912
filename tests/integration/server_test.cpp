// A long-running faultline seen from outside: /metrics, /healthz and /readyz (server.listen), and
// systemd's notifications (READY, WATCHDOG, STATUS, STOPPING) on a NOTIFY_SOCKET.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <httplib.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "support/ports.h"
#include "support/process.h"
#include "support/receiver.h"

using namespace faultline::test;
using namespace std::chrono_literals;
using faultline::testing::Receiver;

namespace {

constexpr auto kWait = 30s;

void append(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << text;
}

std::string error_line(const std::string& message) {
  return R"({"level":50,"time":1795502011000,"err":{"type":"Error","message":")" + message +
         R"("},"msg":")" + message + "\"}\n";
}

// faultline run with its state in `dir`, tailing dir/logs/*.log from the beginning.
std::string write_config(const TempDir& dir, const std::string& extra) {
  std::filesystem::create_directories(dir.file("logs"));
  return dir.write("faultline.yaml", "inputs:\n  - path: \"" + dir.file("logs/*.log") +
                                         "\"\n    start_at: beginning\nstate:\n  dir: \"" +
                                         dir.file("state") + "\"\n" + extra);
}

// The address faultline logged ("serving ... on http://127.0.0.1:PORT").
std::string served_address(Spawned& faultline) {
  REQUIRE(faultline.wait_for_err("serving /metrics, /healthz and /readyz on http://", kWait));
  const std::string err = faultline.err();
  const size_t at = err.find("on http://") + 10;
  return err.substr(at, err.find('\n', at) - at);
}

struct Answer {
  int status = 0;
  std::string body;
};

Answer get(const std::string& address, const std::string& path) {
  httplib::Client client("http://" + address);
  client.set_connection_timeout(5);
  client.set_read_timeout(5);
  auto res = client.Get(path);
  if (!res) return {};
  return {res->status, res->body};
}

// Polls until `done` or the deadline; true when done.
bool eventually(const std::function<bool()>& done) {
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

// The value of an unlabelled sample in Prometheus text, or -1.
double sample(const std::string& text, const std::string& name) {
  const std::string key = "\n" + name + " ";
  const size_t at = ("\n" + text).find(key);
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + key.size() - 1));
}

// Prometheus text format 0.0.4: comments (# HELP / # TYPE) and `name value` samples only, each
// sample in the family its TYPE line opened (a histogram's with _bucket/_sum/_count), each family
// once.
void check_prometheus_text(const std::string& text) {
  REQUIRE_FALSE(text.empty());
  CHECK(text.back() == '\n');
  std::string family, family_type;
  std::vector<std::string> families;
  size_t start = 0;
  while (start < text.size()) {
    const size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    INFO(line);
    if (line.rfind("# HELP ", 0) == 0) continue;
    if (line.rfind("# TYPE ", 0) == 0) {
      family_type = line.substr(line.rfind(' ') + 1);
      family = line.substr(7, line.rfind(' ') - 7);
      CHECK((family_type == "counter" || family_type == "gauge" || family_type == "histogram"));
      CHECK(std::find(families.begin(), families.end(), family) == families.end());
      families.push_back(family);
      continue;
    }
    const size_t space = line.rfind(' ');
    REQUIRE(space != std::string::npos);
    std::string name = line.substr(0, space);
    if (const size_t brace = name.find('{'); brace != std::string::npos) {
      // Labels: {key="value",...}
      CHECK(name.back() == '}');
      CHECK(name.find("=\"", brace) != std::string::npos);
      name = name.substr(0, brace);
    }
    CHECK(name.rfind("faultline_", 0) == 0);
    CHECK(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos);
    if (family_type == "histogram") {
      CHECK((name == family + "_bucket" || name == family + "_sum" || name == family + "_count"));
    } else {
      CHECK(name == family);
    }
    size_t used = 0;
    CHECK_NOTHROW(std::stod(line.substr(space + 1), &used));
    CHECK(used == line.size() - space - 1);
  }
}

}  // namespace

TEST_CASE("server: /metrics is Prometheus text whose counters move as lines come in", "[server]") {
  TempDir dir;
  const std::string config =
      write_config(dir,
                   "server:\n  listen: 127.0.0.1:0\nrules:\n  list:\n    - name: known \"issue\"\n"
                   "      when: {error-type: KnownError}\n      drop: known\n");
  Spawned faultline(faultline_binary(),
                    {.args = {"run", "-c", config}, .env = {{"HOME", dir.path()}}});
  const std::string address = served_address(faultline);
  CHECK(eventually([&] { return get(address, "/readyz").status == 200; }));
  CHECK(get(address, "/healthz").status == 200);
  CHECK(get(address, "/healthz").body == "ok\n");
  CHECK(get(address, "/nowhere").status == 404);

  const Answer before = get(address, "/metrics");
  REQUIRE(before.status == 200);
  check_prometheus_text(before.body);
  CHECK(sample(before.body, "faultline_lines_total") == 0);
  CHECK(before.body.find("\nfaultline_build_info{version=\"") != std::string::npos);

  CHECK(sample(before.body, "faultline_correlation_open_requests") == 0);
  // A request's first line (no completion yet): one request open in the correlator.
  const std::string lines =
      R"({"level":30,"time":1795502010000,"reqId":7,"msg":"hello"})"
      "\n" +
      error_line("boom") +
      R"({"level":50,"time":1795502012000,"err":{"type":"KnownError","message":"old"},"msg":"old"})"
      "\n";
  append(dir.file("logs/app.log"), lines);
  // Per input (its paths), per rule and reason, and per followed file.
  const std::string input = "{input=\"" + dir.file("logs/*.log") + "\"}";
  std::string text;
  CHECK(eventually([&] {
    text = get(address, "/metrics").body;
    return sample(text, "faultline_lines_total") == 3 &&
           sample(text, "faultline_errors_detected_total") == 2 &&
           sample(text, "faultline_correlation_open_requests") == 1 &&
           sample(text, "faultline_input_lines_total" + input) == 3 &&
           sample(text, "faultline_input_bytes_total" + input) ==
               static_cast<double>(lines.size()) &&
           sample(
               text,
               R"(faultline_events_dropped_by_rules_total{rule="known \"issue\"",reason="filter"})") ==
               1 &&
           sample(text,
                  "faultline_checkpoint_lag_bytes{file=\"" + dir.file("logs/app.log") + "\"}") >= 0;
  }));
  INFO(text);
  CHECK(sample(text, "faultline_lines_total") == 3);
  CHECK(sample(text, "faultline_input_lines_total" + input) == 3);
  CHECK(sample(text, "faultline_input_bytes_total" + input) == static_cast<double>(lines.size()));
  CHECK(sample(
            text,
            R"(faultline_events_dropped_by_rules_total{rule="known \"issue\"",reason="filter"})") ==
        1);
  CHECK(sample(text, "faultline_checkpoint_lag_bytes{file=\"" + dir.file("logs/app.log") + "\"}") >=
        0);
  check_prometheus_text(get(address, "/metrics").body);

  faultline.signal(SIGTERM);
  const RunResult r = faultline.wait(kWait);
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("server: /healthz is 503 while Sentry is away longer than unhealthy_after, 200 after",
          "[server]") {
  TempDir dir;
  const int port = unused_port();
  const std::string config =
      write_config(dir,
                   "server:\n  listen: 127.0.0.1:0\n  unhealthy_after: 1s\nsentry:\n  dsn: "
                   "\"http://0123456789abcdef0123456789abcdef@127.0.0.1:" +
                       std::to_string(port) +
                       "/42\"\ndelivery:\n  backoff_initial: 100ms\n  backoff_max: 500ms\n");
  Spawned faultline(faultline_binary(),
                    {.args = {"run", "-c", config}, .env = {{"HOME", dir.path()}}});
  const std::string address = served_address(faultline);
  append(dir.file("logs/app.log"), error_line("waiting for sentry"));

  Answer down;
  CHECK(eventually([&] {
    down = get(address, "/healthz");
    return down.status == 503;
  }));
  CHECK(down.body.rfind("sender stalled: 1 events waiting, none accepted for ", 0) == 0);
  CHECK(get(address, "/readyz").status == 200);  // still ready: it reads and spools

  auto sentry = Receiver::on_port(port);
  CHECK(eventually([&] { return get(address, "/healthz").status == 200; }));
  CHECK(sentry->accepted_event_ids().size() == 1);
  // Every attempt, refused or accepted, is in the send-latency histogram.
  const std::string text = get(address, "/metrics").body;
  check_prometheus_text(text);
  CHECK(sample(text, "faultline_delivery_request_duration_seconds_count") >=
        sample(text, "faultline_delivery_requests_total"));
  CHECK(sample(text, "faultline_delivery_requests_total") >= 2);
  CHECK(sample(text, R"(faultline_delivery_request_duration_seconds_bucket{le="+Inf"})") ==
        sample(text, "faultline_delivery_request_duration_seconds_count"));

  faultline.signal(SIGTERM);
  const RunResult r = faultline.wait(kWait);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("0123456789abcdef0123456789abcdef") == std::string::npos);
}

TEST_CASE("server: run refuses an address in use - pipe goes on without its endpoints",
          "[server]") {
  TempDir dir;
  HeldPort held;
  const std::string config =
      write_config(dir, "server:\n  listen: 127.0.0.1:" + std::to_string(held.port()) + "\n");
  RunResult run_result =
      run_faultline({.args = {"run", "-c", config}, .env = {{"HOME", dir.path()}}});
  CHECK(run_result.exit_code == 1);
  CHECK(run_result.err.find("server.listen: cannot listen on 127.0.0.1:" +
                            std::to_string(held.port())) != std::string::npos);

  const std::string input = R"({"level":30,"msg":"the app's line"})"
                            "\n";
  RunResult piped = run_faultline(
      {.args = {"pipe", "-c", config}, .env = {{"HOME", dir.path()}}, .stdin_data = input});
  CHECK(piped.exit_code == 0);
  CHECK(piped.out == input);
  CHECK(piped.err.find("cannot listen") != std::string::npos);
}

TEST_CASE("server: the endpoints come from faultline-http.so, opened only for server.listen",
          "[server][startup]") {
  TempDir dir;
  const std::string config = write_config(dir, "server:\n  listen: 127.0.0.1:0\n");
  Spawned faultline(faultline_binary(),
                    {.args = {"run", "-c", config}, .env = {{"HOME", dir.path()}}});
  const std::string address = served_address(faultline);
  const Answer metrics = get(address, "/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("faultline_") != std::string::npos);
  CHECK(get(address, "/nothing-here").status == 404);
  const std::string maps = read_file("/proc/" + std::to_string(faultline.pid()) + "/maps");
  CHECK(maps.find("/faultline-http.so") != std::string::npos);
  CHECK(maps.find("libcurl") == std::string::npos);  // no DSN: nothing to send
  faultline.signal(SIGTERM);
  CHECK(faultline.wait(kWait).exit_code == 0);
}

TEST_CASE("server: without faultline-http.so, run refuses to start and says so - pipe goes on",
          "[server][startup]") {
  TempDir dir;
  std::filesystem::create_directories(dir.file("no-modules"));
  const std::string config = write_config(dir, "server:\n  listen: 127.0.0.1:0\n");
  const std::map<std::string, std::string> env = {{"HOME", dir.path()},
                                                  {"FAULTLINE_MODULE_DIR", dir.file("no-modules")}};
  RunResult refused = run_faultline({.args = {"run", "-c", config}, .env = env});
  CHECK(refused.exit_code == 1);
  INFO(refused.err);
  CHECK(refused.err.find("server.listen: faultline-http.so not found (looked in " +
                         dir.file("no-modules")) != std::string::npos);

  const std::string input = R"({"level":30,"msg":"the app's line"})"
                            "\n";
  RunResult piped =
      run_faultline({.args = {"pipe", "-c", config}, .env = env, .stdin_data = input});
  CHECK(piped.exit_code == 0);
  CHECK(piped.out == input);
  CHECK(piped.err.find("faultline-http.so not found") != std::string::npos);
}

// systemd's end of the notification socket: a datagram socket the test reads.
class NotifySocket {
 public:
  explicit NotifySocket(std::string path) : path_(std::move(path)) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path_.size() < sizeof addr.sun_path);
    std::copy(path_.begin(), path_.end(), addr.sun_path);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{0, 100'000};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  }
  ~NotifySocket() { ::close(fd_); }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  const std::string& path() const { return path_; }
  const std::string& heard() const { return heard_; }
  // Reads messages until one holds `message` (or the deadline).
  bool hears(const std::string& message) {
    return eventually([&] {
      char buf[4096];
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) heard_ += std::string(buf, static_cast<size_t>(n)) + "\n";
      return heard_.find(message) != std::string::npos;
    });
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::string heard_;
};

TEST_CASE("server: systemd hears READY, watchdog pings, STATUS and STOPPING", "[server]") {
  TempDir dir;
  NotifySocket systemd(dir.file("notify.sock"));
  const std::string config = write_config(dir, "log:\n  stats_interval: 1s\n");
  Spawned faultline(faultline_binary(), {.args = {"run", "-c", config},
                                         .env = {{"HOME", dir.path()},
                                                 {"NOTIFY_SOCKET", systemd.path()},
                                                 {"WATCHDOG_USEC", "400000"}}});
  CHECK(systemd.hears("READY=1"));
  CHECK(systemd.hears("WATCHDOG=1"));  // an idle input still pings: the pipeline thread is alive
  CHECK(systemd.hears("STATUS=run: "));
  faultline.signal(SIGTERM);
  CHECK(systemd.hears("STOPPING=1"));
  const RunResult r = faultline.wait(kWait);
  CHECK(r.exit_code == 0);
  INFO(systemd.heard());
  CHECK(systemd.heard().find("READY=1") < systemd.heard().find("STOPPING=1"));
}

TEST_CASE("server: exec under systemd says READY once the app runs and STOPPING when it ends",
          "[server]") {
  TempDir dir;
  NotifySocket systemd(dir.file("notify.sock"));
  const std::string stop_file = dir.file("stop");
  // The app runs until the test lets it end.
  Spawned faultline(faultline_binary(),
                    {.args = {"exec", "--", "/bin/sh", "-c",
                              "echo \"app sees ${NOTIFY_SOCKET:-no}${WATCHDOG_USEC:-} socket\"; "
                              "while [ ! -e \"$0\" ]; do sleep 0.05; done; exit 4",
                              stop_file},
                     .env = {{"HOME", dir.path()},
                             {"NOTIFY_SOCKET", systemd.path()},
                             {"WATCHDOG_USEC", "30000000"}}});
  CHECK(systemd.hears("READY=1"));
  CHECK(systemd.heard().find("STOPPING=1") == std::string::npos);  // the app still runs
  std::ofstream(stop_file) << "";
  CHECK(systemd.hears("STOPPING=1"));
  const RunResult r = faultline.wait(kWait);
  CHECK(r.exit_code == 4);
  // The socket and the watchdog are faultline's, not the app's.
  CHECK(r.out == "app sees no socket\n");
}

TEST_CASE("server: SIGHUP reloads a good configuration and keeps the running one on a bad one",
          "[server]") {
  TempDir dir;
  const std::string events = dir.file("events.ndjson");
  const std::string config = write_config(dir, "");
  Spawned faultline(faultline_binary(), {.args = {"run", "-c", config, "--events", events},
                                         .env = {{"HOME", dir.path()}}});
  const std::string log = dir.file("logs/app.log");
  const auto events_with = [&](const std::string& message) {
    std::ifstream in(events);
    std::string line;
    size_t n = 0;
    while (std::getline(in, line)) n += line.find(message) != std::string::npos ? 1 : 0;
    return n;
  };
  append(log, error_line("first-before-reload"));
  REQUIRE(eventually([&] { return events_with("first-before-reload") == 1; }));

  // A rule that drops what comes next, and a new environment.
  std::filesystem::remove(config);
  write_config(dir,
               "sentry:\n  environment: reloaded-env\nrules:\n  list:\n    - name: silence\n"
               "      when: {message: 'silenced'}\n      drop: known issue\n");
  faultline.signal(SIGHUP);
  REQUIRE(faultline.wait_for_err("reload (SIGHUP): " + config, kWait));
  append(log, error_line("silenced-after-reload") + error_line("second-after-reload"));
  REQUIRE(eventually([&] { return events_with("second-after-reload") == 1; }));
  CHECK(events_with("silenced-after-reload") == 0);
  CHECK(events_with("\"environment\":\"reloaded-env\"") == 1);

  // A broken file: said, and the running configuration (with its rule) kept.
  std::filesystem::remove(config);
  write_config(dir, "correlation:\n  hold: five\n");
  faultline.signal(SIGHUP);
  REQUIRE(faultline.wait_for_err("keeping the running configuration", kWait));
  CHECK(faultline.err().find(config + ":7:9: correlation.hold") != std::string::npos);
  append(log, error_line("silenced-again") + error_line("third-after-bad-reload"));
  REQUIRE(eventually([&] { return events_with("third-after-bad-reload") == 1; }));
  CHECK(events_with("silenced-again") == 0);

  faultline.signal(SIGTERM);
  const RunResult r = faultline.wait(kWait);
  INFO(r.err);
  CHECK(r.exit_code == 0);
}
