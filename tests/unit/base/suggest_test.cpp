#include "base/suggest.h"

#include <catch2/catch.hpp>

using faultline::closest_match;
using faultline::edit_distance;

TEST_CASE("edit_distance counts a swap of neighbours as one edit") {
  CHECK(edit_distance("hold", "hold") == 0);
  CHECK(edit_distance("hodl", "hold") == 1);
  CHECK(edit_distance("sentyr", "sentry") == 1);
  CHECK(edit_distance("", "abc") == 3);
  CHECK(edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("closest_match suggests only what is close enough to be a typo") {
  const std::vector<std::string_view> keys{"hold", "max_requests", "ttl"};
  CHECK(closest_match("hodl", keys) == "hold");
  CHECK(closest_match("max_request", keys) == "max_requests");
  CHECK(closest_match("banana", keys).empty());
  // Two edits in a three-letter word is a different word, not a typo.
  CHECK(closest_match("tab", keys).empty());
  CHECK(closest_match("x", {}).empty());
  // Long words may take a few more slips (three here).
  CHECK(closest_match("mxa_recrods_per_reqest", {"max_records_per_request"}) ==
        "max_records_per_request");
}
