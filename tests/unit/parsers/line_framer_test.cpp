// LineFramer: lines, offsets and numbers over any chunking, CRLF, the line-length cap and its
// memory bound, the resume offset, and the padding promise (checked under ASan by reading it).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <ostream>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/line_framer.h"
#include "parsers/pino_record.h"

using faultline::Line;
using faultline::LineFramer;

namespace {

struct Got {
  std::string text;
  uint64_t offset = 0;
  uint64_t number = 0;
  bool too_long = false;
  bool terminated = true;
  bool operator==(const Got&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Got& g) {
  os << "{#" << g.number << " @" << g.offset << " len " << g.text.size();
  if (g.text.size() <= 40) os << " \"" << g.text << "\"";
  if (g.too_long) os << " too_long";
  if (!g.terminated) os << " unterminated";
  return os << "}";
}

// Reads the kPadding bytes after a line's text, so that ASan reports a line whose padding is not
// inside the framer's buffer. Returns them XORed so the reads cannot be optimized away.
unsigned char touch_padding(const Line& line) {
  if (line.too_long) return 0;
  REQUIRE(line.text.data() != nullptr);
  unsigned char x = 0;
  for (size_t i = 0; i < LineFramer::kPadding; ++i) {
    x ^= static_cast<unsigned char>(line.text.data()[line.text.size() + i]);
  }
  return x;
}

Got got(const Line& line) {
  touch_padding(line);
  return Got{std::string(line.text), line.offset, line.number, line.too_long, line.terminated};
}

// The framer's contract written the simple way: split the whole input on '\n'.
std::vector<Got> reference(std::string_view input, size_t max_line, bool finished) {
  std::vector<Got> out;
  uint64_t offset = 0, number = 0;
  while (offset < input.size()) {
    const size_t nl = input.find('\n', offset);
    const bool terminated = nl != std::string_view::npos;
    std::string_view raw = input.substr(offset, terminated ? nl - offset : std::string_view::npos);
    Got g;
    g.offset = offset;
    if (raw.size() > max_line) {
      g.too_long = true;  // reported as soon as the cap is passed, '\n' or not
    } else if (!terminated && !finished) {
      break;  // held back: more bytes may come
    } else {
      g.terminated = terminated;
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      g.text = std::string(raw);
    }
    g.number = ++number;
    out.push_back(g);
    offset = terminated ? nl + 1 : input.size();
  }
  return out;
}

// Where a reader restarting from scratch should begin: after the last '\n' committed.
uint64_t reference_resume(std::string_view input) {
  const size_t nl = input.rfind('\n');
  return nl == std::string_view::npos ? 0 : nl + 1;
}

// Drives prepare()/commit()/next() with commit sizes from `sizes` (cycled; each is cut to what
// prepare() offers), checking that every span prepare() hands out lies inside one buffer of
// max_line + chunk + 1 bytes that never moves.
struct Driver {
  LineFramer framer;
  size_t max_line, chunk;
  char* base = nullptr;
  std::vector<Got> lines;

  Driver(size_t max_line_bytes, size_t read_chunk)
      : framer(max_line_bytes, read_chunk), max_line(max_line_bytes), chunk(read_chunk) {}

  std::span<char> prepare() {
    std::span<char> space = framer.prepare();
    if (base == nullptr) base = space.data();
    REQUIRE(!space.empty());
    REQUIRE(space.size() <= chunk);
    REQUIRE(space.data() >= base);
    REQUIRE(space.data() + space.size() <= base + max_line + chunk + 1);
    return space;
  }

  void drain() {
    Line line;
    while (framer.next(line)) lines.push_back(got(line));
  }

  template <class NextSize>
  void feed(std::string_view input, NextSize&& next_size) {
    while (!input.empty()) {
      std::span<char> space = prepare();
      const size_t n = std::min({next_size(), space.size(), input.size()});
      std::copy_n(input.data(), n, space.data());
      framer.commit(n);
      input.remove_prefix(n);
      drain();
    }
  }

  void feed_chunks(std::string_view input, size_t size) {
    feed(input, [size] { return size; });
  }

