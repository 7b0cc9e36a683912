// The correlator's request table: its index grows with the requests open at once, and every
// request stays findable across growth, drops and the rehashes that clear tombstones.
#include <catch2/catch.hpp>

#include <string>

#include "agent/pipeline/request_table.h"

using faultline::RequestTable;

namespace {

std::string key_of(int i) {
  return "R" + std::to_string(i);
}

uint32_t create(RequestTable& table, int i) {
  const std::string key = key_of(i);
  return table.create(key, RequestTable::hash_key(nullptr, key), nullptr);
}

uint32_t find(const RequestTable& table, int i) {
  const std::string key = key_of(i);
  return table.find(key, RequestTable::hash_key(nullptr, key));
}

}  // namespace

TEST_CASE("request table: requests stay findable as the index grows and tombstones are cleared",
          "[request_table]") {
  RequestTable table(10000);
  for (int i = 0; i < 10; ++i) create(table, i);
  CHECK(table.index_buckets() <= 32);  // sized for what is open, not for max_requests
  for (int i = 10; i < 3000; ++i) create(table, i);
  CHECK(table.index_buckets() <= 8192);
  for (int i = 0; i < 3000; ++i) REQUIRE(table.at(find(table, i)).key == key_of(i));
  // Churn: the oldest half ends, as many new ones open (tombstones, then rehashes).
  for (int round = 0; round < 4; ++round) {
    const int base = round * 1500;
    for (int i = base; i < base + 1500; ++i) table.drop(find(table, i));
    for (int i = 3000 + base; i < 4500 + base; ++i) create(table, i);
  }
  CHECK(table.size() == 3000);
  for (int i = 0; i < 6000; ++i) CHECK(find(table, i) == RequestTable::kNone);
  for (int i = 6000; i < 9000; ++i) REQUIRE(table.at(find(table, i)).key == key_of(i));
}

TEST_CASE("request table: a table filled to its maximum finds every request", "[request_table]") {
  RequestTable table(100);
  for (int i = 0; i < 100; ++i) create(table, i);
  CHECK(table.full());
  for (int i = 0; i < 100; ++i) CHECK(find(table, i) != RequestTable::kNone);
  CHECK(find(table, 100) == RequestTable::kNone);
}
