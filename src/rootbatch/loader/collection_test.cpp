// Collections (several jagged columns as one [rows, P, F] / [rows, F, P] /
// ragged tensor, ordered and truncated, with a mask) and per-column
// preprocessing (fill_nan, log, standardise given or "auto", clip), checked
// value by value against what each entry's event id says it must hold.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/testing/loader_fixtures.hpp"
#include "rootbatch/loader/transform.hpp"

namespace rootbatch::loader {
namespace {

using rootbatch::testing::Drain;
using rootbatch::testing::FeatureValue;
using rootbatch::testing::JetEtaValue;
using rootbatch::testing::MakeDataset;

constexpr int64_t kKept = 3;  // entries have 0-4 items
constexpr float kPad = -7.0f;

std::vector<LoaderInput> Input() {
  LoaderInput input;
  input.dataset = MakeDataset({700, 300});
  return {input};
}

LoaderOptions Options(CollectionLayout layout, std::string sort_by) {
  LoaderOptions options;
  options.features = {"f0"};
  options.batch_size = 64;
  options.memory_budget = 4 * kMiB;
  Collection jets;
  jets.name = "jets";
  jets.columns = {"jet_pt", "jet_eta"};
  jets.max_length = layout == CollectionLayout::kRagged ? 0 : kKept;
  jets.layout = layout;
  jets.pad_value = kPad;
  jets.sort_by = std::move(sort_by);
  options.collections = {jets};
  return options;
}

float Pt(int64_t id, int64_t j) { return static_cast<float>(id) + 0.25f * static_cast<float>(j); }

// Item indices of an entry in output order: jet_pt rises with j, so sorting
// by it (largest first) reverses them.
std::vector<int64_t> Order(int64_t id, bool sorted) {
  std::vector<int64_t> order(static_cast<size_t>(id % 5));
  std::iota(order.begin(), order.end(), int64_t{0});
  if (sorted) std::reverse(order.begin(), order.end());
  return order;
}

void CheckPadded(CollectionLayout layout, bool sorted) {
  auto created = Loader::Create(Input(), Options(layout, sorted ? "jet_pt" : ""));
  ASSERT_TRUE(created.IsOk()) << created.status().ToString();
  Loader& loader = **created;
  const RowLayout& row = loader.Layout();
  ASSERT_EQ(row.padded_parts.size(), 1u);
  const std::vector<int64_t> shape = layout == CollectionLayout::kBPF ? std::vector<int64_t>{kKept, 2}
                                                                      : std::vector<int64_t>{2, kKept};
  EXPECT_EQ(row.parts[static_cast<size_t>(row.padded_parts[0])].shape, shape);
  EXPECT_EQ(row.parts[static_cast<size_t>(row.padded_parts[0])].name, "jets");
  EXPECT_EQ(row.parts[static_cast<size_t>(row.mask_parts[0])].name, "jets_mask");
  int64_t rows = 0;
  for (const Batch& batch : Drain(loader)) {
    auto values = batch.padded[0].Values<float>();
    auto mask = batch.masks[0]->Values<bool>();
    auto entries = batch.entries.Values<int64_t>();
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      const std::vector<int64_t> order = Order(id, sorted);
      for (int64_t j = 0; j < kKept; ++j) {
        const bool present = j < static_cast<int64_t>(order.size());
        const float pt = present ? Pt(id, order[static_cast<size_t>(j)]) : kPad;
        const float eta = present ? static_cast<float>(JetEtaValue(id, order[static_cast<size_t>(j)])) : kPad;
        const auto at = [&](int64_t f) {
          return static_cast<size_t>(r * 2 * kKept + (layout == CollectionLayout::kBPF ? j * 2 + f : f * kKept + j));
        };
        ASSERT_EQ(values[at(0)], pt) << "entry " << id << " item " << j;
        ASSERT_EQ(values[at(1)], eta) << "entry " << id << " item " << j;
        ASSERT_EQ(mask[static_cast<size_t>(r * kKept + j)], present) << "entry " << id;
      }
      ++rows;
    }
  }
  EXPECT_EQ(rows, 1000);
}

TEST(CollectionTest, ParticlesThenFeaturesSortedTruncatedAndMasked) { CheckPadded(CollectionLayout::kBPF, true); }
TEST(CollectionTest, FeaturesThenParticlesInFileOrder) { CheckPadded(CollectionLayout::kBFP, false); }

TEST(CollectionTest, RaggedKeepsEveryItemAsRowsOfFeatures) {
  auto created = Loader::Create(Input(), Options(CollectionLayout::kRagged, "jet_pt"));
  ASSERT_TRUE(created.IsOk()) << created.status().ToString();
  int64_t rows = 0;
  for (const Batch& batch : Drain(**created)) {
    ASSERT_EQ(batch.ragged.size(), 1u);
    const RaggedTensor& jets = batch.ragged[0];
    EXPECT_EQ(jets.name, "jets");
    ASSERT_EQ(jets.values.shape.size(), 2u);
    EXPECT_EQ(jets.values.shape[1], 2);
    auto values = jets.values.Values<float>();
    auto offsets = jets.offsets.Values<int64_t>();
    auto entries = batch.entries.Values<int64_t>();
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      const std::vector<int64_t> order = Order(id, true);
      ASSERT_EQ(offsets[static_cast<size_t>(r) + 1] - offsets[static_cast<size_t>(r)], static_cast<int64_t>(order.size()));
      for (size_t j = 0; j < order.size(); ++j) {
        const auto at = static_cast<size_t>(offsets[static_cast<size_t>(r)]) + j;
        ASSERT_EQ(values[at * 2], Pt(id, order[j])) << "entry " << id;
        ASSERT_EQ(values[at * 2 + 1], static_cast<float>(JetEtaValue(id, order[j]))) << "entry " << id;
      }
      ++rows;
    }
  }
  EXPECT_EQ(rows, 1000);
}

