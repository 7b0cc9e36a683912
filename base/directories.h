// Creating directories at the OS edge: errno becomes a Status here, once.
#pragma once

#include <string>
#include <string_view>

#include "base/status.h"

namespace faultline {

// mkdir -p for a directory that only its owner may write to (the spool, the state directory:
// another user who could add, rename or remove files there could plant events, FIFOs that block a
// reader, or symlinks pointing elsewhere, and delete what is queued).
//
// The directories it creates are 0700 whatever the umask. An existing `dir` (the last component;
// its parents are not checked) that group or others can write to is refused, with a message that
// says why and how to fix it (chmod). Other failures read "<what> <prefix>: <strerror>", naming
// the first prefix that could not be created.
Status make_directories(const std::string& dir, std::string_view what);

}  // namespace faultline
