// What a spooled payload is, and so which envelope item it travels in and which rate-limit
// category it counts against (SENTRY-PROTOCOL.md §5): an error `event` (category `error`) or a
// `transaction` (category `transaction`). Sentry limits the two independently, and so does the
// sender. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "agent/delivery/rate_limiter.h"

namespace faultline::delivery {

enum class ItemKind : uint8_t { kEvent, kTransaction };

// The envelope item type, which is also the kind's name in the spool: "event", "transaction".
std::string_view item_type(ItemKind kind);
std::optional<ItemKind> item_kind_from_type(std::string_view type);
Category category_of(ItemKind kind);

// The kinds a claim may take (Spool::claim): a small set.
class KindSet {
 public:
  static KindSet all() { return KindSet(0xFF); }
  static KindSet none() { return KindSet(0); }
  KindSet with(ItemKind kind) const { return KindSet(bits_ | bit(kind)); }
  bool has(ItemKind kind) const { return (bits_ & bit(kind)) != 0; }
  bool empty() const { return bits_ == 0; }

 private:
  explicit KindSet(uint8_t bits) : bits_(bits) {}
  static uint8_t bit(ItemKind kind) { return static_cast<uint8_t>(1u << static_cast<int>(kind)); }
  uint8_t bits_;
};

}  // namespace faultline::delivery
