#include "base/directories.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace faultline {
namespace {

std::string mode_text(mode_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

}  // namespace

Status make_directories(const std::string& path, std::string_view what) {
  std::string dir = path;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  bool created = false;  // the last component, by us
  for (size_t pos = 1; pos <= dir.size(); ++pos) {
    if (pos < dir.size() && dir[pos] != '/') continue;
    const std::string prefix = dir.substr(0, pos);
    if (::mkdir(prefix.c_str(), 0700) == 0) {
      // mkdir's mode goes through the umask: a umask of 0700 would leave a directory we cannot
      // use. What we create is exactly 0700.
      if (::chmod(prefix.c_str(), 0700) != 0) {
        return Status::Error(std::string(what) + " " + prefix + ": chmod: " + std::strerror(errno));
      }
      created = pos == dir.size();
    } else if (errno != EEXIST) {
      return Status::Error(std::string(what) + " " + prefix + ": " + std::strerror(errno));
    }
  }
  if (created) return Status::Ok();
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return Status::Error(std::string(what) + " " + dir + ": " + std::strerror(errno));
  }
  if (!S_ISDIR(st.st_mode)) {
    return Status::Error(std::string(what) + " " + dir + ": exists and is not a directory");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    const char* who = (st.st_mode & S_IWOTH) != 0 ? "every user" : "its group";
    return Status::Error(dir + " can be written by " + who + " (mode " + mode_text(st.st_mode) +
                         "): another user could plant, replace or delete the files faultline " +
                         "keeps there; refusing to use it. Fix it with `chmod go-w " + dir +
                         "` (faultline creates its directories 0700), or choose another one");
  }
  return Status::Ok();
}

}  // namespace faultline
