// rootbatch shuffle: a copy of a tree (or of the rows passing --filter, with
// --define columns) in a uniformly random order, written at bounded memory
// through buckets on local disk (src/rootbatch/frame/shuffle_snapshot.hpp).
// Reading the copy in order, or in any block order, is a full shuffle.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/frame_args.hpp"
#include "rootbatch/base/byte_size.hpp"
#include "rootbatch/frame/frame.hpp"

namespace rootbatch::cli {
namespace {

constexpr const char* kUsage =
    "usage: rootbatch shuffle IN... --tree T -o OUT [options]\n"
    "\n"
    "Writes the entries of tree T in the input files (chained, in order) to OUT in a\n"
    "uniformly random order, in one pass at bounded memory: each entry goes to a random\n"
    "bucket on local disk, then each bucket is shuffled in memory and written. A loader\n"
    "reading OUT sees a full shuffle at any budget. Temporary files are removed on\n"
    "success, failure and Ctrl-C.\n"
    "\n"
    "options:\n"
    "  --tree T              tree or RNTuple to read (required)\n"
    "  -o, --output OUT      the file to write (required)\n"
    "  --out-tree NAME       name of the written tree (default: T)\n"
    "  --columns a,b,c       columns to write (default: every readable one)\n"
    "  --memory M            memory for the buckets (default 256MB; at least 4MB)\n"
    "  --seed S              the order's seed (default 0)\n"
    "  --codec C             zstd, zlib, lz4, lzma or none (default zstd)\n"
    "  --level L             compression level (default 5)\n"
    "  --format F            ttree or rntuple (default ttree)\n"
    "  --temp-dir DIR        where the buckets go (default: beside OUT)\n"
    "  --define NAME=EXPR    a column computed by an expression (repeatable)\n"
    "  --filter EXPR         keep only the entries where EXPR holds (repeatable)\n"
    "  --in-order            copy without shuffling (the baseline the shuffle is timed against)\n"
    "  --json                print what was done as one JSON object\n";

std::atomic<bool> interrupted{false};
extern "C" void OnInterrupt(int) { interrupted.store(true); }

}  // namespace

int RunShuffle(const std::vector<std::string>& argv) {
  std::vector<std::string> args_in = argv;
  for (auto& a : args_in) {
    if (a == "-o") a = "--output";
  }
  std::set<std::string> options = {"tree", "output", "out-tree", "columns", "memory", "seed", "codec", "level",
                                   "format", "temp-dir"};
  options.insert(kFrameOptions.begin(), kFrameOptions.end());
  auto args = Args::Parse(args_in, options, {"json", "help", "in-order"});
  if (!args.IsOk()) {
    std::fprintf(stderr, "%s", kUsage);
    return ReportError("shuffle", args.status());
  }
  if (args->Flag("help")) {
    std::printf("%s", kUsage);
    return 0;
  }
  if (args->Positional().empty() || !args->Has("tree") || !args->Has("output")) {
    std::fprintf(stderr, "%s", kUsage);
    return ReportError("shuffle", InvalidArgument("IN..., --tree and -o OUT are required"));
  }
  SnapshotOptions snapshot;
  snapshot.shuffle = !args->Flag("in-order");
  auto memory = ParseByteSize(args->GetOr("memory", "256MB"));
  if (!memory.IsOk()) return ReportError("shuffle", memory.status());
  snapshot.memory_budget = *memory;
  auto seed = args->GetInt("seed", 0);
  auto level = args->GetInt("level", 5);
  if (!seed.IsOk()) return ReportError("shuffle", seed.status());
  if (!level.IsOk()) return ReportError("shuffle", level.status());
  snapshot.seed = static_cast<uint64_t>(*seed);
  snapshot.level = static_cast<int>(*level);
  snapshot.compression = args->GetOr("codec", "zstd");
  const std::string format = args->GetOr("format", "ttree");
  if (format != "ttree" && format != "rntuple") {
    return ReportError("shuffle", InvalidArgument("--format is ttree or rntuple, not '" + format + "'"));
  }
  snapshot.format = format == "ttree" ? SnapshotFormat::kTTree : SnapshotFormat::kRNTuple;
  snapshot.temp_dir = args->GetOr("temp-dir", "");
  SnapshotReport report;
  snapshot.report = &report;  // an in-order copy leaves it empty but for the rows below
  snapshot.cancel = &interrupted;

  const auto start = std::chrono::steady_clock::now();
  const std::string tree = *args->Get("tree");
  auto framed = FrameFromArgs(*args, args->Positional(), tree);
  if (!framed.IsOk()) return ReportError("shuffle", framed.status());
  Result<Frame> frame = framed->has_value() ? Result<Frame>(**framed) : Frame::Open(args->Positional(), tree);
  if (!frame.IsOk()) return ReportError("shuffle", frame.status());
  const std::vector<std::string> columns = SplitList(args->GetOr("columns", ""));
  const std::string output = *args->Get("output");

  auto previous = std::signal(SIGINT, OnInterrupt);
  Status status = frame->Snapshot(args->GetOr("out-tree", tree.substr(0, tree.find(';'))), output, columns, snapshot, 2);
  std::signal(SIGINT, previous);
  if (!status.IsOk()) return ReportError("shuffle", status);
  if (!snapshot.shuffle) report.rows = *frame->Count(2);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (args->Flag("json")) {
    std::printf("{\"rows\": %lld, \"buckets\": %lld, \"temp_bytes\": %lld, \"largest_bucket\": %lld, "
                "\"seconds\": %.3f, \"output\": \"%s\"}\n",
                static_cast<long long>(report.rows), static_cast<long long>(report.buckets),
                static_cast<long long>(report.temp_bytes), static_cast<long long>(report.largest_bucket), seconds,
                output.c_str());
  } else {
    std::printf("rootbatch shuffle: %lld entries to %s in %.2f s (%lld buckets, %.1f MB of temporary files)\n",
                static_cast<long long>(report.rows), output.c_str(), seconds, static_cast<long long>(report.buckets),
                static_cast<double>(report.temp_bytes) / 1e6);
  }
  return 0;
}

}  // namespace rootbatch::cli
