#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "parsers/json.h"
#include "parsers/utf8.h"

namespace faultline::json {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// Whether a byte of `x` is below `n` (n <= 128): the classic test of eight bytes at once
// ("Bit Twiddling Hacks", hasless); it may also flag a byte next to a real one, never misses one.
constexpr uint64_t kOnes = 0x0101010101010101ull;
constexpr uint64_t kHighs = 0x8080808080808080ull;
constexpr bool has_less(uint64_t x, uint8_t n) {
  return ((x - kOnes * n) & ~x & kHighs) != 0;
}

// Whether any of the 8 bytes at `p` is one write_string() cannot copy as it is: a control
// character, '"', '\\', DEL, or a byte of a multi-byte character (checked for validity).
bool needs_care(const char* p) {
  uint64_t x;
  std::memcpy(&x, p, sizeof x);
  return (x & kHighs) != 0 || has_less(x, 0x20) || has_less(x ^ (kOnes * '"'), 1) ||
         has_less(x ^ (kOnes * '\\'), 1) || has_less(x ^ (kOnes * 0x7F), 1);
}

void write_number(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out.append("null");
    return;
  }
  char buf[32];
  // The shortest form of a large integral double can be 20+ digits without an exponent
  // ("18446744073709551616"), which parse() (simdjson) rejects as an integer beyond 64 bits.
  // From 1e19 on, where those start, always write an exponent.
  auto [end, ec] = std::fabs(d) >= 1e19
                       ? std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific)
                       : std::to_chars(buf, buf + sizeof buf, d);
  if (ec != std::errc()) {
    out.append("null");
    return;
  }
  out.append(buf, end);
}

}  // namespace

void write_string(std::string_view s, std::string& out) {
  out.push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    // Most of an event is plain printable ASCII: copy such runs in one append, finding their end
    // eight bytes at a time.
    size_t run = i;
    while (run + 8 <= s.size() && !needs_care(s.data() + run)) run += 8;
    while (run < s.size()) {
      const unsigned char r = static_cast<unsigned char>(s[run]);
      if (r < 0x20 || r >= 0x7F || r == '"' || r == '\\') break;
      ++run;
    }
    if (run > i) {
      out.append(s.data() + i, run - i);
      i = run;
      if (i == s.size()) break;
    }
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = utf8::sequence_length(s, i);
      if (n == 0) {
        out.append("\xEF\xBF\xBD");
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
      } else {
        out.append(s.data() + i, n);
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      case '\b':
        out.append("\\b");
        break;
      case '\f':
        out.append("\\f");
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

void write(const Value& value, std::string& out) {
  switch (value.type()) {
    case Value::Type::kNull:
      out.append("null");
      break;
    case Value::Type::kBool:
      out.append(value.as_bool() ? "true" : "false");
      break;
    case Value::Type::kInt: {
      char buf[24];
      auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value.as_int());
      (void)ec;
      out.append(buf, end);
      break;
    }
    case Value::Type::kDouble:
      write_number(value.as_double(), out);
      break;
    case Value::Type::kBigInt:
      out.append(value.as_big_int().digits);
      break;
    case Value::Type::kString:
      write_string(value.as_string(), out);
      break;
    case Value::Type::kArray: {
      out.push_back('[');
      bool first = true;
      for (const Value& item : value.as_array()) {
        if (!first) out.push_back(',');
        first = false;
        write(item, out);
      }
      out.push_back(']');
      break;
    }
    case Value::Type::kObject: {
      out.push_back('{');
      bool first = true;
      for (const Member& m : value.as_object()) {
        if (!first) out.push_back(',');
        first = false;
        write_string(m.key, out);
        out.push_back(':');
        write(m.value, out);
      }
      out.push_back('}');
      break;
    }
  }
}

std::string to_string(const Value& value) {
  std::string out;
  write(value, out);
  return out;
}

}  // namespace faultline::json
