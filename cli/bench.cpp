// rootbatch bench: runs the batch loader over files and reports its speed,
// memory and shuffle quality; --ceiling measures the decompression alone
// for comparison. docs/benchmarks.md records the numbers and the commands.
#include <sys/resource.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "cli/frame_args.hpp"
#include "cli/json_writer.hpp"
#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/io/remote_options.hpp"
#include "rootbatch/loader/ceiling.hpp"
#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/option_schema.hpp"
#include "rootbatch/loader/shuffle_metrics.hpp"
#include "rootbatch/loader/shuffle_plan.hpp"

namespace rootbatch::cli {
namespace {

// The bench's own options; the loader's come from its option schema.
constexpr const char* kUsage =
    "usage: rootbatch bench FILE... --tree T --target COL [options]\n"
    "\n"
    "Runs the batch loader for one epoch and prints events/s, MB/s (decompressed), time to\n"
    "first batch, peak RSS and the fraction of time the consumer waited.\n"
    "\n"
    "options:\n"
    "  --tree T                tree name (required)\n"
    "  --epoch E               epoch to run (default 0)\n"
    "  --no-shuffle            entries in file order (--shuffle none)\n"
    "  --ceiling               only decompress the same storage units (baskets, pages) with the same threads (no batches)\n"
    "  --order-out FILE        write the global entry index of every event yielded, in order\n"
    "                          (little-endian int64)\n"
    "  --shuffle-report        print the shuffle figures of SHUFFLE.md; runs the next epoch too,\n"
    "                          for the epoch-to-epoch correlation (then RSS is not the loader's)\n"
    "  --plan                  print the shuffle figures this epoch will have (predicted from the\n"
    "                          read order and slot schedule, no data read) and stop\n"
    "  --rss-trace FILE        write 'seconds rss_mib events' every 50 ms\n"
    "  --json                  one JSON object instead of text\n"
    "  --define NAME=EXPR      a column computed by an RDataFrame expression (repeatable)\n"
    "  --filter EXPR           keep the entries where EXPR holds (repeatable; in order with --define)\n"
    "\n"
    "loader options (the Python DataLoader's keywords, '-' for '_'; --target is required;\n"
    "sizes like 256MB, 1GB, 64MiB, K/M/G powers of 1024):\n";

std::string Flag(std::string_view name) {
  std::string flag(name);
  for (char& c : flag) c = c == '_' ? '-' : c;
  return flag;
}

// The schema's options as flags: --name VALUE, and --name / --no-name for
// switches. Jagged columns, collections and preprocessing need structure the
// command line does not have.
void AddLoaderFlags(std::set<std::string>& options, std::set<std::string>& flags) {
  for (const loader::OptionSpec& spec : loader::LoaderOptionSpecs()) {
    if (loader::IsStructured(spec.kind)) continue;
    if (spec.kind == loader::OptionKind::kBool) {
      flags.insert(Flag(spec.name));
      flags.insert("no-" + Flag(spec.name));
      continue;
    }
    options.insert(Flag(spec.name));
    if (!spec.cli_alias.empty()) options.insert(Flag(spec.cli_alias));
  }
}

Status SetLoaderFlags(const Args& args, loader::LoaderOptions& options) {
  for (const loader::OptionSpec& spec : loader::LoaderOptionSpecs()) {
    if (loader::IsStructured(spec.kind)) continue;
    const std::string flag = Flag(spec.name);
    if (spec.kind == loader::OptionKind::kBool) {
      if (args.Flag(flag)) RB_RETURN_IF_ERROR(spec.set(spec, true, options));
      if (args.Flag("no-" + flag)) RB_RETURN_IF_ERROR(spec.set(spec, false, options));
      continue;
    }
    for (const std::string& name : {flag, Flag(spec.cli_alias)}) {
      if (name.empty() || !args.Has(name)) continue;
      RB_RETURN_IF_ERROR(loader::SetOptionFromText(options, spec, *args.Get(name)).WithContext("flag --" + name));
    }
  }
  if (args.Flag("no-shuffle")) options.shuffle = loader::ShuffleStrategy::kNone;
  return Status::Ok();
}

// User + system CPU seconds of the whole process so far: unlike wall time,
// not inflated when other processes share the cores.
double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6;
}

double PeakRssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

double RssMiB() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return -1;
}

