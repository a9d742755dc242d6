// The libraries only `fetch` needs are opened on first use; a missing one is a clear error.
#include "runtime/artifact/lazy_library.h"

#include <gtest/gtest.h>

namespace asmplan {
namespace {

TEST(LazyLibraryTest, LoadsFunctionsByName) {
  size_t (*len)(const char*) = nullptr;
  std::string err;
  ASSERT_TRUE(LoadLibrarySymbols("libc.so.6", {Slot("strlen", &len)}, &err)) << err;
  EXPECT_EQ(len("four"), 4u);
}

TEST(LazyLibraryTest, AMissingLibraryOrSymbolIsNamed) {
  void (*fn)() = nullptr;
  std::string err;
  EXPECT_FALSE(LoadLibrarySymbols("libasmplan-none.so.1", {Slot("f", &fn)}, &err));
  EXPECT_EQ(err.rfind("cannot load libasmplan-none.so.1: ", 0), 0u) << err;
  EXPECT_FALSE(LoadLibrarySymbols("libc.so.6", {Slot("asmplan_no_such_function", &fn)}, &err));
  EXPECT_EQ(err, "cannot load libc.so.6: it has no asmplan_no_such_function");
}

}  // namespace
}  // namespace asmplan
