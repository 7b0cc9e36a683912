// The disk spool: group commits into batch files, the ledger of what is done, the bound, and what
// an earlier run (or someone else) left in the directory.
#include <sys/stat.h>
#include <unistd.h>

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
    INFO(spool.message());
    REQUIRE(spool.ok());
    return std::move(spool).value();
  }
  std::string spool_dir() const { return tmp.sub("spool"); }
  std::string file(const std::string& name) const { return spool_dir() + "/" + name; }
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

std::string record(int id, const std::string& payload) {
  return spool_file_header(event_id(id), payload) + payload;
}

// Events of a batch: owns the strings that Spool::Item views.
struct Batch {
  std::vector<std::pair<std::string, std::string>> owned;
  std::vector<Spool::Item> items() const {
    std::vector<Spool::Item> out;
    for (const auto& [id, payload] : owned) out.push_back({id, payload});
    return out;
  }
};

std::vector<std::string> claim_all(Spool& spool) {
  std::vector<std::string> ids;
  Clock::time_point next;
  while (auto e = spool.claim(kNow, &next)) ids.push_back(e->event_id);
  return ids;
}

std::vector<std::string> ids(std::initializer_list<int> ns) {
  std::vector<std::string> out;
  for (int n : ns) out.push_back(event_id(n));
  return out;
}

// The payloads of every event, claimed and completed in order.
std::vector<std::string> drain(Spool& spool) {
  std::vector<std::string> out;
  Clock::time_point next;
  while (auto e = spool.claim(kNow, &next)) {
    auto payload = spool.read(*e);
    REQUIRE(payload.ok());
    out.push_back(*payload);
    spool.complete(*e);
  }
  return out;
}

}  // namespace

TEST_CASE("spool: put writes one named, checksummed batch file, reopen recovers in order",
          "[spool]") {
  Fixture f;
  {
    auto spool = f.open();
    REQUIRE(spool->put(event_id(3), R"({"n":3})").ok());
    REQUIRE(spool->put(event_id(1), R"({"n":1})").ok());
    REQUIRE(spool->put(event_id(2), R"({"n":2})").ok());
    CHECK(f.stats.submitted == 3);
    CHECK(f.stats.spool_files == 3);
    CHECK(f.stats.spool_commits == 3);
    const auto names = files_in(f.spool_dir());
    REQUIRE(names.size() == 4);  // three batches and the lock file
    CHECK(names[0] == ".lock");
    CHECK(names[1] == "0000000000000001.batch");
    const std::string bytes = read_file(f.file(names[1]));
    CHECK(bytes == record(3, R"({"n":3})"));
    CHECK(bytes.rfind("faultline-spool 1 " + event_id(3) + " 7 ", 0) == 0);
    CHECK(f.stats.spool_bytes == 3 * bytes.size());
    CHECK(f.stats.spool_written_bytes == 3 * bytes.size());
  }
  Stats fresh;
  Events events(fresh, nullptr, f.clock);
  auto reopened = Spool::open(f.spool_dir(), 1 << 20, events);
  REQUIRE(reopened.ok());
  CHECK(fresh.spool_files == 3);
  CHECK(fresh.spool_bytes == f.stats.spool_bytes.load());
  CHECK(claim_all(**reopened) == ids({3, 1, 2}));
  // New events go after the recovered ones.
  REQUIRE((*reopened)->put(event_id(9), "{}").ok());
  CHECK(files_in(f.spool_dir()).back() == "0000000000000004.batch");
}

