#include "agent/sentry/debug_id.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>

using faultline::sentry::debug_id_comment;
using faultline::sentry::DebugIdLimits;
using faultline::sentry::find_debug_id;
using faultline::sentry::ReadAt;

namespace {

constexpr const char* kId = "85314830-023f-4cf1-a267-535f4e37bb17";

// A file in memory; counts the bytes read, to check that only the ends of a file are read.
struct MemFile {
  std::string text;
  uint64_t bytes_read = 0;
  ReadAt reader() {
    return [this](char* buf, size_t len, uint64_t offset) -> long {
      if (offset >= text.size()) return 0;
      const size_t n = std::min<size_t>(len, text.size() - offset);
      std::memcpy(buf, text.data() + offset, n);
      bytes_read += n;
      return static_cast<long>(n);
    };
  }
  std::string id(const DebugIdLimits& limits = {}) {
    return find_debug_id(reader(), text.size(), limits);
  }
};

std::string code(size_t lines) {
  std::string out;
  for (size_t i = 0; i < lines; ++i)
    out += "  x" + std::to_string(i) + " = f(x" + std::to_string(i) + ");\n";
  return out;
}

}  // namespace

TEST_CASE("debug id: the comment sentry-cli appends, before the source map comment", "[debug_id]") {
  // What `sentry-cli sourcemaps inject` leaves at the end of a built file.
  MemFile injected{code(20000) + "//# debugId=" + kId + "\n//# sourceMappingURL=main.js.map\n"};
  CHECK(injected.id() == kId);
  CHECK(injected.bytes_read < 8192);               // the tail, not the file
  MemFile no_map{code(3) + "//# debugId=" + kId};  // no final newline
  CHECK(no_map.id() == kId);
  MemFile blanks{code(3) + "//# debugId=" + kId + "\r\n\r\n  \n//@ sourceMappingURL=a.map\n\n"};
  CHECK(blanks.id() == kId);
  MemFile upper{code(3) + "//# debugId=85314830-023F-4CF1-A267-535F4E37BB17\n"};
  CHECK(upper.id() == kId);
}

TEST_CASE("debug id: an inline source map after the comment is stepped over", "[debug_id]") {
  const std::string inline_map =
      "//# sourceMappingURL=data:application/json;base64," + std::string(3 * 1024 * 1024, 'A');
  MemFile f{code(10) + "//# debugId=" + kId + "\n" + inline_map + "\n"};
  CHECK(f.id() == kId);
  // Stepping over a line has a bound: past it, no id (and no more reading).
  DebugIdLimits small;
  small.tail_scan = 1024 * 1024;
  MemFile g{f.text};
  CHECK(g.id(small).empty());
  CHECK(g.bytes_read <= small.tail_scan + small.head_bytes + 256);
}

TEST_CASE("debug id: only the last lines count, and only a uuid", "[debug_id]") {
  MemFile code_after{"//# debugId=" + std::string(kId) + "\n" + code(2)};
  CHECK(code_after.id().empty());  // not at the end: code follows it
  MemFile not_uuid{code(2) + "//# debugId=85314830-023f-4cf1-a267-535f4e37bb1\n"};
  CHECK(not_uuid.id().empty());
  MemFile empty{""};
  CHECK(empty.id().empty());
  CHECK(debug_id_comment(std::string("  //#debugId=") + kId + " ") == kId);
  CHECK_FALSE(debug_id_comment(std::string("// debugId=") + kId));
  CHECK_FALSE(debug_id_comment(std::string("//# debugId=") + kId + "x"));
}

TEST_CASE("debug id: the bundler plugins' marker at the top of a chunk", "[debug_id]") {
  const std::string snippet =
      ";{try{(function(){var e=\"undefined\"!=typeof window?window:\"undefined\"!=typeof "
      "global?global:{},n=(new e.Error).stack;n&&(e._sentryDebugIds=e._sentryDebugIds||{},"
      "e._sentryDebugIds[n]=\"" +
      std::string(kId) + "\",e._sentryDebugIdIdentifier=\"sentry-dbid-" + kId +
      "\");})();}catch(e){}};";
  MemFile f{"#!/usr/bin/env node\n" + snippet + "\n" + code(50) + "//# sourceMappingURL=a.map\n"};
  CHECK(f.id() == kId);
  MemFile deep{code(2000) + snippet + "\n" + code(3)};  // not at the top: not looked for
  CHECK(deep.id().empty());
}

TEST_CASE("debug id: any bytes give a uuid or nothing, within the read bounds", "[debug_id]") {
  const std::string pieces[] = {
      "\n", "\r\n",         " ", "//# debugId=",        "//# sourceMappingURL=x",
      kId,  "sentry-dbid-", "x", std::string(300, 'y'), "\xFF"};
  uint32_t seed = 12345;
  const auto next = [&seed] {
    seed = seed * 1103515245 + 12345;
    return (seed >> 16) & 0x7fff;
  };
  DebugIdLimits limits;
  limits.tail_scan = 4096;
  limits.head_bytes = 512;
  for (int round = 0; round < 2000; ++round) {
    MemFile f;
    const int n = static_cast<int>(next() % 40);
    for (int i = 0; i < n; ++i) f.text += pieces[next() % std::size(pieces)];
    const std::string id = f.id(limits);
    INFO(f.text);
    CHECK((id.empty() || id == kId));
    CHECK(f.bytes_read <= limits.tail_scan + limits.head_bytes + 128 * limits.tail_lines);
  }
}
