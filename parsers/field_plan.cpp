#include "parsers/field_plan.h"

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
      nodes_.push_back(Node{key, kNone, {}, {}});
      nodes_[static_cast<size_t>(node)].children.push_back(next);
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

int FieldPlan::child(int node, std::string_view key) const {
  for (int c : nodes_[static_cast<size_t>(node)].children) {
    if (nodes_[static_cast<size_t>(c)].key == key) return c;
  }
  return kNone;
}

}  // namespace faultline