TEST_CASE("spool: a batch is one file, one commit, and every event of it is durable on return",
          "[spool]") {
  Fixture f;
  std::vector<std::string> payloads;
  for (int i = 1; i <= 100; ++i) payloads.push_back("{\"n\":" + std::to_string(i) + "}");
  Batch batch;
  for (int i = 1; i <= 100; ++i) batch.owned.emplace_back(event_id(i), payloads[i - 1]);
  const std::vector<Spool::Item> items = batch.items();
  std::vector<Spool::CommitStep> steps;
  {
    auto spool = f.open();
    spool->set_commit_hook([&](Spool::CommitStep s) { steps.push_back(s); });
    auto results = spool->put_batch(items);
    REQUIRE(results.size() == 100);
    for (const auto& r : results) CHECK((r.ok() && *r == Spool::Put::kStored));
    CHECK(steps == std::vector<Spool::CommitStep>{
                       Spool::CommitStep::kWritten, Spool::CommitStep::kFileSynced,
                       Spool::CommitStep::kRenamed, Spool::CommitStep::kDirectorySynced});
    CHECK(f.stats.spool_commits == 1);
    CHECK(f.stats.submitted == 100);
    CHECK(f.stats.spool_files == 100);
    CHECK(files_in(f.spool_dir()) == std::vector<std::string>{".lock", "0000000000000001.batch"});
    std::string expected;
    for (int i = 1; i <= 100; ++i) expected += record(i, payloads[i - 1]);
    CHECK(read_file(f.file("0000000000000001.batch")) == expected);
    CHECK(f.stats.spool_written_bytes == expected.size());
  }
  auto spool = f.open();
  CHECK(drain(*spool) == payloads);
  CHECK(files_in(f.spool_dir()) == std::vector<std::string>{".lock"});
}

