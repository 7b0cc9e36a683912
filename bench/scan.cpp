// faultline-bench-scan: the reference for bench/run.sh. A plain simdjson On-Demand scan of an
// NDJSON file that reads, per line, the hot fields faultline reads (level, time, msg, req.id,
// presence of err, res.statusCode) and counts lines and errors. It is what "just parsing the
// logs" costs on this machine, so faultline's throughput can be read as a ratio of it.
//
// Like faultline it streams the file through one reused buffer (no mmap, bounded memory), splits
// lines on '\n', and parses each line in place with parser.iterate() on a single thread; the
// bytes after a line in the buffer serve as simdjson's padding. Lines that do not start with '{'
// or fail to parse are counted as non-JSON.
//
// Usage: faultline-bench-scan FILE      prints one "key=value ..." line on stdout
//        faultline-bench-scan --kernels prints the simdjson kernels and exits

#include <fcntl.h>
#include <unistd.h>

#include <simdjson.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>

namespace {

namespace ondemand = simdjson::ondemand;

struct Counts {
  uint64_t lines = 0, bytes = 0, json = 0, non_json = 0, errors = 0, with_err = 0, status_5xx = 0,
           with_req_id = 0;
  uint64_t checksum = 0;  // folds the values read, so none of the reads can be optimized away
};

// Reads the hot fields of one JSON object line. Returns false if the line is not a JSON object.
bool scan_line(ondemand::parser& parser, const char* p, size_t len, size_t capacity, Counts& c) {
  ondemand::document doc;
  if (parser.iterate(p, len, capacity).get(doc)) return false;
  ondemand::object obj;
  if (doc.get_object().get(obj)) return false;
  int64_t level = 0;
  uint64_t time = 0;
  std::string_view msg, req_id;
  bool has_err = false;
  int64_t status = 0;
  for (auto field_result : obj) {
    ondemand::field field;
    if (std::move(field_result).get(field)) return false;
    const ondemand::raw_json_string key = field.key();
    ondemand::value value = field.value();
    if (key == "level") {
      if (value.get_int64().get(level)) level = 0;  // a label level: not what this bench feeds
    } else if (key == "time") {
      if (value.get_uint64().get(time)) time = 0;
    } else if (key == "msg") {
      if (value.get_string().get(msg)) msg = {};
    } else if (key == "err") {
      ondemand::json_type type;
      if (value.type().get(type)) return false;
      has_err = true;
    } else if (key == "req" || key == "res") {
      const bool is_req = key == "req";
      ondemand::object inner;
      if (value.get_object().get(inner)) continue;
      for (auto inner_result : inner) {
        ondemand::field f;
        if (std::move(inner_result).get(f)) return false;
        const ondemand::raw_json_string k = f.key();
        if (is_req && k == "id") {
          ondemand::value v = f.value();
          req_id = v.raw_json_token();
          break;  // the iterator skips the rest of req
        }
        if (!is_req && k == "statusCode") {
          ondemand::value v = f.value();
          if (v.get_int64().get(status)) status = 0;  // null: aborted request
          break;
        }
      }
    }
  }
  ++c.json;
  if (level >= 50) ++c.errors;
  if (has_err) ++c.with_err;
  if (status >= 500) ++c.status_5xx;
  if (!req_id.empty()) ++c.with_req_id;
  c.checksum += static_cast<uint64_t>(level) + time + msg.size() + req_id.size();
  return true;
}

// Three kernels are in play. Stage 1 (the structural index) runs in the kernel the library picks
// at run time for this CPU (get_active_implementation). On-Demand itself (stage 2: walking the
// index, numbers, strings) is header code compiled into this program for the kernel its compile
// flags allow (SIMDJSON_BUILTIN_IMPLEMENTATION: "fallback" without -march flags, "haswell" with
// -march=x86-64-v3). builtin_implementation() is the same choice made when the shared library was
// built, which is not necessarily this program's.
#define FAULTLINE_BENCH_STR2(x) #x
#define FAULTLINE_BENCH_STR(x) FAULTLINE_BENCH_STR2(x)
constexpr const char* kOnDemandKernel = FAULTLINE_BENCH_STR(SIMDJSON_BUILTIN_IMPLEMENTATION);

void print_kernels() {
  std::printf("ondemand=%s active=%s library_builtin=%s\n", kOnDemandKernel,
              simdjson::get_active_implementation()->name().c_str(),
              simdjson::builtin_implementation()->name().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: faultline-bench-scan FILE | --kernels\n");
    return 2;
  }
  if (std::string_view(argv[1]) == "--kernels") {
    print_kernels();
    return 0;
  }
  const auto started = std::chrono::steady_clock::now();
  const int fd = ::open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "faultline-bench-scan: %s: %s\n", argv[1], std::strerror(errno));
    return 1;
  }

  // [0, end) holds unread bytes; the allocation always has SIMDJSON_PADDING bytes past the
  // largest `end`, so every line (the last one included) is followed by enough readable bytes.
  constexpr size_t kChunk = 1u << 20;
  size_t cap = 4 * kChunk;
  std::unique_ptr<char[]> buf(new char[cap + simdjson::SIMDJSON_PADDING]);
  size_t end = 0;
  bool eof = false;
  Counts c;
  ondemand::parser parser;

  auto handle = [&](const char* p, size_t len) {
    ++c.lines;
    if (len > 0 && p[len - 1] == '\r') --len;
    size_t i = 0;
    while (i < len && (p[i] == ' ' || p[i] == '\t')) ++i;
    const char* bufend = buf.get() + cap + simdjson::SIMDJSON_PADDING;
    if (i == len || p[i] != '{' ||
        !scan_line(parser, p + i, len - i, static_cast<size_t>(bufend - (p + i)), c)) {
      ++c.non_json;
    }
  };

  while (!eof || end > 0) {
    if (!eof) {
      if (cap - end < kChunk) {  // a line longer than the buffer: grow it
        const size_t ncap = cap * 2;
        std::unique_ptr<char[]> nbuf(new char[ncap + simdjson::SIMDJSON_PADDING]);
        std::memcpy(nbuf.get(), buf.get(), end);
        buf = std::move(nbuf);
        cap = ncap;
      }
      const ssize_t n = ::read(fd, buf.get() + end, cap - end);
      if (n < 0) {
        if (errno == EINTR) continue;
        std::fprintf(stderr, "faultline-bench-scan: read: %s\n", std::strerror(errno));
        return 1;
      }
      if (n == 0) eof = true;
      end += static_cast<size_t>(n);
      c.bytes += static_cast<size_t>(n);
    }
    const char* p = buf.get();
    const char* const stop = buf.get() + end;
    while (p < stop) {
      const char* nl =
          static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(stop - p)));
      if (!nl) break;
      handle(p, static_cast<size_t>(nl - p));
      p = nl + 1;
    }
    const size_t rest = static_cast<size_t>(stop - p);
    if (eof) {
      if (rest > 0) handle(p, rest);  // a last line without '\n'
      break;
    }
    std::memmove(buf.get(), p, rest);
    end = rest;
  }
  ::close(fd);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "lines=%llu bytes=%llu seconds=%.4f mb_per_s=%.1f lines_per_s=%.0f json=%llu non_json=%llu "
      "errors=%llu with_err=%llu status_5xx=%llu with_req_id=%llu checksum=%llu ondemand=%s "
      "active=%s\n",
      (unsigned long long)c.lines, (unsigned long long)c.bytes, seconds,
      seconds > 0 ? double(c.bytes) / 1e6 / seconds : 0.0,
      seconds > 0 ? double(c.lines) / seconds : 0.0, (unsigned long long)c.json,
      (unsigned long long)c.non_json, (unsigned long long)c.errors, (unsigned long long)c.with_err,
      (unsigned long long)c.status_5xx, (unsigned long long)c.with_req_id,
      (unsigned long long)c.checksum, kOnDemandKernel,
      simdjson::get_active_implementation()->name().c_str());
  return 0;
}
