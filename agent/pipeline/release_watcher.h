// Follows `sentry.release_file`: on hosts where each deploy writes a REVISION file, the release
// changes without faultline restarting. The file is looked at (stat) at most once per interval,
// and re-read only when its modification time or size changed. Not thread-safe; used by the
// pipeline thread when it builds an event.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace faultline {

class ReleaseWatcher {
 public:
  ReleaseWatcher(std::string path, std::string current,
                 std::chrono::milliseconds interval = std::chrono::seconds(1));

  // The new release when the file changed since the last call, else nullopt. A file that became
  // unreadable or empty keeps the last good release (and is logged once).
  std::optional<std::string> poll(int64_t now_us);

 private:
  std::string path_;
  std::string current_;
  int64_t interval_us_;
  int64_t next_check_us_ = 0;
  int64_t mtime_ns_ = -1;
  off_t size_ = -1;
  bool warned_ = false;
};

}  // namespace faultline