TEST_CASE("spool: a batch refuses what is invalid, a duplicate and what cannot fit, alone",
          "[spool]") {
  Fixture f;
  auto spool = f.open(1000);
  REQUIRE(spool->put(event_id(1), "first").ok());
  const std::string big(2000, 'x');
  const Batch items_batch{{{event_id(2), "a"},
                           {"not-an-id", "b"},
                           {event_id(1), "second"},  // already spooled
                           {event_id(2), "again"},   // twice in the batch
                           {event_id(3), big},
                           {event_id(4), "d"}}};
  const std::vector<Spool::Item> items = items_batch.items();
  auto results = spool->put_batch(items);
  CHECK((results[0].ok() && *results[0] == Spool::Put::kStored));
  CHECK_FALSE(results[1].ok());
  CHECK((results[2].ok() && *results[2] == Spool::Put::kDuplicate));
  CHECK((results[3].ok() && *results[3] == Spool::Put::kDuplicate));
  CHECK(results[4].message().find("spool full") != std::string::npos);
  CHECK((results[5].ok() && *results[5] == Spool::Put::kStored));
  CHECK(f.stats.duplicates == 2);
  CHECK(f.stats.dropped_spool_full == 1);
  CHECK(f.stats.spool_commits == 2);
  CHECK(drain(*spool) == std::vector<std::string>{"first", "a", "d"});
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

TEST_CASE("spool: events done in a batch go to its ledger - a restart sends only the rest",
          "[spool]") {
  Fixture f;
  const Batch items_batch{
      {{event_id(1), "a"}, {event_id(2), "b"}, {event_id(3), "c"}, {event_id(4), "d"}}};
  const std::vector<Spool::Item> items = items_batch.items();
  {
    auto spool = f.open();
    REQUIRE(spool->put_batch(items)[0].ok());
    Clock::time_point next;
    auto one = spool->claim(kNow, &next);
    auto two = spool->claim(kNow, &next);
    REQUIRE((one && two));
    spool->complete(*two);
    spool->release(*one, kNow, /*failed=*/true);
    CHECK(spool->size() == 3);
    CHECK(f.stats.spool_bytes == read_file(f.file("0000000000000001.batch")).size());
    CHECK(files_in(f.spool_dir()) ==
          std::vector<std::string>{".lock", "0000000000000001.batch", "0000000000000001.done"});
  }
  auto spool = f.open();
  CHECK(spool->size() == 3);
  CHECK(drain(*spool) == std::vector<std::string>{"a", "c", "d"});
  // The last one done deletes the batch and its ledger.
  CHECK(files_in(f.spool_dir()) == std::vector<std::string>{".lock"});
  CHECK(f.stats.spool_bytes == 0);
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
  CHECK(claim_all(*spool) == ids({3, 4}));
}

TEST_CASE("spool: a full spool drops the oldest batch whole", "[spool]") {
  Fixture f;
  const std::string payload(100, 'x');
  const uint64_t record_bytes = spool_file_header(event_id(1), payload).size() + payload.size();
  auto spool = f.open(record_bytes * 4);
  const Batch first_batch{{{event_id(1), payload}, {event_id(2), payload}}};
  const std::vector<Spool::Item> first = first_batch.items();
  const Batch second_batch{{{event_id(3), payload}, {event_id(4), payload}}};
  const std::vector<Spool::Item> second = second_batch.items();
  REQUIRE(spool->put_batch(first)[1].ok());
  REQUIRE(spool->put_batch(second)[1].ok());
  REQUIRE(spool->put(event_id(5), payload).ok());  // needs room: batch 1 goes, both events
  CHECK(f.stats.dropped_spool_full == 2);
  CHECK(f.stats.spool_bytes == record_bytes * 3);
  CHECK(claim_all(*spool) == ids({3, 4, 5}));
  CHECK(files_in(f.spool_dir()) ==
        std::vector<std::string>{".lock", "0000000000000002.batch", "0000000000000003.batch"});
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
  std::filesystem::create_directories(f.spool_dir());
  const auto legacy = [&](int seq, int id) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%016x-", seq);
    return std::string(buf) + event_id(id) + ".event";
  };
  // One-event files as versions before batches wrote them: 1 is fine; 2: truncated; 3: a flipped
  // payload byte; 4: empty; 5: named after another id.
  for (int i = 1; i <= 5; ++i) {
    write_file(f.file(legacy(i, i)), record(i, "{\"n\":" + std::to_string(i) + "}"));
  }
  std::string two = read_file(f.file(legacy(2, 2)));
  write_file(f.file(legacy(2, 2)), two.substr(0, two.size() - 2));
  std::string three = read_file(f.file(legacy(3, 3)));
  three.back() = 'X';
  write_file(f.file(legacy(3, 3)), three);
  write_file(f.file(legacy(4, 4)), "");
  std::filesystem::rename(f.file(legacy(5, 5)), f.file(legacy(5, 6)));
  // An empty batch, a temp file a crash left, and a file that is not ours.
  write_file(f.file("0000000000000007.batch"), "");
  write_file(f.file(".tmp-0000000000000009.batch"), "faultline-spool 1 ");
  write_file(f.file("README"), "operator notes");

  auto spool = f.open();
  CHECK(f.stats.corrupt_moved_aside == 6);
  CHECK(f.logs.contains("truncated"));
  CHECK(f.logs.contains("checksum mismatch"));
  CHECK(f.logs.contains("empty file"));
  CHECK(f.logs.contains("event_id differs from file name"));
  CHECK(f.logs.contains("unfinished write"));
  CHECK(f.logs.contains("ignoring unexpected file"));
  CHECK(claim_all(*spool) == ids({1}));
  CHECK(files_in(f.spool_dir() + "/corrupt").size() == 6);
  CHECK(files_in(f.spool_dir()) == std::vector<std::string>{".lock", legacy(1, 1), "README"});
  // New batches go after the legacy files.
  REQUIRE(spool->put(event_id(10), "{}").ok());
  CHECK(std::filesystem::exists(f.file("0000000000000008.batch")));
}

