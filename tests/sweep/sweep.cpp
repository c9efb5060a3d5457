// The corruption sweep: damaged copies of real files, each read in a child
// process, each outcome classified.
//
//   corruption_sweep [--cases N] [--seed S] [--timeout SECONDS] [--memory-mb MB]
//                    [--failures FILE] [--samples DIR] FILE.root...
//   corruption_sweep --case FILE SEED     one case, in this process (to debug;
//                                          SEED "none" reads the intact file)
//
// --samples DIR first writes (if missing) DIR/sample-ttree.root and
// DIR/sample-rntuple.root with the generator of `rootbatch make-sample`
// (write::WriteSample: 3000 events, 8 features, jets and muons, zstd) and
// adds them to the files. N cases are spread evenly over the files. Each case is one seeded damage
// (a truncation, random bit flips, or overwritten runs of bytes; positions
// biased towards the start and the end of the file, where ROOT keeps its
// metadata) of one file. A forked child opens the damaged bytes as a
// memory source, reads every readable column of every TTree and RNTuple
// (bounded to kMaxEntriesRead entries), and runs one loader epoch over the
// first one whose columns it could read. Outcomes:
//   read         every read succeeded
//   clean error  a Status error other than kInternal
//   internal     a kInternal Status (a bug: bad input must never give one)
//   crash        the child died of a signal
//   hang         the child ran past --timeout and was killed
//   over-memory  an allocation failed under the --memory-mb address-space cap
// The summary is one line per format and outcome; every case that is not
// read or clean error is listed with the command that reproduces it.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "rootbatch/base/xoshiro.hpp"
#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/loader/loader.hpp"
#include "rootbatch/rntuple/ntuple_source.hpp"
#include "rootbatch/ttree/tree_source.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/sample_generator.hpp"

