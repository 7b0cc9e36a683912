// A value as messages show it: between double quotes, so that an empty or space-padded value is
// seen as such ("expected a status like 404, got \" 40\"").
#pragma once

#include <string>
#include <string_view>

namespace faultline {

inline std::string in_quotes(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '"';
  out.append(s);
  out += '"';
  return out;
}

}  // namespace faultline
