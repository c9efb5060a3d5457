// rootbatch make-sample: writes a deterministic physics-like dataset as a
// TTree `events`, or with --format rntuple as an RNTuple of the same name.
// --kind events (the default): signal and background events with a label, a
// weight, flat features and jagged jet and muon collections
// (write/sample_generator.hpp; tests/python/test_writer_uproot.py and
// test_rntuple_writer.py hold the contract). --kind particles: JetClass-like
// jets of several classes with 24 per-particle vector branches
// (write/particle_sample.hpp, tests/python/test_particle_sample.py).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/particle_sample.hpp"
#include "rootbatch/write/sample_generator.hpp"

namespace rootbatch::cli {
namespace {

constexpr const char* kUsage =
    "usage: rootbatch make-sample OUT.root [--kind events|particles] [options]\n"
    "\n"
    "--kind events (default): a deterministic physics-like ML dataset: TTree 'events' with event_id (int64),\n"
    "label (int32, 1 = signal), weight (float32), K float32 features and, unless --no-jagged,\n"
    "nJet with Jet_pt/eta/phi/mass/btag[nJet] and std::vector Muon_pt/eta/phi/charge.\n"
    "With --format rntuple: an RNTuple 'events' with the same fields and events (Jet_* are\n"
    "std::vector<float> fields there).\n"
    "\n"
    "--kind particles: a JetClass-like jet-tagging sample, one entry per jet: event_id (int64),\n"
    "jet_pt, jet_eta, jet_phi, jet_energy, jet_nparticles, jet_sdmass, jet_tau1..jet_tau4 (float32),\n"
    "24 std::vector<float> branches with one value per particle (10..128 per jet, in no order):\n"
    "part_px, part_py, part_pz, part_energy, part_deta, part_dphi, part_pt, part_eta, part_phi,\n"
    "part_d0val, part_d0err, part_dzval, part_dzerr, part_charge, part_isChargedHadron,\n"
    "part_isNeutralHadron, part_isPhoton, part_isElectron, part_isMuon, part_ptrel, part_erel,\n"
    "part_deltaR, part_mass, part_d0sig, and one-hot bool labels label_QCD, label_Hbb, label_Hcc,\n"
    "label_Tbqq (then Wqq, Zqq, Hgg, H4q, Hqql, Tbl with --classes). Classes differ in multiplicity,\n"
    "prongs, mass and displaced tracks (docs/particles.md). --format rntuple writes the same fields.\n"
    "\n"
    "options:\n"
    "  --kind K              events or particles (default events)\n"
    "  --events N            events (jets, for particles) to write (default 100000)\n"
    "  --codec C             zlib, lzma, lz4, zstd or none (default zstd)\n"
    "  --level L             compression level (default: ROOT's for the codec: zlib 1,\n"
    "                        lzma 7, lz4 4, zstd 5)\n"
    "  --seed S              random seed (default 42); same seed, same events\n"
    "  --features K          events: number of flat float features (default 28)\n"
    "  --no-jagged           events: leave out the jet and muon collections\n"
    "  --classes N           particles: number of jet classes, 2 to 10 (default 4)\n"
    "  --format F            ttree or rntuple (default ttree)\n"
    "  --basket-size B       ttree: bytes per basket before it is written (default 32000)\n"
    "  --page-size B         rntuple: uncompressed bytes per page before it is sealed (default 65536)\n"
    "  --cluster-size C      entries per cluster: TTree auto-flush, RNTuple cluster (default 10000)\n"
    "  --signal-fraction F   events: fraction of signal events (default 0.5)\n"
    "  --tree NAME           tree or RNTuple name (default events)\n"
    "  --quiet               no progress bar (it is shown when stderr is a terminal)\n";

int DefaultLevel(Codec codec) {
  switch (codec) {
    case Codec::kZlib: return 1;
    case Codec::kLzma: return 7;
    case Codec::kLz4: return 4;
    case Codec::kZstd: return 5;
    default: return 0;
  }
}

template <typename T>
bool ParseNumber(const std::string& text, T& out) {
  try {
    size_t used = 0;
    if constexpr (std::is_floating_point_v<T>) {
      out = static_cast<T>(std::stod(text, &used));
    } else {
      const long long v = std::stoll(text, &used);
      out = static_cast<T>(v);
      if (static_cast<long long>(out) != v) return false;
    }
    return used == text.size();
  } catch (...) {
    return false;
  }
}

class ProgressBar {
 public:
  ProgressBar(int64_t total, bool enabled, const char* unit) : total_(total), enabled_(enabled), unit_(unit) {}
  void Update(int64_t done, int64_t bytes) {
    if (!enabled_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done < total_ && now - last_ < std::chrono::milliseconds(100)) return;
    last_ = now;
    const double elapsed = std::chrono::duration<double>(now - start_).count();
    const double fraction = total_ > 0 ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(fraction * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.append(static_cast<size_t>(kWidth - filled), '.');
    const double mb = static_cast<double>(bytes) / 1e6;
    const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : 0.0;
    std::fprintf(stderr, "\r[%s] %3.0f%% %lld/%lld %s  %.1f MB  %.1f MB/s  ETA %.0fs ", bar.c_str(),
                 100.0 * fraction, static_cast<long long>(done), static_cast<long long>(total_), unit_, mb,
                 elapsed > 0 ? mb / elapsed : 0.0, eta);
    std::fflush(stderr);
  }
  void Finish() {
    if (enabled_) std::fprintf(stderr, "\n");
  }

 private:
  int64_t total_;
  bool enabled_;
  const char* unit_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_{};
};

int BadCombination(const std::string& what) {
  std::fprintf(stderr, "rootbatch make-sample: %s\n\n%s", what.c_str(), kUsage);
  return 2;
}

}  // namespace

int RunMakeSample(const std::vector<std::string>& args) {
  std::string out;
  write::SampleOptions sample;
  write::ParticleSampleOptions particle;
  bool particles = false;
  std::string events_only_flag;  // the first option that only --kind events takes
  bool classes_given = false;
  CompressionSetting compression{Codec::kZstd, -1};
  TreeWriterOptions tree_options;
  tree_options.cluster_size = 10000;
  RNTupleWriterOptions ntuple_options;
  bool rntuple = false;
  bool basket_size_given = false;
  bool page_size_given = false;
  std::string tree_name = "events";
  bool quiet = false;

  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::optional<std::string> inline_value;
    if (flag.rfind("--", 0) == 0 && flag.find('=') != std::string::npos) {
      inline_value = flag.substr(flag.find('=') + 1);
      flag = flag.substr(0, flag.find('='));
    }
    auto value = [&](std::string& v) {
      if (inline_value) {
        v = *inline_value;
        return true;
      }
      if (i + 1 >= args.size()) return false;
      v = args[++i];
      return true;
    };
    auto bad = [&](const std::string& what) {
      std::fprintf(stderr, "rootbatch make-sample: %s\n\n%s", what.c_str(), kUsage);
      return 2;
    };
    std::string v;
    if (flag == "--help" || flag == "-h") {
      std::printf("%s", kUsage);
      return 0;
    } else if (flag == "--kind") {
      if (!value(v) || (v != "events" && v != "particles")) return bad("--kind needs events or particles");
      particles = v == "particles";
    } else if (flag == "--classes") {
      if (!value(v) || !ParseNumber(v, particle.classes) || particle.classes < write::kMinParticleClasses ||
          particle.classes > write::kMaxParticleClasses) {
        return bad("--classes needs N in [2, 10]");
      }
      classes_given = true;
    } else if (flag == "--no-jagged") {
      sample.jagged = false;
      if (events_only_flag.empty()) events_only_flag = flag;
    } else if (flag == "--quiet" || flag == "-q") {
      quiet = true;
    } else if (flag == "--events") {
      if (!value(v) || !ParseNumber(v, sample.events) || sample.events < 0) return bad("--events needs N >= 0");
    } else if (flag == "--codec") {
      if (!value(v)) return bad("--codec needs a value");
      auto codec = ParseCodec(v);
      if (!codec.IsOk() || *codec == Codec::kOldRoot) return bad("unknown codec '" + v + "'");
      compression.codec = *codec;
    } else if (flag == "--level") {
      if (!value(v) || !ParseNumber(v, compression.level) || compression.level < 0 || compression.level > 99) {
        return bad("--level needs L in [0, 99]");
      }
    } else if (flag == "--seed") {
      if (!value(v) || !ParseNumber(v, sample.seed)) return bad("--seed needs an integer");
    } else if (flag == "--features") {
      if (!value(v) || !ParseNumber(v, sample.features) || sample.features < 0) return bad("--features needs K >= 0");
      if (events_only_flag.empty()) events_only_flag = flag;
    } else if (flag == "--format") {
      if (!value(v) || (v != "ttree" && v != "rntuple")) return bad("--format needs ttree or rntuple");
      rntuple = v == "rntuple";
    } else if (flag == "--basket-size") {
      if (!value(v) || !ParseNumber(v, tree_options.basket_size)) return bad("--basket-size needs bytes");
      basket_size_given = true;
    } else if (flag == "--page-size") {
      if (!value(v) || !ParseNumber(v, ntuple_options.page_size) || ntuple_options.page_size < 1) {
        return bad("--page-size needs bytes > 0");
      }
      page_size_given = true;
    } else if (flag == "--cluster-size") {
      if (!value(v) || !ParseNumber(v, tree_options.cluster_size)) return bad("--cluster-size needs entries");
    } else if (flag == "--signal-fraction") {
      if (!value(v) || !ParseNumber(v, sample.signal_fraction)) return bad("--signal-fraction needs a number");
      if (events_only_flag.empty()) events_only_flag = flag;
    } else if (flag == "--tree") {
      if (!value(v) || v.empty()) return bad("--tree needs a name");
      tree_name = v;
    } else if (flag.rfind("-", 0) == 0 && flag.size() > 1) {
      return bad("unknown option '" + flag + "'");
    } else if (out.empty()) {
      out = flag;
    } else {
      return bad("unexpected argument '" + flag + "'");
    }
  }
  if (out.empty()) {
    std::fprintf(stderr, "rootbatch make-sample: missing OUT.root\n\n%s", kUsage);
    return 2;
  }
  if (rntuple && basket_size_given) return BadCombination("--basket-size is for --format ttree; RNTuples have --page-size");
  if (!rntuple && page_size_given) return BadCombination("--page-size is for --format rntuple; TTrees have --basket-size");
  if (particles && !events_only_flag.empty()) return BadCombination(events_only_flag + " is for --kind events");
  if (!particles && classes_given) return BadCombination("--classes is for --kind particles");
  particle.jets = sample.events;
  particle.seed = sample.seed;
  ntuple_options.cluster_size = tree_options.cluster_size;
  if (compression.level < 0) compression.level = DefaultLevel(compression.codec);
  if (compression.codec == Codec::kNone) compression.level = 0;

