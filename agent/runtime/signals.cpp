#include "agent/runtime/signals.h"

#include <signal.h>

#include <cerrno>

namespace faultline::runtime {

std::atomic<bool>& stop_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

std::atomic<bool>& reload_requested() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {

// Read and written from the handler: lock-free atomics only.
std::atomic<pid_t> forward_to{0};
std::atomic<int> last_signal{0};  // the last signal to forward, kept for a child not yet known
static_assert(std::atomic<pid_t>::is_always_lock_free && std::atomic<int>::is_always_lock_free);

void on_signal(int sig, siginfo_t* info, void*) {
  const int saved_errno = errno;
  if (sig == SIGTERM || sig == SIGINT) stop_requested().store(true);
  if (sig == SIGHUP) reload_requested().store(true);
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

void install_signal_handlers() {
  // No SA_RESTART: a blocking poll/read returns EINTR and sees the flag.
  install(SIGTERM, 0);
  install(SIGINT, 0);
  // SIGHUP asks run and pipe to reload their configuration (systemctl reload); interrupted
  // reads and writes resume.
  install(SIGHUP, SA_RESTART);
  signal(SIGPIPE, SIG_IGN);
}

void prepare_signal_forwarding() {
  // Only forwarded, faultline itself does nothing on them: interrupted reads and writes resume.
  install(SIGHUP, SA_RESTART);
  install(SIGQUIT, SA_RESTART);
}

void forward_signals_to(pid_t pid) {
  forward_to.store(pid);
  if (pid <= 0) return;
  if (const int sig = last_signal.load(); sig != 0) ::kill(pid, sig);
}

}  // namespace faultline::runtime
