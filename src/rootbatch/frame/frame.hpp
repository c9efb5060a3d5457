// Frame: RDataFrame's lazy selection graph over a Dataset, without ROOT.
//
//   RB_ASSIGN_OR_RETURN(Frame df, Frame::Open({"nano.root"}, "Events"));
//   RB_ASSIGN_OR_RETURN(Frame sel, df.Filter("nMuon >= 2", "two muons"));
//   RB_ASSIGN_OR_RETURN(sel, sel.Define("ht", "Sum(Jet_pt[Jet_pt > 30])"));
//   RB_ASSIGN_OR_RETURN(int64_t n, sel.Count());
//   RB_ASSIGN_OR_RETURN(auto rows, sel.Materialize(2));  // a Dataset the loader reads
//
// A Frame is an immutable handle on a node; transformations return new
// nodes and read nothing, but compile their expression at once against the
// columns visible at the node (a bad expression fails there, with a caret).
// Actions run a pass over the columns they need. The selection pass (every
// filter and range of the chain, over every entry) runs once per node and is
// kept as a bitmap (2 bits per entry); Materialize presents the passing rows
// as ColumnSources whose entries are those rows, so every loader guarantee
// counts passing events. docs/frame.md describes the semantics.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"
#include "rootbatch/frame/dataset.hpp"

namespace rootbatch {

namespace frame {
struct Node;
struct Kernel;
}  // namespace frame

// One named filter of a cut-flow report.
struct CutInfo {
  std::string name;
  int64_t pass = 0;
  int64_t all = 0;
};

enum class SnapshotFormat : uint8_t { kTTree, kRNTuple };

// What a shuffled Snapshot did.
struct SnapshotReport {
  int64_t rows = 0;
  int64_t buckets = 0;         // 1: shuffled in memory, no temporary files
  int64_t temp_bytes = 0;      // written to the bucket files
  int64_t largest_bucket = 0;  // rows
};

struct SnapshotOptions {
  SnapshotFormat format = SnapshotFormat::kTTree;
  std::string compression = "zstd";  // zstd, zlib, lz4, lzma or none
  int level = 5;
  // Write the rows in a uniformly random order (an external shuffle through
  // buckets on disk, shuffle_snapshot.hpp), so that a loader reading the copy
  // in order, or in any block order, sees a full shuffle.
  bool shuffle = false;
  uint64_t seed = 0;
  int64_t memory_budget = int64_t{256} << 20;  // bytes the shuffle holds at once (buckets in memory)
  std::string temp_dir;                        // where the buckets go; default: beside the output
  SnapshotReport* report = nullptr;            // filled by a shuffled Snapshot, if given
  const std::atomic<bool>* cancel = nullptr;   // checked between pieces: kCancelled, nothing left behind
};

// A C++ callable over rows, for Define and Filter: `eval(inputs, entry
// numbers)` returns `result` over the rows of the inputs. TypedKernel builds
// one from a typed lambda.
struct RowFunction {
  std::vector<std::string> columns;  // the inputs, by name
  std::function<Result<Column>(std::span<const Column* const>, std::span<const int64_t>)> eval;
  ColumnSpec result;                              // its type and kind (scalar or jagged)
  std::function<Status(std::span<const ColumnSpec>)> check;  // checks the inputs' specs
  std::string description = "C++ callable";
};

class Frame {
 public:
  // A frame over `tree` in `paths` (globs expanded as Dataset::Open does).
  static Result<Frame> Open(const std::vector<std::string>& paths, const std::string& tree,
                            const SourceOpener& opener = DefaultSourceOpener());
  static Frame FromDataset(std::shared_ptr<const Dataset> dataset);

  // Transformations (RDataFrame's names and argument order).
  Result<Frame> Filter(std::string_view expression, std::string name = "") const;
  Result<Frame> Filter(RowFunction function, std::string name = "") const;
  Result<Frame> Define(std::string name, std::string_view expression) const;
  Result<Frame> Define(std::string name, RowFunction function) const;
  Result<Frame> Redefine(std::string name, std::string_view expression) const;
  // Rows [begin, end) of those passing the filters above, every `stride`-th;
  // end 0 means to the end.
  Result<Frame> Range(int64_t begin, int64_t end, int64_t stride = 1) const;

  // Typed lambdas over scalar columns (T) or jagged ones (std::span<const T>):
  //   df.Define("x2", {"x"}, [](float x) { return x * x; })
  template <typename F>
  Result<Frame> Define(std::string name, std::vector<std::string> columns, F&& f) const;
  template <typename F>
  Result<Frame> Filter(std::vector<std::string> columns, F&& f, std::string name = "") const;

  // Schema.
  std::vector<std::string> ColumnNames() const;
  Result<ColumnSpec> ColumnSpecOf(std::string_view name) const;
  // The C++ type ROOT's GetColumnType gives ("Float_t", "ROOT::VecOps::RVec<Float_t>", "double").
  Result<std::string> ColumnType(std::string_view name) const;
  std::vector<std::string> DefinedColumnNames() const;
  const Dataset& Source() const;

