// Compaction of the correlator's kept lines: sparse chunks are emptied in place, every line still
// reads the same through its (moved) reference, and a request's opening follows its ring.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "agent/pipeline/kept_lines_compaction.h"
#include "agent/pipeline/line_arena.h"
#include "agent/pipeline/request_table.h"

using faultline::compact_kept_lines;
using faultline::LineArena;
using faultline::LineRef;
using faultline::RequestState;
using faultline::RequestTable;

namespace {

std::string line_of(int request, int n) {
  return "{\"req\":" + std::to_string(request) + ",\"n\":" + std::to_string(n) + ",\"pad\":\"" +
         std::string(900, 'p') + "\"}";
}

// A request keeping `lines` lines, its first one also its opening (as the correlator keeps them).
void keep_lines(LineArena& arena, RequestState& s, int request, int lines) {
  for (int n = 0; n < lines; ++n) {
    s.ring.push_back(arena.append(line_of(request, n), 0, 8192));
    ++s.ring_count;
  }
  s.opening = s.ring.front();
  arena.retain(s.opening);
  s.has_opening = true;
}

void forget(LineArena& arena, RequestState& s) {
  for (const LineRef& r : s.ring) arena.release(r);
  if (s.has_opening) arena.release(s.opening);
  s.ring.clear();
  s.ring_count = 0;
  s.has_opening = false;
}

}  // namespace

TEST_CASE("compaction: sparse chunks are emptied and every kept line reads the same",
          "[compaction]") {
  LineArena arena(4 * 1024 * 1024);  // 256 KiB chunks
  RequestTable table(2000);
  std::vector<uint32_t> slots;
  for (int r = 0; r < 1500; ++r) {
    const std::string key = "R" + std::to_string(r);
    const uint32_t slot = table.create(key, RequestTable::hash_key(nullptr, key), nullptr);
    keep_lines(arena, table.at(slot), r, 2);
    slots.push_back(slot);
  }
  // Nine requests in ten end (their lines go back); the others stay open, spread over every chunk.
  for (size_t i = 0; i < slots.size(); ++i) {
    if (i % 10 != 0) {
      forget(arena, table.at(slots[i]));
      table.drop(slots[i]);
    }
  }
  const size_t before = arena.resident_bytes();
  const auto result = compact_kept_lines(arena, table);
  CHECK(result.moved_bytes > 0);
  CHECK(result.chunks_freed > 0);
  CHECK(arena.resident_bytes() * 3 < before);
  CHECK(arena.resident_bytes() <=
        result.live_bytes + result.live_bytes / 4 + 2 * arena.chunk_bytes());
  for (size_t i = 0; i < slots.size(); i += 10) {
    const RequestState& s = table.at(slots[i]);
    const int r = static_cast<int>(i);
    REQUIRE(s.ring_count == 2);
    CHECK(arena.read(s.ring[0]) == line_of(r, 0));
    CHECK(arena.read(s.ring[1]) == line_of(r, 1));
    // The opening is the ring's first line, held twice, and moved with it.
    CHECK(s.opening.pos == s.ring[0].pos);
    CHECK(arena.read(s.opening) == line_of(r, 0));
  }
  // Every hold is still counted right: once all requests let go, only the chunk being written
  // stays.
  for (size_t i = 0; i < slots.size(); i += 10) forget(arena, table.at(slots[i]));
  CHECK(arena.resident_bytes() == arena.chunk_bytes());
}

TEST_CASE("compaction: a dense arena is left as it is", "[compaction]") {
  LineArena arena(4 * 1024 * 1024);
  RequestTable table(2000);
  for (int r = 0; r < 600; ++r) {
    const std::string key = "R" + std::to_string(r);
    const uint32_t slot = table.create(key, RequestTable::hash_key(nullptr, key), nullptr);
    keep_lines(arena, table.at(slot), r, 1);
  }
  const size_t before = arena.resident_bytes();
  const auto result = compact_kept_lines(arena, table);
  CHECK(result.moved_bytes == 0);
  CHECK(arena.resident_bytes() == before);
}