// Samples RSS every 50 ms into a file while it lives.
class RssTrace {
 public:
  RssTrace(const std::string& path, const std::atomic<int64_t>* events) : out_(path), events_(events) {
    start_ = std::chrono::steady_clock::now();
    thread_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      do {
        double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
        out_ << t << ' ' << RssMiB() << ' ' << events_->load() << '\n';
      } while (!wake_.wait_for(lock, std::chrono::milliseconds(50), [this] { return stop_; }));
    });
  }
  ~RssTrace() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }
  bool Ok() const { return out_.good(); }

 private:
  std::ofstream out_;
  const std::atomic<int64_t>* events_;
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

struct RunResult {
  int64_t events = 0;
  int64_t batches = 0;
  double seconds = 0;
  double first_batch_s = 0;
  loader::LoaderStats stats;
  loader::ShuffleFigures shuffle;
  double epoch_correlation = NAN;
};

double Since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

Status RunEpoch(loader::Loader& loader, int64_t epoch, std::ofstream* order_out, loader::ShuffleMetrics* metrics,
                std::vector<int32_t>* positions, std::atomic<int64_t>* events) {
  RB_RETURN_IF_ERROR(loader.SetEpoch(epoch));
  int64_t position = 0;
  for (;;) {
    RB_ASSIGN_OR_RETURN(std::optional<loader::Batch> batch, loader.Next());
    if (!batch) return Status::Ok();
    auto entries = batch->entries.Values<int64_t>();
    if (order_out != nullptr) {
      order_out->write(reinterpret_cast<const char*>(entries.data()),
                       static_cast<std::streamsize>(entries.size() * sizeof(int64_t)));
    }
    if (metrics != nullptr) metrics->AddBatch(entries);
    if (positions != nullptr) {
      for (int64_t e : entries) (*positions)[static_cast<size_t>(e)] = static_cast<int32_t>(position++);
    }
    events->fetch_add(batch->num_rows);
  }
}

}  // namespace

