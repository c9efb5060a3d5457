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

TEST(StatusTest, StructuredFieldsInnermostFirstTextUnchanged) {
  Status s = Corrupt("bad byte count")
                 .WithOffset(120)
                 .WithContext(OffsetContext("basket 3", 100))
                 .WithContext(ObjectContext("branch", "px"))
                 .WithContext(ObjectContext("tree", "t"))
                 .WithContext(FileContext("a.root"));
  EXPECT_EQ(s.ToString(),
            "corrupt data: bad byte count (in basket 3 at byte 100, branch 'px', tree 't', file 'a.root')");
  EXPECT_EQ(s.Offset(), 120);   // where the error was made, not the basket's start
  EXPECT_EQ(s.Object(), "px");  // the branch, not the tree around it
  EXPECT_EQ(s.Path(), "a.root");
  EXPECT_EQ(s.Errno(), std::nullopt);
  // A copy keeps its own fields; OK stays OK.
  const Status base = NotFound("no such file: 'b.root'").WithPath("b.root").WithErrno(2);
  Status outer = base.WithContext(FileContext("other.root"));
  EXPECT_EQ(outer.Path(), "b.root");
  EXPECT_EQ(outer.Errno(), 2);
  EXPECT_TRUE(base.Context().empty());
  EXPECT_TRUE(Status::Ok().WithPath("x").IsOk());
  EXPECT_EQ(Status::Ok().WithContext(FileContext("x")).Path(), "");
}

TEST(StatusTest, ErrorContextWorksInTheContextMacros) {
  auto fail = []() -> Result<int> { return IOError("boom"); };
  auto outer = [&]() -> Result<int> {
    RB_ASSIGN_OR_RETURN_CTX(int v, fail(), FileContext("c.root"));
    return v;
  };
  auto result = outer();
  ASSERT_FALSE(result.IsOk());
  EXPECT_EQ(result.status().Path(), "c.root");
  EXPECT_EQ(result.status().ToString(), "I/O error: boom (in file 'c.root')");
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
