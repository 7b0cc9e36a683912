#include "base/shared_library.h"

#include <dlfcn.h>

namespace faultline {
namespace {

std::string last_error(const std::string& fallback) {
  const char* e = dlerror();
  return e != nullptr ? std::string(e) : fallback;
}

}  // namespace

Result<SharedLibrary> SharedLibrary::open(const std::string& name) {
  void* handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return Status::Error(last_error("cannot open " + name));
  return SharedLibrary(handle, name);
}

Result<void*> SharedLibrary::symbol(const char* symbol) const {
  dlerror();  // clear a stale error, so that the message below is this call's
  void* address = dlsym(handle_, symbol);
  if (address == nullptr) {
    return Status::Error(last_error(name_ + ": no symbol " + std::string(symbol)));
  }
  return address;
}

}  // namespace faultline
