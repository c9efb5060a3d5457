#include "rootbatch/base/status.hpp"

#include <gtest/gtest.h>

namespace rootbatch {
namespace {

Result<int> ParseDigit(char c) {
  if (c < '0' || c > '9') return InvalidArgument(std::string("not a digit: ") + c);
  return c - '0';
}

Result<int> SumDigits(const std::string& s) {
  int sum = 0;
  for (char c : s) {
    RB_ASSIGN_OR_RETURN_CTX(int d, ParseDigit(c), "string '" + s + "'");
    sum += d;
  }
  return sum;
}

TEST(StatusTest, OkByDefault) {
  Status s;
  EXPECT_TRUE(s.IsOk());
  EXPECT_EQ(s.Code(), StatusCode::kOk);
  EXPECT_EQ(s.ToString(), "ok");
}

TEST(StatusTest, ContextChainsInnermostFirst) {
  Status s = Corrupt("bad byte count at byte 120").WithContext("branch 'px'").WithContext("tree 't'");
  EXPECT_EQ(s.Code(), StatusCode::kCorrupt);
  ASSERT_EQ(s.Context().size(), 2u);
  EXPECT_EQ(s.ToString(), "corrupt data: bad byte count at byte 120 (in branch 'px', tree 't')");
}

TEST(StatusTest, WithContextOnCopyLeavesOriginal) {
  const Status original = NotFound("x");
  Status copy = original.WithContext("file 'a'");
  EXPECT_TRUE(original.Context().empty());
  EXPECT_EQ(copy.Context().size(), 1u);
}

TEST(ResultTest, ValueAndErrorPropagate) {
  auto good = SumDigits("123");
  ASSERT_TRUE(good.IsOk());
  EXPECT_EQ(*good, 6);
  auto bad = SumDigits("1x3");
  ASSERT_FALSE(bad.IsOk());
  EXPECT_EQ(bad.status().Code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().ToString().find("string '1x3'"), std::string::npos);
}

TEST(ResultTest, OkStatusBecomesInternalError) {
  Result<int> r{Status::Ok()};
  EXPECT_FALSE(r.IsOk());
  EXPECT_EQ(r.status().Code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace rootbatch
