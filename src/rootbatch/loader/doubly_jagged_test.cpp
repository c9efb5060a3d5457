// Doubly jagged columns (std::vector<std::vector<T>>) in the loader: padded
// to [rows, L, L_inner] with a mask, or flattened into name_i_j features.
#include <gtest/gtest.h>

#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/testing/loader_fixtures.hpp"

namespace rootbatch::loader {
namespace {

using rootbatch::testing::Drain;
using rootbatch::testing::MakeDataset;
using rootbatch::testing::TracksValue;

constexpr int64_t kLists = 2;  // L: lists kept per entry (entries have 0-3)
constexpr int64_t kItems = 1;  // L_inner: items kept per list (lists have 0-2)

// What [i, j] of an entry must hold: the item, or the pad value.
float Expected(int64_t id, int64_t i, int64_t j, float pad) {
  const bool present = i < id % 4 && j < (id + i) % 3;
  return present ? static_cast<float>(TracksValue(id, i, j)) : pad;
}

std::vector<LoaderInput> Input() {
  LoaderInput input;
  input.dataset = MakeDataset({700, 300});
  return {input};
}

LoaderOptions Options(JaggedMode mode) {
  LoaderOptions options;
  options.features = {"f0"};
  options.batch_size = 64;
  options.memory_budget = 2 * kMiB;
  JaggedColumn tracks;
  tracks.name = "tracks";
  tracks.mode = mode;
  tracks.max_length = kLists;
  tracks.max_inner_length = kItems + 1;
  tracks.pad_value = -1;
  tracks.mask = mode == JaggedMode::kPad;
  options.jagged = {tracks};
  return options;
}

TEST(DoublyJaggedTest, PaddedOnBothLevelsWithAMask) {
  auto created = Loader::Create(Input(), Options(JaggedMode::kPad));
  ASSERT_TRUE(created.IsOk()) << created.status().ToString();
  Loader& loader = **created;
  const RowLayout& layout = loader.Layout();
  ASSERT_EQ(layout.padded_parts.size(), 1u);
  EXPECT_EQ(layout.parts[static_cast<size_t>(layout.padded_parts[0])].shape, (std::vector<int64_t>{2, 2}));
  EXPECT_EQ(layout.parts[static_cast<size_t>(layout.mask_parts[0])].shape, (std::vector<int64_t>{2, 2}));
  int64_t rows = 0;
  for (const Batch& batch : Drain(loader)) {
    ASSERT_EQ(batch.padded.size(), 1u);
    auto values = batch.padded[0].Values<float>();
    auto mask = batch.masks[0]->Values<bool>();
    auto entries = batch.entries.Values<int64_t>();
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      for (int64_t i = 0; i < 2; ++i) {
        for (int64_t j = 0; j < 2; ++j) {
          const auto at = static_cast<size_t>(r * 4 + i * 2 + j);
          ASSERT_EQ(values[at], Expected(id, i, j, -1.0f)) << "entry " << id << " [" << i << ", " << j << "]";
          ASSERT_EQ(mask[at], i < id % 4 && j < (id + i) % 3) << "entry " << id;
        }
      }
      ++rows;
    }
  }
  EXPECT_EQ(rows, 1000);
}

TEST(DoublyJaggedTest, FlattenedIntoNamedFeatures) {
  auto created = Loader::Create(Input(), Options(JaggedMode::kFlatten));
  ASSERT_TRUE(created.IsOk()) << created.status().ToString();
  Loader& loader = **created;
  EXPECT_EQ(loader.Layout().feature_names,
            (std::vector<std::string>{"f0", "tracks_0_0", "tracks_0_1", "tracks_1_0", "tracks_1_1"}));
  for (const Batch& batch : Drain(loader)) {
    auto features = batch.features.Values<float>();
    auto entries = batch.entries.Values<int64_t>();
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      for (int64_t k = 0; k < 4; ++k) {
        ASSERT_EQ(features[static_cast<size_t>(r * 5 + 1 + k)], Expected(id, k / 2, k % 2, -1.0f)) << id;
      }
    }
  }
}

TEST(DoublyJaggedTest, ModesAndLengthsThatCannotWorkAreRefused) {
  LoaderOptions options = Options(JaggedMode::kRagged);
  auto ragged = Loader::Create(Input(), options);
  ASSERT_FALSE(ragged.IsOk());
  EXPECT_EQ(ragged.status().Code(), StatusCode::kUnsupported);
  EXPECT_NE(ragged.status().Message().find("mode ragged takes one level of lists"), std::string::npos);
  options = Options(JaggedMode::kPad);
  options.jagged[0].max_inner_length = 0;
  auto no_inner = Loader::Create(Input(), options);
  ASSERT_FALSE(no_inner.IsOk());
  EXPECT_NE(no_inner.status().Message().find("set max_inner_length"), std::string::npos);
  options = Options(JaggedMode::kPad);
  options.jagged[0].name = "jet_pt";  // one level: max_inner_length does not apply
  EXPECT_FALSE(Loader::Create(Input(), options).IsOk());
  options = Options(JaggedMode::kPad);
  options.jagged.clear();
  options.features = {"tracks"};
  auto feature = Loader::Create(Input(), options);
  ASSERT_FALSE(feature.IsOk());
  EXPECT_EQ(feature.status().Code(), StatusCode::kUnsupported);
  EXPECT_NE(feature.status().Message().find("doubly jagged"), std::string::npos);
}

}  // namespace
}  // namespace rootbatch::loader
