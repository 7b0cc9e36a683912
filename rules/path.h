// Field paths in pino's `redact` syntax, and the trie they compile into.
//
// Syntax (PINO-FORMAT.md §3, plus two conveniences): keys joined by dots (`req.headers.host`);
// brackets for keys that are not plain (`a["x-api-key"]`, `["a.b"].c`, `a['k']`), for indices
// (`items[0]`) and for the wildcard (`items[*].card`); a bare `*` is a wildcard for one key or one
// array index (`*.password`). Matching is case-sensitive. Conveniences: a bare key may contain
// hyphens and non-ASCII letters (`req.headers.x-api-key`, `данные.пароль`), and a key made only of
// digits also matches that array index. `**` (any depth) is not supported: key patterns do that.
//
// A path names either a place in the Sentry event (its first key is a top-level event key such as
// `request`, `extra`, `user`, `tags`) or a field of the pino log record, which resolve_paths()
// maps to where the event builder put it (`req.headers.x` → `request.headers.x` and
// `extra.req.headers.x`; anything else → under `extra`). docs/rules.md has the table.
//
// Everything here is built at load time; a PathTrie is immutable once built and safe to share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "parsers/json.h"

namespace faultline::rules {

struct PathSegment {
  enum class Kind : uint8_t { kKey, kIndex, kWildcard };
  Kind kind = Kind::kKey;
  std::string key;   // kKey
  size_t index = 0;  // kIndex

  static PathSegment Key(std::string k) { return {Kind::kKey, std::move(k), 0}; }
  static PathSegment Index(size_t i) { return {Kind::kIndex, {}, i}; }
  static PathSegment Wildcard() { return {Kind::kWildcard, {}, 0}; }
  bool operator==(const PathSegment&) const = default;
};
using Path = std::vector<PathSegment>;

// Parses one path. The error is the bare reason with a 1-based character position, e.g.
// `empty key at character 3`; the caller adds where the path was written.
Result<Path> parse_path(std::string_view text);

// Renders a path in the same syntax; keys that are not plain are written as ["..."].
std::string format_path(const Path& path);
void append_key(std::string& out, std::string_view key);  // ".key" or ["key"]
void append_index(std::string& out, size_t index);        // "[3]"

// True for the top-level keys of a Sentry event (event_id, request, extra, tags, ...).
bool is_event_key(std::string_view key);

// The event paths a written path stands for. An event path stands for itself; a record path for
// the places the event builder moves that record field to (see the header comment).
struct ResolvedPath {
  Path path;
  bool as_written;  // false when derived from a record path through the alias table
};
std::vector<ResolvedPath> resolve_paths(const Path& written);

// Calls `fn` for every value of `root` that `path` addresses (wildcards expand). Read-only.
void for_each_match(const json::Value& root, const Path& path,
                    const std::function<void(const json::Value&)>& fn);

// Paths merged into a trie, walked alongside the event so that a whole set of paths costs one
// walk. Each path ends at a node whose `terminal` is the id given to add().
class PathTrie {
 public:
  struct Node {
    std::map<std::string, std::unique_ptr<Node>, std::less<>> keys;
    std::map<size_t, std::unique_ptr<Node>> indices;
    std::unique_ptr<Node> wildcard;
    int terminal = -1;
  };

  PathTrie() : root_(std::make_unique<Node>()) {}
  void add(const Path& path, int id);
  bool empty() const { return empty_; }
  const Node* root() const { return root_.get(); }

  // Appends the children of `node` that an object member `key` / array element `index` reaches.
  static void step_key(const Node* node, std::string_view key, std::vector<const Node*>& out);
  static void step_index(const Node* node, size_t index, std::vector<const Node*>& out);

 private:
  std::unique_ptr<Node> root_;
  bool empty_ = true;
};

}  // namespace faultline::rules
