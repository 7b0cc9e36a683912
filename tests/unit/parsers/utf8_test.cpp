// utf8::sequence_length / is_valid / sanitized / truncate, checked against the byte ranges of
// RFC 3629 §4 and against an independent decoder (decode the code point, then reject overlongs,
// surrogates and values above U+10FFFF) over every 1-, 2- and 3-byte input and the interesting
// 4-byte ones.
#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "parsers/utf8.h"

namespace utf8 = faultline::utf8;

namespace {

std::string bytes(std::initializer_list<int> list) {
  std::string s;
  for (int b : list) s.push_back(static_cast<char>(b));
  return s;
}

// A decoder written the other way round from utf8.cpp: count the lead byte's ones, decode the
// scalar value, then check it. Returns the length or 0.
size_t reference_length(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
  const uint32_t lead = b(i);
  size_t len;
  uint32_t cp;
  if ((lead & 0x80) == 0) return 1;
  if ((lead & 0xE0) == 0xC0) {
    len = 2;
    cp = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    len = 3;
    cp = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    len = 4;
    cp = lead & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3F);
  }
  const uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min_for_len[len]) return 0;         // overlong
  if (cp >= 0xD800 && cp <= 0xDFFF) return 0;  // surrogate
  if (cp > 0x10FFFF) return 0;                 // beyond Unicode
  return len;
}

}  // namespace

TEST_CASE("utf8: sequence_length of valid sequences at their range limits", "[utf8]") {
  CHECK(utf8::sequence_length("A", 0) == 1);
  CHECK(utf8::sequence_length(bytes({0x00}), 0) == 1);
  CHECK(utf8::sequence_length(bytes({0x7F}), 0) == 1);
  CHECK(utf8::sequence_length(bytes({0xC2, 0x80}), 0) == 2);        // U+0080
  CHECK(utf8::sequence_length(bytes({0xDF, 0xBF}), 0) == 2);        // U+07FF
  CHECK(utf8::sequence_length(bytes({0xE0, 0xA0, 0x80}), 0) == 3);  // U+0800
  CHECK(utf8::sequence_length(bytes({0xED, 0x9F, 0xBF}), 0) == 3);  // U+D7FF
  CHECK(utf8::sequence_length(bytes({0xEE, 0x80, 0x80}), 0) == 3);  // U+E000
  CHECK(utf8::sequence_length(bytes({0xEF, 0xBF, 0xBF}), 0) == 3);  // U+FFFF
  CHECK(utf8::sequence_length(bytes({0xE2, 0x80, 0xA8}), 0) == 3);  // U+2028, pino writes it raw
  CHECK(utf8::sequence_length(bytes({0xF0, 0x90, 0x80, 0x80}), 0) == 4);  // U+10000
  CHECK(utf8::sequence_length(bytes({0xF0, 0x9F, 0x98, 0x80}), 0) == 4);  // U+1F600
  CHECK(utf8::sequence_length(bytes({0xF4, 0x8F, 0xBF, 0xBF}), 0) == 4);  // U+10FFFF
  // In the middle of a string, measured from i.
  const std::string s = "a" + bytes({0xC3, 0xA9}) + "b";
  CHECK(utf8::sequence_length(s, 0) == 1);
  CHECK(utf8::sequence_length(s, 1) == 2);
  CHECK(utf8::sequence_length(s, 2) == 0);  // a continuation byte is not a start
  CHECK(utf8::sequence_length(s, 3) == 1);
}

