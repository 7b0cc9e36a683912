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
