#include "agent/runtime/child_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <vector>

#include "agent/runtime/signals.h"

extern char** environ;

namespace faultline::runtime {

namespace {

// A close-on-exec pipe whose ends are not 0, 1 or 2, so that the child's dup2() onto its stdout
// and stderr cannot clobber them even when faultline was started with one of those closed.
Status make_pipe(int ends[2]) {
  if (::pipe2(ends, O_CLOEXEC) != 0) {
    return Status::Error(std::string("exec: pipe: ") + std::strerror(errno));
  }
  for (int i = 0; i < 2; ++i) {
    if (ends[i] > STDERR_FILENO) continue;
    const int moved = ::fcntl(ends[i], F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
    if (moved < 0) {
      return Status::Error(std::string("exec: pipe: ") + std::strerror(errno));
    }
    ::close(ends[i]);
    ends[i] = moved;
  }
  return Status::Ok();
}

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

// Frees posix_spawn's attributes and file actions however start() returns.
struct SpawnSetup {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  SpawnSetup() {
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

}  // namespace

ChildProcess::ChildProcess(std::vector<std::string> argv, Output output)
    : argv_(std::move(argv)), output_(output) {
  if (argv_.empty()) argv_.emplace_back();
}

ChildProcess::~ChildProcess() {
  close_fd(out_fd_);
  close_fd(err_fd_);
}

Status ChildProcess::start() {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  Status piped;
  if (output_ == Output::kPipes) {
    piped = make_pipe(out);
    if (piped.ok()) piped = make_pipe(err);
  }
  if (!piped.ok()) {
    for (int* fd : {&out[0], &out[1], &err[0], &err[1]}) close_fd(*fd);
    exit_status_ = 126;
    return piped;
  }

  SpawnSetup setup;
  // The child gets what a shell would give it: stdin inherited, stdout and stderr on the pipes
  // (or inherited), no other descriptor of faultline's (spool files, sockets), an empty signal
  // mask and SIGPIPE at its default (faultline ignores it for itself).
  if (output_ == Output::kPipes) {
    posix_spawn_file_actions_adddup2(&setup.actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&setup.actions, err[1], STDERR_FILENO);
  }
  posix_spawn_file_actions_addclosefrom_np(&setup.actions, STDERR_FILENO + 1);
  sigset_t signals;
  sigemptyset(&signals);
  posix_spawnattr_setsigmask(&setup.attr, &signals);
  sigaddset(&signals, SIGPIPE);
  posix_spawnattr_setsigdefault(&setup.attr, &signals);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  // Inherited SIG_IGN on SIGCHLD would make the kernel reap children itself, and the child's
  // status would be lost.
  ::signal(SIGCHLD, SIG_DFL);
  prepare_signal_forwarding();

  std::vector<char*> args;
  for (std::string& a : argv_) args.push_back(a.data());
  args.push_back(nullptr);
  // systemd's notification socket and watchdog are faultline's (the unit's main process): an app
  // that also spoke to them would say READY for faultline, or be the one whose pings count.
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string_view var(*e);
    if (var.starts_with("NOTIFY_SOCKET=") || var.starts_with("WATCHDOG_USEC=") ||
        var.starts_with("WATCHDOG_PID=")) {
      continue;
    }
    env.push_back(*e);
  }
  env.push_back(nullptr);
  pid_t pid = -1;
  // glibc's posix_spawnp reports the exec's own failure (ENOENT, EACCES) as its result.
  const int failed =
      ::posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), env.data());
  close_fd(out[1]);
  close_fd(err[1]);
  if (failed != 0) {
    close_fd(out[0]);
    close_fd(err[0]);
    const bool not_found = failed == ENOENT || failed == ENOTDIR;
    exit_status_ = not_found ? 127 : 126;
    if (not_found && name().find('/') == std::string::npos) {
      return Status::Error("exec: " + name() + ": command not found");
    }
    return Status::Error("exec: " + name() + ": " +
                         (not_found ? "" : std::string("cannot execute: ")) +
                         std::strerror(failed));
  }
  pid_ = pid;
  out_fd_ = out[0];
  err_fd_ = err[0];
  forward_signals_to(pid_);
  return Status::Ok();
}

void ChildProcess::reaped(int wait_status) {
  forward_signals_to(0);  // the pid may be reused from now on
  exit_status_ = WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}

bool ChildProcess::reap() {
  if (pid_ < 0) return true;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(-1, &status, WNOHANG);
    if (done > 0) {
      if (done == pid_ && exit_status_ < 0) reaped(status);
      continue;  // an orphan: reaped, nothing more to do
    }
    if (done < 0 && errno == EINTR) continue;
    break;  // 0: none of the children left has exited; ECHILD: none left
  }
  return exit_status_ >= 0;
}

void ChildProcess::wait() {
  while (pid_ >= 0 && exit_status_ < 0) {
    int status = 0;
    const pid_t done = ::waitpid(-1, &status, 0);
    if (done == pid_) {
      reaped(status);
    } else if (done < 0 && errno != EINTR) {
      // ECHILD: its status is lost (only possible if SIGCHLD were ignored again).
      forward_signals_to(0);
      exit_status_ = 1;
    }
  }
}

}  // namespace faultline::runtime
