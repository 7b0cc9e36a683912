#include "base/yaml_tree.h"

namespace faultline::yaml {

Node Node::null(Mark mark) {
  Node n;
  n.kind_ = Kind::kNull;
  n.mark_ = mark;
  return n;
}

Node Node::scalar(std::string text, bool quoted, Mark mark) {
  Node n;
  n.kind_ = Kind::kScalar;
  n.text_ = std::move(text);
  n.quoted_ = quoted;
  n.mark_ = mark;
  return n;
}

Node Node::sequence(Mark mark) {
  Node n;
  n.kind_ = Kind::kSequence;
  n.mark_ = mark;
  return n;
}

Node Node::map(Mark mark) {
  Node n;
  n.kind_ = Kind::kMap;
  n.mark_ = mark;
  return n;
}

size_t Node::size() const {
  return kind_ == Kind::kMap ? entries_.size() : items_.size();
}

const Node& Node::missing() {
  static const Node kMissing;
  return kMissing;
}

const Node& Node::operator[](std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key.is_scalar() && e.key.text() == key) return e.value;
  }
  return missing();
}

void Node::push_back(Node item) {
  items_.push_back(std::move(item));
}

void Node::add(Node key, Node value) {
  entries_.push_back(Entry{std::move(key), std::move(value)});
}

}  // namespace faultline::yaml
