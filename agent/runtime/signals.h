// The process's stop signals: SIGTERM and SIGINT set one flag that every input polls (a blocked
// read returns EINTR and sees it); SIGPIPE is ignored so a closed stdout is an EPIPE to handle,
// not the end of faultline (and of the app's pipe). Installed once at startup.
#pragma once

#include <atomic>

namespace faultline::runtime {

std::atomic<bool>& stop_requested();
void install_signal_handlers();

}  // namespace faultline::runtime