TEST_CASE("spool: a damaged record inside a batch is copied aside once - the others are kept",
          "[spool]") {
  Fixture f;
  const Batch items_batch{{{event_id(1), "{\"n\":1}"},
                           {event_id(2), "{\"n\":2}"},
                           {event_id(3), "{\"n\":3}"},
                           {event_id(4), "{\"n\":4}"}}};
  const std::vector<Spool::Item> items = items_batch.items();
  { REQUIRE(f.open()->put_batch(items)[0].ok()); }
  const std::string path = f.file("0000000000000001.batch");
  std::string bytes = read_file(path);
  const size_t second = bytes.find("faultline-spool 1 " + event_id(2));
  const size_t fourth = bytes.find("faultline-spool 1 " + event_id(4));
  bytes[bytes.find("{\"n\":2}", second) + 5] = '9';  // record 2 fails its checksum
  bytes.resize(fourth + 20);                         // record 4 is cut short
  write_file(path, bytes);

  {
    auto spool = f.open();
    CHECK(f.stats.corrupt_moved_aside == 2);
    CHECK(f.logs.contains("checksum mismatch"));
    CHECK(f.logs.contains("truncated"));
    CHECK(files_in(f.spool_dir() + "/corrupt") ==
          std::vector<std::string>{"0000000000000001.batch@" + std::to_string(fourth),
                                   "0000000000000001.batch@" + std::to_string(second)});
    CHECK(read_file(f.spool_dir() + "/corrupt/0000000000000001.batch@" + std::to_string(fourth)) ==
          bytes.substr(fourth));
    CHECK(claim_all(*spool) == ids({1, 3}));
  }
  // The ledger remembers them: the next start neither copies nor counts them again.
  Stats fresh;
  Events events(fresh, nullptr, f.clock);
  auto again = Spool::open(f.spool_dir(), 1 << 20, events);
  REQUIRE(again.ok());
  CHECK(fresh.corrupt_moved_aside == 0);
  CHECK(drain(**again) == std::vector<std::string>{"{\"n\":1}", "{\"n\":3}"});
  CHECK(files_in(f.spool_dir() + "/corrupt").size() == 2);
}

TEST_CASE("spool: a file damaged after start is moved aside when read", "[spool]") {
  Fixture f;
  auto spool = f.open();
  REQUIRE(spool->put(event_id(1), "payload").ok());
  write_file(f.file("0000000000000001.batch"), "garbage");
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
  CHECK(claim_all(*spool) == ids({3, 4}));
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
  const Batch items_batch{{{event_id(2), "lost"}, {event_id(3), "lost too"}}};
  const std::vector<Spool::Item> items = items_batch.items();
  auto put = spool->put_batch(items);
  REQUIRE_FALSE(put[0].ok());
  REQUIRE_FALSE(put[1].ok());
  CHECK(put[0].message().find("cannot create") != std::string::npos);
  CHECK(f.stats.dropped_spool_error == 2);
  CHECK(f.stats.submitted == 1);
  CHECK(spool->size() == 1);
  // The ids are free again: a retry of the same event may be spooled later.
  std::filesystem::create_directories(f.spool_dir());
  CHECK(spool->put(event_id(2), "again").ok());
}

TEST_CASE("spool: file format parser rejects what it should", "[spool]") {
  const std::string id = event_id(1);
  const std::string good = spool_file_header(id, "abc") + "abc";
  CHECK(*parse_spool_file(good, id) == "abc");
  CHECK(spool_record_size(id, "abc") == good.size());
  CHECK_FALSE(parse_spool_file(good, event_id(2)).ok());
  CHECK_FALSE(parse_spool_file(good + "d", id).ok());
  CHECK_FALSE(parse_spool_file("faultline-spool 2 " + good.substr(18), id).ok());
  CHECK_FALSE(parse_spool_file("faultline-spool 1 " + id + " x 00000000\nabc", id).ok());
  CHECK_FALSE(parse_spool_file("no newline at all", id).ok());
  CHECK(parse_ledger("12\n0\nx\n7") == std::set<uint64_t>{0, 12});  // torn last line ignored
  CHECK(parse_spool_name("0000000000000000.batch").kind == SpoolName::Kind::kOther);
}

// --- the spool as a trust boundary

