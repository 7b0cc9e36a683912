#include "agent/delivery/item_kind.h"

namespace faultline::delivery {

std::string_view item_type(ItemKind kind) {
  return kind == ItemKind::kTransaction ? "transaction" : "event";
}

std::optional<ItemKind> item_kind_from_type(std::string_view type) {
  if (type == "event") return ItemKind::kEvent;
  if (type == "transaction") return ItemKind::kTransaction;
  return std::nullopt;
}

Category category_of(ItemKind kind) {
  return kind == ItemKind::kTransaction ? Category::kTransaction : Category::kError;
}

}  // namespace faultline::delivery
