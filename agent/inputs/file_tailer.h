// The file input of `faultline run`: follows every file matching the configured globs, across
// rename rotation, copytruncate, deletion and restarts, and hands each line to the sink exactly
// once per life of a checkpoint (docs/inputs.md states the guarantees and the limits).
//
// One code path decides what to read: every turn reads what each open file has beyond its offset
// (a bounded amount per file, so one busy file cannot starve the others). inotify on the files'
// directories only decides when a turn happens; an input with `poll` set, or a system without
// inotify, wakes on a timer instead. The globs are re-scanned at once on a create, rename or
// delete seen by inotify, and otherwise every `rescan` while some glob's directory is not watched
// (a wildcard in it, not there yet, a `poll` input), or only every `safety_rescan` when inotify
// watches them all. A rescan finds new files, and files whose path now names another inode
// (renamed away) or nothing (deleted), which are then read to their end and released once quiet
// for `rotate_wait`.
//
// Checkpoints (<state.dir>/checkpoints.json) move only to offsets the runtime acknowledged: the
// events of every line before them are durable. They are saved at most every
// `checkpoint_interval` while they move, and when the tailer is destroyed.
//
// Idle, the tailer sleeps in poll() until inotify reports a change, the sink's deadline or
// wake-up (line_sink.h), or one of its own timers that has work: a rescan, a save of checkpoints
// that moved, an orphan due for release, a `poll` interval.
//
// Not thread-safe: run() and acknowledge() on the pipeline thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "agent/inputs/checkpoints.h"
#include "agent/inputs/file_identity.h"
#include "agent/inputs/input.h"
#include "agent/telemetry/log.h"
#include "agent/telemetry/metrics.h"
#include "agent/telemetry/series_board.h"
#include "parsers/line_framer.h"

namespace faultline {

struct TailSpec {
  std::vector<std::string> globs;
  std::vector<std::string> exclude;   // shell patterns matched against the file's name
  bool start_at_end = true;           // a file without a checkpoint, present at startup
  std::chrono::milliseconds poll{0};  // 0: inotify; else: wake at this interval
  InputMetrics* counters = nullptr;   // this input's lines and bytes; may be null
  SourceTraits traits;                // handed to the sink for every file of this spec
};

struct TailOptions {
  std::vector<TailSpec> specs;
  std::string state_dir;  // checkpoints; empty: none kept
  size_t max_line_bytes = 1024 * 1024;
  size_t max_open_files = 256;  // idle files past this are closed and reopened at their offset
  // While some glob's directory is not watched by inotify.
  std::chrono::milliseconds rescan{2000};
  // While inotify watches every glob's directory: only a safety net, for what inotify does not
  // report (a directory replaced under a watch, a file system that drops events).
  std::chrono::milliseconds safety_rescan{60'000};
  std::chrono::milliseconds rotate_wait{5000};
  std::chrono::milliseconds checkpoint_interval{1000};
  // Bytes read from one file in one turn before the others get theirs.
  size_t read_budget = 1024 * 1024;
  // Where the checkpoint lag of each followed file is published (…checkpoint_lag_bytes{file});
  // may be null.
  SeriesBoard* checkpoint_lag = nullptr;
};

class FileTailer final : public Input {
 public:
  explicit FileTailer(TailOptions options);
  ~FileTailer() override;  // saves the checkpoints
  FileTailer(const FileTailer&) = delete;
  FileTailer& operator=(const FileTailer&) = delete;

  // Until `stop`. Fails only when the state directory cannot hold checkpoints at all; unreadable
  // inputs are reported once each and retried at every rescan.
  Status run(LineSink& sink, const std::atomic<bool>& stop) override;
  void acknowledge(SourceId source, uint64_t offset) override;

 private:
  using Clock = std::chrono::steady_clock;
  struct File {
    std::string path;
    FileIdentity identity;
    int fd = -1;  // -1: closed while idle; reopened by path at `offset`
    std::unique_ptr<LineFramer> framer;
    uint64_t offset = 0;  // the next byte to read
    uint64_t acked = 0;   // the checkpoint: every line before it is safe
    SourceId source = 0;
    InputMetrics* counters = nullptr;  // the input (TailSpec) that found it
    SourceTraits traits;
    bool orphan = false;    // renamed away or deleted: read to the end, then released
    bool finished = false;  // an orphan whose last partial line went out
    bool seen = false;      // found by the current scan
    Clock::time_point last_data{};
  };

  // What woke the tailer from wait().
  struct Woken {
    bool rescan = false;    // a file created, renamed or deleted, or its attributes changed
    bool modified = false;  // a file written to
  };

  void scan(LineSink& sink, bool first);
  // Reopens the files closed while idle (max_open_files) that grew since.
  void reopen_grown();
  void track(LineSink& sink, const std::string& path, const TailSpec& spec, bool first);
  void open_source(LineSink& sink, File& f);
  // Reads what `f` has beyond its offset, up to the budget. True when bytes were read.
  bool read_file(LineSink& sink, File& f);
  bool reopen(File& f);
  void restart_truncated(LineSink& sink, File& f, const char* why);
  void release_quiet_orphans(LineSink& sink, Clock::time_point now);
  void close_idle_files();
  void save_checkpoints();
  void publish_lag();
  void watch_directories();
  // Whether inotify watches the directory of every glob: then a rescan is only a safety net.
  bool globs_watched() const;
  // When the next orphan is due for release (quiet for rotate_wait): nullopt when none is, or
  // when each waits only for its last events to become durable (they move at on_idle()).
  std::optional<Clock::time_point> next_release(Clock::time_point now) const;
  // Waits for inotify, the sink's wake-up or the timeout.
  Woken wait(int wake_fd, std::optional<std::chrono::milliseconds> timeout);
  void close_file(File& f);
  File* by_source(SourceId source);

  TailOptions options_;
  CheckpointStore store_;
  std::vector<std::unique_ptr<File>> files_;
  std::unordered_map<SourceId, File*> sources_;
  int inotify_fd_ = -1;
  std::unordered_map<std::string, int> watched_dirs_;  // directory → watch descriptor
  bool running_ = false;
  bool lag_stale_ = false;  // bytes read or acknowledged since the lag was last published
  std::vector<std::string> reported_;  // problems already reported once (by path and kind)
  log::LogLimiter read_errors_;
};

}  // namespace faultline
