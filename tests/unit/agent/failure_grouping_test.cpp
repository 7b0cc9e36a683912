// What makes two error lines of one request the same failure.
#include <catch2/catch.hpp>

#include "agent/pipeline/failure_grouping.h"

using faultline::failure_signature;
using faultline::PinoFormat;

TEST_CASE("failure grouping: same type, message and first frame is one failure",
          "[failure_grouping]") {
  const PinoFormat format;
  const auto sig = [&](const std::string& line) { return failure_signature(line, false, format); };
  const std::string a =
      R"J({"level":50,"err":{"type":"Error","message":"db down","stack":"Error: db down\n    at q (/app/db.js:1:1)"},"msg":"x"})J";
  const std::string a_again =
      R"J({"level":50,"err":{"type":"Error","message":"db down","stack":"Error: db down\n    at q (/app/db.js:1:1)\n    at r (/app/r.js:2:2)"},"msg":"handler"})J";
  const std::string elsewhere =
      R"J({"level":50,"err":{"type":"Error","message":"db down","stack":"Error: db down\n    at w (/app/worker.js:9:9)"},"msg":"x"})J";
  CHECK(sig(a).hash == sig(a_again).hash);
  CHECK(sig(a).hash != sig(elsewhere).hash);
  CHECK_FALSE(sig(a).placeholder);
}

TEST_CASE("failure grouping: ECS's stack_trace counts like a stack", "[failure_grouping]") {
  const PinoFormat format;
  const auto sig = [&](const std::string& line) { return failure_signature(line, false, format); };
  const std::string here =
      R"J({"log.level":"error","error":{"type":"TypeError","message":"x is undefined","stack_trace":"TypeError: x is undefined\n    at a (/app/a.js:1:1)"}})J";
  const std::string there =
      R"J({"log.level":"error","error":{"type":"TypeError","message":"x is undefined","stack_trace":"TypeError: x is undefined\n    at b (/app/b.js:2:2)"}})J";
  CHECK(sig(here).hash != sig(there).hash);
}

TEST_CASE("failure grouping: pino-http's placeholder says only that the response failed",
          "[failure_grouping]") {
  const PinoFormat format;
  CHECK(
      failure_signature(
          R"J({"level":30,"res":{"statusCode":500},"err":{"type":"Error","message":"failed with status code 500","stack":"Error: failed with status code 500\n    at onResFinished (/app/node_modules/pino-http/logger.js:115:39)"},"responseTime":3,"msg":"request errored"})J",
          true, format)
          .placeholder);
  CHECK(
      failure_signature(R"J({"level":30,"res":{"statusCode":503},"responseTime":3})J", true, format)
          .placeholder);
}
