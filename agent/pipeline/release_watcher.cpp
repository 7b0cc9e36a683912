#include "agent/pipeline/release_watcher.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "agent/config/loader.h"
#include "agent/telemetry/log.h"

namespace faultline {

ReleaseWatcher::ReleaseWatcher(std::string path, std::string current,
                               std::chrono::milliseconds interval)
    : path_(std::move(path)), current_(std::move(current)), interval_us_(interval.count() * 1000) {
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0) {
    mtime_ns_ = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    size_ = st.st_size;
  }
}

std::optional<std::string> ReleaseWatcher::poll(int64_t now_us) {
  if (now_us < next_check_us_) return std::nullopt;
  next_check_us_ = now_us + interval_us_;
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    if (!warned_) {
      log::warn("sentry.release_file " + path_ + ": " + std::strerror(errno) +
                "; keeping release " + current_);
      warned_ = true;
    }
    return std::nullopt;
  }
  const int64_t mtime =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  if (mtime == mtime_ns_ && st.st_size == size_) return std::nullopt;
  mtime_ns_ = mtime;
  size_ = st.st_size;
  auto read = config::read_first_line(path_);
  const std::string line = read.ok() ? *read : "";
  if (line.empty() || !config::release_problem(line).empty()) {
    if (!warned_) {
      log::warn("sentry.release_file " + path_ + " holds no valid release; keeping " + current_);
      warned_ = true;
    }
    return std::nullopt;
  }
  warned_ = false;
  if (line == current_) return std::nullopt;
  log::info("release changed to " + line + " (from " + path_ + ")");
  current_ = line;
  return line;
}

}  // namespace faultline
