// The correlator's line store: references resolve while held, chunks go back when nobody holds
// them, and the budget gives up the oldest chunk even when it is still referred to.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "agent/pipeline/line_arena.h"

using faultline::LineArena;
using faultline::LineRef;

TEST_CASE("line arena: a stored line reads back, cut to the per-record cap", "[arena]") {
  LineArena arena(1024 * 1024);
  const LineRef a = arena.append("hello", 10, 100);
  const LineRef b = arena.append(std::string(300, 'x'), 20, 100);
  CHECK(arena.read(a) == "hello");
  CHECK(a.offset == 10);
  CHECK_FALSE(a.cut);
  CHECK(arena.read(b)->size() == 100);
  CHECK(b.cut);
}

TEST_CASE("line arena: a chunk nobody refers to goes back to the system", "[arena]") {
  LineArena arena(1024 * 1024);  // 64 KiB chunks
  const size_t chunk = arena.chunk_bytes();
  REQUIRE(chunk == 64 * 1024);
  const std::string line(1000, 'l');
  std::vector<LineRef> refs;
  for (int i = 0; i < 200; ++i) refs.push_back(arena.append(line, 0, 8192));  // ~3 chunks
  CHECK(arena.resident_bytes() == 4 * chunk);
  // The first line is also some request's opening line: two holders.
  arena.retain(refs[0]);
  for (const LineRef& r : refs) arena.release(r);
  CHECK(arena.read(refs[0]) == line);          // still held once
  CHECK(arena.resident_bytes() == 2 * chunk);  // its chunk and the one being written
  CHECK_FALSE(arena.read(refs[100]).has_value());
  arena.release(refs[0]);
  CHECK_FALSE(arena.read(refs[0]).has_value());
  CHECK(arena.resident_bytes() == chunk);
  arena.release(refs[0]);  // a second release of a dead reference changes nothing
  CHECK(arena.resident_bytes() == chunk);
  const LineRef next = arena.append("after", 0, 8192);
  CHECK(arena.read(next) == "after");
}

TEST_CASE("line arena: past the budget the oldest chunk is given up, held or not", "[arena]") {
  LineArena arena(64 * 1024);  // 16 chunks of 4 KiB
  const std::string line(1000, 'l');
  std::vector<LineRef> refs;
  for (int i = 0; i < 1000; ++i) refs.push_back(arena.append(line, 0, 8192));  // all held
  CHECK(arena.resident_bytes() <= arena.capacity());
  CHECK_FALSE(arena.read(refs.front()).has_value());
  CHECK(arena.read(refs.back()) == line);
  for (const LineRef& r : refs) arena.release(r);  // dead ones are ignored
  CHECK(arena.resident_bytes() == arena.chunk_bytes());
}

TEST_CASE("line arena: a line longer than a chunk is cut to one", "[arena]") {
  LineArena arena(64 * 1024);
  const LineRef big = arena.append(std::string(10'000, 'b'), 0, 64 * 1024);
  CHECK(big.cut);
  CHECK(arena.read(big)->size() == arena.chunk_bytes());
}

TEST_CASE("line arena: a line moved out of an evacuated chunk reads the same, and the chunk goes",
          "[arena]") {
  LineArena arena(1024 * 1024);  // 64 KiB chunks
  const size_t chunk = arena.chunk_bytes();
  std::vector<LineRef> refs;
  for (int i = 0; i < 200; ++i) {
    refs.push_back(arena.append("line " + std::to_string(i) + std::string(900, 'x'), 7, 8192));
  }
  // Most requests ended: one line in ten is still held.
  std::vector<LineRef> kept;
  for (size_t i = 0; i < refs.size(); ++i) {
    if (i % 10 == 0) {
      kept.push_back(refs[i]);
    } else {
      arena.release(refs[i]);
    }
  }
  const size_t before = arena.resident_bytes();
  const uint64_t head = arena.end_chunk() - 1;
  for (uint64_t c = arena.first_chunk(); c < head; ++c) arena.evacuate(c);
  arena.evacuate(head);  // the chunk being written is never marked
  std::vector<std::string> texts;
  for (LineRef& ref : kept) {
    texts.push_back(*arena.read(ref));
    if (arena.evacuating(ref)) ref = arena.move(ref);
  }
  for (size_t i = 0; i < kept.size(); ++i) {
    CHECK(arena.read(kept[i]) == texts[i]);
    CHECK(kept[i].offset == 7);
    CHECK_FALSE(arena.evacuating(kept[i]));
  }
  CHECK(arena.resident_bytes() < before);
  CHECK(arena.resident_bytes() <= 2 * chunk);  // the moved lines fit in one chunk, and the head
  arena.trim_spares();
  CHECK(arena.mapped_bytes() <= arena.resident_bytes() + 4 * chunk);
}

TEST_CASE("line arena: moving a reference that no longer resolves changes nothing", "[arena]") {
  LineArena arena(64 * 1024);
  const LineRef a = arena.append(std::string(1000, 'a'), 0, 8192);
  arena.release(a);
  // Its chunk goes once another is written.
  for (int i = 0; i < 8; ++i) arena.release(arena.append(std::string(1000, 'b'), 0, 8192));
  REQUIRE_FALSE(arena.alive(a));
  CHECK(arena.move(a).pos == a.pos);
  CHECK_FALSE(arena.read(arena.move(a)).has_value());
}
