// Throughput of the disk spool (docs/benchmarks.md, "Spool"): small events pushed as fast as the
// pipeline can emit them through the spool writer (SpoolingSink → Delivery::submit_batch → group
// commit), or, for comparison, one durable put (one commit, two fsyncs) per event.
//
//   faultline-bench-spool [--mode sink|put] [--events N] [--payload BYTES] [--dir DIR]
//
// The spool lives in DIR (default: a fresh directory under $TMPDIR or /tmp, removed at the end),
// so the figures are those of that file system. Nothing is sent: the transport holds every
// request until shutdown. Prints events/s, MB/s, commits, events per commit and the time spent in
// fsync, from delivery's own counters.
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>

#include "agent/delivery/delivery.h"
#include "agent/outputs/spooling_sink.h"
#include "parsers/json.h"

namespace {

using namespace faultline;
using Steady = std::chrono::steady_clock;

// Holds a request until shutdown aborts it: the sender stays out of the way.
class IdleTransport final : public delivery::Transport {
 public:
  explicit IdleTransport(const std::atomic<bool>& abort) : abort_(abort) {}
  delivery::Response send(const delivery::Request&) override {
    while (!abort_.load()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    delivery::Response r;
    r.kind = delivery::Response::Kind::kAborted;
    return r;
  }

 private:
  const std::atomic<bool>& abort_;
};

std::string hex_id(uint64_t n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%016llx", 0xfa017100fa017100ull,
                static_cast<unsigned long long>(n));
  return buf;
}

int usage() {
  std::fprintf(stderr,
               "usage: faultline-bench-spool [--mode sink|put] [--events N] [--payload BYTES] "
               "[--dir DIR]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = "sink";
  uint64_t events = 0;
  size_t payload_bytes = 500;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return usage();
    const char* value = argv[++i];
    if (arg == "--mode") {
      mode = value;
    } else if (arg == "--events") {
      events = std::strtoull(value, nullptr, 10);
    } else if (arg == "--payload") {
      payload_bytes = std::strtoull(value, nullptr, 10);
    } else if (arg == "--dir") {
      dir = value;
    } else {
      return usage();
    }
  }
  if (mode != "sink" && mode != "put") return usage();
  if (events == 0) events = mode == "sink" ? 200'000 : 2'000;
  bool remove_dir = false;
  if (dir.empty()) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern =
        std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/faultline-spool-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) return 1;
    dir = pattern;
    remove_dir = true;
  }

  delivery::Options o;
  o.dsn = "https://f00df00df00df00df00df00df00df00d@sentry.invalid/1";
  o.spool_dir = dir + "/spool";
  o.spool_max_bytes = 16ull << 30;
  o.sdk_version = "bench";
  o.transport_factory =
      [](const std::atomic<bool>& abort) -> Result<std::unique_ptr<delivery::Transport>> {
    return std::unique_ptr<delivery::Transport>(new IdleTransport(abort));
  };
  auto opened = delivery::Delivery::open(std::move(o));
  if (!opened.ok()) {
    std::fprintf(stderr, "%s\n", opened.message().c_str());
    return 1;
  }
  delivery::Delivery& d = **opened;

  // A small event: a message, and padding up to about `payload_bytes` of JSON.
  const std::string head =
      R"({"level":"error","platform":"node","message":"boom","extra":{"pad":")";
  const std::string text =
      head +
      std::string(payload_bytes > head.size() + 3 ? payload_bytes - head.size() - 3 : 0, 'x') +
      "\"}}";
  auto event = json::parse(text);
  if (!event.ok()) return 1;
  const std::string payload = json::to_string(*event);

  const auto start = Steady::now();
  if (mode == "sink") {
    SpoolingSink sink(d, 16 << 20);
    for (uint64_t n = 0; n < events; ++n) sink.emit(hex_id(n), *event, 0);
    sink.flush();
  } else {
    for (uint64_t n = 0; n < events; ++n) (void)d.submit(hex_id(n), payload);
  }
  const double seconds = std::chrono::duration<double>(Steady::now() - start).count();

  const delivery::Stats& s = d.stats();
  const double commits = static_cast<double>(s.spool_commits.load());
  std::printf(
      "mode=%s events=%llu payload_bytes=%zu seconds=%.3f events_per_s=%.0f mb_per_s=%.1f "
      "commits=%.0f events_per_commit=%.1f fsync_s=%.3f spooled=%llu dropped=%llu\n",
      mode.c_str(), static_cast<unsigned long long>(events), payload.size(), seconds,
      static_cast<double>(events) / seconds,
      static_cast<double>(s.spool_written_bytes.load()) / 1e6 / seconds, commits,
      commits > 0 ? static_cast<double>(s.submitted.load()) / commits : 0.0,
      static_cast<double>(s.spool_sync_micros.load()) / 1e6,
      static_cast<unsigned long long>(s.submitted.load()),
      static_cast<unsigned long long>(s.dropped_spool_full.load() + s.dropped_spool_error.load()));
  opened->reset();  // stops the sender, closes the spool
  if (remove_dir) std::filesystem::remove_all(dir);
  return 0;
}
