#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "agent/pipeline/release_watcher.h"

using faultline::ReleaseWatcher;

namespace {

void write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

}  // namespace

TEST_CASE("release watcher: follows the REVISION file a deploy rewrites", "[release]") {
  const std::string path =
      (std::filesystem::temp_directory_path() / "faultline-revision-test").string();
  write(path, "shop@1.0.0\n");
  ReleaseWatcher watcher(path, "shop@1.0.0", std::chrono::milliseconds(1000));
  int64_t now = 1'000'000;
  CHECK_FALSE(watcher.poll(now).has_value());

  write(path, "shop@1.0.1-longer\n");  // a different size, whatever the clock's granularity
  CHECK_FALSE(watcher.poll(now + 500'000).has_value());  // not looked at before the interval
  auto changed = watcher.poll(now + 1'000'000);
  REQUIRE(changed.has_value());
  CHECK(*changed == "shop@1.0.1-longer");
  CHECK_FALSE(watcher.poll(now + 2'000'000).has_value());  // unchanged since

  write(path, "latest\n");  // not a valid release name: the last good one stays
  CHECK_FALSE(watcher.poll(now + 3'000'000).has_value());
  std::filesystem::remove(path);
  CHECK_FALSE(watcher.poll(now + 4'000'000).has_value());  // gone: keep the last one
}
