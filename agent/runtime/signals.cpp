#include "agent/runtime/signals.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

namespace faultline::runtime {

std::atomic<bool>& stop_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

std::atomic<bool>& reload_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

Wakeup& signal_wakeup() {
  static Wakeup wakeup;
  return wakeup;
}

namespace {

// Read and written from the handler: lock-free atomics only.
std::atomic<pid_t> forward_to{0};
std::atomic<int> last_signal{0};  // the last signal to forward, kept for a child not yet known
static_assert(std::atomic<pid_t>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

// The eventfd of signal_wakeup(), made before any handler is installed (-1 before).
std::atomic<int> wakeup_fd{-1};

void ring_wakeup() {
  const int fd = wakeup_fd.load();
  if (fd < 0) return;
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = ::write(fd, &one, sizeof one);  // async-signal-safe
}

void on_child(int) {
  const int saved_errno = errno;
  ring_wakeup();
  errno = saved_errno;
}

void on_signal(int sig, siginfo_t* info, void*) {
  const int saved_errno = errno;
  if (sig == SIGTERM || sig == SIGINT) stop_requested().store(true);
  if (sig == SIGHUP) reload_requested().store(true);
  ring_wakeup();
  // SI_KERNEL: sent by the terminal's line discipline to the whole foreground process group.
  const bool from_terminal = info != nullptr && info->si_code == SI_KERNEL && sig != SIGTERM;
  if (!from_terminal) {
    // Recorded before the pid is read, and forward_signals_to() stores the pid before reading
    // this: whatever the interleaving, one of the two sends it.
    last_signal.store(sig);
    const pid_t child = forward_to.load();
    if (child > 0) ::kill(child, sig);
  }
  errno = saved_errno;
}

void install(int sig, int flags) {
  struct sigaction sa {};
  sa.sa_sigaction = on_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_SIGINFO | flags;
  sigaction(sig, &sa, nullptr);
}

}  // namespace

void make_wakeup() {
  wakeup_fd.store(signal_wakeup().fd());
}

void install_signal_handlers() {
  make_wakeup();
  // No SA_RESTART: a blocking poll/read returns EINTR and sees the flag.
  install(SIGTERM, 0);
  install(SIGINT, 0);
  // SIGHUP asks run and pipe to reload their configuration (systemctl reload); interrupted
  // reads and writes resume.
  install(SIGHUP, SA_RESTART);
  signal(SIGPIPE, SIG_IGN);
}

void prepare_signal_forwarding() {
  make_wakeup();
  // Only forwarded, faultline itself does nothing on them: interrupted reads and writes resume.
  install(SIGHUP, SA_RESTART);
  install(SIGQUIT, SA_RESTART);
  // A child that exits wakes the pipeline thread, which reaps it (never forwarded).
  struct sigaction sa {};
  sa.sa_handler = on_child;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, nullptr);
}

void forward_signals_to(pid_t pid) {
  forward_to.store(pid);
  if (pid <= 0) return;
  if (const int sig = last_signal.load(); sig != 0) ::kill(pid, sig);
}

}  // namespace faultline::runtime
