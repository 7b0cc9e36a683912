// ChildInput over plain pipes (no process): two sources read side by side, each passed through
// to its own descriptor, a dead passthrough that does not stop the reading, and the end of
// reading when the child is gone but its streams are held open.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/inputs/child_input.h"

using namespace faultline;
using namespace std::chrono_literals;

namespace {

struct Pipe {
  int read = -1;
  int write = -1;
  Pipe() {
    int fds[2];
    REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
    read = fds[0];
    write = fds[1];
  }
  ~Pipe() {
    close_read();
    close_write();
  }
  void close_read() {
    if (read >= 0) ::close(read);
    read = -1;
  }
  void close_write() {
    if (write >= 0) ::close(write);
    write = -1;
  }
  void put(const std::string& bytes) const {
    REQUIRE(::write(write, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
  }
  // Everything readable now (the writer must have closed, or this returns what is there).
  std::string drain() const {
    ::fcntl(read, F_SETFL, O_NONBLOCK);
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(read, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }
};

// Records each source's lines, and what was closed.
class Recorder final : public LineSink {
 public:
  SourceId open_source(std::string name, std::string_view) override {
    names.push_back(std::move(name));
    return static_cast<SourceId>(names.size() - 1);
  }
  void on_line(SourceId source, const Line& line) override {
    lines[names[source]].emplace_back(line.text);
  }
  void close_source(SourceId source) override { closed.push_back(names[source]); }
  void on_idle() override {}
  std::optional<uint64_t> oldest_unsafe(SourceId) const override { return std::nullopt; }

  std::vector<std::string> names;
  std::map<std::string, std::vector<std::string>> lines;
  std::vector<std::string> closed;
};

ChildInputOptions options(const Pipe& out, const Pipe& err, int out_copy, int err_copy) {
  ChildInputOptions o;
  o.out = {out.read, "app stdout", out_copy, "stdout"};
  o.err = {err.read, "app stderr", err_copy, "stderr"};
  o.idle_tick = 20ms;
  return o;
}

}  // namespace

TEST_CASE("child input: both streams are read to their ends and passed through apart",
          "[child_input]") {
  Pipe out, err, out_copy, err_copy;
  out.put("{\"level\":30}\nfirst ");
  err.put("crash\n");
  out.put("half\nno newline at the end");
  err.put("at x (/app/a.js:1:1)\n");
  out.close_write();
  err.close_write();
  Recorder sink;
  std::atomic<bool> stop{false};
  ChildInput input(options(out, err, out_copy.write, err_copy.write));
  REQUIRE(input.run(sink, stop).ok());
  out_copy.close_write();
  err_copy.close_write();
  CHECK(out_copy.drain() == "{\"level\":30}\nfirst half\nno newline at the end");
  CHECK(err_copy.drain() == "crash\nat x (/app/a.js:1:1)\n");
  CHECK(sink.lines["app stdout"] ==
        std::vector<std::string>{"{\"level\":30}", "first half", "no newline at the end"});
  CHECK(sink.lines["app stderr"] == std::vector<std::string>{"crash", "at x (/app/a.js:1:1)"});
  CHECK(sink.closed.size() == 2);
}

TEST_CASE("child input: a closed passthrough stops the copy, never the reading", "[child_input]") {
  ::signal(SIGPIPE, SIG_IGN);
  Pipe out, err, out_copy, err_copy;
  out_copy.close_read();  // faultline's stdout went away: EPIPE
  // More than a pipe holds: the writer blocks unless the input keeps reading.
  std::thread writer([&] {
    const std::string line(1000, 'x');
    for (int i = 0; i < 1000; ++i) out.put(line + "\n");
    err.put("still passed\n");
    out.close_write();
    err.close_write();
  });
  Recorder sink;
  std::atomic<bool> stop{false};
  ChildInput input(options(out, err, out_copy.write, err_copy.write));
  REQUIRE(input.run(sink, stop).ok());
  writer.join();
  CHECK(sink.lines["app stdout"].size() == 1000);
  err_copy.close_write();
  CHECK(err_copy.drain() == "still passed\n");
}

TEST_CASE("child input: once the child exited, streams held open end reading when quiet",
          "[child_input]") {
  Pipe out, err;
  out.put("last words\n");
  err.close_write();
  // out's write end stays open, as when the child left a background process behind.
  std::atomic<int> asked{0};
  ChildInputOptions o = options(out, err, -1, -1);
  o.child_exited = [&] { return ++asked >= 3; };
  o.exit_linger = 100ms;
  Recorder sink;
  std::atomic<bool> stop{false};
  // Should reading not end by itself, the watchdog ends the stream so the test cannot hang.
  std::mutex mu;
  std::condition_variable done_cv;
  bool done = false;
  bool rescued = false;
  std::thread watchdog([&] {
    std::unique_lock<std::mutex> lock(mu);
    if (!done_cv.wait_for(lock, 60s, [&] { return done; })) {
      rescued = true;
      out.close_write();
    }
  });
  const Status status = ChildInput(std::move(o)).run(sink, stop);
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  done_cv.notify_one();
  watchdog.join();
  CHECK(status.ok());
  CHECK_FALSE(rescued);
  CHECK(asked >= 3);
  CHECK(sink.lines["app stdout"] == std::vector<std::string>{"last words"});
}