  void finish() {
    framer.finish();
    drain();
  }
};

std::vector<Got> frame_all(std::string_view input, size_t max_line = 1 << 20, size_t chunk = 4096) {
  Driver d(max_line, chunk);
  d.feed_chunks(input, chunk);
  d.finish();
  return d.lines;
}

Got line(std::string text, uint64_t offset, uint64_t number, bool terminated = true) {
  return Got{std::move(text), offset, number, false, terminated};
}

Got long_line(uint64_t offset, uint64_t number) {
  return Got{"", offset, number, true, true};
}

}  // namespace

TEST_CASE("line_framer: empty input gives no line", "[line_framer]") {
  LineFramer framer(1024);
  Line line;
  CHECK_FALSE(framer.next(line));
  framer.commit(0);
  CHECK_FALSE(framer.next(line));
  framer.finish();
  CHECK_FALSE(framer.next(line));
  CHECK(framer.lines() == 0);
  CHECK(framer.bytes_committed() == 0);
  CHECK(framer.resume_offset() == 0);
  CHECK(frame_all("").empty());
}

TEST_CASE("line_framer: lines, offsets and numbers", "[line_framer]") {
  CHECK(frame_all("a\nbc\n\ndef\n") ==
        std::vector<Got>{line("a", 0, 1), line("bc", 2, 2), line("", 5, 3), line("def", 6, 4)});
  // The convenience feed() gives the same lines.
  LineFramer framer(1024, 3);
  std::vector<Got> lines;
  framer.feed("a\nbc\n\ndef\n", [&](const Line& l) { lines.push_back(got(l)); });
  CHECK(lines ==
        std::vector<Got>{line("a", 0, 1), line("bc", 2, 2), line("", 5, 3), line("def", 6, 4)});
  CHECK(framer.lines() == 4);
  CHECK(framer.bytes_committed() == 10);
  CHECK(framer.resume_offset() == 10);
}

TEST_CASE("line_framer: a last line without newline comes only with finish()", "[line_framer]") {
  Driver d(1024, 64);
  d.feed_chunks("first\nsecond", 64);
  CHECK(d.lines == std::vector<Got>{line("first", 0, 1)});
  CHECK(d.framer.resume_offset() == 6);  // "second" may still grow
  d.finish();
  CHECK(d.lines == std::vector<Got>{line("first", 0, 1), line("second", 6, 2, false)});
  CHECK(d.framer.resume_offset() == 12);
  Line extra;
  CHECK_FALSE(d.framer.next(extra));

  // A final '\n' leaves nothing behind: no empty unterminated line.
  CHECK(frame_all("x\n") == std::vector<Got>{line("x", 0, 1)});
}

TEST_CASE("line_framer: CRLF drops the CR, a lone CR stays", "[line_framer]") {
  CHECK(frame_all("a\r\nb\r\n") == std::vector<Got>{line("a", 0, 1), line("b", 3, 2)});
  CHECK(frame_all("a\rb\n") == std::vector<Got>{line("a\rb", 0, 1)});
  CHECK(frame_all("\r\n") == std::vector<Got>{line("", 0, 1)});
  CHECK(frame_all("\r\r\n") == std::vector<Got>{line("\r", 0, 1)});  // only one is dropped
  CHECK(frame_all("a\r\r\n") == std::vector<Got>{line("a\r", 0, 1)});
  CHECK(frame_all("\rx\n") == std::vector<Got>{line("\rx", 0, 1)});
  // At the end of input a trailing '\r' is dropped too.
  CHECK(frame_all("a\nb\r") == std::vector<Got>{line("a", 0, 1), line("b", 2, 2, false)});
  CHECK(frame_all("\r") == std::vector<Got>{line("", 0, 1, false)});
  // The '\r' and its '\n' in different reads.
  Driver d(1024, 64);
  d.feed("a\r\nb\r\n", [] { return size_t{2}; });
  CHECK(d.lines == std::vector<Got>{line("a", 0, 1), line("b", 3, 2)});
}

TEST_CASE("line_framer: NUL and invalid UTF-8 pass through untouched", "[line_framer]") {
  const std::string nul("a\0b\n\0\n", 6);
  CHECK(frame_all(nul) ==
        std::vector<Got>{line(std::string("a\0b", 3), 0, 1), line(std::string("\0", 1), 4, 2)});
  const std::string junk = "\xff\xfe\xc3(\xed\xa0\x80\xf0\x9f\n{\"m\":\"\xc3\"}\n";
  CHECK(frame_all(junk) == std::vector<Got>{line("\xff\xfe\xc3(\xed\xa0\x80\xf0\x9f", 0, 1),
                                            line("{\"m\":\"\xc3\"}", 10, 2)});
}

TEST_CASE("line_framer: a 2 MiB line under a 1 MiB cap is skipped, not buffered", "[line_framer]") {
  const size_t kMiB = size_t{1} << 20;
  const std::string big(2 * kMiB, 'x');
  const std::string input = "before\n" + big + "\nafter\n";

  Driver d(kMiB, LineFramer::kDefaultReadChunk);  // Driver checks the buffer bound on each read
  d.feed_chunks(input, LineFramer::kDefaultReadChunk);
  CHECK(d.lines == std::vector<Got>{line("before", 0, 1), long_line(7, 2),
                                    line("after", 7 + 2 * kMiB + 1, 3)});
  CHECK(d.framer.long_lines() == 1);
  CHECK(d.framer.lines() == 3);
  CHECK(d.framer.bytes_committed() == input.size());
  d.finish();
  CHECK(d.lines.size() == 3);

  // The same line without its '\n', then end of input: reported once, nothing after it.
  Driver tail(kMiB, LineFramer::kDefaultReadChunk);
  tail.feed_chunks("before\n" + big, LineFramer::kDefaultReadChunk);
  CHECK(tail.lines == std::vector<Got>{line("before", 0, 1), long_line(7, 2)});
  CHECK(tail.framer.resume_offset() == 7);  // a restart would skip it again
  tail.finish();
  CHECK(tail.lines.size() == 2);
  CHECK(tail.framer.long_lines() == 1);
}

TEST_CASE("line_framer: the cap is inclusive and counts the bytes before the newline",
          "[line_framer]") {
  const size_t kMiB = size_t{1} << 20;
  const size_t kChunk = LineFramer::kDefaultReadChunk;
  // Exactly the cap, ending on a chunk boundary (1 MiB = 16 chunks); the '\n' starts the next.
  {
    const std::string input = std::string(kMiB, 'y') + "\nz\n";
    Driver d(kMiB, kChunk);
    d.feed_chunks(input, kChunk);
    REQUIRE(d.lines.size() == 2);
    CHECK(d.lines[0] == line(std::string(kMiB, 'y'), 0, 1));
    CHECK(d.lines[1] == line("z", kMiB + 1, 2));
  }
  // One byte over, the extra byte alone in a chunk.
  {
    const std::string input = std::string(kMiB + 1, 'y') + "\nz\n";
    Driver d(kMiB, kChunk);
    d.feed_chunks(input, kChunk);
    CHECK(d.lines == std::vector<Got>{long_line(0, 1), line("z", kMiB + 2, 2)});
  }

  // Small sizes, every way a long line can meet a read boundary (cap 16, reads of 8).
  const auto frame8 = [](std::string_view input) {
    Driver d(16, 8);
    d.feed_chunks(input, 8);
    d.finish();
    return d.lines;
  };
  const std::string x16(16, 'x');
  CHECK(frame8(x16 + "\nok\n") == std::vector<Got>{line(x16, 0, 1), line("ok", 17, 2)});
  CHECK(frame8(x16 + "x\nok\n") == std::vector<Got>{long_line(0, 1), line("ok", 18, 2)});
  // A long line whose '\n' is the last byte of a read: the next line starts a read.
  CHECK(frame8(std::string(23, 'x') + "\nok\n") ==
        std::vector<Got>{long_line(0, 1), line("ok", 24, 2)});
  // Its '\n' is the first byte of a read.
  CHECK(frame8(std::string(24, 'x') + "\nok\n") ==
        std::vector<Got>{long_line(0, 1), line("ok", 25, 2)});
  // Two long lines in a row, then a short one.
  CHECK(frame8(std::string(40, 'x') + "\n" + std::string(17, 'x') + "\nok") ==
        std::vector<Got>{long_line(0, 1), long_line(41, 2), line("ok", 59, 3, false)});
  // The '\r' of a CRLF counts towards the cap: 16 bytes of text + "\r\n" is too long.
  CHECK(frame8(x16 + "\r\nok\n") == std::vector<Got>{long_line(0, 1), line("ok", 18, 2)});
  CHECK(frame8(std::string(15, 'x') + "\r\nok\n") ==
        std::vector<Got>{line(std::string(15, 'x'), 0, 1), line("ok", 17, 2)});
  // A zero cap allows only empty lines.
  Driver zero(0, 4);
  zero.feed_chunks("\na\n\n", 4);
  CHECK(zero.lines == std::vector<Got>{line("", 0, 1), long_line(1, 2), line("", 3, 3)});
}

TEST_CASE("line_framer: resume_offset is the start of the first unfinished line", "[line_framer]") {
  Driver d(8, 4);
  CHECK(d.framer.resume_offset() == 0);
  d.feed_chunks("ab\ncd", 4);
  CHECK(d.framer.resume_offset() == 3);
  d.feed_chunks("e\n", 4);
  CHECK(d.framer.resume_offset() == 7);
  d.feed_chunks("0123456789", 4);  // too long: skipped, resume stays at its start
  CHECK(d.lines.back() == long_line(7, 3));
  CHECK(d.framer.resume_offset() == 7);
  d.feed_chunks("abc\nxy", 4);
  CHECK(d.framer.resume_offset() == 21);
  d.finish();
  CHECK(d.framer.resume_offset() == 23);
  CHECK(d.lines == std::vector<Got>{line("ab", 0, 1), line("cde", 3, 2), long_line(7, 3),
                                    line("xy", 21, 4, false)});
}

TEST_CASE("line_framer: any chunking gives the reference lines and offsets", "[line_framer]") {
  std::mt19937 rng(0x5eed);
  const auto uniform = [&](size_t lo, size_t hi) {
    return std::uniform_int_distribution<size_t>(lo, hi)(rng);
  };
  for (int round = 0; round < 1500; ++round) {
    const size_t max_line = uniform(0, 64);
    const size_t chunk = uniform(1, 48);
    // Mostly short lines, some longer than the cap, with CR, NUL and invalid bytes.
    std::string input;
    const size_t lines = uniform(0, 40);
    for (size_t i = 0; i < lines; ++i) {
      const size_t len = uniform(0, 10) == 0 ? uniform(0, 3 * max_line + 3) : uniform(0, 12);
      for (size_t k = 0; k < len; ++k) {
        const char pool[] = {'a', 'b', '{', '"', '\r', '\0', '\xff', '\xc3', ' '};
        input.push_back(pool[uniform(0, sizeof pool - 1)]);
      }
      if (i + 1 < lines || uniform(0, 1) == 0) input.append(uniform(0, 4) == 0 ? "\r\n" : "\n");
    }
    INFO("round " << round << " max_line " << max_line << " chunk " << chunk << " input size "
                  << input.size());

    Driver d(max_line, chunk);
    d.feed(input, [&] { return uniform(0, chunk); });
    REQUIRE(d.lines == reference(input, max_line, false));
    REQUIRE(d.framer.bytes_committed() == input.size());
    REQUIRE(d.framer.resume_offset() == reference_resume(input));

    d.finish();
    const std::vector<Got> want = reference(input, max_line, true);
    REQUIRE(d.lines == want);
    REQUIRE(d.framer.lines() == want.size());
    REQUIRE(d.framer.long_lines() ==
            static_cast<uint64_t>(
                std::count_if(want.begin(), want.end(), [](const Got& g) { return g.too_long; })));
    // Every line's bytes are where its offset says.
    for (const Got& g : d.lines) {
      if (!g.too_long) REQUIRE(input.compare(g.offset, g.text.size(), g.text) == 0);
    }
  }
}

TEST_CASE("line_framer: the padding after a line at the very end of the buffer is readable",
          "[line_framer]") {
  // Cap 16, reads of 8: the buffer holds 16 + 8 + 1 = 25 bytes plus the padding. These reads
  // steer the last line so that it ends on the buffer's last byte; reading its padding and
  // parsing it in place must then stay inside the allocation (ASan checks).
  const std::string tail = R"({"level":5})";  // 11 bytes
  const std::string input = "aaaa\nbbbbbbbb\n" + tail;
  const size_t sizes[] = {8, 8, 1, 8};
  size_t step = 0;
  Driver d(16, 8);
  d.feed(input, [&] { return sizes[step++]; });
  d.framer.finish();
  Line last;
  REQUIRE(d.framer.next(last));
  REQUIRE(last.text == tail);
  REQUIRE_FALSE(last.terminated);
  // The steering worked: the text ends exactly at the end of the usable buffer.
  REQUIRE(last.text.data() + last.text.size() == d.base + 16 + 8 + 1);
  touch_padding(last);

  faultline::PinoFormat format;
  auto schema = faultline::RecordSchema::build(format);
  REQUIRE(schema.ok());
  faultline::RecordReader reader(*schema);
  faultline::RecordView view;
  CHECK(reader.read(last.text, view) == faultline::ReadOutcome::kRecord);
  CHECK(view.level == 5);
}

TEST_CASE("line_framer: a line's end is where the next line starts, CRLF and cut lines included",
          "[line_framer]") {
  const std::string input = "a\r\nbb\n\n" + std::string(40, 'x') + "\nccc\nlast";
  for (size_t chunk : {1, 3, 7, 64}) {
    LineFramer framer(/*max_line_bytes=*/16, chunk);
    std::vector<Line> lines;
    std::vector<std::string> texts;
    framer.feed(input, [&](const Line& l) {
      lines.push_back(l);
      texts.emplace_back(l.text);
    });
    framer.finish();
    Line l;
    while (framer.next(l)) lines.push_back(l);
    REQUIRE(lines.size() == 6);
    CAPTURE(chunk);
    for (size_t i = 0; i + 1 < lines.size(); ++i) {
      // A too-long line may be handed over before its end is read: its end is then its start,
      // never past the line that follows it.
      if (lines[i].too_long) {
        CHECK(lines[i].end >= lines[i].offset);
        CHECK(lines[i].end <= lines[i + 1].offset);
      } else {
        CHECK(lines[i].end == lines[i + 1].offset);
      }
    }
    CHECK(lines.back().end == input.size());
    CHECK(lines[0].end == 3);  // "a\r\n"
  }
}