TEST(CollectionTest, MembersOfDifferentLengthsNameTheFirstEntryThatDiffers) {
  LoaderOptions options = Options(CollectionLayout::kBPF, "");
  options.collections[0].columns = {"jet_pt", "jet_tag"};
  options.shuffle = ShuffleStrategy::kNone;
  auto created = Loader::Create(Input(), options);
  ASSERT_TRUE(created.IsOk()) << created.status().ToString();
  auto batch = (*created)->Next();
  ASSERT_FALSE(batch.IsOk());
  const std::string message = batch.status().ToString();
  EXPECT_NE(message.find("'jet_pt' and 'jet_tag' differ in length at entry 7 (2 against 3 items)"), std::string::npos)
      << message;
}

TEST(CollectionTest, OptionsThatCannotWorkAreRefusedWithTheReason) {
  auto refused = [](LoaderOptions options, const std::string& words) {
    auto created = Loader::Create(Input(), options);
    ASSERT_FALSE(created.IsOk()) << words;
    EXPECT_NE(created.status().Message().find(words), std::string::npos) << created.status().Message();
  };
  LoaderOptions options = Options(CollectionLayout::kBPF, "");
  options.collections[0].max_length = 0;
  refused(options, "needs max_length > 0");
  options = Options(CollectionLayout::kBPF, "");
  options.collections[0].columns = {"jet_pt", "f1"};
  refused(options, "a collection's members are jagged columns");
  options = Options(CollectionLayout::kBPF, "");
  options.collections[0].columns = {"jet_pt", "jet_etta"};
  refused(options, "jet_eta");  // the suggestion
  options = Options(CollectionLayout::kBPF, "");
  options.features = {"f0", "jet_pt"};
  refused(options, "both a feature and a member of a collection");
  options = Options(CollectionLayout::kBPF, "");
  options.collections.push_back(options.collections[0]);
  refused(options, "listed twice");
}

