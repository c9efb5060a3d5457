// Writes the seed corpora of the fuzz targets from real files:
//   fuzz_corpus OUT_DIR [--expressions FILE] FILE.root...
// Also writes small samples of its own (a TTree per codec, RNTuples with and
// without compression) into OUT_DIR/samples and seeds from them too. For
// each file it writes, under OUT_DIR/<target>/, the input each target takes:
// whole files (tfile, ttree, rntuple), a directory offset plus the file
// (directory), key payloads (streamer_info, tree_meta), compressed records
// (codec), baskets with their branch's layout (basket), RNTuple anchors and
// envelopes (rntuple_envelope) and pages (rntuple_page), and expressions
// (expr). A file that does not open is skipped with a note.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "basket_spec.hpp"
#include "rootbatch/base/endian.hpp"
#include "rootbatch/rntuple/ntuple_source.hpp"
#include "rootbatch/rntuple/page_decode.hpp"
#include "rootbatch/ttree/basket.hpp"
#include "rootbatch/ttree/tree_source.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/sample_generator.hpp"

namespace fs = std::filesystem;
using namespace rootbatch;

namespace {

// Whole-file seeds above this size make every run slow; their parts still
// seed the other targets.
constexpr int64_t kMaxWholeFileSeed = 256 << 10;
constexpr int64_t kMaxPartSeed = 256 << 10;
constexpr int kMaxSeedsPerFilePerTarget = 24;

class Corpus {
 public:
  explicit Corpus(fs::path root) : root_(std::move(root)) {}

