#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "agent/delivery/spool.h"
#include "delivery_test_support.h"

using namespace faultline::delivery;
using faultline::Clock;
using faultline::FakeClock;
using faultline::delivery::test::event_id;
using faultline::delivery::test::files_in;
using faultline::delivery::test::TempDir;

namespace {

const Clock::time_point kNow = Clock::time_point() + std::chrono::hours(1);

struct Fixture {
  TempDir tmp;
  FakeClock clock;
  Stats stats;
  test::LogRecorder logs;
  Events events{stats, logs.fn(), clock};

  std::unique_ptr<Spool> open(uint64_t max_bytes = 1 << 20) {
    auto spool = Spool::open(tmp.sub("spool"), max_bytes, events);
    REQUIRE(spool.ok());
    return std::move(spool).value();
  }
  std::string spool_dir() const { return tmp.sub("spool"); }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::vector<std::string> claim_all(Spool& spool) {
  std::vector<std::string> ids;
  Clock::time_point next;
  while (auto e = spool.claim(kNow, &next)) ids.push_back(e->event_id);
  return ids;
}

}  // namespace

TEST_CASE("spool: put writes one named, checksummed file, reopen recovers in order", "[spool]") {
  Fixture f;
  {
    auto spool = f.open();
    REQUIRE(spool->put(event_id(3), R"({"n":3})").ok());
    REQUIRE(spool->put(event_id(1), R"({"n":1})").ok());
    REQUIRE(spool->put(event_id(2), R"({"n":2})").ok());
    CHECK(f.stats.submitted == 3);
    CHECK(f.stats.spool_files == 3);
    const auto names = files_in(f.spool_dir());
    REQUIRE(names.size() == 4);  // three events and the lock file
    CHECK(names[0] == ".lock");
    CHECK(names[1] == "0000000000000001-" + event_id(3) + ".event");
    const std::string bytes = read_file(f.spool_dir() + "/" + names[1]);
    CHECK(bytes == spool_file_header(event_id(3), R"({"n":3})") + R"({"n":3})");
    CHECK(bytes.rfind("faultline-spool 1 " + event_id(3) + " 7 ", 0) == 0);
  }
  Stats fresh;
  Events events(fresh, nullptr, f.clock);
  auto reopened = Spool::open(f.spool_dir(), 1 << 20, events);
  REQUIRE(reopened.ok());
  CHECK(fresh.spool_files == 3);
  CHECK(fresh.spool_bytes == f.stats.spool_bytes.load());
  CHECK(claim_all(**reopened) == std::vector<std::string>{event_id(3), event_id(1), event_id(2)});
  // New events go after the recovered ones.
  REQUIRE((*reopened)->put(event_id(9), "{}").ok());
  CHECK(files_in(f.spool_dir()).back() == "0000000000000004-" + event_id(9) + ".event");
}

TEST_CASE("spool: an id already spooled keeps its first payload", "[spool]") {
  Fixture f;
  auto spool = f.open();
  auto first = spool->put(event_id(7), "first");
  REQUIRE(first.ok());
  CHECK(*first == Spool::Put::kStored);
  auto second = spool->put(event_id(7), "second");
  REQUIRE(second.ok());
  CHECK(*second == Spool::Put::kDuplicate);
  CHECK(f.stats.duplicates == 1);
  CHECK(spool->size() == 1);
  Clock::time_point next;
  auto entry = spool->claim(kNow, &next);
  REQUIRE(entry);
  CHECK(*spool->read(*entry) == "first");
}

TEST_CASE("spool: full spool drops the oldest unclaimed events first, counted", "[spool]") {
  Fixture f;
  const std::string payload(100, 'x');
  const uint64_t file_bytes = spool_file_header(event_id(1), payload).size() + payload.size();
  auto spool = f.open(file_bytes * 3);
  for (int i = 1; i <= 3; ++i) REQUIRE(spool->put(event_id(i), payload).ok());
  Clock::time_point next;
  auto claimed = spool->claim(kNow, &next);  // event 1 is being sent: it must survive
  REQUIRE(claimed);
  CHECK(claimed->event_id == event_id(1));

  REQUIRE(spool->put(event_id(4), payload).ok());
  CHECK(f.stats.dropped_spool_full == 1);
  CHECK(f.stats.spool_bytes == file_bytes * 3);
  CHECK(f.logs.contains("dropped event " + event_id(2)));
  spool->complete(*claimed);
  CHECK(claim_all(*spool) == std::vector<std::string>{event_id(3), event_id(4)});
}

TEST_CASE("spool: an event that cannot fit is refused and counted", "[spool]") {
  Fixture f;
  auto spool = f.open(150);
  auto too_big = spool->put(event_id(1), std::string(200, 'x'));
  REQUIRE_FALSE(too_big.ok());
  CHECK(too_big.message().find("spool full") != std::string::npos);
  CHECK(f.stats.dropped_spool_full == 1);

  // Room is held by an event in flight: the new one is refused, the one in flight kept.
  REQUIRE(spool->put(event_id(2), std::string(60, 'x')).ok());
  Clock::time_point next;
  auto claimed = spool->claim(kNow, &next);
  REQUIRE(claimed);
  CHECK_FALSE(spool->put(event_id(3), std::string(60, 'x')).ok());
  CHECK(f.stats.dropped_spool_full == 2);
  CHECK(spool->size() == 1);
}

TEST_CASE("spool: claim honours not_before, release counts failures", "[spool]") {
  Fixture f;
  auto spool = f.open();
  REQUIRE(spool->put(event_id(1), "a").ok());
  REQUIRE(spool->put(event_id(2), "b").ok());
  Clock::time_point next;
  auto first = spool->claim(kNow, &next);
  REQUIRE(first);
  CHECK(first->failures == 0);
  spool->release(*first, kNow + std::chrono::seconds(5), /*failed=*/true);

  auto second = spool->claim(kNow, &next);  // the first waits out its backoff
  REQUIRE(second);
  CHECK(second->event_id == event_id(2));
  CHECK_FALSE(spool->claim(kNow, &next));
  CHECK(next == kNow + std::chrono::seconds(5));

  auto again = spool->claim(kNow + std::chrono::seconds(5), &next);
  REQUIRE(again);
  CHECK(again->event_id == event_id(1));
  CHECK(again->failures == 1);
  spool->complete(*again);
  spool->complete(*second);
  CHECK(spool->size() == 0);
  CHECK(f.stats.spool_bytes == 0);
  CHECK(files_in(f.spool_dir()) == std::vector<std::string>{".lock"});
}

TEST_CASE("spool: corrupt, partial and stray files at start are moved aside, not fatal",
          "[spool]") {
  Fixture f;
  {
    auto spool = f.open();
    for (int i = 1; i <= 5; ++i)
      REQUIRE(spool->put(event_id(i), "{\"n\":" + std::to_string(i) + "}").ok());
  }
  const std::string dir = f.spool_dir();
  const auto name = [&](int seq, int id) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016x-", seq);
    return std::string(buf) + event_id(id) + ".event";
  };
  // 2: truncated; 3: a flipped payload byte; 4: empty; 5: renamed under another id.
  std::string two = read_file(dir + "/" + name(2, 2));
  write_file(dir + "/" + name(2, 2), two.substr(0, two.size() - 2));
  std::string three = read_file(dir + "/" + name(3, 3));
  three.back() = 'X';
  write_file(dir + "/" + name(3, 3), three);
  write_file(dir + "/" + name(4, 4), "");
  std::filesystem::rename(dir + "/" + name(5, 5), dir + "/" + name(5, 6));
  // A temp file a crash left, and a file that is not ours.
  write_file(dir + "/.tmp-0000000000000009-" + event_id(9) + ".event", "faultline-spool 1 ");
  write_file(dir + "/README", "operator notes");

