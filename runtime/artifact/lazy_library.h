// Shared libraries that only `fetch` steps need (libcurl, libarchive), opened on first use with
// dlopen: every asmplan process starts ~4 ms sooner without them (the dynamic loader would map
// and relocate them and the ~25 libraries they pull in).
#pragma once

#include <initializer_list>
#include <string>
#include <utility>

namespace asmplan {

/// Opens `soname` and stores each symbol's address through its `void**` slot (a function pointer
/// of the symbol's exact type, viewed as void*). False with "cannot load SONAME: WHY" in `err`.
bool LoadLibrarySymbols(const char* soname,
                        std::initializer_list<std::pair<const char*, void**>> symbols,
                        std::string* err);

/// The slot for function pointer `fn`, for LoadLibrarySymbols.
template <typename F>
std::pair<const char*, void**> Slot(const char* name, F** fn) {
  return {name, reinterpret_cast<void**>(fn)};
}

// A library's function table is written once, as a list `X(prefix_, name)` of its functions
// `prefix_name`; these make the table's members and, for a table variable named `api`, the slots
// that LoadLibrarySymbols fills. A function listed is always loaded, so none is left null.
#define ASMPLAN_LAZY_MEMBER(prefix, name) decltype(&prefix##name) name = nullptr;
#define ASMPLAN_LAZY_SLOT(prefix, name) Slot(#prefix #name, &api.name),

}  // namespace asmplan
