// A rule's `when:` — a condition on the finished Sentry event, compiled once at load.
//
// A mapping whose keys must all hold:
//   level: error | [warning, error] | ">= warning"      (also "<= info"; warn = warning)
//   message: RE2 | [RE2...]       partial match on the message or the logged exception's value
//   has: PATH | [PATH...]          the field is present (and not null)
//   equals: {PATH: VALUE | [VALUE...]}   the field's text equals one of the values
//   matches: {PATH: RE2}           partial match on the field's text
//   status: 404 | "4xx" | "500-599" | [..]   tags["http.status_code"]
//   route: GLOB | [GLOB...]        tags.route or transaction
//   url: GLOB | [GLOB...]          the path of request.url
//   queue: GLOB | [..]             tags.queue
//   error-type: GLOB | [..]        the logged (last) exception's type
//   error-type-in-chain: GLOB | [..]   any exception's type (causes, aggregate members)
//   error-code: GLOB | [..]        tags["error.code"]
//   environment: GLOB | [..]       `environment`
//   header: {NAME: RE2}            a request header, name matched case-insensitively
//   any: [COND...] | all: [COND...] | not: COND
// Globs: `*` is any run of characters (slashes included), `?` one character; the whole text must
// match. Paths use rules/path.h syntax, resolved the same way as in scrub.
//
// Immutable after compile; eval() is const and safe to call from several threads.
#pragma once

#include <memory>
#include <optional>
#include <string_view>

#include "base/yaml_reader.h"
#include "parsers/json.h"

namespace faultline::rules {

class Condition {
 public:
  // Always true.
  Condition();
  ~Condition();
  Condition(Condition&&) noexcept;
  Condition& operator=(Condition&&) noexcept;

  // Reports every problem to `r` and returns nullopt when there was one.
  static std::optional<Condition> compile(yaml::Reader& r, const yaml::Node& when,
                                          std::string_view path);

  bool eval(const json::Value& event) const;
  bool always() const { return root_ == nullptr; }

  struct Node;

 private:
  std::unique_ptr<Node> root_;
};

// "/api/pay*" → an anchored RE2 source; exposed for tests.
std::string glob_to_re2(std::string_view glob);

}  // namespace faultline::rules