TEST_CASE("spool: a FIFO or a symlink named like a spool file is moved aside, never read",
          "[spool]") {
  Fixture f;
  std::filesystem::create_directories(f.spool_dir());
  // Opening a FIFO for reading blocks until a writer comes: a start that opened it plainly would
  // never finish.
  const std::string fifo_event = f.file("0000000000000001-" + event_id(1) + ".event");
  REQUIRE(::mkfifo(fifo_event.c_str(), 0600) == 0);
  REQUIRE(::mkfifo(f.file("0000000000000002.batch").c_str(), 0600) == 0);
  write_file(f.tmp.sub("elsewhere"), record(3, "{}"));
  std::filesystem::create_symlink(f.tmp.sub("elsewhere"), f.file("0000000000000003.batch"));
  write_file(f.file("0000000000000004.batch"), record(4, "{\"n\":4}"));
  REQUIRE(::mkfifo(f.file("0000000000000004.done").c_str(), 0600) == 0);

  auto spool = f.open();
  CHECK(f.logs.contains("not a regular file (a FIFO)"));
  CHECK(f.logs.contains("not a regular file (a symbolic link)"));
  CHECK(f.stats.corrupt_moved_aside == 4);  // two FIFOs as events, a symlink, a FIFO as ledger
  CHECK(claim_all(*spool) == ids({4}));
  CHECK(std::filesystem::exists(f.tmp.sub("elsewhere")));  // the link's target is untouched
  const auto corrupt = std::filesystem::directory_iterator(f.spool_dir() + "/corrupt");
  CHECK(std::distance(corrupt, std::filesystem::directory_iterator()) == 4);
}

TEST_CASE("spool: a non-regular file that cannot be moved aside is skipped, not read", "[spool]") {
  Fixture f;
  std::filesystem::create_directories(f.spool_dir());
  write_file(f.file("corrupt"), "not a directory");  // nowhere to quarantine to
  REQUIRE(::mkfifo(f.file("0000000000000001.batch").c_str(), 0600) == 0);
  auto spool = f.open();
  CHECK(f.logs.contains("left in place, never read"));
  CHECK(spool->size() == 0);
  CHECK(std::filesystem::is_fifo(f.file("0000000000000001.batch")));
}

TEST_CASE("spool: a lock file that is not a regular file is refused with a reason", "[spool]") {
  Fixture f;
  std::filesystem::create_directories(f.spool_dir());
  REQUIRE(::mkfifo(f.file(".lock").c_str(), 0600) == 0);
  auto spool = Spool::open(f.spool_dir(), 1 << 20, f.events);
  REQUIRE_FALSE(spool.ok());
  CHECK(spool.message().find("it is a FIFO") != std::string::npos);
}

TEST_CASE("spool: a spool directory others may write to is refused, and says how to fix it",
          "[spool]") {
  Fixture f;
  std::filesystem::create_directories(f.spool_dir());
  for (const mode_t mode : {0777, 0770, 0722}) {
    CAPTURE(mode);
    REQUIRE(::chmod(f.spool_dir().c_str(), mode) == 0);
    auto spool = Spool::open(f.spool_dir(), 1 << 20, f.events);
    REQUIRE_FALSE(spool.ok());
    CHECK(spool.message().find("chmod go-w " + f.spool_dir()) != std::string::npos);
  }
  REQUIRE(::chmod(f.spool_dir().c_str(), 0755) == 0);  // others may read, not write: fine
  CHECK(Spool::open(f.spool_dir(), 1 << 20, f.events).ok());
}

TEST_CASE("spool: sequence numbers near the top are renumbered - new events still come last",
          "[spool]") {
  Fixture f;
  std::filesystem::create_directories(f.spool_dir());
  // The old events: a legacy file and a batch with a ledger, numbered at the very top.
  write_file(f.file("fffffffffffffffe-" + event_id(1) + ".event"), record(1, "old-1"));
  write_file(f.file("ffffffffffffffff.batch"), record(2, "old-2") + record(3, "old-3"));
  write_file(f.file("ffffffffffffffff.done"), "0\n");  // old-2 was sent already
  {
    auto spool = f.open();
    CHECK(f.logs.contains("renumbered 2 files"));
    CHECK(files_in(f.spool_dir()) ==
          std::vector<std::string>{".lock", "0000000000000001-" + event_id(1) + ".event",
                                   "0000000000000002.batch", "0000000000000002.done"});
    REQUIRE(spool->put(event_id(4), "new").ok());
    CHECK(std::filesystem::exists(f.file("0000000000000003.batch")));
    CHECK(claim_all(*spool) == ids({1, 3, 4}));
  }
  auto spool = f.open();
  CHECK(drain(*spool) == std::vector<std::string>{"old-1", "old-3", "new"});
}