  void Add(const std::string& target, const std::string& name, const std::vector<uint8_t>& bytes) {
    if (static_cast<int64_t>(bytes.size()) > kMaxWholeFileSeed) return;
    if (per_file_[target]++ >= kMaxSeedsPerFilePerTarget) return;
    fs::create_directories(root_ / target);
    std::ofstream out(root_ / target / name, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    ++written_;
  }
  void NextFile() { per_file_.clear(); }
  int Written() const { return written_; }
  const fs::path& Root() const { return root_; }

 private:
  fs::path root_;
  std::map<std::string, int> per_file_;
  int written_ = 0;
};

std::vector<uint8_t> Prefix(std::initializer_list<uint8_t> head, std::span<const uint8_t> body) {
  std::vector<uint8_t> out(head);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::vector<uint8_t> U16Prefix(int64_t value, std::span<const uint8_t> body) {
  return Prefix({static_cast<uint8_t>(value), static_cast<uint8_t>(value >> 8)}, body);
}

void SeedKeys(Corpus& corpus, const std::string& stem, const RootFile& file) {
  const auto& header = file.Header();
  auto info_key = ReadKeyHeader(file.Source(), header.seek_info);
  if (info_key.IsOk()) {
    if (auto payload = ReadKeyPayload(file.Source(), *info_key); payload.IsOk()) {
      corpus.Add("streamer_info", stem, U16Prefix(info_key->keylen, *payload));
    }
  }
  int n = 0;
  for (const auto& entry : file.AllKeys()) {
    const KeyHeader& key = *entry.key;
    const std::string name = stem + "-key" + std::to_string(n++);
    if (IsTreeClass(key.class_name)) {
      if (auto payload = file.ReadPayload(key); payload.IsOk() && payload->size() <= kMaxPartSeed) {
        corpus.Add("tree_meta", name, U16Prefix(key.keylen, *payload));
      }
    }
    if (key.IsCompressed() && key.objlen < (1 << 24) && key.nbytes - key.keylen <= kMaxPartSeed) {
      auto stored = file.Source().Read(key.seek_key + key.keylen, key.nbytes - key.keylen);
      if (stored.IsOk()) {
        const auto len = static_cast<uint32_t>(key.objlen);
        corpus.Add("codec", name,
                   Prefix({0, static_cast<uint8_t>(len), static_cast<uint8_t>(len >> 8), static_cast<uint8_t>(len >> 16)},
                          *stored));
      }
    }
  }
  // The top directory and every subdirectory, at their record offsets.
  std::function<void(const Directory&)> walk = [&](const Directory& d) {
    const int64_t at = d.path.empty() ? int64_t{header.begin} + header.nbytes_name : d.record.seek_dir;
    auto bytes = file.Source().Read(0, file.Source().Size());
    if (bytes.IsOk()) {
      const auto o = static_cast<uint32_t>(at);
      corpus.Add("directory", stem + "-dir" + std::to_string(o),
                 Prefix({static_cast<uint8_t>(o), static_cast<uint8_t>(o >> 8), static_cast<uint8_t>(o >> 16),
                         static_cast<uint8_t>(o >> 24)},
                        *bytes));
    }
    for (const auto& sub : d.subdirectories) walk(*sub);
  };
  walk(file.Top());
}

void SeedBaskets(Corpus& corpus, const std::string& stem, const TreeSource& tree) {
  for (size_t c = 0; c < tree.Columns().size(); ++c) {
    const Interpretation& in = tree.ColumnInterpretation(c);
    const BranchModel& branch = tree.Model().branches[static_cast<size_t>(in.branch)];
    if (branch.write_basket < 1 || branch.basket_bytes.empty() || branch.basket_bytes[0] <= 0 ||
        branch.basket_bytes[0] > kMaxPartSeed || branch.basket_entry.size() < 2) {
      continue;
    }
    auto spec = fuzz::EncodeBasketSpec(in, branch.basket_entry[1]);
    if (!spec) continue;
    auto raw = tree.File().Source().Read(branch.basket_seek[0], branch.basket_bytes[0]);
    if (!raw.IsOk()) continue;
    std::vector<uint8_t> seed(spec->begin(), spec->end());
    seed.insert(seed.end(), raw->begin(), raw->end());
    corpus.Add("basket", stem + "-col" + std::to_string(c), seed);
  }
}

void SeedNTuple(Corpus& corpus, const std::string& stem, const RootFile& file, const KeyHeader& key,
                const NTupleSource& ntuple) {
  using namespace rntuple;
  if (auto payload = file.ReadPayload(key); payload.IsOk()) corpus.Add("rntuple_envelope", stem + "-anchor", Prefix({0, 0}, *payload));
  const Descriptor& d = ntuple.Descriptor();
  const auto columns = static_cast<uint8_t>(std::min<size_t>(d.schema.columns.size(), 255));
  auto envelope = [&](const char* what, uint8_t kind, Locator where, uint64_t length, EnvelopeType type) {
    auto bytes = ReadEnvelope(file.Source(), where, length, type);
    if (bytes.IsOk()) corpus.Add("rntuple_envelope", stem + "-" + what, Prefix({kind, columns}, *bytes));
  };
  envelope("header", 1, {d.anchor.nbytes_header, d.anchor.seek_header}, d.anchor.len_header, EnvelopeType::kHeader);
  envelope("footer", 2, {d.anchor.nbytes_footer, d.anchor.seek_footer}, d.anchor.len_footer, EnvelopeType::kFooter);
  for (size_t g = 0; g < d.groups.size(); ++g) {
    envelope(("pagelist" + std::to_string(g)).c_str(), 3, d.groups[g].page_list.locator, d.groups[g].page_list.length,
             EnvelopeType::kPageList);
  }
  if (d.clusters.empty()) return;
  const Cluster& cluster = d.clusters[0];
  for (size_t col = 0; col < cluster.columns.size() && col < d.schema.columns.size(); ++col) {
    const ColumnRecord& record = d.schema.columns[col];
    if (cluster.columns[col].pages.empty()) continue;
    const PageInfo& page = cluster.columns[col].pages[0];
    const uint64_t bytes = PageBytes(record, page.num_elements);
    if (page.num_elements > 0xFFFF || bytes > kMaxPartSeed) continue;
    std::vector<uint8_t> decoded(bytes);
    if (!ReadBlob(file.Source(), page.locator.offset, page.locator.size, decoded, "page").IsOk()) continue;
    const auto n = static_cast<uint16_t>(page.num_elements);
    corpus.Add("rntuple_page", stem + "-col" + std::to_string(col),
               Prefix({static_cast<uint8_t>(record.type), static_cast<uint8_t>(record.type >> 8),
                       static_cast<uint8_t>(record.bits), static_cast<uint8_t>(record.bits >> 8),
                       static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),
                       static_cast<uint8_t>(record.range ? 1 : 0)},
                      decoded));
  }
}

void SeedFile(Corpus& corpus, const fs::path& path) {
  corpus.NextFile();
  const std::string stem = path.stem().string();
  auto opened = RootFile::Open(path.string());
  if (!opened.IsOk()) {
    std::fprintf(stderr, "fuzz_corpus: skipping %s: %s\n", path.c_str(), opened.status().ToString().c_str());
    return;
  }
  std::shared_ptr<const RootFile> file = *opened;
  auto whole = file->Source().Read(0, file->Source().Size());
  if (whole.IsOk()) corpus.Add("tfile", stem, *whole);
  SeedKeys(corpus, stem, *file);
  for (const auto& entry : file->AllKeys()) {
    const std::string path_in_file = entry.path + ";" + std::to_string(entry.key->cycle);
    if (IsTreeClass(entry.key->class_name)) {
      if (whole.IsOk()) corpus.Add("ttree", stem, *whole);
      if (auto tree = TreeSource::Open(file, path_in_file); tree.IsOk()) SeedBaskets(corpus, stem, **tree);
    } else if (IsRNTupleClass(entry.key->class_name)) {
      if (whole.IsOk()) corpus.Add("rntuple", stem, *whole);
      if (auto ntuple = NTupleSource::Open(file, path_in_file); ntuple.IsOk()) {
        SeedNTuple(corpus, stem + "-" + entry.key->name, *file, *entry.key, **ntuple);
      }
    }
  }
}

Status WriteSamples(const fs::path& dir, std::vector<fs::path>& out) {
  fs::create_directories(dir);
  write::SampleOptions sample;
  sample.events = 300;
  sample.features = 4;
  sample.batch_events = 300;
  for (Codec codec : {Codec::kZlib, Codec::kLz4, Codec::kZstd, Codec::kLzma, Codec::kNone}) {
    for (bool rntuple : {false, true}) {
      const fs::path path =
          dir / ("sample-" + std::string(rntuple ? "rntuple-" : "ttree-") + std::string(CodecName(codec)) + ".root");
      RB_ASSIGN_OR_RETURN(auto file, FileWriter::Create(path.string(), {codec, codec == Codec::kNone ? 0 : 4}));
      if (rntuple) {
        RB_ASSIGN_OR_RETURN(auto* ntuple, file->MakeRNTuple("events", "", {.cluster_size = 100, .page_size = 512}));
        RB_RETURN_IF_ERROR(write::WriteSample(*ntuple, sample));
      } else {
        RB_ASSIGN_OR_RETURN(auto* tree, file->MakeTree("events", "", "", {.basket_size = 1024, .cluster_size = 100}));
        RB_RETURN_IF_ERROR(write::WriteSample(*tree, sample));
      }
      RB_RETURN_IF_ERROR(file->Close());
      out.push_back(path);
    }
  }
  return Status::Ok();
}

// Expressions over expr_fuzz's schema (i u l f d b: scalars, a: float[3],
// v: jagged float), one per construct the language has.
constexpr const char* kExpressions[] = {
    "i + u * 2 - l / 3", "f > 0.5 && d < 1 || !b", "abs(f) * sqrt(d) + pow(f, 2)", "v[0] + a[2]",
    "Sum(v) / (v.size() + 1)", "Max(v) > 3 ? f : -f", "Filter(v, v > 2)", "v[v > 1] * 2",
    "i % 3 == 0", "(i << 2) ^ (u >> 1) | 7 & l", "rdfentry_ % 2", "Mean(a) - Min(a)",
    "static_cast<float>(l) + 1.5f", "0x1F + 010 + 3ull + 1e3f", "-i < +f", "Any(v > 3) && All(a > 0)",
    "Muon.pt * 2", "ROOT::VecOps::Sum(v)", "Take(v, 1)", "Where(v > 2, v, 0.f)", "std::abs(i) != 3",
    "exp(-d) + log(d + 1) + sin(f) + atan2(f, d)", "Length(v) >= 2", "Sort(v)[0]", "Reverse(a)[1]",
    "true ? 1 : 2.5", "((((((i))))))", "i / 0", "v[10]",
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fuzz_corpus OUT_DIR [--expressions FILE] FILE.root...\n");
    return 2;
  }
  Corpus corpus{fs::path(argv[1])};
  std::vector<fs::path> files;
  std::string expressions;
  for (int i = 2; i < argc; ++i) {
    if (std::string(argv[i]) == "--expressions" && i + 1 < argc) {
      expressions = argv[++i];
    } else {
      files.emplace_back(argv[i]);
    }
  }
  if (Status s = WriteSamples(corpus.Root() / "samples", files); !s.IsOk()) {
    std::fprintf(stderr, "fuzz_corpus: writing samples: %s\n", s.ToString().c_str());
    return 1;
  }
  for (const auto& path : files) SeedFile(corpus, path);

  corpus.NextFile();
  int n = 0;
  auto add_expression = [&](const std::string& text) {
    corpus.Add("expr", "expr" + std::to_string(n++), std::vector<uint8_t>(text.begin(), text.end()));
  };
  for (const char* text : kExpressions) add_expression(text);
  if (!expressions.empty()) {
    std::ifstream in(expressions);
    std::string line;
    while (std::getline(in, line)) {
      // "file | define | expression" rows of tests/expr/expressions.txt.
      const auto bar = line.rfind('|');
      if (line.empty() || line[0] == '#' || bar == std::string::npos) continue;
      corpus.NextFile();  // no per-file cap on expressions
      add_expression(line.substr(bar + 2));
    }
  }
  std::printf("fuzz_corpus: %d seeds in %s\n", corpus.Written(), corpus.Root().c_str());
  return 0;
}
