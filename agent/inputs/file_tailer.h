// The file input of `faultline run`: follows every file matching the configured globs, across
// rename rotation, copytruncate, deletion and restarts, and hands each line to the sink exactly
// once per life of a checkpoint (docs/inputs.md states the guarantees and the limits).
//
// One code path decides what to read: every turn reads what each open file has beyond its offset
// (a bounded amount per file, so one busy file cannot starve the others). inotify on the files'
// directories only decides when a turn happens; an input with `poll` set, or a system without
// inotify, wakes on a timer instead. The globs are re-scanned every `rescan` (and at once on a
// create, rename or delete seen by inotify): a rescan finds new files, and files whose path now
// names another inode (renamed away) or nothing (deleted), which are then read to their end and
// released once quiet for `rotate_wait`.
//
// Checkpoints (<state.dir>/checkpoints.json) move only to offsets the runtime acknowledged: the
// events of every line before them are durable. They are saved every `checkpoint_interval` and
// when the tailer is destroyed.
//
// Not thread-safe: run() and acknowledge() on the pipeline thread.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
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
  std::chrono::milliseconds rescan{2000};
  std::chrono::milliseconds rotate_wait{5000};
  std::chrono::milliseconds idle_tick{250};
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
    bool orphan = false;               // renamed away or deleted: read to the end, then released
    bool finished = false;             // an orphan whose last partial line went out
    bool seen = false;                 // found by the current scan
    Clock::time_point last_data{};
  };

  void scan(LineSink& sink, bool first);
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
  // Waits for inotify or the timeout; true when inotify asked for a rescan.
  bool wait(std::chrono::milliseconds timeout);
  void close_file(File& f);
  File* by_source(SourceId source);

  TailOptions options_;
  CheckpointStore store_;
  std::vector<std::unique_ptr<File>> files_;
  std::unordered_map<SourceId, File*> sources_;
  int inotify_fd_ = -1;
  std::unordered_map<std::string, int> watched_dirs_;  // directory → watch descriptor
  bool polling_only_ = false;
  bool running_ = false;
  std::vector<std::string> reported_;  // problems already reported once (by path and kind)
  log::LogLimiter read_errors_;
};

}  // namespace faultline
