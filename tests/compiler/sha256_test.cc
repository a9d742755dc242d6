#include "compiler/sha256.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace asmplan {
namespace {

// FIPS 180-2's examples: the digests every plan hash and artifact check rests on.
TEST(Sha256Test, MatchesTheStandardsExamples) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST(Sha256Test, PiecesFedOneByOneGiveTheDigestOfTheWhole) {
  // A million `a`s in pieces of 1 to 996 bytes, across the 64-byte block boundaries.
  Sha256 sha;
  size_t fed = 0, piece = 1;
  const std::string as(1000, 'a');
  while (fed < 1000000) {
    size_t n = std::min(piece, 1000000 - fed);
    sha.Update(std::string_view(as).substr(0, n));
    fed += n;
    piece = piece % 990 + 7;  // 1 to 996
  }
  EXPECT_EQ(sha.HexDigest(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256Test, RecognizesItsOwnHexForm) {
  EXPECT_TRUE(IsSha256Hex(Sha256Hex("x")));
  EXPECT_FALSE(IsSha256Hex(std::string(64, 'A')));
  EXPECT_FALSE(IsSha256Hex(std::string(63, 'a')));
}

}  // namespace
}  // namespace asmplan