namespace {

using namespace rootbatch;

constexpr int64_t kMaxEntriesRead = int64_t{1} << 20;  // per column: a forged count must not make the tool slow
constexpr int64_t kEntriesPerRead = 1 << 16;
constexpr int64_t kMaxLoaderBatches = 1000;
// Exit codes of a child.
constexpr int kExitRead = 0;
constexpr int kExitCleanError = 10;
constexpr int kExitInternal = 11;
constexpr int kExitOverMemory = 12;

enum class Damage { kTruncate, kFlip, kOverwrite };
const char* DamageName(Damage d) {
  return d == Damage::kTruncate ? "truncate" : d == Damage::kFlip ? "flip" : "overwrite";
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A position where damage matters most: a third uniform, a third in the
// first 4 KiB (header, top directory, StreamerInfo of small files), a third
// in the last fifth (keys lists, TTree metadata, RNTuple footers).
size_t Position(Xoshiro256StarStar& rng, size_t size) {
  const uint64_t r = rng.Next();
  const size_t head = std::min<size_t>(size, 4096);
  const size_t tail = std::max<size_t>(size / 5, 1);
  switch (r % 3) {
    case 0: return static_cast<size_t>(rng.Next() % size);
    case 1: return static_cast<size_t>(rng.Next() % head);
    default: return size - 1 - static_cast<size_t>(rng.Next() % tail);
  }
}

// Applies the damage `seed` chooses; returns what it did, for the report.
// The seed is spread over the generator's state with SplitMix64.
Xoshiro256StarStar SeededRng(uint64_t seed) {
  return Xoshiro256StarStar({SplitMix64(seed), SplitMix64(seed), SplitMix64(seed), SplitMix64(seed)});
}

std::string Damage(std::vector<uint8_t>& bytes, uint64_t seed) {
  Xoshiro256StarStar rng = SeededRng(seed);
  if (bytes.empty()) return "empty";
  const auto kind = static_cast<enum Damage>(rng.Next() % 3);
  std::string what = DamageName(kind);
  if (kind == Damage::kTruncate) {
    const size_t at = Position(rng, bytes.size());
    bytes.resize(at);
    return what + " to " + std::to_string(at);
  }
  const int runs = 1 + static_cast<int>(rng.Next() % 4);
  for (int i = 0; i < runs; ++i) {
    const size_t at = Position(rng, bytes.size());
    if (kind == Damage::kFlip) {
      bytes[at] ^= static_cast<uint8_t>(1u << (rng.Next() % 8));
      what += " " + std::to_string(at);
      continue;
    }
    // Values that break length and offset fields: zeros, all ones, the
    // sign bit, or random bytes.
    const size_t length = std::min<size_t>(1 + rng.Next() % 8, bytes.size() - at);
    const uint64_t style = rng.Next() % 4;
    for (size_t k = 0; k < length; ++k) {
      bytes[at + k] = style == 0 ? 0x00 : style == 1 ? 0xFF : style == 2 ? (k == 0 ? 0x7F : 0xFF)
                                                                          : static_cast<uint8_t>(rng.Next());
    }
    what += " " + std::to_string(at) + "+" + std::to_string(length);
  }
  return what;
}

bool ReadAll(const ColumnSource& source, Status& first_error) {
  bool ok = true;
  const int64_t entries = std::min(source.NumEntries(), kMaxEntriesRead);
  for (size_t c = 0; c < source.Columns().size(); ++c) {
    for (int64_t begin = 0; begin < entries; begin += kEntriesPerRead) {
      auto column = source.ReadColumn(c, {begin, std::min(entries, begin + kEntriesPerRead)});
      if (!column.IsOk()) {
        if (ok) first_error = column.status();
        ok = false;
        break;
      }
    }
  }
  return ok;
}

Status LoaderEpoch(std::unique_ptr<ColumnSource> source) {
  if (source->NumEntries() == 0) return Status::Ok();  // the loader refuses an empty dataset
  loader::LoaderOptions options;
  options.batch_size = 256;
  options.memory_budget = 32 * loader::kMiB;
  options.num_threads = 1;
  // Every numeric scalar is a feature (the default); integers that float32
  // rounds (event numbers) are accepted as rounded, so that intact files run.
  for (const ColumnSpec& spec : source->Columns()) {
    if (spec.kind == ColumnKind::kScalar && spec.type != DataType::kFloat32 && spec.type != DataType::kFloat64 &&
        spec.type != DataType::kChar) {
      options.lossy_features.push_back(spec.name);
    }
  }
  std::vector<std::unique_ptr<ColumnSource>> sources;
  sources.push_back(std::move(source));
  RB_ASSIGN_OR_RETURN(auto dataset, Dataset::FromSources(std::move(sources)));
  loader::LoaderInput input;
  input.dataset = dataset;
  RB_ASSIGN_OR_RETURN(auto train, loader::Loader::Create({input}, options));
  RB_RETURN_IF_ERROR(train->SetEpoch(0));
  for (int64_t b = 0; b < kMaxLoaderBatches; ++b) {
    RB_ASSIGN_OR_RETURN(std::optional<loader::Batch> batch, train->Next());
    if (!batch) break;
  }
  return Status::Ok();
}

// Reads everything in the damaged bytes; returns the exit code.
int RunCase(const std::string& name, std::vector<uint8_t> bytes, bool verbose) {
  Status error;
  auto note = [&](const Status& s) {
    if (error.IsOk() || (s.Code() == StatusCode::kInternal && error.Code() != StatusCode::kInternal)) error = s;
  };
  auto file = RootFile::Open(MakeMemorySource(name, std::move(bytes)));
  if (!file.IsOk()) {
    note(file.status());
  } else {
    std::shared_ptr<const RootFile> shared = *file;
    bool loader_ran = false;
    for (const auto& entry : shared->AllKeys()) {
      const std::string path = entry.path + ";" + std::to_string(entry.key->cycle);
      Result<std::unique_ptr<ColumnSource>> source = Status(StatusCode::kNotFound, "");
      if (IsTreeClass(entry.key->class_name)) {
        auto tree = TreeSource::Open(shared, path);
        source = tree.IsOk() ? Result<std::unique_ptr<ColumnSource>>(std::move(*tree)) : tree.status();
      } else if (IsRNTupleClass(entry.key->class_name)) {
        auto ntuple = NTupleSource::Open(shared, path);
        source = ntuple.IsOk() ? Result<std::unique_ptr<ColumnSource>>(std::move(*ntuple)) : ntuple.status();
      } else {
        continue;
      }
      if (!source.IsOk()) {
        note(source.status());
        continue;
      }
      Status read_error;
      const bool read_ok = ReadAll(**source, read_error);
      if (!read_ok) note(read_error);
      if (read_ok && !loader_ran) {
        loader_ran = true;
        if (Status s = LoaderEpoch(std::move(*source)); !s.IsOk()) note(s);
      }
    }
  }
  if (verbose) std::printf("%s\n", error.IsOk() ? "read" : error.ToString().c_str());
  if (error.IsOk()) return kExitRead;
  return error.Code() == StatusCode::kInternal ? kExitInternal : kExitCleanError;
}

void OnOutOfMemory() { _exit(kExitOverMemory); }

std::string Classify(int status, bool timed_out) {
  if (timed_out) return "hang";
  if (WIFSIGNALED(status)) return "crash";
  switch (WEXITSTATUS(status)) {
    case kExitRead: return "read";
    case kExitCleanError: return "clean error";
    case kExitInternal: return "internal";
    case kExitOverMemory: return "over-memory";
    default: return "crash";  // an abort path that exited (e.g. a sanitizer)
  }
}

// Forks, runs the case in the child under the caps, and waits at most
// `timeout`.
std::string RunChild(const std::string& name, const std::vector<uint8_t>& original, std::optional<uint64_t> seed,
                     double timeout, int64_t memory_mb) {
  std::fflush(stdout);
  const pid_t pid = fork();
  if (pid < 0) {
    std::perror("fork");
    std::exit(1);
  }
  if (pid == 0) {
    rlimit cap{static_cast<rlim_t>(memory_mb) << 20, static_cast<rlim_t>(memory_mb) << 20};
    setrlimit(RLIMIT_AS, &cap);
    std::set_new_handler(OnOutOfMemory);
    std::vector<uint8_t> bytes = original;
    if (seed) Damage(bytes, *seed);
    _exit(RunCase(name, std::move(bytes), false));
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout);
  int status = 0;
  while (true) {
    const pid_t done = waitpid(pid, &status, WNOHANG);
    if (done == pid) return Classify(status, false);
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return Classify(status, true);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

uint64_t Fnv1a(const std::string& text) {
  uint64_t h = 1469598103934665603ull;
  for (char c : text) h = (h ^ static_cast<uint8_t>(c)) * 1099511628211ull;
  return h;
}

// "TTree", "RNTuple", or "TTree+RNTuple" by the keys of the intact file.
std::string Format(const std::string& path) {
  auto file = RootFile::Open(path);
  if (!file.IsOk()) return "unreadable";
  bool tree = false, ntuple = false;
  for (const auto& entry : (*file)->AllKeys()) {
    tree = tree || IsTreeClass(entry.key->class_name);
    ntuple = ntuple || IsRNTupleClass(entry.key->class_name);
  }
  return tree && ntuple ? "TTree+RNTuple" : tree ? "TTree" : ntuple ? "RNTuple" : "no tree";
}

// What `rootbatch make-sample OUT --events 3000 --features 8 [--format rntuple]` writes.
Result<std::string> WriteSample(const std::string& dir, bool rntuple) {
  const std::string path = dir + (rntuple ? "/sample-rntuple.root" : "/sample-ttree.root");
  if (std::ifstream(path).good()) return path;
  write::SampleOptions sample;
  sample.events = 3000;
  sample.features = 8;
  RB_ASSIGN_OR_RETURN(auto file, FileWriter::Create(path, {Codec::kZstd, 5}, {.title = "rootbatch sample"}));
  if (rntuple) {
    RB_ASSIGN_OR_RETURN(auto* ntuple, file->MakeRNTuple("events"));
    RB_RETURN_IF_ERROR(write::WriteSample(*ntuple, sample));
  } else {
    RB_ASSIGN_OR_RETURN(auto* tree, file->MakeTree("events", "physics-like sample (rootbatch make-sample)"));
    RB_RETURN_IF_ERROR(write::WriteSample(*tree, sample));
  }
  RB_RETURN_IF_ERROR(file->Close());
  return path;
}

int Usage() {
  std::fprintf(stderr,
               "usage: corruption_sweep [--cases N] [--seed S] [--timeout SECONDS] [--memory-mb MB] "
               "[--failures FILE] [--samples DIR] FILE.root...\n"
               "       corruption_sweep --case FILE SEED|none\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t cases = 1000;
  uint64_t base_seed = 1;
  double timeout = 10;
  int64_t memory_mb = 1024;
  std::string failures_path;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (arg == "--case" && i + 2 < argc) {
      const std::string path = argv[i + 1];
      std::vector<uint8_t> bytes = ReadFile(path);
      if (std::string(argv[i + 2]) != "none") {  // "none": the intact file
        const uint64_t seed = std::strtoull(argv[i + 2], nullptr, 0);
        std::printf("%s seed %llu: %s\n", path.c_str(), static_cast<unsigned long long>(seed),
                    Damage(bytes, seed).c_str());
      }
      return RunCase(path, std::move(bytes), true);
    } else if (arg == "--cases") {
      cases = std::atoll(value().c_str());
    } else if (arg == "--seed") {
      base_seed = std::strtoull(value().c_str(), nullptr, 0);
    } else if (arg == "--timeout") {
      timeout = std::atof(value().c_str());
    } else if (arg == "--memory-mb") {
      memory_mb = std::atoll(value().c_str());
    } else if (arg == "--failures") {
      failures_path = value();
    } else if (arg == "--samples") {
      const std::string dir = value();
      for (bool rntuple : {false, true}) {
        auto path = WriteSample(dir, rntuple);
        if (!path.IsOk()) {
          std::fprintf(stderr, "corruption_sweep: writing a sample: %s\n", path.status().ToString().c_str());
          return 1;
        }
        files.push_back(*path);
      }
    } else if (!arg.empty() && arg[0] == '-') {
      return Usage();
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty() || cases <= 0) return Usage();

  std::map<std::string, std::map<std::string, int64_t>> table;  // format -> outcome -> cases
  std::vector<std::string> failures;
  const auto start = std::chrono::steady_clock::now();
  int64_t done = 0;
  for (size_t f = 0; f < files.size(); ++f) {
    const std::vector<uint8_t> original = ReadFile(files[f]);
    const std::string format = Format(files[f]);
    // The intact file must read: otherwise its damaged copies measure nothing.
    const std::string intact = RunChild(files[f], original, std::nullopt, timeout, memory_mb);
    if (intact != "read") {
      failures.push_back("intact file " + files[f] + ": " + intact + " (corruption_sweep --case " + files[f] + " none)");
      std::fprintf(stderr, "%s\n", failures.back().c_str());
    }
    const int64_t share = cases / static_cast<int64_t>(files.size()) +
                          (static_cast<int64_t>(f) < cases % static_cast<int64_t>(files.size()) ? 1 : 0);
    for (int64_t k = 0; k < share; ++k) {
      // The seed depends on the file's name, not its place in the list.
      const uint64_t seed = Fnv1a(files[f].substr(files[f].find_last_of('/') + 1)) ^ (base_seed * 0x9E3779B97F4A7C15ull) ^
                            static_cast<uint64_t>(k);
      const std::string outcome = RunChild(files[f], original, seed, timeout, memory_mb);
      ++table[format][outcome];
      ++table["all"][outcome];
      if (outcome != "read" && outcome != "clean error") {
        std::vector<uint8_t> bytes = original;
        failures.push_back(outcome + ": corruption_sweep --case " + files[f] + " " + std::to_string(seed) + "  (" +
                           Damage(bytes, seed) + ")");
        std::fprintf(stderr, "%s\n", failures.back().c_str());
      }
      ++done;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const char* kOutcomes[] = {"read", "clean error", "internal", "crash", "hang", "over-memory"};
  std::printf("| format | cases |");
  for (const char* o : kOutcomes) std::printf(" %s |", o);
  std::printf("\n|---|---|");
  for (size_t i = 0; i < std::size(kOutcomes); ++i) std::printf("---|");
  std::printf("\n");
  for (const auto& [format, outcomes] : table) {
    int64_t total = 0;
    for (const auto& [_, n] : outcomes) total += n;
    std::printf("| %s | %lld |", format.c_str(), static_cast<long long>(total));
    for (const char* o : kOutcomes) {
      auto it = outcomes.find(o);
      std::printf(" %lld |", static_cast<long long>(it == outcomes.end() ? 0 : it->second));
    }
    std::printf("\n");
  }
  std::printf("%lld cases over %zu files in %.0f s\n", static_cast<long long>(done), files.size(), seconds);
  if (!failures_path.empty()) {
    std::ofstream out(failures_path);
    for (const auto& line : failures) out << line << "\n";
  }
  return failures.empty() ? 0 : 1;
}
