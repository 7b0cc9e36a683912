// The properties the fuzz targets check on arbitrary bytes, shared with the unit test that replays
// tests/fuzz/regressions/ in every normal test run (tests/unit/parsers/fuzz_regressions_test.cpp).
//
// Each check returns "" when every property held, else what broke; a crash or a sanitizer report
// inside is a finding too. The checks are oracles, not just "does not crash":
//   record view: the framer's lines, offsets and numbers equal a plain split of the input, and the
//     kPadding bytes after each line are readable (ASan); a line read in place (padded) and read
//     from a copy (unpadded) gives the same view; every string in a view is valid UTF-8; a line
//     that json::parse accepts as an object is never rejected by the reader; json::write output
//     is valid UTF-8 and parses back to an equal value.
//   stack: parse_v8_frames keeps max_frames and gives every frame a function; parse_pino_error
//     gives every node a type and keeps max_errors and max_depth, for the input as `err.stack`
//     and, when it is JSON, as the `err` value itself.
//   plain error: the input's lines fed to a PlainErrorAssembler (a line starting with '{' stands
//     for a JSON line, which flushes it) each end in exactly one dump or are released; a dump's
//     lines are consecutive and its text holds them; its `err` is an object or a string that
//     parse_pino_error reads as above and json::write turns into valid UTF-8 that parses back;
//     parse_inspected_error of the whole input consumes no more than the input.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "parsers/json.h"
#include "parsers/line_framer.h"
#include "parsers/pino_error.h"
#include "parsers/node_inspect.h"
#include "parsers/pino_record.h"
#include "parsers/plain_error.h"
#include "parsers/utf8.h"
#include "parsers/v8_stack.h"

