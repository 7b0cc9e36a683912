// Runs the real faultline binary (or any program) for integration tests: arguments, extra
// environment, bytes on stdin, captured stdout and stderr, and a deadline after which the child
// is killed so a test can never hang.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace faultline::test {

struct RunResult {
  int exit_code = -1;  // -1 when killed by a signal
  int signal = 0;
  bool timed_out = false;
  std::string out;
  std::string err;
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
std::string shared_dir();  // ../shared
std::string source_dir();

RunResult run(const std::string& program, const RunOptions& options);
inline RunResult run_faultline(const RunOptions& options) {
  return run(faultline_binary(), options);
}

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
