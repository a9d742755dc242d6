#include "runtime/artifact/lazy_library.h"

#include <dlfcn.h>

namespace asmplan {

bool LoadLibrarySymbols(const char* soname,
                        std::initializer_list<std::pair<const char*, void**>> symbols,
                        std::string* err) {
  // Never closed: the functions stay in use for the life of the process.
  void* lib = dlopen(soname, RTLD_NOW | RTLD_LOCAL);
  if (!lib) {
    const char* why = dlerror();  // "libcurl.so.4: cannot open shared object file: ..."
    *err = std::string("cannot load ") + (why ? why : soname);
    return false;
  }
  for (const auto& [name, slot] : symbols) {
    *slot = dlsym(lib, name);
    if (!*slot) {
      *err = std::string("cannot load ") + soname + ": it has no " + name;
      return false;
    }
  }
  return true;
}

}  // namespace asmplan