  const auto start = std::chrono::steady_clock::now();
  ProgressBar bar(sample.events, !quiet && isatty(STDERR_FILENO), particles ? "jets" : "events");
  Status status;
  {
    auto file = FileWriter::Create(out, compression, {.title = "rootbatch sample"});
    status = file.status();
    if (status.IsOk()) {
      FileWriter* f = file->get();
      auto progress = [&](int64_t done) { bar.Update(done, f->End()); };
      if (rntuple) {
        auto ntuple = f->MakeRNTuple(tree_name, "", ntuple_options);
        status = ntuple.status();
        if (status.IsOk()) {
          status = particles ? write::WriteParticleSample(**ntuple, particle, progress)
                             : write::WriteSample(**ntuple, sample, progress);
        }
      } else {
        auto tree = f->MakeTree(tree_name,
                                particles ? "JetClass-like particle sample (rootbatch make-sample)"
                                          : "physics-like sample (rootbatch make-sample)",
                                "", tree_options);
        status = tree.status();
        if (status.IsOk()) {
          status = particles ? write::WriteParticleSample(**tree, particle, progress)
                             : write::WriteSample(**tree, sample, progress);
        }
      }
      if (status.IsOk()) status = f->Close();
    }
  }
  bar.Finish();
  if (!status.IsOk()) {
    std::fprintf(stderr, "rootbatch make-sample: %s\n", status.ToString().c_str());
    return 1;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::error_code ec;
  const double mb = static_cast<double>(std::filesystem::file_size(out, ec)) / 1e6;
  if (particles) {
    std::printf("wrote %lld jets (%d classes, %zu %s, %s level %d) to %s: %.1f MB in %.2f s (%.1f MB/s, %.0f jets/s)\n",
                static_cast<long long>(particle.jets), particle.classes, write::ParticleSampleBranches(particle).size(),
                rntuple ? "RNTuple fields" : "branches", std::string(CodecName(compression.codec)).c_str(),
                compression.level, out.c_str(), mb, seconds, seconds > 0 ? mb / seconds : 0.0,
                seconds > 0 ? static_cast<double>(particle.jets) / seconds : 0.0);
    return 0;
  }
  std::printf("wrote %lld events (%zu %s, %s level %d) to %s: %.1f MB in %.2f s (%.1f MB/s, %.0f events/s)\n",
              static_cast<long long>(sample.events), write::SampleBranches(sample).size(),
              rntuple ? "RNTuple fields" : "branches", std::string(CodecName(compression.codec)).c_str(), compression.level, out.c_str(), mb, seconds,
              seconds > 0 ? mb / seconds : 0.0, seconds > 0 ? static_cast<double>(sample.events) / seconds : 0.0);
  return 0;
}

}  // namespace rootbatch::cli
