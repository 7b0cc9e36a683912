// faultline-bench-gen: writes realistic pino 10 + pino-http 11 NDJSON (an Express 5 app under
// load, as in tests/data/pino/a-default.ndjson) of a given size and error rate, for the
// benchmarks in bench/run.sh. The output is a pure function of the flags: same flags, same
// bytes (see rng.h for why).
//
// The pieces: scheduler.h (the flags, the simulation loop and the error-rate controller),
// requests.h (routes, scripts, req and handler lines), errors.h (failure lines and stacks), jobs.h
// (the worker), clients.h (identities, JWTs), pino_line.h (the line frame and the counting), out.h
// (buffer and appenders), model.h (the types), vocab.h (the fixed strings), rng.h.
//
// This file: the command line, the output file, and the --stats summary.
// The correlation memory benchmark input is --size 1G --open-requests 50000 --received-message.

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "out.h"
#include "scheduler.h"

namespace {

using gen::Options;

[[noreturn]] void usage(int code) {
  std::fprintf(code ? stderr : stdout,
               "usage: faultline-bench-gen [options]\n"
               "  --size N            bytes to write; K/M/G suffixes are binary (default 100M)\n"
               "  --error-rate R      share of lines at level >= 50, 0..0.5 (default 0.01)\n"
               "  --seed N            PRNG seed (default 1)\n"
               "  --open-requests N   requests in flight at once (default 64; memory bench: "
               "50000)\n"
               "  --duration-scale N  stretch response times N-fold (default max(1, N/64))\n"
               "  --restart-every N   uncaught-exception crash + restart every N bytes (default "
               "0: never)\n"
               "  --received-message  pino-http customReceivedMessage: log \"request received\"\n"
               "                      when each request starts\n"
               "  --stats             print a summary to stderr\n"
               "  --out FILE          output file (default: stdout)\n");
  std::exit(code);
}

// An unsigned number. Only a numeric prefix is required ("7x" reads 7), as it always was.
template <class T>
bool parse_number(std::string_view s, T& out) {
  return std::from_chars(s.data(), s.data() + s.size(), out).ec == std::errc();
}

// A byte count with an optional binary K/M/G suffix; the whole string must be used.
bool parse_size(std::string_view s, uint64_t& out) {
  uint64_t mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'k':
      case 'K':
        mult = 1ull << 10;
        break;
      case 'm':
      case 'M':
        mult = 1ull << 20;
        break;
      case 'g':
      case 'G':
        mult = 1ull << 30;
        break;
      default:
        break;
    }
    if (mult != 1) s.remove_suffix(1);
  }
  uint64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size()) return false;
  out = v * mult;
  return true;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    std::string_view value;
    bool inline_value = false;
    if (const size_t eq = arg.find('='); arg.rfind("--", 0) == 0 && eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
      inline_value = true;
    }
    auto need = [&]() -> std::string_view {
      if (inline_value) return value;
      if (i + 1 >= argc) {
        std::fprintf(stderr, "faultline-bench-gen: %s needs a value\n", argv[i]);
        usage(2);
      }
      return argv[++i];
    };
    auto bad = [&](std::string_view v) {
      std::fprintf(stderr, "faultline-bench-gen: bad value for %.*s: %.*s\n", int(arg.size()),
                   arg.data(), int(v.size()), v.data());
      usage(2);
    };
    if (arg == "--help" || arg == "-h") {
      usage(0);
    } else if (arg == "--size") {
      const std::string_view v = need();
      if (!parse_size(v, o.size) || o.size == 0) bad(v);
    } else if (arg == "--error-rate") {
      const std::string v(need());
      char* end = nullptr;
      o.error_rate = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end || !(o.error_rate >= 0 && o.error_rate <= 0.5)) bad(v);
    } else if (arg == "--seed") {
      const std::string_view v = need();
      if (!parse_number(v, o.seed)) bad(v);
    } else if (arg == "--open-requests") {
      const std::string_view v = need();
      if (!parse_number(v, o.open_requests) || o.open_requests == 0 || o.open_requests > 10000000) {
        bad(v);
      }
    } else if (arg == "--duration-scale") {
      const std::string_view v = need();
      if (!parse_number(v, o.duration_scale) || o.duration_scale > 100000) bad(v);
    } else if (arg == "--restart-every") {
      const std::string_view v = need();
      if (!parse_size(v, o.restart_every)) bad(v);
    } else if (arg == "--received-message") {
      o.received = true;
    } else if (arg == "--stats") {
      o.stats = true;
    } else if (arg == "--out" || arg == "-o") {
      o.out = std::string(need());
    } else {
      std::fprintf(stderr, "faultline-bench-gen: unknown argument %s\n", argv[i]);
      usage(2);
    }
  }
  return o;
}

void print_stats(const gen::Stats& s, uint64_t bytes, const Options& opt, uint32_t scale) {
  using ull = unsigned long long;
  const double lines = s.lines ? double(s.lines) : 1.0;
  std::fprintf(stderr,
               "faultline-bench-gen: bytes=%llu lines=%llu requests=%llu completed=%llu "
               "error_lines=%llu (%.4f%%) fatal=%llu warn=%llu err_lines=%llu "
               "request_errored=%llu non_json=%llu jobs=%llu restarts=%llu\n"
               "faultline-bench-gen: open_requests=%u duration_scale=%u "
               "open_with_lines(max=%llu avg=%.0f) request_span_lines(avg=%.0f max=%llu) "
               "avg_response_ms=%.1f\n",
               ull(bytes), ull(s.lines), ull(s.requests), ull(s.completed), ull(s.error_lines),
               100.0 * double(s.error_lines) / lines, ull(s.fatal_lines), ull(s.warn_lines),
               ull(s.err_lines), ull(s.errored), ull(s.non_json), ull(s.jobs), ull(s.restarts),
               opt.open_requests, scale, ull(s.max_open_with_lines),
               double(s.sum_open_with_lines) / lines,
               s.spans ? double(s.span_lines) / double(s.spans) : 0.0, ull(s.max_span),
               s.completed ? double(s.response_ms) / double(s.completed) : 0.0);
}

}  // namespace

int main(int argc, char** argv) {
  const Options opt = parse(argc, argv);
  int fd = STDOUT_FILENO;
  if (!opt.out.empty() && opt.out != "-") {
    fd = ::open(opt.out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
      std::fprintf(stderr, "faultline-bench-gen: %s: %s\n", opt.out.c_str(), std::strerror(errno));
      return 1;
    }
  }
  gen::Out out(fd);
  gen::Generator generator(opt, out);
  generator.run();
  if (fd != STDOUT_FILENO && ::close(fd) != 0) {
    std::fprintf(stderr, "faultline-bench-gen: close: %s\n", std::strerror(errno));
    return 1;
  }
  if (opt.stats) print_stats(generator.stats(), out.total(), opt, generator.scale());
  return 0;
}
