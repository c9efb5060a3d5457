#include "rootbatch/base/byte_size.hpp"

#include <gtest/gtest.h>

namespace rootbatch {
namespace {

TEST(ByteSizeTest, ParsesWhatPeopleWrite) {
  EXPECT_EQ(*ParseByteSize("256MB"), 256 << 20);
  EXPECT_EQ(*ParseByteSize("256 mib"), 256 << 20);
  EXPECT_EQ(*ParseByteSize(" 1.5GB "), int64_t{3} << 29);
  EXPECT_EQ(*ParseByteSize("64K"), 64 << 10);
  EXPECT_EQ(*ParseByteSize("4096"), 4096);
  EXPECT_EQ(*ParseByteSize("4096 b"), 4096);
  EXPECT_EQ(*ParseByteSize("2TiB"), int64_t{2} << 40);
  EXPECT_EQ(*ParseByteSize(".5k"), 512);
}

TEST(ByteSizeTest, RefusesWhatIsNotASize) {
  for (const char* bad : {"", "MB", "-5MB", "0", "0.1", "12 parsecs", "1e3MB", "1.2.3MB", "5 M B", "1..5GB"}) {
    auto parsed = ParseByteSize(bad);
    EXPECT_FALSE(parsed.IsOk()) << "'" << bad << "' parsed as " << (parsed.IsOk() ? *parsed : 0);
    if (!parsed.IsOk()) {
      EXPECT_EQ(parsed.status().Code(), StatusCode::kInvalidArgument);
    }
  }
}

TEST(ByteSizeTest, FormatsExactlyOrWithBytes) {
  EXPECT_EQ(FormatByteSize(256 << 20), "256 MiB");
  EXPECT_EQ(FormatByteSize(int64_t{3} << 30), "3 GiB");
  EXPECT_EQ(FormatByteSize(1000), "1000 B");
  EXPECT_EQ(FormatByteSize(104858), "104858 B (0.10 MiB)");
}

}  // namespace
}  // namespace rootbatch
