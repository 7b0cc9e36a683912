#include "support/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace faultline::test {

std::string faultline_binary() {
  return FAULTLINE_BINARY;
}
std::string data_dir() {
  return FAULTLINE_DATA_DIR;
}
std::string source_dir() {
  return FAULTLINE_SOURCE_DIR;
}

namespace {

std::vector<std::string> base_environment() {
  // A clean environment: no SENTRY_* or CI variables leak in from the machine running the tests.
  std::vector<std::string> env = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"};
  for (const char* keep : {"HOME", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TMPDIR"}) {
    if (const char* v = std::getenv(keep)) env.push_back(std::string(keep) + "=" + v);
  }
  return env;
}

// argv and envp for execve, built before fork (a child must not allocate): the test environment
// with the caller's variables replacing any of the same name.
struct ExecArgs {
  std::vector<std::string> env;
  std::vector<char*> argv;
  std::vector<char*> envp;

  ExecArgs(const std::string& program, const std::vector<std::string>& args,
           const std::map<std::string, std::string>& extra)
      : env(base_environment()) {
    for (const auto& [k, v] : extra) {
      std::erase_if(env, [&](const std::string& e) { return e.rfind(k + "=", 0) == 0; });
      env.push_back(k + "=" + v);
    }
    argv.push_back(const_cast<char*>(program.c_str()));
    for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    for (std::string& e : env) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
};

// Reads a child's stdout (stream 0) and stderr (stream 1) until both close or the deadline
// passes, handing each chunk to `on_bytes`; closes both. False when the deadline passed first.
bool pump_pipes(int out_fd, int err_fd, std::chrono::steady_clock::time_point deadline,
                const std::function<void(int stream, std::string_view bytes)>& on_bytes) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  int open_fds = 2;
  bool finished = true;
  char buf[65536];
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      finished = false;
      break;
    }
    if (poll(fds, 2, static_cast<int>(std::min<int64_t>(left.count(), 200))) < 0 &&
        errno != EINTR) {
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        on_bytes(i, std::string_view(buf, static_cast<size_t>(n)));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (pollfd& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  return finished;
}

}  // namespace

RunResult run(const std::string& program, const RunOptions& options) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe2(in_pipe, O_CLOEXEC) != 0 || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  ExecArgs exec(program, options.args, options.env);

  const pid_t pid = fork();
  if (pid == 0) {
    int in_fd = in_pipe[0];
    if (!options.stdin_file.empty()) {
      in_fd = ::open(options.stdin_file.c_str(), O_RDONLY);
    } else if (!options.stdin_data) {
      in_fd = ::open("/dev/null", O_RDONLY);
    }
    int out_fd = out_pipe[1];
    if (!options.stdout_file.empty()) {
      out_fd = ::open(options.stdout_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    }
    dup2(in_fd, 0);
    dup2(out_fd, 1);
    dup2(err_pipe[1], 2);
    execve(program.c_str(), exec.argv.data(), exec.envp.data());
    _exit(127);
  }
  ::close(in_pipe[0]);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);

  std::thread writer([fd = in_pipe[1], data = options.stdin_data]() {
    signal(SIGPIPE, SIG_IGN);
    if (data) {
      size_t done = 0;
      while (done < data->size()) {
        const ssize_t n = ::write(fd, data->data() + done, data->size() - done);
        if (n < 0) {
          if (errno == EINTR) continue;
          break;
        }
        done += static_cast<size_t>(n);
      }
    }
    ::close(fd);
  });

  RunResult result;
  SelfLogReader self_log;
  const auto deadline = std::chrono::steady_clock::now() + options.timeout;
  const bool finished = pump_pipes(out_pipe[0], err_pipe[0], deadline,
                                   [&result, &self_log](int stream, std::string_view bytes) {
                                     if (stream == 0) {
                                       result.out.append(bytes);
                                     } else {
                                       result.err_raw.append(bytes);
                                       self_log.feed(bytes, result.err);
                                     }
                                   });
  self_log.finish(result.err);
  if (!finished) {
    result.timed_out = true;
    kill(pid, SIGKILL);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  writer.join();
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

// ---------------------------------------------------------------------------------------------
// Spawned

Spawned::Spawned(const std::string& program, const SpawnOptions& options) {
  // A write to the stdin of a child that died must fail with EPIPE, not kill the test.
  ::signal(SIGPIPE, SIG_IGN);
  int in_pipe[2] = {-1, -1}, out_pipe[2], err_pipe[2];
  if ((options.stdin_pipe && pipe2(in_pipe, O_CLOEXEC) != 0) || pipe2(out_pipe, O_CLOEXEC) != 0 ||
      pipe2(err_pipe, O_CLOEXEC) != 0) {
    throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
  }
  ExecArgs exec(program, options.args, options.env);
  const std::string stdin_path = options.stdin_file.empty() ? "/dev/null" : options.stdin_file;

  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
  if (pid_ == 0) {
    const int in_fd = options.stdin_pipe ? in_pipe[0] : ::open(stdin_path.c_str(), O_RDONLY);
    dup2(in_fd, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execve(program.c_str(), exec.argv.data(), exec.envp.data());
    _exit(127);
  }
  if (options.stdin_pipe) {
    ::close(in_pipe[0]);
    stdin_fd_ = in_pipe[1];
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  reader_ = std::thread([this, o = out_pipe[0], e = err_pipe[0]] { read_output(o, e); });
}

Spawned::~Spawned() {
  if (!reaped_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
  }
  close_stdin();
  if (reader_.joinable()) reader_.join();
}

void Spawned::read_output(int out_fd, int err_fd) {
  pump_pipes(out_fd, err_fd, std::chrono::steady_clock::time_point::max(),
             [this](int stream, std::string_view bytes) {
               {
                 std::lock_guard<std::mutex> g(mu_);
                 if (stream == 0) {
                   out_.append(bytes);
                 } else {
                   err_raw_.append(bytes);
                   self_log_.feed(bytes, err_);
                 }
               }
               changed_.notify_all();
             });
  {
    std::lock_guard<std::mutex> g(mu_);
    self_log_.finish(err_);
    eof_ = true;
  }
  changed_.notify_all();
}

bool Spawned::write_stdin(std::string_view data) {
  if (stdin_fd_ < 0) return false;
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = ::write(stdin_fd_, data.data() + done, data.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

void Spawned::close_stdin() {
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  stdin_fd_ = -1;
}

void Spawned::signal(int sig) {
  if (!reaped_) ::kill(pid_, sig);
}

RunResult Spawned::wait(std::chrono::milliseconds timeout) {
  RunResult result;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (!reaped_) {
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR)) {
      reaped_ = true;
      break;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      result.timed_out = true;
      ::kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      reaped_ = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  close_stdin();
  if (reader_.joinable()) reader_.join();
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  std::lock_guard<std::mutex> g(mu_);
  result.out = out_;
  result.err = err_;
  result.err_raw = err_raw_;
  return result;
}

std::string Spawned::out() const {
  std::lock_guard<std::mutex> g(mu_);
  return out_;
}

std::string Spawned::err() const {
  std::lock_guard<std::mutex> g(mu_);
  return err_;
}

std::string Spawned::err_raw() const {
  std::lock_guard<std::mutex> g(mu_);
  return err_raw_;
}

bool Spawned::wait_for_err(std::string_view needle, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] {
    return err_.find(needle) != std::string::npos || eof_;
  }) && err_.find(needle) != std::string::npos;
}

bool Spawned::wait_for_out(size_t bytes, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return out_.size() >= bytes || eof_; }) &&
         out_.size() >= bytes;
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "faultline-test-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::string TempDir::write(const std::string& name, const std::string& content) const {
  const std::string p = file(name);
  std::ofstream out(p, std::ios::binary);
  out << content;
  return p;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::vector<std::string> read_lines(const std::string& path) {
  return split_lines(read_file(path));
}

}  // namespace faultline::test
