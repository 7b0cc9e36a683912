// The process's signals. SIGTERM and SIGINT set one flag that every input looks at, SIGHUP
// another; both also ring signal_wakeup(), which the pipeline thread's waits watch (through the
// Acknowledger's wake_fd()), so a signal is seen at once by a thread that sleeps without a
// timeout, whichever thread the kernel delivered it to. SIGPIPE is ignored so a closed stdout is
// an EPIPE to handle, not the end of faultline (and of the app's pipe). Installed once at
// startup.
//
// `faultline exec` also passes signals on to the app it runs: once a child is registered,
// SIGTERM, SIGINT, SIGHUP and SIGQUIT are sent on to it with kill() from the handler. One the
// terminal sent to its whole foreground process group (Ctrl-C, Ctrl-\, a hangup) already reached
// the child, which shares faultline's group, so it is not sent twice (Node apps often take a
// second SIGINT as "quit now").
#pragma once

#include <sys/types.h>

#include <atomic>

#include "agent/inputs/wakeup.h"

namespace faultline::runtime {

std::atomic<bool>& stop_requested();
// Rung from the handlers of SIGTERM, SIGINT, SIGHUP and (with a child) SIGCHLD; whoever waits on
// it clears it and then looks at the flags.
Wakeup& signal_wakeup();
// Set by SIGHUP: `run` and `pipe` reload their configuration at the pipeline's next turn (`exec`
// forwards SIGHUP to the app instead, which is usually what it means there).
std::atomic<bool>& reload_requested();
void install_signal_handlers();

// Installs the handlers of SIGHUP and SIGQUIT (which would otherwise end faultline) so that
// they, too, can be forwarded, and of SIGCHLD, which rings signal_wakeup() (a child exited: reap
// it). Call before starting the child.
void prepare_signal_forwarding();
// From now on, forward to `pid`; 0 stops forwarding (the child was reaped: its pid may be
// reused). A signal that arrived before the child was registered is sent to it now.
void forward_signals_to(pid_t pid);

}  // namespace faultline::runtime
