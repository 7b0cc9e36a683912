// `faultline check`: --sample advice on a log's shape, the same advice once on a run's stderr, and
// --explain saying each verdict once.
#include <catch2/catch.hpp>

#include <string>

#include "support/process.h"

using namespace faultline::test;

namespace {

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

const std::string kAdvisedConfig =
    "pino:\n"
    "  status_keys: [httpRes.statusCode]\n"
    "  response_time_keys: [timeTaken]\n"
    "  request_keys: [httpReq]\n"
    "  request_id_keys: [httpReq.id]\n"
    "  error_key: [failure]\n";

std::string renamed_log() {
  return data_dir() + "/shapes/custom-attribute-keys.ndjson";
}

}  // namespace

TEST_CASE("check --sample names the keys to set for pino-http's customAttributeKeys", "[check]") {
  RunResult r = run_faultline({.args = {"check", "--sample", renamed_log()}});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("8 lines, 8 JSON records") != std::string::npos);
  CHECK(r.out.find("0 error records; 0 completions recognised") != std::string::npos);
  for (const char* advice : {"pino.status_keys: [httpRes.statusCode]",
                             "pino.response_time_keys: [timeTaken]", "pino.request_keys: [httpReq]",
                             "pino.request_id_keys: [httpReq.id]", "pino.error_key: [failure]"}) {
    CHECK(r.out.find(advice) != std::string::npos);
  }

  // With the advised keys the same sample fits: its 500 is an error record and every completion
  // is recognised.
  TempDir dir;
  const std::string config = dir.write("faultline.yaml", kAdvisedConfig);
  RunResult fixed = run_faultline({.args = {"check", "-c", config, "--sample", renamed_log()}});
  INFO(fixed.out << fixed.err);
  CHECK(fixed.exit_code == 0);
  CHECK(fixed.out.find("1 error records; 5 completions recognised") != std::string::npos);
  CHECK(fixed.out.find("the configured keys fit this sample") != std::string::npos);
}

TEST_CASE("check --sample finds the default pino-http shape fits, and reports an unreadable file",
          "[check]") {
  RunResult r =
      run_faultline({.args = {"check", "--sample", data_dir() + "/pino/a-default.ndjson"}});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("352 completions recognised") != std::string::npos);
  CHECK(r.out.find("the configured keys fit this sample") != std::string::npos);
  CHECK(r.out.find("pino.") == std::string::npos);

  RunResult missing = run_faultline({.args = {"check", "--sample", "/nonexistent/app.log"}});
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("cannot read the sample /nonexistent/app.log") != std::string::npos);
}

TEST_CASE("a run says once on stderr which keys to set, and finds the failure once they are set",
          "[check]") {
  // Twice the log: the advice still comes once per key.
  TempDir dir;
  const std::string log = read_file(renamed_log());
  const std::string doubled = dir.write("app.log", log + log);
  RunResult r = run_faultline({.args = {"replay", "--print", doubled}});
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.empty());  // nothing detected under these keys
  CHECK(count(r.err, "pino.status_keys: [httpRes.statusCode]") == 1);
  CHECK(count(r.err, "pino.error_key: [failure]") == 1);
  CHECK(r.err.find(doubled + ":2") != std::string::npos);  // where the first example is

  const std::string config = dir.write("faultline.yaml", kAdvisedConfig);
  RunResult fixed = run_faultline({.args = {"replay", "-c", config, "--print", renamed_log()}});
  INFO(fixed.err);
  CHECK(fixed.exit_code == 0);
  CHECK(fixed.err.find("pino.") == std::string::npos);
  CHECK(count(fixed.out, "\"event_id\"") == 1);
  CHECK(fixed.out.find("report 42 generation failed") != std::string::npos);
  CHECK(fixed.out.find("/api/reports/42") != std::string::npos);

  // pipe says it too (stdin passes through untouched).
  RunResult piped = run_faultline({.args = {"pipe"}, .stdin_data = log});
  CHECK(piped.out == log);
  CHECK(count(piped.err, "pino.status_keys: [httpRes.statusCode]") == 1);
}

TEST_CASE("check --explain says each event's verdict once", "[check]") {
  TempDir dir;
  const std::string log = dir.write(
      "app.log", R"({"level":50,"time":1,"msg":"x","err":{"type":"Error","message":"not found"},)"
                 R"("req":{"method":"GET","url":"/missing"},"res":{"statusCode":404}})"
                 "\n"
                 R"({"level":50,"time":2,"msg":"y","err":{"type":"Error","message":"boom"}})"
                 "\n");
  RunResult r = run_faultline({.args = {"check", "--explain", log}});
  INFO(r.out);
  CHECK(r.exit_code == 0);
  CHECK(count(r.out, "=> dropped by preset express-noise") == 1);
  CHECK(count(r.out, "dropped by preset express-noise") == 1);
  CHECK(count(r.out, "=> kept") == 1);
  CHECK(r.out.find("2 error records, 1 events kept, 1 dropped by rules") != std::string::npos);
}
