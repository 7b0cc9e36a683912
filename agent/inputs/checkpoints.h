// Where reading resumes after a restart: one entry per tailed file (its identity, its path when
// last seen, and the offset before which every line's events are durable), kept in
// <state.dir>/checkpoints.json. Saved atomically: written to a temporary file, fsynced, renamed
// over the old one, and the directory fsynced, so a crash at any moment leaves either the old or
// the new file, never a torn one.
//
// Not thread-safe; owned by the file tailer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "agent/inputs/file_identity.h"
#include "base/status.h"

namespace faultline {

struct Checkpoint {
  std::string path;
  FileIdentity identity;
  uint64_t offset = 0;
  // The file was read to its end and released (rotated away or deleted): if it shows up again
  // (a rotated name the glob also matches), there is nothing left to read before `offset`.
  bool released = false;
  int64_t updated_ms = 0;  // wall time of the last change, for pruning released entries
};

class CheckpointStore {
 public:
  // `dir` empty: nothing is kept (every start is a first start).
  explicit CheckpointStore(std::string dir);

  // Reads the file; a missing file is an empty store, a corrupt one is an error (the caller
  // reports it and starts empty, keeping the bad file aside as checkpoints.json.corrupt).
  Status load();
  // Writes every entry if anything changed since the last save.
  Status save();

  // The entry for the file with this device and inode, if any.
  Checkpoint* find(const FileIdentity& identity);
  // Adds or replaces the entry of `c.identity`'s inode.
  void put(const Checkpoint& c);
  void erase(const FileIdentity& identity);
  // Drops released entries older than `max_age_ms` (their files are long gone or ignored).
  void prune(int64_t now_ms, int64_t max_age_ms);
  void mark_dirty() { dirty_ = true; }
  // Whether save() has something to write.
  bool needs_save() const { return dirty_ && !path_.empty(); }

  // When the loaded file was last saved (its mtime, ns since the epoch): what a file's change time
  // is compared with to tell a file created or rewritten while faultline was stopped. nullopt
  // before load() or when there was no file (a first start).
  std::optional<int64_t> saved_at_ns() const { return saved_at_ns_; }

  const std::string& path() const { return path_; }
  const std::vector<Checkpoint>& entries() const { return entries_; }

 private:
  std::string dir_;
  std::string path_;
  std::vector<Checkpoint> entries_;
  bool dirty_ = false;
  std::optional<int64_t> saved_at_ns_;
};

}  // namespace faultline
