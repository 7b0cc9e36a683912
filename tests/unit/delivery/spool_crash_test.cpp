// kill -9 in the middle of a group commit: a child process spools batches and reports each batch
// it was told is durable; it is killed at one step of its third commit. Whatever step that is,
// the next open holds every acknowledged event, unchanged, and no event that was never put.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "agent/delivery/spool.h"
#include "delivery_test_support.h"

using namespace faultline::delivery;
using faultline::Clock;
using faultline::FakeClock;
using faultline::delivery::test::event_id;
using faultline::delivery::test::TempDir;

namespace {

constexpr int kBatches = 5;
constexpr int kPerBatch = 50;

std::string payload_of(int n) {
  return "{\"event\":" + std::to_string(n) + ",\"pad\":\"" + std::string(n % 200, 'p') + "\"}";
}

// The child: never returns. Writes "<first event number of the batch>\n" to `ack_fd` after each
// put_batch() that stored every event.
[[noreturn]] void spool_until_killed(const std::string& dir, Spool::CommitStep kill_at,
                                     int ack_fd) {
  FakeClock clock;
  Stats stats;
  Events events(stats, nullptr, clock);
  auto spool = Spool::open(dir, 64 << 20, events);
  if (!spool.ok()) ::_exit(2);
  int commits = 0;
  (*spool)->set_commit_hook([&](Spool::CommitStep step) {
    if (step == Spool::CommitStep::kWritten) ++commits;
    if (commits == 3 && step == kill_at) ::raise(SIGKILL);
  });
  for (int b = 0; b < kBatches; ++b) {
    std::vector<std::string> ids, payloads;
    for (int i = 0; i < kPerBatch; ++i) {
      ids.push_back(event_id(b * kPerBatch + i + 1));
      payloads.push_back(payload_of(b * kPerBatch + i + 1));
    }
    std::vector<Spool::Item> items;
    for (int i = 0; i < kPerBatch; ++i) items.push_back({ids[i], payloads[i]});
    for (const auto& r : (*spool)->put_batch(items)) {
      if (!r.ok()) ::_exit(3);
    }
    const std::string line = std::to_string(b * kPerBatch + 1) + "\n";
    if (::write(ack_fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      ::_exit(4);
    }
  }
  ::_exit(0);  // not reached: the third commit kills it
}

}  // namespace

TEST_CASE("spool: kill -9 at any step of a group commit loses no acknowledged event",
          "[spool][crash]") {
  const Spool::CommitStep kill_at =
      GENERATE(Spool::CommitStep::kWritten, Spool::CommitStep::kFileSynced,
               Spool::CommitStep::kRenamed, Spool::CommitStep::kDirectorySynced);
  CAPTURE(static_cast<int>(kill_at));
  TempDir tmp;
  const std::string dir = tmp.sub("spool");

  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(pipe_fds[0]);
    spool_until_killed(dir, kill_at, pipe_fds[1]);
  }
  ::close(pipe_fds[1]);
  std::string acks;
  char buf[256];
  for (ssize_t n; (n = ::read(pipe_fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    REQUIRE(n > 0);
    acks.append(buf, static_cast<size_t>(n));
  }
  ::close(pipe_fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  CHECK(acks == "1\n51\n");  // two batches acknowledged; the third was being committed

  FakeClock clock;
  Stats stats;
  test::LogRecorder logs;
  Events events(stats, logs.fn(), clock);
  auto spool = Spool::open(dir, 64 << 20, events);
  REQUIRE(spool.ok());
  std::map<std::string, std::string> found;
  Clock::time_point next;
  while (auto e = (*spool)->claim(Clock::time_point() + std::chrono::hours(1), &next)) {
    auto payload = (*spool)->read(*e);
    REQUIRE(payload.ok());
    found.emplace(e->event_id, *payload);
  }
  // Every acknowledged event, with its payload.
  for (int n = 1; n <= 2 * kPerBatch; ++n) {
    INFO("event " << n);
    REQUIRE(found.count(event_id(n)) == 1);
    CHECK(found[event_id(n)] == payload_of(n));
  }
  // The batch being committed is all there (renamed: it is complete on disk) or not at all (a
  // temp file, moved aside), never in part.
  const bool renamed =
      kill_at == Spool::CommitStep::kRenamed || kill_at == Spool::CommitStep::kDirectorySynced;
  CHECK(found.size() == (renamed ? 3 : 2) * static_cast<size_t>(kPerBatch));
  for (int n = 2 * kPerBatch + 1; n <= 3 * kPerBatch; ++n) {
    if (renamed) CHECK(found[event_id(n)] == payload_of(n));
  }
  CHECK(stats.corrupt_moved_aside == (renamed ? 0u : 1u));
  if (!renamed) CHECK(logs.contains("an unfinished write left by an earlier run"));
  // New batches go after it.
  REQUIRE((*spool)->put(event_id(999), "{}").ok());
  CHECK(std::filesystem::exists(dir +
                                (renamed ? "/0000000000000004.batch" : "/0000000000000003.batch")));
}
