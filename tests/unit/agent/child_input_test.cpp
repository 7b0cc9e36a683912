// ChildInput over plain pipes (no process): two sources read side by side, each passed through
// to its own descriptor, a dead passthrough that does not stop the reading, and the end of
// reading when the child is gone but its streams are held open.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "agent/inputs/child_input.h"
#include "input_recorder.h"

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

using test::InputRecorder;
using test::wait_until;

ChildInputOptions options(const Pipe& out, const Pipe& err, int out_copy, int err_copy) {
  ChildInputOptions o;
  o.out = {out.read, "app stdout", out_copy, "stdout"};
  o.err = {err.read, "app stderr", err_copy, "stderr"};
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
  InputRecorder sink;
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
  InputRecorder sink;
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
  std::atomic<bool> exited{false};
  std::atomic<int> asked{0};
  ChildInputOptions o = options(out, err, -1, -1);
  o.child_exited = [&] {
    ++asked;
    return exited.load();
  };
  o.exit_linger = 100ms;
  InputRecorder sink;
  std::atomic<bool> stop{false};
  // The app is silent; then it exits, and SIGCHLD rings the wake-up. Were reading not to end by
  // itself, the stream is ended so the test cannot hang.
  int asked_while_silent = -1;
  int idles_while_silent = -1;
  bool rescued = false;
  std::thread app([&] {
    // Asked when reading starts and when stderr ended; then the input sleeps.
    wait_until([&] { return sink.lines_seen >= 1 && asked >= 2; });
    std::this_thread::sleep_for(300ms);  // what a timer of the input's own would show
    asked_while_silent = asked;
    idles_while_silent = sink.idles;
    exited = true;
    sink.wakeup.ring();
    wait_until([&] { return sink.closed_count == 2; });
    if (sink.closed_count != 2) {
      rescued = true;
      out.close_write();
    }
  });
  const Status status = ChildInput(std::move(o)).run(sink, stop);
  app.join();
  CHECK(status.ok());
  CHECK_FALSE(rescued);
  // Silent, nothing was asked and the sink was never woken: no timer of the input's own.
  CHECK(asked_while_silent == 2);
  CHECK(idles_while_silent == 0);
  CHECK(sink.lines["app stdout"] == std::vector<std::string>{"last words"});
}
