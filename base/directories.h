// Creating directories at the OS edge: errno becomes a Status here, once.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace faultline {

// mkdir -p, owner-only (0700) for the directories it creates. On failure the message reads
// "<what> <prefix>: <strerror>", naming the first prefix that could not be created.
Status make_directories(const std::string& dir, std::string_view what);

}  // namespace faultline