// (x - center) / scale, then the clip, on features and collection members;
// padding keeps the pad value.
TEST(PreprocessingTest, GivenNumbersAndClipOnFeaturesAndMembers) {
  LoaderOptions options = Options(CollectionLayout::kBPF, "");
  ColumnTransform f0;
  f0.column = "f0";
  f0.scaling = ColumnTransform::Scaling::kGiven;
  f0.center = 0.5;
  f0.scale = 2.0;
  ColumnTransform eta;
  eta.column = "jet_eta";
  eta.clip = std::make_pair(-2.0, 3.0);
  options.preprocessing = {f0, eta};
  auto created = Loader::Create(Input(), options);
  ASSERT_TRUE(created.IsOk()) << created.status().ToString();
  int64_t rows = 0;
  for (const Batch& batch : Drain(**created)) {
    auto features = batch.features.Values<float>();
    auto jets = batch.padded[0].Values<float>();
    auto entries = batch.entries.Values<int64_t>();
    for (int64_t r = 0; r < batch.num_rows; ++r) {
      const int64_t id = entries[static_cast<size_t>(r)];
      const float expected = (FeatureValue(id, 0) - 0.5f) * (1.0f / 2.0f);
      ASSERT_FLOAT_EQ(features[static_cast<size_t>(r)], expected) << "entry " << id;
      for (int64_t j = 0; j < kKept; ++j) {
        const float value = jets[static_cast<size_t>(r * 2 * kKept + j * 2 + 1)];
        const float want = j < id % 5 ? std::clamp(static_cast<float>(JetEtaValue(id, j)), -2.0f, 3.0f) : kPad;
        ASSERT_EQ(value, want) << "entry " << id << " item " << j;
      }
      ++rows;
    }
  }
  EXPECT_EQ(rows, 1000);
}

TEST(PreprocessingTest, FillNanLogStandardiseClipInThatOrder) {
  ColumnTransform t;
  t.fill_nan = 1.0;
  t.log = true;
  t.scaling = ColumnTransform::Scaling::kGiven;
  t.center = 1.0;
  t.scale = 0.5;
  t.clip = std::make_pair(-3.0, 3.0);
  std::vector<float> values = {std::numeric_limits<float>::quiet_NaN(), std::exp(1.0f), 1e-30f, std::exp(4.0f)};
  ApplyTransform(t, DataType::kFloat32, reinterpret_cast<uint8_t*>(values.data()), 1, 4, 0);
  EXPECT_FLOAT_EQ(values[0], -2.0f);  // NaN -> 1 -> log 0 -> (0 - 1) / 0.5
  EXPECT_NEAR(values[1], 0.0f, 1e-6);
  EXPECT_FLOAT_EQ(values[2], -3.0f);  // log(1e-30) is far below: clipped
  EXPECT_FLOAT_EQ(values[3], 3.0f);   // (4 - 1) / 0.5 = 6: clipped
  std::vector<double> doubles = {2.0, 4.0};
  ColumnTransform given;
  given.scaling = ColumnTransform::Scaling::kGiven;
  given.center = 3.0;
  given.scale = 2.0;
  ApplyTransform(given, DataType::kFloat64, reinterpret_cast<uint8_t*>(doubles.data()), 2, 1, sizeof(double));
  EXPECT_DOUBLE_EQ(doubles[0], -0.5);
  EXPECT_DOUBLE_EQ(doubles[1], 0.5);
}