  auto spool = f.open();
  CHECK(f.stats.corrupt_moved_aside == 5);
  CHECK(f.logs.contains("truncated"));
  CHECK(f.logs.contains("checksum mismatch"));
  CHECK(f.logs.contains("empty file"));
  CHECK(f.logs.contains("event_id differs from file name"));
  CHECK(f.logs.contains("unfinished write"));
  CHECK(f.logs.contains("ignoring unexpected file"));
  CHECK(claim_all(*spool) == std::vector<std::string>{event_id(1)});
  CHECK(files_in(dir + "/corrupt").size() == 5);
  CHECK(files_in(dir) == std::vector<std::string>{".lock", name(1, 1), "README"});
}

TEST_CASE("spool: a file damaged after start is moved aside when read", "[spool]") {
  Fixture f;
  auto spool = f.open();
  REQUIRE(spool->put(event_id(1), "payload").ok());
  const std::string path = f.spool_dir() + "/0000000000000001-" + event_id(1) + ".event";
  write_file(path, "garbage");
  Clock::time_point next;
  auto entry = spool->claim(kNow, &next);
  REQUIRE(entry);
  auto payload = spool->read(*entry);
  REQUIRE_FALSE(payload.ok());
  CHECK(f.stats.corrupt_moved_aside == 1);
  CHECK(spool->size() == 0);
  CHECK(f.stats.spool_bytes == 0);
  CHECK(files_in(f.spool_dir() + "/corrupt").size() == 1);
}

