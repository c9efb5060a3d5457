#include "rootbatch/loader/state.hpp"

#include <gtest/gtest.h>

namespace rootbatch::loader {
namespace {

TEST(LoaderStateTest, RoundTrips) {
  LoaderState state{18446744073709551615ull, 12, 345, 987654321};
  auto parsed = LoaderState::Parse(state.Serialize());
  ASSERT_TRUE(parsed.IsOk()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, state);
}

TEST(LoaderStateTest, RejectsOtherText) {
  for (const char* text : {"", "rootbatch-loader-state/1 seed=1 epoch=2 position=3",
                           "rootbatch-loader-state/2 seed=1 epoch=2 position=3 fingerprint=4",
                           "rootbatch-loader-state/1 seed=1 epoch=-2 position=3 fingerprint=4",
                           "rootbatch-loader-state/1 seed=x epoch=2 position=3 fingerprint=4"}) {
    EXPECT_EQ(LoaderState::Parse(text).status().Code(), StatusCode::kInvalidArgument) << text;
  }
}

}  // namespace
}  // namespace rootbatch::loader
