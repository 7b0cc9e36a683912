// A parsed YAML document as plain data: mappings, lists, scalars and nulls, each with the line and
// column it was written at. yaml::Reader::parse (yaml_reader.h) builds it from text within fixed
// limits, with aliases already expanded, so whatever walks a Node walks a finite tree of known
// size that owns all of its text. yaml-cpp is not visible here: only base/yaml_parse.cpp
// includes it.
//
// Immutable once built; safe to read from several threads. A Node is a value: copying copies the
// whole subtree.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::yaml {

// Where a node was written: 1-based line and column; line 0 when unknown (a missing node).
struct Mark {
  int line = 0;
  int column = 0;
  bool known() const { return line > 0; }
};

class Node {
 public:
  enum class Kind : unsigned char { kMissing, kNull, kScalar, kSequence, kMap };
  struct Entry;

  // A missing node: what operator[] returns for a key that is not there.
  Node() = default;
  static const Node& missing();
  static Node null(Mark mark);
  static Node scalar(std::string text, bool quoted, Mark mark);
  static Node sequence(Mark mark);
  static Node map(Mark mark);

  Kind kind() const { return kind_; }
  bool defined() const { return kind_ != Kind::kMissing; }
  bool is_null() const { return kind_ == Kind::kNull; }
  // Missing, or written as nothing, `~` or `null`.
  bool absent() const { return kind_ == Kind::kMissing || kind_ == Kind::kNull; }
  bool is_scalar() const { return kind_ == Kind::kScalar; }
  bool is_sequence() const { return kind_ == Kind::kSequence; }
  bool is_map() const { return kind_ == Kind::kMap; }
  const Mark& mark() const { return mark_; }

  // The text of a scalar (after ${VAR} expansion); "" for any other kind.
  const std::string& text() const { return text_; }
  // Written in quotes or as a block scalar (| or >), not plain (with or without a tag).
  bool quoted() const { return quoted_; }

  // The items of a sequence, the entries of a mapping (in file order); empty for other kinds.
  const std::vector<Node>& items() const { return items_; }
  const std::vector<Entry>& entries() const { return entries_; }
  // Items or entries.
  size_t size() const;

  // The value of the first entry whose key is the scalar `key`; a missing node when there is none
  // (or this is not a mapping).
  const Node& operator[](std::string_view key) const;

  // Building (the parser; tests).
  void push_back(Node item);
  void add(Node key, Node value);

 private:
  Kind kind_ = Kind::kMissing;
  bool quoted_ = false;
  Mark mark_;
  std::string text_;
  std::vector<Node> items_;
  std::vector<Entry> entries_;
};

struct Node::Entry {
  Node key;
  Node value;
};

}  // namespace faultline::yaml
