// The set of JSON paths the hot path reads from every line, compiled into a trie of keys.
//
// Each registered path gets a slot; RecordReader walks a line's objects along the trie only and
// captures the value at each registered path into its slot, skipping everything else without
// materializing it. Paths are dotted ("req.id"); a key that itself contains a dot is written in
// brackets and quotes (`a["x.y"].b`). Built once at configuration time, then read-only and safe
// to share between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace faultline {

class FieldPlan {
 public:
  static constexpr int kRoot = 0;
  static constexpr int kNone = -1;

  FieldPlan();

  // Registers `path` and returns its slot. Registering the same path twice returns the same slot.
  Result<int> add(std::string_view path);

  size_t slot_count() const { return slot_count_; }
  // The child of `node` reached through `key`, or kNone.
  int child(int node, std::string_view key) const;
  // The same, for a key followed by at least 8 readable bytes (a key inside a padded line).
  int child_padded(int node, std::string_view key) const;
  int slot(int node) const { return nodes_[static_cast<size_t>(node)].slot; }
  bool has_children(int node) const { return !nodes_[static_cast<size_t>(node)].children.empty(); }
  // The slots of the registered paths strictly below `node` ("req" → the slots of req.id, …).
  const std::vector<int>& slots_below(int node) const {
    return nodes_[static_cast<size_t>(node)].slots_below;
  }

  // Splits a path into its keys: `a.b["c.d"][0]` → {"a", "b", "c.d", "0"}.
  static Result<std::vector<std::string>> split_path(std::string_view path);

 private:
  struct Node {
    std::string key;
    int slot = kNone;
    std::vector<int> children;
    std::vector<int> slots_below;
    std::vector<uint64_t> child_tags;  // tag_of(key) of each child, in the order of `children`
    std::vector<int> index;  // open-addressing table of child positions by tag; -1 = empty
  };
  static uint64_t tag_of(std::string_view key);
  static uint64_t tag_of_padded(std::string_view key);
  int find(int node, std::string_view key, uint64_t tag) const;
  static size_t bucket_of(uint64_t tag, size_t mask);
  static void rebuild_index(Node& node);
  std::vector<Node> nodes_;
  size_t slot_count_ = 0;
};

}  // namespace faultline
