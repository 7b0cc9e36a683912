// The spool of last resort for `pipe` and `exec`: when the configured spool cannot be used (the
// state directory is read-only or not a directory, another faultline holds its lock), events are
// still sent, from a private directory in memory (/dev/shm, else $TMPDIR or /tmp), bounded to
// kMaxBytes. The directory goes when the object does, with the events not yet sent: they are lost,
// and the caller says how many.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace faultline {

class TemporarySpool {
 public:
  static constexpr uint64_t kMaxBytes = 16ull * 1024 * 1024;

  // A new 0700 directory, or nullopt when no place will take one.
  static std::optional<TemporarySpool> create();
  ~TemporarySpool();
  TemporarySpool(TemporarySpool&& other) noexcept;
  TemporarySpool& operator=(TemporarySpool&& other) noexcept;
  TemporarySpool(const TemporarySpool&) = delete;
  TemporarySpool& operator=(const TemporarySpool&) = delete;

  const std::string& dir() const { return dir_; }

 private:
  explicit TemporarySpool(std::string dir) : dir_(std::move(dir)) {}
  void remove();
  std::string dir_;  // empty once moved from
};

}  // namespace faultline