TEST_CASE("utf8: sequence_length rejects overlongs, surrogates, >U+10FFFF, truncation", "[utf8]") {
  // Overlong forms.
  CHECK(utf8::sequence_length(bytes({0xC0, 0x80}), 0) == 0);  // "modified UTF-8" NUL
  CHECK(utf8::sequence_length(bytes({0xC1, 0xBF}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xE0, 0x80, 0x80}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xE0, 0x9F, 0xBF}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xF0, 0x80, 0x80, 0x80}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xF0, 0x8F, 0xBF, 0xBF}), 0) == 0);
  // UTF-16 surrogates encoded directly (CESU-8).
  CHECK(utf8::sequence_length(bytes({0xED, 0xA0, 0x80}), 0) == 0);  // U+D800
  CHECK(utf8::sequence_length(bytes({0xED, 0xBF, 0xBF}), 0) == 0);  // U+DFFF
  // Beyond U+10FFFF, and lead bytes that can never appear.
  CHECK(utf8::sequence_length(bytes({0xF4, 0x90, 0x80, 0x80}), 0) == 0);  // U+110000
  CHECK(utf8::sequence_length(bytes({0xF5, 0x80, 0x80, 0x80}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xF7, 0xBF, 0xBF, 0xBF}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xF8, 0x88, 0x80, 0x80, 0x80}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xFE}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xFF}), 0) == 0);
  // Lone continuation bytes.
  CHECK(utf8::sequence_length(bytes({0x80}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xBF}), 0) == 0);
  // Truncated at the end of the input.
  CHECK(utf8::sequence_length(bytes({0xC3}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xE2, 0x82}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xF0, 0x9F, 0x98}), 0) == 0);
  CHECK(utf8::sequence_length("ab" + bytes({0xE2, 0x82}), 2) == 0);
  // Truncated by a byte that is not a continuation.
  CHECK(utf8::sequence_length(bytes({0xC3, 0x41}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xE2, 0x82, 0x41}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xE2, 0xC3, 0xA9}), 0) == 0);
  CHECK(utf8::sequence_length(bytes({0xF0, 0x9F, 0x98, 0x41}), 0) == 0);
  // A view that ends inside a sequence, even though readable bytes follow.
  const std::string full = bytes({0xF0, 0x9F, 0x98, 0x80});
  CHECK(utf8::sequence_length(std::string_view(full.data(), 3), 0) == 0);
}

TEST_CASE("utf8: sequence_length agrees with a reference decoder on every short input", "[utf8]") {
  size_t mismatches = 0;
  std::string s(4, '\0');
  const auto compare = [&](std::string_view view) {
    if (utf8::sequence_length(view, 0) != reference_length(view, 0)) {
      if (++mismatches <= 5) {
        std::string hex;
        for (unsigned char c : view) hex += std::to_string(c) + " ";
        UNSCOPED_INFO("mismatch on bytes " << hex);
      }
    }
  };
  for (int a = 0; a < 256; ++a) {
    s[0] = static_cast<char>(a);
    compare(std::string_view(s.data(), 1));
    for (int b = 0; b < 256; ++b) {
      s[1] = static_cast<char>(b);
      compare(std::string_view(s.data(), 2));
      if (a < 0xE0) continue;  // 3- and 4-byte forms start at E0
      for (int c = 0; c < 256; ++c) {
        s[2] = static_cast<char>(c);
        compare(std::string_view(s.data(), 3));
        if (a < 0xF0) continue;
        for (int d : {0x00, 0x41, 0x7F, 0x80, 0x9F, 0xBF, 0xC0, 0xFF}) {
          s[3] = static_cast<char>(d);
          compare(std::string_view(s.data(), 4));
        }
      }
    }
  }
  CHECK(mismatches == 0);
}

TEST_CASE("utf8: is_valid", "[utf8]") {
  CHECK(utf8::is_valid(""));
  CHECK(utf8::is_valid("plain ascii with \t and \n"));
  CHECK(utf8::is_valid(std::string("nul\0inside", 10)));
  CHECK(utf8::is_valid("caf" + bytes({0xC3, 0xA9}) + " " + bytes({0xF0, 0x9F, 0x98, 0x80})));
  CHECK_FALSE(utf8::is_valid("a" + bytes({0xFF}) + "b"));
  CHECK_FALSE(utf8::is_valid("ends in a truncated " + bytes({0xE2, 0x82})));
  CHECK_FALSE(utf8::is_valid(bytes({0xED, 0xA0, 0x80})));
  CHECK_FALSE(utf8::is_valid(bytes({0xC0, 0xAF})));
}

