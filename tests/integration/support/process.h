// Runs the real faultline binary (or any program) for integration tests: arguments, extra
// environment, bytes on stdin, captured stdout and stderr (faultline's JSON log read back as
// text), and a deadline after which the child
// is killed so a test can never hang.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "support/self_log.h"

namespace faultline::test {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;      // faultline's JSON log lines in their text form (support/self_log.h)
  std::string err_raw;  // stderr as written
};

struct RunOptions {
  std::vector<std::string> args;           // without argv[0]
  std::map<std::string, std::string> env;  // added to (or replacing in) a clean base env
  std::optional<std::string> stdin_data;   // nullopt: stdin is /dev/null
  std::string stdin_file;                  // read stdin from this file instead
  std::string stdout_file;                 // write stdout here instead of capturing it
  std::chrono::milliseconds timeout{60'000};
};

// The faultline binary under test.
std::string faultline_binary();
std::string data_dir();  // tests/data
std::string source_dir();

RunResult run(const std::string& program, const RunOptions& options);
inline RunResult run_faultline(const RunOptions& options) {
  return run(faultline_binary(), options);
}

// A child process the test controls while it runs: started at construction, with stdout and
// stderr captured in the background, stdin either a pipe the test writes to (and may keep open),
// a file, or /dev/null. The test can signal it (SIGTERM, SIGKILL) and wait for it with a
// deadline. The destructor SIGKILLs and reaps a child still running, so a failing test never
// leaves one behind.
//
//   Spawned child(faultline_binary(), {.args = {"pipe", "-c", config}, .stdin_pipe = true});
//   child.write_stdin(lines);
//   REQUIRE(child.wait_for_out(lines.size(), 30s));
//   child.signal(SIGTERM);
//   RunResult r = child.wait(60s);
struct SpawnOptions {
  std::vector<std::string> args;           // without argv[0]
  std::map<std::string, std::string> env;  // added to (or replacing in) the same clean base env
  bool stdin_pipe = false;                 // stdin is a pipe: write_stdin(), close_stdin()
  std::string stdin_file;                  // else read stdin from this file (else /dev/null)
};

class Spawned {
 public:
  Spawned(const std::string& program, const SpawnOptions& options);
  ~Spawned();
  Spawned(const Spawned&) = delete;
  Spawned& operator=(const Spawned&) = delete;

  pid_t pid() const { return pid_; }
  // Writes all of `data` to the child's stdin (stdin_pipe only); false if the child closed it.
  bool write_stdin(std::string_view data);
  void close_stdin();
  // Sends `sig` to the child, if it has not been reaped yet.
  void signal(int sig);
  // Waits for the child to exit; past `timeout` it is killed (SIGKILL) and timed_out is set.
  // out/err hold everything the child wrote. Call once.
  RunResult wait(std::chrono::milliseconds timeout);
  // What the child wrote so far.
  std::string out() const;
  std::string err() const;      // with faultline's JSON log lines as text (support/self_log.h)
  std::string err_raw() const;  // as written
  // Real-time waits: for `needle` to appear in stderr, or for stdout to reach `bytes`.
  bool wait_for_err(std::string_view needle, std::chrono::milliseconds timeout);
  bool wait_for_out(size_t bytes, std::chrono::milliseconds timeout);

 private:
  void read_output(int out_fd, int err_fd);

  pid_t pid_ = -1;
  bool reaped_ = false;
  int stdin_fd_ = -1;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::string out_;         // guarded by mu_
  std::string err_;         // guarded by mu_
  std::string err_raw_;     // guarded by mu_
  SelfLogReader self_log_;  // guarded by mu_
  bool eof_ = false;        // guarded by mu_: both pipes closed
};

// A fresh directory under the build's temp area, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  std::string write(const std::string& name, const std::string& content) const;

 private:
  std::string path_;
};

std::string read_file(const std::string& path);
std::vector<std::string> read_lines(const std::string& path);
std::vector<std::string> split_lines(const std::string& text);

}  // namespace faultline::test