// With a sample as large as the training split, "auto" is its exact mean and
// spread; a training and a validation loader of one seed agree on them.
TEST(PreprocessingTest, AutoIsTheTrainingSplitsMeanAndSpreadForEveryLoaderOfTheSeed) {
  LoaderOptions options = Options(CollectionLayout::kBPF, "");
  ColumnTransform f0;
  f0.column = "f0";
  f0.scaling = ColumnTransform::Scaling::kAuto;
  ColumnTransform pt;
  pt.column = "jet_pt";
  pt.scaling = ColumnTransform::Scaling::kAuto;
  options.preprocessing = {f0, pt};
  options.preprocessing_sample = 1 << 20;
  options.seed = 5;
  auto all = Loader::Create(Input(), options);
  ASSERT_TRUE(all.IsOk()) << all.status().ToString();
  EXPECT_EQ((*all)->PreprocessingSampled(), 1000);
  MomentAccumulator f0_moments;
  MomentAccumulator pt_moments;
  for (int64_t id = 0; id < 1000; ++id) {
    f0_moments.Add(FeatureValue(id, 0));
    for (int64_t j = 0; j < id % 5; ++j) pt_moments.Add(Pt(id, j));
  }
  const auto& numbers = (*all)->Preprocessing();
  ASSERT_EQ(numbers.size(), 2u);
  EXPECT_NEAR(numbers[0].center, f0_moments.Mean(), 1e-9 * std::abs(f0_moments.Mean()) + 1e-12);
  EXPECT_NEAR(numbers[0].scale, f0_moments.StdDev(), 1e-9 * f0_moments.StdDev());
  EXPECT_NEAR(numbers[1].center, pt_moments.Mean(), 1e-9 * pt_moments.Mean());
  EXPECT_NEAR(numbers[1].scale, pt_moments.StdDev(), 1e-9 * pt_moments.StdDev());

  // A sample smaller than the split: the same numbers for train and
  // validation loaders of the seed, different ones for another seed.
  options.preprocessing_sample = 300;
  options.validation_fraction = 0.25;
  options.split = Split::kTrain;
  auto train = Loader::Create(Input(), options);
  options.split = Split::kValidation;
  auto validation = Loader::Create(Input(), options);
  options.seed = 6;
  auto other = Loader::Create(Input(), options);
  ASSERT_TRUE(train.IsOk() && validation.IsOk() && other.IsOk());
  EXPECT_GE((*train)->PreprocessingSampled(), 300);
  EXPECT_LT((*train)->PreprocessingSampled(), 1000);
  for (size_t t = 0; t < 2; ++t) {
    EXPECT_EQ((*train)->Preprocessing()[t].center, (*validation)->Preprocessing()[t].center);
    EXPECT_EQ((*train)->Preprocessing()[t].scale, (*validation)->Preprocessing()[t].scale);
  }
  EXPECT_NE((*train)->Preprocessing()[0].center, (*other)->Preprocessing()[0].center);
}

// Chunks merged pairwise give what one value at a time gives.
TEST(PreprocessingTest, MomentsOfChunksEqualMomentsOfValues) {
  MomentAccumulator one;
  MomentAccumulator chunks;
  std::vector<double> values;
  for (int i = 0; i < 1000; ++i) values.push_back(1e6 + std::sin(i) * 3.0 + (i % 7 == 0 ? NAN : 0.0));
  for (double v : values) one.Add(v);
  for (size_t begin = 0; begin < values.size(); begin += 137) {
    chunks.AddAll(std::span<const double>(values).subspan(begin, std::min<size_t>(137, values.size() - begin)));
  }
  EXPECT_EQ(one.Count(), chunks.Count());
  EXPECT_NEAR(one.Mean(), chunks.Mean(), 1e-9);
  EXPECT_NEAR(one.StdDev(), chunks.StdDev(), 1e-9);
}

TEST(PreprocessingTest, NamesThatAreNotInputsAreRefusedWithASuggestion) {
  LoaderOptions options = Options(CollectionLayout::kBPF, "");
  ColumnTransform t;
  t.column = "jet_ett";
  options.preprocessing = {t};
  auto created = Loader::Create(Input(), options);
  ASSERT_FALSE(created.IsOk());
  EXPECT_NE(created.status().Message().find("jet_eta"), std::string::npos) << created.status().Message();
  options.targets = {"label"};
  options.preprocessing[0].column = "label";
  created = Loader::Create(Input(), options);
  ASSERT_FALSE(created.IsOk());
  EXPECT_NE(created.status().Message().find("a target or the weight"), std::string::npos);
}

}  // namespace
}  // namespace rootbatch::loader
