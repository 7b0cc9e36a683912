// A shared library opened at run time (dlopen), for the parts of faultline that most runs never
// use: libcurl (delivery, on the first send) and the HTTP server module (server.listen). Linking
// them would map them, and everything they link, into every process at startup.
//
// A library once opened stays loaded until the process exits (nothing is ever dlclose'd: its
// code may still be running on another thread, and libcurl's global state is set up once).
// Opening is thread-safe (dlopen is); a SharedLibrary is a plain handle and may be copied.
#pragma once

#include <string>

#include "base/status.h"

namespace faultline {

class SharedLibrary {
 public:
  // `name` as dlopen takes it: a soname ("libcurl.so.4", looked up like a linked library) or a
  // path. Symbols are bound at once (a missing one fails here, not at the first call) and are
  // not made global. The error says what dlopen said.
  static Result<SharedLibrary> open(const std::string& name);

  // The address of `symbol`, or an error naming it and the library.
  Result<void*> symbol(const char* symbol) const;

  // Resolves `symbol` into `*fn`, a function pointer of the right type (the caller's
  // declaration is the contract: dlsym cannot check it).
  template <class Fn>
  Status resolve(const char* name, Fn* fn) const {
    Result<void*> address = symbol(name);
    if (!address.ok()) return address.status();
    *fn = reinterpret_cast<Fn>(*address);
    return Status::Ok();
  }

  const std::string& name() const { return name_; }

 private:
  SharedLibrary(void* handle, std::string name) : handle_(handle), name_(std::move(name)) {}
  void* handle_;
  std::string name_;
};

}  // namespace faultline
