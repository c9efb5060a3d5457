#include "rootbatch/loader/option_schema.hpp"

#include <gtest/gtest.h>

#include <set>

namespace rootbatch::loader {
namespace {

std::string Error(std::string_view name, const OptionValue& value) {
  LoaderOptions options;
  Status status = SetOption(options, name, value);
  EXPECT_EQ(status.Code(), StatusCode::kInvalidArgument) << name;
  return status.ToString();
}

TEST(OptionSchemaTest, ValuesOfTheWrongKindAreRefusedNotTruncated) {
  EXPECT_NE(Error("batch_size", 2.5).find("option 'batch_size' must be an integer, got 2.5"), std::string::npos);
  EXPECT_NE(Error("batch_size", true).find("must be an integer, got True"), std::string::npos);
  EXPECT_NE(Error("batch_size", int64_t{0}).find("must be at least 1, got 0"), std::string::npos);
  EXPECT_NE(Error("num_threads", int64_t{1000}).find("must be in [1, 256], got 1000"), std::string::npos);
  EXPECT_NE(Error("validation_split", 1.0).find("must be in [0, 1), got 1"), std::string::npos);
  EXPECT_NE(Error("shuffle", std::string("random")).find("'none', 'stream', 'cluster-chunks', 'pieces' or 'scatter'"), std::string::npos);
  EXPECT_NE(Error("feature_type", std::string("uint16")).find("float32, float64"), std::string::npos);
  EXPECT_NE(Error("memory", std::string("12 parsecs")).find("unknown unit"), std::string::npos);
  EXPECT_NE(Error("seed", int64_t{-1}).find("non-negative"), std::string::npos);
}

TEST(OptionSchemaTest, AMisspelledOptionGetsTheClosestName) {
  EXPECT_NE(Error("batchsize", int64_t{3}).find("unknown loader option 'batchsize'; did you mean 'batch_size'?"),
            std::string::npos);
  EXPECT_EQ(Error("zzzzzzzzzz", int64_t{3}).find("did you mean"), std::string::npos);
}

TEST(OptionSchemaTest, BindingValuesBecomeTheFields) {
  auto options = LoaderOptionsFromValues({{"batch_size", int64_t{64}},
                                          {"memory", std::string("1.5MB")},
                                          {"target", std::string("label")},  // one name, not its letters
                                          {"columns", std::vector<std::string>{"a", "b"}},
                                          {"shuffle", false},
                                          {"target_type", std::monostate{}},
                                          {"threads", int64_t{3}},  // the CLI's older name
                                          {"validation_split", int64_t{0}}});
  ASSERT_TRUE(options.IsOk()) << options.status().ToString();
  EXPECT_EQ(options->batch_size, 64);
  EXPECT_EQ(options->memory_budget, 3 << 19);
  EXPECT_EQ(options->targets, (std::vector<std::string>{"label"}));
  EXPECT_EQ(options->features, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(options->shuffle, ShuffleStrategy::kNone);
  EXPECT_FALSE(options->target_type.has_value());
  EXPECT_EQ(options->num_threads, 3);
  // Cross-option checks run too.
  auto bad = LoaderOptionsFromValues({{"rank", int64_t{2}}, {"world_size", int64_t{2}}});
  EXPECT_FALSE(bad.IsOk());
}

TEST(OptionSchemaTest, TextFromTheCommandLine) {
  LoaderOptions options;
  auto set = [&](std::string_view name, std::string_view text) {
    return SetOptionFromText(options, *FindOption(name), text);
  };
  ASSERT_TRUE(set("batch_size", "128").IsOk());
  ASSERT_TRUE(set("columns", "x,y,,z").IsOk());
  ASSERT_TRUE(set("stratify", "false").IsOk());
  ASSERT_TRUE(set("target_type", "auto").IsOk());
  ASSERT_TRUE(set("memory", "64MiB").IsOk());
  EXPECT_EQ(options.batch_size, 128);
  EXPECT_EQ(options.features, (std::vector<std::string>{"x", "y", "z"}));
  EXPECT_FALSE(options.stratify);
  EXPECT_EQ(options.memory_budget, 64 << 20);
  EXPECT_FALSE(set("batch_size", "12x").IsOk());
  EXPECT_FALSE(set("batch_size", "2.5").IsOk());
  EXPECT_FALSE(set("stratify", "maybe").IsOk());
}

// A value of each kind different from the default.
OptionValue Changed(const OptionSpec& spec) {
  switch (spec.kind) {
    case OptionKind::kBool: return FormatOption(LoaderOptions(), spec) != "true";
    case OptionKind::kInt: return int64_t{spec.min + 2};
    case OptionKind::kSeed: return int64_t{99};
    case OptionKind::kFraction: return 0.25;
    case OptionKind::kSize: return int64_t{12345};
    case OptionKind::kString: return std::string("w");
    case OptionKind::kNames: return std::vector<std::string>{"a"};
    case OptionKind::kChoice: return std::string(spec.choices[spec.choices.size() - 1]);
    case OptionKind::kType:
    case OptionKind::kOptionalType: return std::string("int32");
    case OptionKind::kJagged: {
      JaggedColumn jagged;
      jagged.name = "j";
      jagged.max_length = 2;
      return std::vector<JaggedColumn>{jagged};
    }
    case OptionKind::kCollections: {
      Collection collection;
      collection.name = "part";
      collection.columns = {"a", "b"};
      collection.max_length = 4;
      return std::vector<Collection>{collection};
    }
    case OptionKind::kTransforms: {
      ColumnTransform transform;
      transform.column = "a";
      transform.scaling = ColumnTransform::Scaling::kAuto;
      return std::vector<ColumnTransform>{transform};
    }
    case OptionKind::kReweight: {
      Reweighting reweighting;
      reweighting.variables = {"pt"};
      reweighting.edges = {{0.0, 1.0, 2.0}};
      reweighting.classes = {"a", "b"};
      return reweighting;
    }
  }
  return std::monostate{};
}

// The fingerprint is derived from the table: every option marked kBatches
// changes it, no other does. A new option is covered by its row alone.
TEST(OptionSchemaTest, TheFingerprintCoversExactlyTheOptionsThatChangeBatches) {
  const uint64_t base = OptionsFingerprint(LoaderOptions());
  std::set<std::string> names;
  for (const OptionSpec& spec : LoaderOptionSpecs()) {
    EXPECT_TRUE(names.insert(std::string(spec.name)).second) << "option listed twice: " << spec.name;
    LoaderOptions options;
    const OptionValue value = Changed(spec);
    ASSERT_TRUE(spec.set(spec, value, options).IsOk()) << spec.name;
    ASSERT_NE(FormatOption(options, spec), FormatOption(LoaderOptions(), spec)) << spec.name;
    if (spec.effect == OptionEffect::kBatches) {
      EXPECT_NE(OptionsFingerprint(options), base) << spec.name << " changes the batches but not the fingerprint";
    } else {
      EXPECT_EQ(OptionsFingerprint(options), base) << spec.name << " does not change the batches";
    }
  }
  for (const char* speed : {"num_threads", "queue_batches"}) {
    EXPECT_EQ(FindOption(speed)->effect, OptionEffect::kSpeed) << speed;
  }
}

TEST(OptionSchemaTest, TheUsageListsEveryFlagWithItsDefault) {
  const std::string usage = OptionsUsage();
  for (const char* line : {"--batch-size N", "(default 1024)", "--num-threads N", "also --threads", "--memory SIZE",
                           "(default 256 MiB)", "--no-such"}) {
    if (std::string(line) == "--no-such") {
      EXPECT_EQ(usage.find(line), std::string::npos);
    } else {
      EXPECT_NE(usage.find(line), std::string::npos) << line << "\n" << usage;
    }
  }
}

}  // namespace
}  // namespace rootbatch::loader
