// Parse + type-check time of Filter/Define strings (no JIT: the target is
// well under 1 ms for a 20-term NanoAOD selection), and evaluation
// throughput of that selection over a chunk of synthetic NanoAOD-like
// columns.
#include <benchmark/benchmark.h>

#include <cstring>
#include <random>
#include <vector>

#include "rootbatch/expr/compiled_expr.hpp"

namespace {

using rootbatch::Column;
using rootbatch::ColumnKind;
using rootbatch::ColumnSpec;
using rootbatch::DataType;

// Twenty terms, as a NanoAOD skim writes them.
constexpr const char* kSelection =
    "nMuon >= 1 && Muon_pt[0] > 25 && abs(Muon_eta[0]) < 2.4 && !Muon_tightId[0] && "
    "Muon_pfRelIso04_all[0] < 0.15 && nElectron == 0 && nJet >= 4 && "
    "Sum(Jet_pt > 30 && abs(Jet_eta) < 2.4 && Jet_jetId >= 2) >= 4 && "
    "Sum(Jet_btagCSVV2 > 0.5) >= 1 && MET_pt > 20 && Jet_pt[0] > 50 && "
    "ROOT::VecOps::DeltaR(Muon_eta[0], Jet_eta[0], Muon_phi[0], Jet_phi[0]) > 0.4 && "
    "InvariantMass(Jet_pt, Jet_eta, Jet_phi, Jet_mass) > 100 && PV_npvs > 2 && "
    "Flag_goodVertices && run > 0 && (event % 2 == 0 || MET_sumEt > 0) && "
    "Max(Jet_btagCSVV2) > 0.1 && Mean(Jet_pt) > 20 && Jet_pt.size() < 20";

std::vector<ColumnSpec> Schema() {
  auto s = [](const char* n, DataType t) { return ColumnSpec{n, t, ColumnKind::kScalar, {}, ""}; };
  auto j = [](const char* n, DataType t) { return ColumnSpec{n, t, ColumnKind::kJagged, {}, ""}; };
  std::vector<ColumnSpec> out = {
      s("nMuon", DataType::kUInt32),   j("Muon_pt", DataType::kFloat32),    j("Muon_eta", DataType::kFloat32),
      j("Muon_phi", DataType::kFloat32), j("Muon_tightId", DataType::kBool),
      j("Muon_pfRelIso04_all", DataType::kFloat32), s("nElectron", DataType::kUInt32),
      s("nJet", DataType::kUInt32),    j("Jet_pt", DataType::kFloat32),     j("Jet_eta", DataType::kFloat32),
      j("Jet_phi", DataType::kFloat32), j("Jet_mass", DataType::kFloat32),  j("Jet_jetId", DataType::kInt32),
      j("Jet_btagCSVV2", DataType::kFloat32), s("MET_pt", DataType::kFloat32),
      s("MET_sumEt", DataType::kFloat32), s("PV_npvs", DataType::kInt32), s("Flag_goodVertices", DataType::kBool),
      s("run", DataType::kUInt32),     s("event", DataType::kUInt64)};
  // A NanoAOD tree has ~1000 columns; lookups must not be the cost.
  for (int i = 0; i < 900; ++i) {
    out.push_back({"Other_" + std::to_string(i), DataType::kFloat32, ColumnKind::kScalar, {}, ""});
  }
  return out;
}

void BM_CompileNanoSelection(benchmark::State& state) {
  const auto schema = Schema();
  for (auto _ : state) {
    auto compiled = rootbatch::expr::Compile(kSelection, schema);
    if (!compiled.IsOk()) state.SkipWithError(compiled.status().ToString().c_str());
    benchmark::DoNotOptimize(compiled);
  }
}
BENCHMARK(BM_CompileNanoSelection)->Unit(benchmark::kMicrosecond);

// Synthetic columns for `entries` events with 0-9 jets and 0-2 muons.
std::vector<Column> MakeInputs(const rootbatch::expr::CompiledExpr& e, const std::vector<ColumnSpec>& schema,
                               int64_t entries) {
  std::mt19937 rng(7);
  std::vector<int64_t> njet(entries), nmu(entries);
  for (int64_t i = 0; i < entries; ++i) {
    njet[i] = rng() % 10;
    nmu[i] = rng() % 3;
  }
  std::vector<Column> out;
  for (const auto& name : e.Columns()) {
    const ColumnSpec* spec = nullptr;
    for (const auto& s : schema) {
      if (s.name == name) spec = &s;
    }
    Column c;
    c.type = spec->type;
    c.num_entries = entries;
    int64_t items = entries;
    if (spec->kind == ColumnKind::kJagged) {
      const auto& counts = name.rfind("Muon", 0) == 0 ? nmu : njet;
      c.offsets = {0};
      for (int64_t i = 0; i < entries; ++i) c.offsets.push_back(c.offsets.back() + counts[i]);
      items = c.offsets.back();
    }
    c.values.resize(static_cast<size_t>(items * rootbatch::ByteWidth(c.type)));
    rootbatch::VisitDataType(c.type, [&](auto tag) {
      using T = decltype(tag);
      auto* v = reinterpret_cast<T*>(c.values.data());
      for (int64_t k = 0; k < items; ++k) {
        if (name == "nMuon") v[k] = static_cast<T>(nmu[k]);
        else if (name == "nJet") v[k] = static_cast<T>(njet[k]);
        else v[k] = static_cast<T>(std::uniform_real_distribution<double>(0, 100)(rng) / (name.find("eta") != std::string::npos ? 30 : 1));
      }
    });
    out.push_back(std::move(c));
  }
  return out;
}

void BM_EvaluateNanoSelection(benchmark::State& state) {
  const auto schema = Schema();
  auto compiled = rootbatch::expr::Compile(kSelection, schema);
  if (!compiled.IsOk()) {
    state.SkipWithError(compiled.status().ToString().c_str());
    return;
  }
  const int64_t entries = state.range(0);
  const auto columns = MakeInputs(*compiled, schema, entries);
  std::vector<const Column*> inputs;
  for (const auto& c : columns) inputs.push_back(&c);
  for (auto _ : state) {
    auto mask = compiled->EvaluateMask(inputs, {0, entries});
    if (!mask.IsOk()) state.SkipWithError(mask.status().ToString().c_str());
    benchmark::DoNotOptimize(mask);
  }
  state.SetItemsProcessed(state.iterations() * entries);
}
BENCHMARK(BM_EvaluateNanoSelection)->Arg(65536)->Unit(benchmark::kMillisecond);

// The three defines of the filtered-loading benchmark (docs/benchmarks.md),
// one after the other over the same chunk, as the loader's workers run them.
void BM_EvaluateThreeDefines(benchmark::State& state) {
  const auto schema = Schema();
  std::vector<rootbatch::expr::CompiledExpr> defines;
  for (const char* text : {"Sum(Jet_pt[Jet_pt > 30])", "Sum(Jet_pt > 30)", "Muon_pt.size() > 0 ? Muon_pt[0] : 0.f"}) {
    auto compiled = rootbatch::expr::Compile(text, schema);
    if (!compiled.IsOk()) {
      state.SkipWithError(compiled.status().ToString().c_str());
      return;
    }
    defines.push_back(std::move(*compiled));
  }
  const int64_t entries = state.range(0);
  std::vector<std::vector<Column>> columns;
  for (const auto& d : defines) columns.push_back(MakeInputs(d, schema, entries));
  for (auto _ : state) {
    for (size_t k = 0; k < defines.size(); ++k) {
      std::vector<const Column*> inputs;
      for (const auto& c : columns[k]) inputs.push_back(&c);
      auto value = defines[k].Evaluate(inputs, rootbatch::EntryRange{0, entries});
      if (!value.IsOk()) state.SkipWithError(value.status().ToString().c_str());
      benchmark::DoNotOptimize(value);
    }
  }
  state.SetItemsProcessed(state.iterations() * entries);
}
BENCHMARK(BM_EvaluateThreeDefines)->Arg(65536)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