TEST_CASE("spool: a smaller spool_max_bytes at start drops the oldest", "[spool]") {
  Fixture f;
  const std::string payload(100, 'y');
  const uint64_t file_bytes = spool_file_header(event_id(1), payload).size() + payload.size();
  {
    auto spool = f.open();
    for (int i = 1; i <= 4; ++i) REQUIRE(spool->put(event_id(i), payload).ok());
  }
  auto spool = f.open(file_bytes * 2);
  CHECK(f.stats.dropped_spool_full == 2);
  CHECK(claim_all(*spool) == std::vector<std::string>{event_id(3), event_id(4)});
}

TEST_CASE("spool: one process per directory", "[spool]") {
  Fixture f;
  auto first = f.open();
  auto second = Spool::open(f.spool_dir(), 1 << 20, f.events);
  REQUIRE_FALSE(second.ok());
  CHECK(second.message().find("in use by another faultline process") != std::string::npos);
  first.reset();
  CHECK(Spool::open(f.spool_dir(), 1 << 20, f.events).ok());
}

TEST_CASE("spool: a disk failure fails put, is counted, and leaves nothing behind", "[spool]") {
  Fixture f;
  auto spool = f.open();
  REQUIRE(spool->put(event_id(1), "ok").ok());
  std::filesystem::remove_all(f.spool_dir());  // the disk "fails": every write now errors
  auto put = spool->put(event_id(2), "lost");
  REQUIRE_FALSE(put.ok());
  CHECK(put.message().find("cannot create") != std::string::npos);
  CHECK(f.stats.dropped_spool_error == 1);
  CHECK(f.stats.submitted == 1);
  CHECK(spool->size() == 1);
  // The id is free again: a retry of the same event may be spooled later.
  std::filesystem::create_directories(f.spool_dir());
  CHECK(spool->put(event_id(2), "again").ok());
}

TEST_CASE("spool: file format parser rejects what it should", "[spool]") {
  const std::string id = event_id(1);
  const std::string good = spool_file_header(id, "abc") + "abc";
  CHECK(*parse_spool_file(good, id) == "abc");
  CHECK_FALSE(parse_spool_file(good, event_id(2)).ok());
  CHECK_FALSE(parse_spool_file(good + "d", id).ok());
  CHECK_FALSE(parse_spool_file("faultline-spool 2 " + good.substr(18), id).ok());
  CHECK_FALSE(parse_spool_file("faultline-spool 1 " + id + " x 00000000\nabc", id).ok());
  CHECK_FALSE(parse_spool_file("no newline at all", id).ok());
}