TEST_CASE("utf8: sanitized replaces each broken run with one U+FFFD", "[utf8]") {
  const std::string fffd = "\xEF\xBF\xBD";
  const std::string e_acute = bytes({0xC3, 0xA9});
  const std::string grin = bytes({0xF0, 0x9F, 0x98, 0x80});

  CHECK(utf8::sanitized("") == "");
  CHECK(utf8::sanitized("ok " + e_acute + grin) == "ok " + e_acute + grin);
  CHECK(utf8::sanitized("a" + bytes({0xFF}) + "b") == "a" + fffd + "b");
  CHECK(utf8::sanitized("end" + bytes({0xC3})) == "end" + fffd);
  // A truncated sequence is one replacement, and the character after it survives.
  CHECK(utf8::sanitized(bytes({0xE2, 0x82}) + "A") == fffd + "A");
  CHECK(utf8::sanitized(bytes({0xF0, 0x9F, 0x98}) + grin) == fffd + grin);
  CHECK(utf8::sanitized(bytes({0xE2, 0x82}) + e_acute) == fffd + e_acute);
  // A bad lead byte swallows the continuation bytes that follow it (not the Unicode
  // "maximal subpart" count, which would give one U+FFFD per byte here).
  CHECK(utf8::sanitized(bytes({0xC0, 0x80}) + "x") == fffd + "x");
  CHECK(utf8::sanitized(bytes({0xED, 0xA0, 0x80}) + "x") == fffd + "x");
  CHECK(utf8::sanitized(bytes({0x80, 0x80, 0x80}) + "x") == fffd + "x");
  // A valid character followed by a stray continuation byte keeps the character.
  CHECK(utf8::sanitized(e_acute + bytes({0xA9})) == e_acute + fffd);
  // NUL and other ASCII controls are valid UTF-8 and pass through.
  CHECK(utf8::sanitized(std::string("a\0b", 3)) == std::string("a\0b", 3));

  std::string out = "prefix:";
  utf8::append_sanitized("x" + bytes({0xFF}), out);
  CHECK(out == "prefix:x" + fffd);
}

TEST_CASE("utf8: sanitized output is always valid, idempotent and keeps valid input", "[utf8]") {
  std::mt19937 rng(20261124);
  std::uniform_int_distribution<int> len_dist(0, 40);
  // Bytes biased towards the interesting ones.
  const int pool[] = {'a',  '"',  0x00, 0x7F, 0x80, 0xBF, 0xC0, 0xC2, 0xC3, 0xDF, 0xE0,
                      0xE2, 0xED, 0xEF, 0xF0, 0xF4, 0xF5, 0xFF, 0x9F, 0xA0, 0x90, 0x8F};
  std::uniform_int_distribution<size_t> pick(0, std::size(pool) - 1);
  for (int round = 0; round < 3000; ++round) {
    std::string s;
    const int n = len_dist(rng);
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>(pool[pick(rng)]));
    const std::string clean = utf8::sanitized(s);
    INFO("round " << round);
    REQUIRE(utf8::is_valid(clean));
    REQUIRE(utf8::sanitized(clean) == clean);
    if (utf8::is_valid(s)) REQUIRE(clean == s);
    // truncate never cuts a sequence of valid text and drops less than one character.
    for (size_t max = 0; max <= clean.size() + 1; ++max) {
      const std::string_view cut = utf8::truncate(clean, max);
      REQUIRE(cut.data() == clean.data());
      REQUIRE(cut.size() <= max);
      REQUIRE(utf8::is_valid(cut));
      if (max < clean.size()) {
        REQUIRE(utf8::sequence_length(clean, cut.size()) > max - cut.size());
      } else {
        REQUIRE(cut.size() == clean.size());
      }
    }
  }
}

TEST_CASE("utf8: truncate never cuts a sequence", "[utf8]") {
  const std::string s = "h" + bytes({0xC3, 0xA9}) + "llo";  // "héllo", é at bytes 1-2
  CHECK(utf8::truncate(s, 0) == "");
  CHECK(utf8::truncate(s, 1) == "h");
  CHECK(utf8::truncate(s, 2) == "h");
  CHECK(utf8::truncate(s, 3) == "h" + bytes({0xC3, 0xA9}));
  CHECK(utf8::truncate(s, 6) == s);
  CHECK(utf8::truncate(s, 100) == s);

  const std::string grin = "a" + bytes({0xF0, 0x9F, 0x98, 0x80}) + "b";
  CHECK(utf8::truncate(grin, 1) == "a");
  CHECK(utf8::truncate(grin, 2) == "a");
  CHECK(utf8::truncate(grin, 3) == "a");
  CHECK(utf8::truncate(grin, 4) == "a");
  CHECK(utf8::truncate(grin, 5) == "a" + bytes({0xF0, 0x9F, 0x98, 0x80}));
  CHECK(utf8::truncate(grin, 6) == grin);
  // ASCII is cut at any byte.
  CHECK(utf8::truncate("abcdef", 3) == "abc");
}
