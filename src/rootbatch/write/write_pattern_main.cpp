// rootbatch_write_pattern: writes the test pattern (test_pattern.hpp) to a
// file, for checks by independent readers (tests/python/test_writer_uproot.py,
// test_rntuple_writer.py for --format rntuple, the RNTuple pattern).
//   rootbatch_write_pattern OUT.root [--entries N] [--codec C] [--level L]
//       [--basket-size B] [--cluster-size C] [--tree NAME] [--dir a/b]
//       [--format ttree|rntuple] [--page-size B] [--clusters-per-group G]
#include <cstdio>
#include <string>

#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/test_pattern.hpp"

int main(int argc, char** argv) {
  using namespace rootbatch;
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s OUT.root [--entries N] [--codec C] [--level L] [--basket-size B] "
                 "[--cluster-size C] [--tree NAME] [--dir a/b]\n", argv[0]);
    return 2;
  }
  std::string out = argv[1];
  int64_t entries = 1000;
  CompressionSetting compression{Codec::kZlib, 1};
  bool level_given = false;
  TreeWriterOptions tree_options;
  std::string tree_name = "pattern";
  std::string dir;
  bool rntuple = false;
  RNTupleWriterOptions ntuple_options;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--entries") {
      entries = std::stoll(value);
    } else if (flag == "--codec") {
      auto codec = ParseCodec(value);
      if (!codec.IsOk()) {
        std::fprintf(stderr, "%s\n", codec.status().ToString().c_str());
        return 2;
      }
      compression.codec = *codec;
    } else if (flag == "--level") {
      compression.level = std::stoi(value);
      level_given = true;
    } else if (flag == "--basket-size") {
      tree_options.basket_size = std::stoi(value);
    } else if (flag == "--cluster-size") {
      tree_options.cluster_size = std::stoll(value);
    } else if (flag == "--format") {
      rntuple = value == "rntuple";
    } else if (flag == "--page-size") {
      ntuple_options.page_size = std::stoll(value);
    } else if (flag == "--clusters-per-group") {
      ntuple_options.clusters_per_group = std::stoll(value);
    } else if (flag == "--tree") {
      tree_name = value;
    } else if (flag == "--dir") {
      dir = value;
    } else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  if (compression.codec == Codec::kNone) compression.level = 0;
  else if (!level_given) compression.level = compression.codec == Codec::kZstd ? 5 : 1;
  auto file = FileWriter::Create(out, compression);
  Status status = file.status();
  if (status.IsOk()) {
    if (rntuple) {
      ntuple_options.cluster_size = tree_options.cluster_size;
      auto ntuple = (*file)->MakeRNTuple(tree_name, dir, ntuple_options);
      status = ntuple.status();
      if (status.IsOk()) status = write::WriteRNTuplePattern(**ntuple, entries);
    } else {
      auto tree = (*file)->MakeTree(tree_name, "rootbatch test pattern", dir, tree_options);
      status = tree.status();
      if (status.IsOk()) status = write::WritePattern(**tree, entries);
    }
    if (status.IsOk()) status = (*file)->Close();
  }
  if (!status.IsOk()) {
    std::fprintf(stderr, "rootbatch_write_pattern: %s\n", status.ToString().c_str());
    return 1;
  }
  return 0;
}