  // Actions. Sum, Mean, Min and Max take every element of a jagged column,
  // and return double as ROOT's do.
  Result<int64_t> Count(int num_threads = 1) const;
  Result<double> Sum(std::string_view column, int num_threads = 1) const;
  Result<double> Mean(std::string_view column, int num_threads = 1) const;
  Result<double> Min(std::string_view column, int num_threads = 1) const;
  Result<double> Max(std::string_view column, int num_threads = 1) const;
  // The passing rows of each column, in order (AsNumpy).
  Result<std::vector<Column>> Take(std::span<const std::string> columns, int num_threads = 1) const;
  // Every named filter of the chain, in order.
  Result<std::vector<CutInfo>> Report(int num_threads = 1) const;
  // Writes the passing rows of `columns` (all readable ones when empty).
  Status Snapshot(const std::string& tree, const std::string& path, std::span<const std::string> columns,
                  const SnapshotOptions& options = {}, int num_threads = 1) const;
  // Global entry numbers (rdfentry_) of the passing rows.
  Result<std::vector<int64_t>> EntryNumbers(int num_threads = 1) const;

  // The passing rows as a Dataset (one source per file whose entries are the
  // rows): what the loader reads. A frame with no filter, range or define is
  // its dataset itself.
  Result<std::shared_ptr<const Dataset>> Materialize(int num_threads = 1) const;

 private:
  explicit Frame(std::shared_ptr<const frame::Node> node) : node_(std::move(node)) {}
  Result<Frame> AddDefine(std::string name, std::shared_ptr<frame::Kernel> kernel, bool redefine) const;
  Result<std::shared_ptr<frame::Kernel>> KernelOf(std::string_view expression) const;
  Result<std::shared_ptr<frame::Kernel>> KernelOf(RowFunction function) const;
  // Folds every value of `column` over the passing rows.
  Result<std::vector<double>> Reduce(std::string_view column, int num_threads) const;

  std::shared_ptr<const frame::Node> node_;
};

// ---- typed lambdas -------------------------------------------------------------

namespace frame_detail {

template <typename T>
struct ArgTraits {
  using Elem = std::remove_cvref_t<T>;
  static constexpr bool kJagged = false;
  static Elem Get(const Column& c, int64_t i) { return c.As<Elem>()[static_cast<size_t>(i)]; }
};
template <typename T>
struct ArgTraits<std::span<const T>> {
  using Elem = T;
  static constexpr bool kJagged = true;
  static std::span<const T> Get(const Column& c, int64_t i) {
    const int64_t b = c.offsets[static_cast<size_t>(i)], e = c.offsets[static_cast<size_t>(i) + 1];
    return c.As<T>().subspan(static_cast<size_t>(b), static_cast<size_t>(e - b));
  }
};

Status CheckArgument(const ColumnSpec& spec, DataType want, bool jagged, size_t position);

template <typename R, typename... A, size_t... I>
RowFunction MakeRowFunctionImpl(std::vector<std::string> columns, std::function<R(A...)> f, std::index_sequence<I...>) {
  static_assert(std::is_arithmetic_v<R>, "a typed Define or Filter returns a number or bool");
  RowFunction fn;
  fn.columns = std::move(columns);
  fn.result.type = DataTypeOf<R>();
  fn.check = [](std::span<const ColumnSpec> specs) -> Status {
    if (specs.size() != sizeof...(A)) {
      return InvalidArgument("the callable takes " + std::to_string(sizeof...(A)) + " arguments, given " +
                             std::to_string(specs.size()) + " columns");
    }
    Status s;
    ((s.IsOk() ? (void)(s = CheckArgument(specs[I], DataTypeOf<typename ArgTraits<A>::Elem>(),
                                          ArgTraits<A>::kJagged, I))
               : void()),
     ...);
    return s;
  };
  fn.eval = [f = std::move(f)](std::span<const Column* const> in, std::span<const int64_t> rows) -> Result<Column> {
    Column out;
    out.type = DataTypeOf<R>();
    out.num_entries = static_cast<int64_t>(rows.size());
    out.values.resize(rows.size() * sizeof(R));
    R* dst = reinterpret_cast<R*>(out.values.data());
    for (int64_t i = 0; i < out.num_entries; ++i) dst[i] = f(ArgTraits<A>::Get(*in[I], i)...);
    return out;
  };
  return fn;
}

template <typename R, typename... A>
RowFunction MakeRowFunction(std::vector<std::string> columns, std::function<R(A...)> f) {
  return MakeRowFunctionImpl(std::move(columns), std::move(f), std::index_sequence_for<A...>{});
}

}  // namespace frame_detail

template <typename F>
Result<Frame> Frame::Define(std::string name, std::vector<std::string> columns, F&& f) const {
  return Define(std::move(name), frame_detail::MakeRowFunction(std::move(columns), std::function{std::forward<F>(f)}));
}

template <typename F>
Result<Frame> Frame::Filter(std::vector<std::string> columns, F&& f, std::string name) const {
  return Filter(frame_detail::MakeRowFunction(std::move(columns), std::function{std::forward<F>(f)}), std::move(name));
}

}  // namespace rootbatch
