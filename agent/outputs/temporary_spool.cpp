#include "agent/outputs/temporary_spool.h"

#include <stdlib.h>

#include <filesystem>
#include <system_error>
#include <vector>

namespace faultline {

std::optional<TemporarySpool> TemporarySpool::create() {
  std::vector<std::string> places = {"/dev/shm"};
  if (const char* tmp = std::getenv("TMPDIR"); tmp != nullptr && *tmp != '\0') {
    places.emplace_back(tmp);
  }
  places.emplace_back("/tmp");
  for (const std::string& place : places) {
    std::string templ = place + "/faultline-spool-XXXXXX";
    if (::mkdtemp(templ.data()) != nullptr) return TemporarySpool(std::move(templ));
  }
  return std::nullopt;
}

TemporarySpool::TemporarySpool(TemporarySpool&& other) noexcept : dir_(std::move(other.dir_)) {
  other.dir_.clear();
}

TemporarySpool& TemporarySpool::operator=(TemporarySpool&& other) noexcept {
  if (this != &other) {
    remove();
    dir_ = std::move(other.dir_);
    other.dir_.clear();
  }
  return *this;
}

TemporarySpool::~TemporarySpool() {
  remove();
}

void TemporarySpool::remove() {
  if (dir_.empty()) return;
  std::error_code ignored;  // nothing more can be done about a directory that will not go
  std::filesystem::remove_all(dir_, ignored);
  dir_.clear();
}

}  // namespace faultline