namespace faultline::fuzz {

namespace detail {

inline uint64_t fnv1a(std::string_view s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

inline uint64_t xorshift(uint64_t& state) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

struct RefLine {
  uint64_t offset = 0;
  std::string_view text;
  bool too_long = false;
  bool terminated = true;
};

// The framer's contract, written the simple way (see line_framer.h).
inline std::vector<RefLine> reference_lines(std::string_view input, size_t max_line) {
  std::vector<RefLine> out;
  size_t offset = 0;
  while (offset < input.size()) {
    const size_t nl = input.find('\n', offset);
    const bool terminated = nl != std::string_view::npos;
    std::string_view raw = input.substr(offset, terminated ? nl - offset : std::string_view::npos);
    RefLine r;
    r.offset = offset;
    if (raw.size() > max_line) {
      r.too_long = true;
    } else {
      r.terminated = terminated;
      if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
      r.text = raw;
    }
    out.push_back(r);
    offset = terminated ? nl + 1 : input.size();
  }
  return out;
}

// A reader pair over one schema: one reads in place, one from a copy.
struct Readers {
  RecordSchema schema;
  RecordReader padded{schema};
  RecordReader unpadded{schema};
  std::vector<int> extra;

  explicit Readers(RecordSchema s) : schema(std::move(s)) {}
};

inline RecordSchema make_schema(bool nested) {
  PinoFormat format;
  if (nested) {
    format.nested_key = "payload";
    format.levels.set("audit", 35);
  }
  auto schema = RecordSchema::build(format);
  if (!schema.ok()) __builtin_trap();
  return std::move(schema).value();
}

inline Readers& readers(bool nested) {
  static Readers plain(make_schema(false));
  static Readers with_nested(make_schema(true));
  return nested ? with_nested : plain;
}

inline bool same_view(const RecordView& a, const RecordView& b) {
  return a.level == b.level && a.level_label == b.level_label && a.time_us == b.time_us &&
         a.message == b.message && a.err == b.err && a.request_id == b.request_id &&
         a.trace_id == b.trace_id && a.span_id == b.span_id && a.trace_flags == b.trace_flags &&
         a.status_code == b.status_code && a.job_id == b.job_id && a.queue == b.queue &&
         a.attempts_made == b.attempts_made && a.attempts == b.attempts && a.logger == b.logger &&
         a.pid == b.pid && a.hostname == b.hostname && a.completion == b.completion;
}

inline bool view_is_utf8(const RecordView& v) {
  for (std::string_view s : {v.level_label, v.message, v.request_id, v.trace_id, v.span_id,
                             v.trace_flags, v.job_id, v.queue, v.logger, v.pid, v.hostname}) {
    if (!utf8::is_valid(s)) return false;
  }
  return true;
}

inline std::string check_line(std::string_view text, bool nested) {
  Readers& r = readers(nested);
  RecordView a, b;
  const ReadOutcome pa = r.padded.read(text, a, true);
  const ReadOutcome pb = r.unpadded.read(text, b, false);
  if (pa != pb) return "padded and unpadded reads disagree on the outcome";
  if (!same_view(a, b)) return "padded and unpadded reads disagree on the view";
  if (pa != ReadOutcome::kNotJson && !view_is_utf8(a)) return "a view string is not UTF-8";

  auto value = json::parse(text);
  if (value.ok()) {
    size_t start = 0;
    while (start < text.size() && (text[start] == ' ' || text[start] == '\t')) ++start;
    if (value->is_object() && start < text.size() && text[start] == '{' &&
        pa == ReadOutcome::kNotJson) {
      return "json::parse accepts an object the record reader rejects";
    }
    const std::string out = json::to_string(*value);
    if (!utf8::is_valid(out)) return "json::write produced invalid UTF-8";
    auto again = json::parse(out);
    if (!again.ok()) return "json::write output does not parse: " + again.message();
    if (!(*again == *value)) return "json::write output parses to a different value";
  }
  return {};
}

}  // namespace detail

inline std::string check_record_view(std::string_view input) {
  using detail::RefLine;
  // 1. A cap no fuzz input reaches and 4 KiB reads: every line is read.
  {
    LineFramer framer(size_t{1} << 16, 4096);
    std::string failure;
    const auto on_line = [&](const Line& line) {
      if (!failure.empty() || line.too_long) return;
      failure = detail::check_line(line.text, false);
    };
    framer.feed(input, on_line);
    framer.finish();
    Line line;
    while (framer.next(line)) on_line(line);
    if (!failure.empty()) return failure;
  }
  // 2. A small cap and odd read sizes chosen by the input's hash, compared with a plain split;
  //    the lines are read with the nestedKey schema.
  uint64_t state = detail::fnv1a(input) | 1;
  const size_t max_line = detail::xorshift(state) % 300;
  const size_t chunk = 1 + detail::xorshift(state) % 64;
  const std::vector<RefLine> want = detail::reference_lines(input, max_line);
  LineFramer framer(max_line, chunk);
  size_t index = 0;
  std::string failure;
  const auto on_line = [&](const Line& line) {
    if (!failure.empty()) return;
    if (index >= want.size()) {
      failure = "framer delivered more lines than the input has";
      return;
    }
    const RefLine& r = want[index++];
    if (line.number != index || line.offset != r.offset || line.too_long != r.too_long ||
        (!r.too_long && (line.text != r.text || line.terminated != r.terminated))) {
      failure = "framer line " + std::to_string(index) + " differs from the reference split";
      return;
    }
    if (line.too_long) return;
    volatile unsigned char sink = 0;  // the padding promise: these reads must stay in bounds
    for (size_t i = 0; i < LineFramer::kPadding; ++i) {
      sink = sink ^ static_cast<unsigned char>(line.text.data()[line.text.size() + i]);
    }
    failure = detail::check_line(line.text, true);
  };
  std::string_view rest = input;
  Line line;
  while (!rest.empty() && failure.empty()) {
    std::span<char> space = framer.prepare();
    if (space.empty() || space.size() > chunk) return "prepare() gave an empty or oversized span";
    const size_t n =
        std::min<size_t>({1 + detail::xorshift(state) % chunk, space.size(), rest.size()});
    std::memcpy(space.data(), rest.data(), n);
    framer.commit(n);
    rest.remove_prefix(n);
    while (framer.next(line)) on_line(line);
  }
  if (!failure.empty()) return failure;
  framer.finish();
  while (framer.next(line)) on_line(line);
  if (!failure.empty()) return failure;
  if (index != want.size()) return "framer delivered fewer lines than the input has";
  if (framer.bytes_committed() != input.size()) return "bytes_committed() is wrong";
  return {};
}

namespace detail {

inline size_t count_nodes(const ErrorNode& node, size_t depth, size_t& max_depth,
                          std::string& failure) {
  if (node.type.empty() && failure.empty()) failure = "an error node has an empty type";
  if (depth > max_depth) max_depth = depth;
  size_t n = 1;
  if (node.cause) n += count_nodes(*node.cause, depth + 1, max_depth, failure);
  for (const ErrorNode& child : node.errors) n += count_nodes(child, depth + 1, max_depth, failure);
  return n;
}

inline std::string check_tree(const json::Value& err) {
  PinoErrorOptions options;
  const ErrorTree tree = parse_pino_error(err, options);
  std::string failure;
  size_t depth = 0;
  const size_t nodes = count_nodes(tree.root, 0, depth, failure);
  if (!failure.empty()) return failure;
  if (nodes > options.max_errors) return "parse_pino_error exceeded max_errors";
  if (depth > options.max_depth) return "parse_pino_error exceeded max_depth";
  return {};
}

}  // namespace detail

inline std::string check_stack(std::string_view input) {
  for (const char* root : {"", "/srv/app", "C:\\app"}) {
    StackOptions options;
    options.app_root = root;
    options.max_frames = 50;
    const std::vector<StackFrame> frames = parse_v8_frames(input, options);
    if (frames.size() > options.max_frames) return "parse_v8_frames exceeded max_frames";
    for (const StackFrame& f : frames) {
      if (f.function.empty()) return "a frame has an empty function";
      if (f.lineno < 0 || f.colno < 0) return "a frame has a negative line or column";
    }
  }
  (void)parse_stack_header(input);
  for (size_t pos = 0; pos <= input.size();) {
    const size_t nl = input.find('\n', pos);
    (void)is_frame_line(input.substr(pos, nl == std::string_view::npos ? nl : nl - pos));
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  const std::string_view stacks[] = {input};
  (void)infer_app_root(stacks);
  (void)module_from_filename(input, "/srv/app");
  (void)module_from_filename(input, "");

  // As the stack of an error, and when it is JSON, as the `err` value itself.
  json::Object err;
  err.set("type", "Error");
  err.set("message", "fuzz");
  err.set("stack", std::string(input));
  if (std::string failure = detail::check_tree(json::Value(std::move(err))); !failure.empty()) {
    return failure;
  }
  auto value = json::parse(input);
  if (value.ok()) return detail::check_tree(*value);
  return {};
}

inline std::string check_plain_error(std::string_view input) {
  PlainErrorLimits limits;
  limits.max_lines = 200;  // small bounds, so that the fuzzer reaches them
  limits.max_bytes = 16 * 1024;
  PlainErrorAssembler assembler(limits);
  size_t fed = 0, released = 0, in_dumps = 0;
  uint64_t next_line = 1;
  std::string failure;
  const auto drain = [&] {
    released += assembler.take_released();
    for (PlainErrorDump d; assembler.take(d);) {
      in_dumps += d.lines;
      if (d.lines == 0 || d.last_line < d.first_line || d.last_line - d.first_line + 1 != d.lines ||
          d.first_line < next_line) {
        failure = "a dump's lines are not consecutive after the previous dump's";
      }
      next_line = d.last_line + 1;
      if (static_cast<size_t>(std::count(d.text.begin(), d.text.end(), '\n')) + 1 != d.lines) {
        failure = "a dump's text does not hold its lines";
      }
      if (!d.err.is_object() && !d.err.is_string()) failure = "a dump's err is neither";
      std::string out;
      json::write(d.err, out);
      if (!utf8::is_valid(out)) failure = "a dump's err is not written as valid UTF-8";
      if (!json::parse(out).ok()) failure = "a dump's err does not parse back";
      if (std::string tree = detail::check_tree(d.err); !tree.empty()) failure = tree;
    }
  };
  uint64_t offset = 0;
  for (size_t pos = 0; pos < input.size();) {
    const size_t nl = std::min(input.find('\n', pos), input.size());
    const std::string_view line = input.substr(pos, nl - pos);
    if (!line.empty() && line[0] == '{') {
      assembler.flush();
    } else {
      assembler.feed(line, offset, ++fed);
    }
    drain();
    offset += line.size() + 1;
    pos = nl + 1;
  }
  assembler.flush();
  drain();
  if (!failure.empty()) return failure;
  if (assembler.holding()) return "lines held after the last flush";
  if (released + in_dumps != fed) return "a line was neither released nor in one dump";
  if (auto parsed = parse_inspected_error(input); parsed && parsed->consumed > input.size()) {
    return "parse_inspected_error consumed more than its input";
  }
  return {};
}

}  // namespace faultline::fuzz
