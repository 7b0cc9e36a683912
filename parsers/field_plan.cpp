#include "parsers/field_plan.h"

#include <cstring>

namespace faultline {

FieldPlan::FieldPlan() {
  nodes_.push_back(Node{});
}

Result<std::vector<std::string>> FieldPlan::split_path(std::string_view path) {
  std::vector<std::string> keys;
  std::string current;
  bool have_current = false;
  size_t i = 0;
  const auto fail = [&](const std::string& what) {
    return Status::Error("path \"" + std::string(path) + "\": " + what + " at character " +
                         std::to_string(i + 1));
  };
  while (i < path.size()) {
    const char c = path[i];
    if (c == '.') {
      if (!have_current) return fail("empty key");
      keys.push_back(std::move(current));
      current.clear();
      have_current = false;
      ++i;
      if (i >= path.size()) return fail("empty key");  // "a." has an empty last key
    } else if (c == '[') {
      if (have_current) {
        keys.push_back(std::move(current));
        current.clear();
        have_current = false;
      }
      ++i;
      if (i < path.size() && (path[i] == '"' || path[i] == '\'')) {
        const char quote = path[i++];
        std::string key;
        while (i < path.size() && path[i] != quote) {
          if (path[i] == '\\' && i + 1 < path.size()) ++i;
          key.push_back(path[i++]);
        }
        if (i >= path.size()) return fail("unterminated quote");
        ++i;  // closing quote
        if (i >= path.size() || path[i] != ']') return fail("expected ']'");
        ++i;
        keys.push_back(std::move(key));
      } else {
        std::string key;
        while (i < path.size() && path[i] != ']') key.push_back(path[i++]);
        if (i >= path.size()) return fail("expected ']'");
        if (key.empty()) return fail("empty brackets");
        ++i;
        keys.push_back(std::move(key));
      }
      if (i < path.size() && path[i] == '.') {
        ++i;
        if (i >= path.size()) return fail("empty key");
      }
    } else {
      current.push_back(c);
      have_current = true;
      ++i;
    }
  }
  if (have_current) keys.push_back(std::move(current));
  if (keys.empty()) return Status::Error("empty path");
  return keys;
}

Result<int> FieldPlan::add(std::string_view path) {
  auto keys = split_path(path);
  if (!keys.ok()) return keys.status();
  int node = kRoot;
  std::vector<int> above;  // the nodes on the way to the leaf, root excluded
  for (const std::string& key : *keys) {
    int next = child(node, key);
    if (next == kNone) {
      next = static_cast<int>(nodes_.size());
      nodes_.push_back(Node{key, kNone, {}, {}, {}, {}});
      nodes_[static_cast<size_t>(node)].children.push_back(next);
      nodes_[static_cast<size_t>(node)].child_tags.push_back(tag_of(key));
      rebuild_index(nodes_[static_cast<size_t>(node)]);
    }
    if (node != kRoot) above.push_back(node);
    node = next;
  }
  Node& leaf = nodes_[static_cast<size_t>(node)];
  if (leaf.slot == kNone) {
    leaf.slot = static_cast<int>(slot_count_++);
    for (int n : above) nodes_[static_cast<size_t>(n)].slots_below.push_back(leaf.slot);
  }
  return leaf.slot;
}

uint64_t FieldPlan::tag_of(std::string_view key) {
  uint64_t head = 0;
  std::memcpy(&head, key.data(), key.size() < 7 ? key.size() : 7);
  return (static_cast<uint64_t>(key.size() < 255 ? key.size() : 255) << 56) | head;
}

size_t FieldPlan::bucket_of(uint64_t tag, size_t mask) {
  return static_cast<size_t>((tag * 0x9E3779B97F4A7C15ull) >> 40) & mask;
}

void FieldPlan::rebuild_index(Node& n) {
  size_t size = 4;
  while (size < n.children.size() * 2) size <<= 1;
  n.index.assign(size, -1);
  for (size_t i = 0; i < n.children.size(); ++i) {
    size_t b = bucket_of(n.child_tags[i], size - 1);
    while (n.index[b] >= 0) b = (b + 1) & (size - 1);
    n.index[b] = static_cast<int>(i);
  }
}

uint64_t FieldPlan::tag_of_padded(std::string_view key) {
  // One unaligned 8-byte load (the caller guarantees the bytes are readable), masked to the key.
  uint64_t head = 0;
  std::memcpy(&head, key.data(), sizeof head);
  if (key.size() < 7)
    head &= (uint64_t{1} << (8 * key.size())) - 1;
  else
    head &= (uint64_t{1} << 56) - 1;
  return (static_cast<uint64_t>(key.size() < 255 ? key.size() : 255) << 56) | head;
}

int FieldPlan::child(int node, std::string_view key) const {
  return find(node, key, tag_of(key));
}

int FieldPlan::child_padded(int node, std::string_view key) const {
  return find(node, key, tag_of_padded(key));
}

int FieldPlan::find(int node, std::string_view key, uint64_t tag) const {
  // Every key of every line is looked up here: one hash of a packed integer (the length and the
  // first seven bytes), and the full key compared only when the tags match.
  const Node& n = nodes_[static_cast<size_t>(node)];
  if (n.children.empty()) return kNone;
  const size_t mask = n.index.size() - 1;
  for (size_t b = bucket_of(tag, mask); n.index[b] >= 0; b = (b + 1) & mask) {
    const size_t i = static_cast<size_t>(n.index[b]);
    if (n.child_tags[i] != tag) continue;
    const int c = n.children[i];
    if (key.size() <= 7 || nodes_[static_cast<size_t>(c)].key == key) return c;
  }
  return kNone;
}

}  // namespace faultline
