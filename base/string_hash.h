// A hash for unordered containers keyed by std::string that are searched with a std::string_view
// (C++20 heterogeneous lookup; give std::equal_to<> as the key equality too), so that a lookup
// builds no string. Stateless.
#pragma once

#include <cstddef>
#include <functional>
#include <string_view>

namespace faultline {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace faultline
