// The app `faultline exec` runs as its child: started with its stdout and stderr on two pipes
// (the exec input reads them, agent/inputs/child_input.h) and faultline's stdin, its signals
// forwarded (signals.h), and reaped together with any other process that ends up as faultline's
// child: as a container's PID 1, orphaned grandchildren are re-parented to faultline and become
// zombies unless it waits for them.
//
// Not thread-safe: owned by the pipeline thread. The destructor closes the pipes; it neither
// kills nor waits for the child.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/status.h"

namespace faultline::runtime {

class ChildProcess {
 public:
  enum class Output {
    kPipes,    // the child's stdout and stderr are pipes for faultline to read
    kInherit,  // the child writes to faultline's stdout and stderr itself (nothing is read)
  };

  explicit ChildProcess(std::vector<std::string> argv, Output output = Output::kPipes);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // Starts argv[0] (looked up in PATH when it has no '/') with argv. On failure the message says
  // why ("node: command not found") and exit_status() is what a shell would return: 127 when
  // the command was not found, 126 when it was found but could not be executed.
  Status start();

  // The read ends of the child's stdout and stderr; -1 before start() and with kInherit.
  int stdout_fd() const { return out_fd_; }
  int stderr_fd() const { return err_fd_; }
  const std::string& name() const { return argv_.front(); }

  // Reaps, without blocking, every child process that has exited (ours, or an orphan re-parented
  // to faultline); true once ours has. Our child's status is kept.
  bool reap();
  // Waits until our child has exited, reaping the others meanwhile. Signals are still forwarded
  // while it waits.
  void wait();

  // The child's exit code, 128 + the signal that killed it, or 126/127 when it could not start;
  // -1 while it runs.
  int exit_status() const { return exit_status_; }

 private:
  void reaped(int wait_status);

  std::vector<std::string> argv_;
  Output output_;
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int exit_status_ = -1;
};

}  // namespace faultline::runtime
