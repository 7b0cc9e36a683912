// The app's files as faultline reads them for events (docs/sources.md): each file's debug id and,
// for source context, its lines, kept in a cache bounded in bytes (least recently used out
// first) so that a hot error does not re-read its files. Entries are keyed by the path asked
// for; a cached file is used while its identity (device, inode, mtime, size) is what stat()
// says now, which costs one system call; a changed file is looked at anew.
//
// Confinement: a file is opened only when its real path (symlinks and ".." resolved) lies under
// the real path of one of `roots`, resolved again for each event that opens a file (a deploy may
// move a symlinked root), and the kernel's name of the opened file (/proc/self/fd) is checked
// once more. A cached identity stands for a file already checked: the same inode is the same
// file, wherever a path now leads.
//
// A file that cannot be read (missing, no permission, not a regular file, leading out of the
// roots) is counted once in `unreadable` and remembered, so that the events that follow do not
// try again until it changes; faultline logs nothing per file or per event.
//
// Not thread-safe: its owner (SourceEnricher) serializes calls. Returned files are immutable and
// stay valid after they leave the cache.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/metrics.h"

namespace faultline::sentry {

struct SourceCounters {
  Counter* files_read = nullptr;  // files (or their tails) read from disk
  Counter* unreadable = nullptr;  // files that could not be read, once per file
};

// One file as it was read.
class SourceFile {
 public:
  const std::string& debug_id() const { return debug_id_; }  // "" when it has none
  // Whether its lines were read (asked for, and small enough).
  bool has_lines() const { return has_lines_; }
  size_t line_count() const { return starts_.size(); }
  // Line `number` (1-based, at most line_count()), without its line break (\n or \r\n).
  std::string_view line(size_t number) const;
  uint64_t bytes() const;  // what it costs the cache

 private:
  friend class SourceFiles;
  std::string debug_id_;
  bool has_lines_ = false;
  bool lines_refused_ = false;  // too large to keep: not tried again while it is unchanged
  std::string text_;
  std::vector<uint32_t> starts_;
};

class SourceFiles {
 public:
  // `roots` as configured (normal form); `max_bytes` bounds the cache, and a file's lines are
  // read only when it is at most a quarter of that.
  SourceFiles(std::vector<std::string> roots, uint64_t max_bytes, SourceCounters counters);

  // Call once per event, before get(): the roots are resolved again, when a file is looked at
  // that is not already known.
  void begin_event();

  // The file at `path` (absolute, lexically under a root), or null when it cannot be read.
  // `want_lines`: read its lines too, unless it is larger than max_bytes / 4.
  std::shared_ptr<const SourceFile> get(const std::string& path, bool want_lines);

  uint64_t cached_bytes() const { return bytes_; }

 private:
  struct Identity {
    dev_t dev = 0;
    ino_t ino = 0;
    int64_t mtime_ns = 0;
    int64_t size = 0;
    bool operator==(const Identity&) const = default;
  };
  struct Entry {
    std::string key;
    Identity identity;
    std::shared_ptr<const SourceFile> file;  // null: could not be read
    uint64_t bytes = 0;
  };
  using List = std::list<Entry>;

  // Remembers `path` as unreadable while it keeps `identity` ({} when stat() failed), counting
  // it when it was not already.
  std::shared_ptr<const SourceFile> unreadable(const std::string& path, const Identity& identity);
  void resolve_roots();
  // Opens and reads `real`; `identity` becomes the opened file's. Null when it cannot be read.
  std::shared_ptr<const SourceFile> read(const std::string& real, Identity& identity,
                                         const SourceFile* known, bool want_lines);
  bool within_roots(std::string_view real) const;
  void put(Entry entry);
  void erase(const std::string& key);

  const std::vector<std::string> roots_;
  std::vector<std::string> real_roots_;
  bool roots_resolved_ = false;
  const uint64_t max_bytes_;
  SourceCounters counters_;
  List lru_;  // most recently used first
  std::unordered_map<std::string, List::iterator> index_;
  uint64_t bytes_ = 0;
};

}  // namespace faultline::sentry
