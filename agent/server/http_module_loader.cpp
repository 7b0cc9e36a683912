#include "agent/server/http_module_loader.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "base/shared_library.h"
#include "build_info.h"

namespace faultline {

std::vector<std::string> http_module_dirs() {
  if (const char* dir = std::getenv("FAULTLINE_MODULE_DIR"); dir != nullptr && *dir != '\0') {
    return {dir};
  }
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return {};
  const std::filesystem::path bin = exe.parent_path();
  return {bin.string(),
          (bin.parent_path() / build_info::kModuleInstallDir).lexically_normal().string()};
}

Result<std::string> find_http_module() {
  std::string looked;
  for (const std::string& dir : http_module_dirs()) {
    const std::string path = dir + "/" + http_module::kFileName;
    if (access(path.c_str(), R_OK) == 0) return path;
    looked += (looked.empty() ? "" : ", ") + dir;
  }
  return Status::Error(std::string(http_module::kFileName) + " not found (looked in " +
                       (looked.empty() ? std::string("no directory") : looked) +
                       "; FAULTLINE_MODULE_DIR names another directory)");
}

Result<http_module::StartFn> load_http_module() {
  static std::once_flag once;
  static Result<http_module::StartFn> loaded = Status::Error("not loaded");
  std::call_once(once, [] {
    Result<std::string> path = find_http_module();
    if (!path.ok()) {
      loaded = path.status();
      return;
    }
    Result<SharedLibrary> lib = SharedLibrary::open(*path);
    http_module::StartFn start = nullptr;
    Status s = lib.ok() ? lib->resolve(http_module::kStartSymbol, &start) : lib.status();
    loaded = s.ok() ? Result<http_module::StartFn>(start)
                    : Result<http_module::StartFn>(
                          Status::Error("cannot load " + *path + ": " + s.message()));
  });
  return loaded;
}

}  // namespace faultline
