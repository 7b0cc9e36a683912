// `faultline check --sample FILE`: reads a log sample the way the pipeline would and says whether
// the configured keys fit it (completions recognised, error records found) and, if not, which keys
// to set: the same advice a run prints once on stderr.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "agent/cli/commands.h"
#include "parsers/line_framer.h"
#include "parsers/pino_record.h"
#include "parsers/shape_advisor.h"
#include "rules/detect/detector.h"

namespace faultline::cli {

namespace {

struct SampleCounts {
  uint64_t lines = 0, records = 0, not_json = 0, long_lines = 0, errors = 0;
};

}  // namespace

int check_sample(const config::Config& config, const std::string& file) {
  const int fd = file == "-" ? STDIN_FILENO : ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "faultline: cannot read the sample %s: %s\n", file.c_str(),
                 std::strerror(errno));
    return kExitUsage;
  }
  LineFramer framer(config.pino.max_line_bytes);
  RecordReader reader(*config.pino.schema);
  const rules::Detector detector(config.rules.detect);
  // A sample is read whole: every record counts, not only a run's first ones.
  ShapeAdvisor advisor(config.pino.format, UINT64_MAX);
  RecordView view;
  SampleCounts counts;
  const auto handle = [&](const Line& line) {
    ++counts.lines;
    if (line.too_long) {
      ++counts.long_lines;
      return;
    }
    const ReadOutcome outcome = reader.read(line.text, view);
    if (outcome == ReadOutcome::kNotJson) {
      ++counts.not_json;
      return;
    }
    ++counts.records;
    if (detector.classify(view, reader) != rules::DetectReason::kNone) ++counts.errors;
    if (outcome == ReadOutcome::kRecord)
      advisor.observe(line.text, view.completion, file, line.number);
  };
  Line line;
  bool failed = false;
  for (;;) {
    std::span<char> space = framer.prepare();
    const ssize_t n = ::read(fd, space.data(), space.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::fprintf(stderr, "faultline: reading %s: %s\n", file.c_str(), std::strerror(errno));
      failed = true;
      break;
    }
    if (n == 0) break;
    framer.commit(static_cast<size_t>(n));
    while (framer.next(line)) handle(line);
  }
  framer.finish();
  while (framer.next(line)) handle(line);
  if (fd != STDIN_FILENO) ::close(fd);
  if (failed) return kExitRuntime;

  std::printf(
      "%s: %llu lines, %llu JSON records, %llu not JSON, %llu too long; %llu error records; "
      "%llu completions recognised\n",
      file.c_str(), static_cast<unsigned long long>(counts.lines),
      static_cast<unsigned long long>(counts.records),
      static_cast<unsigned long long>(counts.not_json),
      static_cast<unsigned long long>(counts.long_lines),
      static_cast<unsigned long long>(counts.errors),
      static_cast<unsigned long long>(advisor.recognised_completions()));
  const std::string advice = advisor.advice();
  if (!advice.empty()) {
    std::fputs(advice.c_str(), stdout);
  } else if (advisor.recognised_completions() == 0) {
    std::puts(
        "no request completions found (pino-http writes one per request, \"request completed\"); "
        "events will carry no status, route or duration");
  } else {
    std::puts("the configured keys fit this sample");
  }
  return kExitOk;
}

}  // namespace faultline::cli
