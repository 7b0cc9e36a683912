#include "agent/inputs/child_input.h"

#include <algorithm>
#include <memory>
#include <optional>

#include "agent/inputs/passthrough.h"
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
  Doorbell doorbell;
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
                           .skipped_lines = options_.skipped_lines,
                           .doorbell = &doorbell});
    ++open;
  }

  Status failed;
  Passthrough::Chunk chunk;
  auto end_stream = [&](Stream& s) {
    while (s.copy->pop(chunk, std::chrono::milliseconds(0)) == Passthrough::Next::kData) {
      s.lines->feed(chunk);
    }
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
  };

  clock::time_point last_data = clock::now();
  clock::time_point last_check{};
  std::optional<clock::time_point> exited_at;
  while (open > 0) {
    const auto now = clock::now();
    if (!exited_at && options_.child_exited && now - last_check >= options_.idle_tick) {
      last_check = now;
      if (options_.child_exited()) exited_at = now;
    }
    if (exited_at && now - std::max(*exited_at, last_data) >= options_.exit_linger) {
      log::info(
          "the app exited, but its output is still held open by a process it left behind; no "
          "longer reading it");
      break;
    }
    // One chunk per stream per turn: a burst on one cannot starve the other.
    bool any = false;
    for (Stream& s : streams) {
      if (!s.copy) continue;
      const Passthrough::Next next = s.copy->pop(chunk, std::chrono::milliseconds(0));
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
    } else if (!doorbell.wait(options_.idle_tick)) {
      sink.on_idle();  // quiet: let held errors go out in wall time
    }
  }
  for (Stream& s : streams) {
    if (s.copy) end_stream(s);
  }
  return failed;
}

}  // namespace faultline