int RunBench(const std::vector<std::string>& argv) {
  const auto start = std::chrono::steady_clock::now();
  std::set<std::string> value_options = {"tree", "epoch", "order-out", "rss-trace"};
  value_options.insert(kFrameOptions.begin(), kFrameOptions.end());
  std::set<std::string> flags = {"no-shuffle", "ceiling", "shuffle-report", "plan", "json", "help"};
  AddLoaderFlags(value_options, flags);
  const std::string usage = kUsage + loader::OptionsUsage();
  auto args = Args::Parse(argv, value_options, flags);
  if (!args.IsOk()) {
    std::fprintf(stderr, "%s", usage.c_str());
    return ReportError("bench", args.status());
  }
  if (args->Flag("help")) {
    std::printf("%s", usage.c_str());
    return 0;
  }
  if (args->Positional().empty() || !args->Has("tree") || !args->Has("target")) {
    std::fprintf(stderr, "%s", usage.c_str());
    return ReportError("bench", InvalidArgument("FILE..., --tree and --target are required"));
  }

  loader::LoaderOptions options;
  if (Status set = SetLoaderFlags(*args, options); !set.IsOk()) return ReportError("bench", set);
  auto epoch = args->GetInt("epoch", 0);
  if (!epoch.IsOk()) return ReportError("bench", epoch.status());
  const std::string shuffle(loader::ShuffleStrategyName(options.shuffle));

  // With --define/--filter the loader reads the passing rows of a frame; its
  // selection pass runs here, inside the time to the first batch.
  auto frame = FrameFromArgs(*args, args->Positional(), *args->Get("tree"));
  if (!frame.IsOk()) return ReportError("bench", frame.status());
  const auto selection_start = std::chrono::steady_clock::now();
  auto dataset = frame->has_value() ? (*frame)->Materialize(options.num_threads)
                                    : Dataset::Open(args->Positional(), *args->Get("tree"), DefaultSourceOpener());
  if (!dataset.IsOk()) return ReportError("bench", dataset.status());
  const int64_t input_events = frame->has_value() ? (*frame)->Source().NumEntries() : (*dataset)->NumEntries();
  const double selection_s = frame->has_value() ? Since(selection_start) : 0.0;
  loader::LoaderInput input;
  input.dataset = *dataset;
  auto created = loader::Loader::Create({input}, options);
  if (!created.IsOk()) return ReportError("bench", created.status());
  loader::Loader& loader = **created;
  const bool json = args->Flag("json");
  if (const std::string warning = loader::ClusterWarning(loader); !warning.empty()) {
    std::fprintf(stderr, "rootbatch bench: warning: %s\n", warning.c_str());
  }

  if (args->Flag("plan")) {
    if (Status s = loader.SetEpoch(*epoch); !s.IsOk()) return ReportError("bench", s);
    auto plan = loader::PredictShuffle(loader);
    if (!plan.IsOk()) return ReportError("bench", plan.status());
    if (json) {
      JsonWriter w;
      w.BeginObject();
      w.Key("mode"); w.String("plan");
      w.Key("epoch"); w.Int(plan->epoch);
      w.Key("rows"); w.Int(plan->rows);
      w.Key("buffer_rows"); w.Int(plan->buffer_rows);
      w.Key("segments"); w.Int(plan->segments);
      w.Key("segments_per_buffer"); w.Double(plan->segments_per_buffer);
      w.Key("largest_cluster"); w.Int(plan->largest_cluster);
      w.Key("bins_per_batch"); w.Double(plan->predicted.bins_per_batch);
      w.Key("var_ratio"); w.Double(plan->predicted.var_ratio);
      w.Key("spearman"); w.Double(plan->predicted.spearman);
      w.Key("piece_entries"); w.Int(plan->piece_entries);
      w.Key("units"); w.Int(plan->units);
      w.Key("units_read"); w.Int(plan->units_read);
      w.Key("decompressions_per_unit"); w.Double(plan->DecompressionsPerUnit());
      w.Key("warnings"); w.Int(static_cast<int64_t>(plan->warnings.size()));
      w.EndObject();
      std::printf("%s\n", w.Text().c_str());
    } else {
      std::printf("%s", plan->Describe().c_str());
    }
    return 0;
  }

  if (args->Flag("ceiling")) {
    if (*epoch != 0) {
      Status s = loader.SetEpoch(*epoch);
      if (!s.IsOk()) return ReportError("bench", s);
    }
    const double cpu_start = ProcessCpuSeconds();
    auto ceiling = loader::RunCeiling(loader, options.num_threads);
    const double cpu = ProcessCpuSeconds() - cpu_start;
    if (!ceiling.IsOk()) return ReportError("bench", ceiling.status());
    const double eps = static_cast<double>(ceiling->events) / ceiling->seconds;
    const double mbps = static_cast<double>(ceiling->reads.bytes_decompressed) / ceiling->seconds / 1e6;
    if (json) {
      JsonWriter w;
      w.BeginObject();
      w.Key("mode"); w.String("ceiling");
      w.Key("events"); w.Int(ceiling->events);
      w.Key("seconds"); w.Double(ceiling->seconds);
      w.Key("events_per_s"); w.Double(eps);
      w.Key("mb_per_s"); w.Double(mbps);
      w.Key("threads"); w.Int(options.num_threads);
      w.Key("cpu_s"); w.Double(cpu);
      w.Key("bytes_read"); w.Int(ceiling->reads.bytes_read);
      w.Key("bytes_decompressed"); w.Int(ceiling->reads.bytes_decompressed);
      w.Key("units_read"); w.Int(ceiling->reads.units_read);
      w.Key("peak_rss_mb"); w.Double(PeakRssMiB());
      w.EndObject();
      std::printf("%s\n", w.Text().c_str());
    } else {
      std::printf("decompression ceiling: %lld events in %.3f s with %d threads\n",
                  static_cast<long long>(ceiling->events), ceiling->seconds, options.num_threads);
      std::printf("  events/s        %.0f\n  MB/s            %.1f (decompressed)\n  units           %lld\n",
                  eps, mbps, static_cast<long long>(ceiling->reads.units_read));
      std::printf("  CPU             %.2f s (%.3f s per M events)\n", cpu, cpu / static_cast<double>(ceiling->events) * 1e6);
    }
    return 0;
  }

  std::ofstream order_out;
  if (args->Has("order-out")) {
    order_out.open(*args->Get("order-out"), std::ios::binary | std::ios::trunc);
    if (!order_out) return ReportError("bench", IOError("cannot write '" + *args->Get("order-out") + "'"));
  }
  const bool report = args->Flag("shuffle-report");
  const int64_t n = (*dataset)->NumEntries();
  loader::ShuffleMetrics metrics(n, options.batch_size);
  std::vector<int32_t> positions;
  if (report) positions.assign(static_cast<size_t>(n), -1);

  std::atomic<int64_t> events{0};
  std::unique_ptr<RssTrace> trace;
  if (args->Has("rss-trace")) trace = std::make_unique<RssTrace>(*args->Get("rss-trace"), &events);

  RunResult result;
  const double cpu_start = ProcessCpuSeconds();
  const auto run_start = std::chrono::steady_clock::now();
  Status status = RunEpoch(loader, *epoch, order_out.is_open() ? &order_out : nullptr, report ? &metrics : nullptr,
                           report ? &positions : nullptr, &events);
  result.seconds = Since(run_start);
  const double cpu = ProcessCpuSeconds() - cpu_start;
  if (!status.IsOk()) return ReportError("bench", status);
  result.stats = loader.Stats();
  result.events = events.load();
  result.batches = result.stats.batches;
  // Time to first batch: opening the files and planning, plus the loader's
  // own time from its first Next() to the first batch.
  result.first_batch_s = std::chrono::duration<double>(run_start - start).count() + result.stats.first_batch_s;
  const double peak_rss = PeakRssMiB();
  trace.reset();
  if (report) {
    result.shuffle = metrics.Finish();
    std::vector<int32_t> next(static_cast<size_t>(n), -1);
    std::atomic<int64_t> ignored{0};
    Status again = RunEpoch(loader, *epoch + 1, nullptr, nullptr, &next, &ignored);
    if (!again.IsOk()) return ReportError("bench", again);
    result.epoch_correlation = loader::PositionCorrelation(positions, next);
  }

  const loader::LoaderStats& s = result.stats;
  const double eps = static_cast<double>(result.events) / result.seconds;
  const double mbps = static_cast<double>(s.bytes_decompressed) / result.seconds / 1e6;
  const double wait_fraction = s.consumer_wait_s / result.seconds;
  const double amplification =
      s.units_per_epoch > 0 ? static_cast<double>(s.units_read) / static_cast<double>(s.units_per_epoch) : 0;
  const double budget_mib = static_cast<double>(options.memory_budget) / (1024.0 * 1024.0);
  const loader::MemoryPlan& memory = loader.Memory();
  if (json) {
    JsonWriter w;
    w.BeginObject();
    w.Key("mode"); w.String("loader");
    w.Key("events"); w.Int(result.events);
    w.Key("batches"); w.Int(result.batches);
    w.Key("seconds"); w.Double(result.seconds);
    w.Key("events_per_s"); w.Double(eps);
    // Entries of the files per second, the selection pass included (with --filter).
    w.Key("input_events"); w.Int(input_events);
    w.Key("selection_s"); w.Double(selection_s);
    w.Key("input_events_per_s"); w.Double(static_cast<double>(input_events) / (result.seconds + selection_s));
    w.Key("mb_per_s"); w.Double(mbps);
    w.Key("first_batch_s"); w.Double(result.first_batch_s);
    w.Key("peak_rss_mb"); w.Double(peak_rss);
    w.Key("budget_mb"); w.Double(budget_mib);
    w.Key("wait_fraction"); w.Double(wait_fraction);
    w.Key("worker_idle_s"); w.Double(s.worker_idle_s);
    w.Key("assembler_wait_s"); w.Double(s.assembler_wait_s);
    w.Key("threads"); w.Int(options.num_threads);
    w.Key("cpu_s"); w.Double(cpu);
    w.Key("shuffle"); w.String(shuffle);
    w.Key("buffer_rows"); w.Int(memory.num_slots);
    w.Key("bytes_read"); w.Int(s.bytes_read);
    w.Key("bytes_decompressed"); w.Int(s.bytes_decompressed);
    w.Key("units_read"); w.Int(s.units_read);
    w.Key("units"); w.Int(s.units_per_epoch);
    w.Key("amplification"); w.Double(amplification);
    const RemoteRequestCounts remote = RemoteRequests();
    w.Key("remote_reads"); w.Int(remote.reads);
    w.Key("remote_vector_reads"); w.Int(remote.vector_reads);
    w.Key("remote_chunks"); w.Int(remote.chunks);
    if (report) {
      w.Key("bins_per_batch"); w.Double(result.shuffle.bins_per_batch);
      w.Key("var_ratio"); w.Double(result.shuffle.var_ratio);
      w.Key("spearman"); w.Double(result.shuffle.spearman);
      w.Key("epoch_correlation"); w.Double(result.epoch_correlation);
    }
    w.EndObject();
    std::printf("%s\n", w.Text().c_str());
  } else {
    std::printf("rootbatch bench: %lld events in %lld batches, %.3f s (%s shuffle, %d threads)\n",
                static_cast<long long>(result.events), static_cast<long long>(result.batches), result.seconds,
                shuffle.c_str(), options.num_threads);
    std::printf("  events/s        %.0f\n", eps);
    if (frame->has_value()) {
      std::printf("  input events/s  %.0f (%lld entries, selection pass %.3f s included)\n",
                  static_cast<double>(input_events) / (result.seconds + selection_s),
                  static_cast<long long>(input_events), selection_s);
    }
    std::printf("  MB/s            %.1f (decompressed)\n", mbps);
    std::printf("  first batch     %.3f s\n", result.first_batch_s);
    std::printf("  peak RSS        %.1f MiB (budget %.1f MiB)\n", peak_rss, budget_mib);
    std::printf("  consumer wait   %.1f %%\n", 100.0 * wait_fraction);
    std::printf("  worker idle     %.2f s (summed over threads)\n", s.worker_idle_s);
    std::printf("  CPU             %.2f s (%.3f s per M events)\n", cpu,
                cpu / static_cast<double>(std::max<int64_t>(result.events, 1)) * 1e6);
    std::printf("  buffer          %s\n", memory.Describe().c_str());
    std::printf("  amplification   %.3f (%lld units read / %lld; units are baskets or pages)\n", amplification,
                static_cast<long long>(s.units_read), static_cast<long long>(s.units_per_epoch));
    const RemoteRequestCounts remote = RemoteRequests();
    if (remote.reads + remote.vector_reads > 0) {
      std::printf("  remote requests %lld reads, %lld vector reads of %lld chunks (%.1f MB)\n",
                  static_cast<long long>(remote.reads), static_cast<long long>(remote.vector_reads),
                  static_cast<long long>(remote.chunks), static_cast<double>(remote.bytes) / 1e6);
    }
    if (report) {
      std::printf("  bins/batch      %.1f\n  var_ratio       %.2f\n  spearman        %+.4f\n", result.shuffle.bins_per_batch,
                  result.shuffle.var_ratio, result.shuffle.spearman);
      std::printf("  epoch corr.     %+.4f (output positions, epochs %lld and %lld)\n", result.epoch_correlation,
                  static_cast<long long>(*epoch), static_cast<long long>(*epoch + 1));
    }
  }
  return 0;
}

}  // namespace rootbatch::cli
