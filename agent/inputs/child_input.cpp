#include "agent/inputs/child_input.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "agent/inputs/passthrough.h"
#include "agent/inputs/wakeup.h"
#include "agent/telemetry/log.h"

namespace faultline {

namespace {

// One of the child's streams: its passthrough and the lines framed from its queue.
struct Stream {
  std::unique_ptr<Passthrough> copy;  // null once the stream ended
  std::unique_ptr<QueuedLines> lines;
  SourceId source = 0;
};

}  // namespace

Status ChildInput::run(LineSink& sink, const std::atomic<bool>& stop) {
  (void)stop;  // reading goes on until the child's streams close (see the header)
  using clock = std::chrono::steady_clock;
  Stream streams[2];
  int open = 0;
  for (int i = 0; i < 2; ++i) {
    const ChildStream& s = i == 0 ? options_.out : options_.err;
    if (s.fd < 0) continue;
    streams[i].source = sink.open_source(s.name);
    streams[i].lines = std::make_unique<QueuedLines>(sink, streams[i].source,
                                                     options_.max_line_bytes, options_.counters);
    streams[i].copy = std::make_unique<Passthrough>(
        PassthroughOptions{.in_fd = s.fd,
                           .out_fd = s.passthrough_fd,
                           .in_name = s.name,
                           .out_name = s.passthrough_name,
                           .max_queued_bytes = options_.max_queued_bytes,
                           .skipped_lines = options_.skipped_lines});
    ++open;
  }

  Status failed;
  Passthrough::Chunk chunk;
  std::optional<clock::time_point> exited_at;
  const auto check_exited = [&] {
    if (!exited_at && options_.child_exited && options_.child_exited()) exited_at = clock::now();
  };
  auto end_stream = [&](Stream& s) {
    while (s.copy->pop(chunk) == Passthrough::Next::kData) s.lines->feed(chunk);
    if (Status status = s.copy->status(); !status.ok()) {
      if (failed.ok()) {
        failed = status;
      } else {
        log::error(status.message());
      }
    }
    s.copy.reset();
    s.lines->finish();
    sink.close_source(s.source);
    --open;
    check_exited();  // the child is usually exiting: the other stream may be held by another
  };

  check_exited();
  clock::time_point last_data = clock::now();
  while (open > 0) {
    // After the exit, the streams still open may stay quiet for exit_linger.
    std::optional<std::chrono::milliseconds> linger;
    if (exited_at) {
      linger = std::chrono::ceil<std::chrono::milliseconds>(std::max(*exited_at, last_data) +
                                                            options_.exit_linger - clock::now());
      if (linger->count() <= 0) {
        log::info(
            "the app exited, but its output is still held open by a process it left behind; no "
            "longer reading it");
        break;
      }
    }
    // One chunk per stream per turn: a burst on one cannot starve the other.
    bool any = false;
    for (Stream& s : streams) {
      if (!s.copy) continue;
      const Passthrough::Next next = s.copy->pop(chunk);
      if (next == Passthrough::Next::kData) {
        s.lines->feed(chunk);
        any = true;
      } else if (next == Passthrough::Next::kEnd) {
        end_stream(s);
        any = true;
      }
    }
    if (any) {
      last_data = clock::now();
      continue;
    }
    const int out_fd = streams[0].copy ? streams[0].copy->ready_fd() : -1;
    const int err_fd = streams[1].copy ? streams[1].copy->ready_fd() : -1;
    const int ready =
        wait_readable({out_fd, err_fd, sink.wake_fd()}, earliest(sink.idle_timeout(), linger));
    if (ready == 0 || ready == 1) continue;
    // The sink's deadline or wake-up (a stop, a reload, SIGCHLD): held errors go out in wall
    // time, and the child may have exited.
    sink.on_idle();
    check_exited();
  }
  for (Stream& s : streams) {
    if (s.copy) end_stream(s);
  }
  return failed;
}

}  // namespace faultline
