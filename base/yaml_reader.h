// The one YAML reader of faultline: the configuration loader (agent/config) and the rules compiler
// (rules/) both parse and read YAML through it, so they accept the same syntax, the same booleans,
// durations and sizes, and report problems the same way:
//
//   faultline.yaml:12:5: correlation.hold: expected a duration like "5s", "250ms" or "1.5m", got
//   "five"
//
// that is "file:line:col: dotted.path: what was expected (and what was found)". A Reader collects
// every problem instead of stopping at the first, so one `faultline check` lists them all; status()
// joins them (at most kMaxReported, then a count of the rest) into one Status.
//
// parse() turns text into a yaml::Node tree within Limits that are checked while yaml-cpp's event
// stream is read, before anything walks the tree: the text's size, the number of nodes with every
// alias counted as a copy of what it names (so "billion laughs" alias bombs stop at once), the
// bytes of text, the nesting depth. It also refuses what would be silently misread: a second
// document, an alias inside its own anchor, a quoted scalar that does not end on its line (an
// unclosed quote swallowing the keys below it), a key given twice. ${VAR} expansion happens there
// too, once per scalar as written, so a value reached through an alias is never expanded twice.
//
// A Reader is used by one load or compile at a time; not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/environment.h"
#include "base/status.h"
#include "base/yaml_tree.h"

namespace faultline::yaml {

struct Limits {
  uint64_t max_text_bytes = 1024 * 1024;  // the document as written
  // Nodes of the tree, each alias counted as a copy of the node it names (and the copy kept of
  // every anchored node counted too): bounds memory and the time of every later walk.
  size_t max_nodes = 100'000;
  uint64_t max_scalar_bytes = 8 * 1024 * 1024;  // all scalar text, after aliases and ${VAR}
  size_t max_depth = 64;                        // mappings and lists inside each other
};

struct ParseOptions {
  Limits limits;
  // When set, ${VAR} and ${VAR:-default} are expanded in every scalar value (not in keys); `$${`
  // is a literal `${`. The default also applies when the variable is set but empty. When null,
  // scalars are kept as written.
  Getenv env;
};

// "a.b" + "c" → "a.b.c" ("" + "c" → "c").
std::string join_path(std::string_view parent, std::string_view key);
// "a" + 3 → "a[3]".
std::string index_path(std::string_view parent, size_t index);

// YAML 1.2 core schema booleans: true, True, TRUE, false, False, FALSE. Nothing else (yes, on,
// y, ...) is a boolean.
std::optional<bool> parse_bool(std::string_view text);

class Reader {
 public:
  static constexpr size_t kMaxReported = 20;

  // `file` names the text in messages.
  explicit Reader(std::string file) : file_(std::move(file)) {}

  const std::string& file() const { return file_; }

  // Parses `text` as one YAML document. Returns the root (a missing node for an empty text), or
  // nullopt after a problem that leaves no usable tree (a syntax error, a limit, a second
  // document). A ${VAR} that cannot be expanded is reported and the tree is still returned.
  std::optional<Node> parse(std::string_view text, const ParseOptions& options = {});

  // Records "file:line:col: path: what" (no position when `mark` is unknown, no path when empty).
  void error_at(const Mark& mark, std::string_view path, std::string_view what);
  void error(const Node& at, std::string_view path, std::string_view what) {
    error_at(at.mark(), path, what);
  }
  // Records a problem that is not about a place in the text: "file: what".
  void error_in_file(std::string_view what) { error_at(Mark(), "", what); }
  // Takes over the problems another reader found (a preset file read on behalf of this one).
  void absorb(const Reader& other);

  bool ok() const { return count_ == 0; }
  size_t error_count() const { return count_; }
  // The first kMaxReported messages, in the order they were recorded.
  const std::vector<std::string>& errors() const { return errors_; }
  // Ok, or the messages joined by '\n' in file order (by file, then line and column; problems
  // without a position last), with "(N more errors not shown)" past kMaxReported.
  Status status() const;

  // Typed reads. Each returns the value, or nullopt after recording what was expected and what was
  // found. `path` is the dotted key path used in the message.

  // A scalar's text; `expected` completes "expected ..." ("a name", "an RE2 pattern").
  std::optional<std::string> text(const Node& n, std::string_view path,
                                  std::string_view expected = "a string");
  // parse_bool(); a YAML 1.1 word (yes, no, on, off) gets a hint.
  std::optional<bool> boolean(const Node& n, std::string_view path);
  // A whole number in [min, max], written in decimal.
  std::optional<int64_t> integer(const Node& n, std::string_view path, int64_t min, int64_t max);
  // A decimal number in [min, max].
  std::optional<double> number(const Node& n, std::string_view path, double min, double max);
  // base/units.h parse_size(), within [min, max].
  std::optional<uint64_t> size(const Node& n, std::string_view path, uint64_t min = 0,
                               uint64_t max = UINT64_MAX);
  // base/units.h parse_duration(), within [min, max]; a bare number gets "write 30s or 30ms".
  std::optional<std::chrono::milliseconds> duration(
      const Node& n, std::string_view path,
      std::chrono::milliseconds min = std::chrono::milliseconds(0),
      std::chrono::milliseconds max = std::chrono::hours(24 * 365));
  // A scalar (a list of one) or a list of scalars. `item` names one ("a path"). An empty list is
  // an error unless `allow_empty`.
  std::optional<std::vector<std::string>> text_list(const Node& n, std::string_view path,
                                                    std::string_view item, bool allow_empty);
  // One of `allowed`, exactly.
  std::optional<std::string> one_of(const Node& n, std::string_view path,
                                    const std::vector<std::string_view>& allowed);

  // Reports each key of `map` that is not in `known` ("path.key: unknown key (did you mean
  // "x"?)") and each key that is not a plain scalar. A missing or null node has no keys: true.
  // False when `map` is something else (reported) — the caller should not read it further.
  bool check_keys(const Node& map, std::string_view path,
                  const std::vector<std::string_view>& known);

  // How a node is shown in "got ..." messages: "nothing", "a mapping", "a list", or the scalar
  // quoted, shortened, with any URL credentials ("https://KEY@host") replaced by "[key]".
  static std::string describe(const Node& n);

 private:
  struct Problem {
    std::string file;
    Mark mark;
  };
  std::string file_;
  std::vector<std::string> errors_;  // the first kMaxReported
  std::vector<Problem> where_;       // where each of errors_ is, for status()'s order
  size_t count_ = 0;
};

}  // namespace faultline::yaml
