#include "base/directories.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace faultline {

Status make_directories(const std::string& dir, std::string_view what) {
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos < dir.size() && dir[pos] != '/') continue;
    const std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
      return Status::Error(std::string(what) + " " + prefix + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

}  // namespace faultline
