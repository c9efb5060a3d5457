// Datasets and the loader. PyLoader::Next waits for a batch in 20 ms slices
// of Loader::Next(timeout) with the GIL released, and checks for Ctrl-C
// between them (PyErr_CheckSignals): a KeyboardInterrupt arrives promptly
// even while the loader waits for a slow read. The glue has no thread of its
// own; a batch that arrives after an interrupt stays in the loader's queue
// and the next call returns it.
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <unistd.h>

#include "glue.hpp"
#include "rootbatch/frame/dataset.hpp"
#include "rootbatch/base/byte_size.hpp"
#include "rootbatch/frame/glob.hpp"
#include "rootbatch/io/byte_source.hpp"
#include "rootbatch/loader/elastic.hpp"
#include "rootbatch/loader/loader.hpp"
#include "rootbatch/loader/option_schema.hpp"
#include "rootbatch/loader/shuffle_plan.hpp"

namespace rootbatch::python {
namespace {

using loader::Batch;
using loader::JaggedColumn;
using loader::JaggedMode;
using loader::Loader;
using loader::LoaderInput;
using loader::LoaderOptions;
using loader::LoaderState;
using loader::NextResult;

constexpr auto kWaitSlice = std::chrono::milliseconds(20);

DataType ParseType(const std::string& name) {
  auto type = ParseDataType(name);
  if (!type) Check(InvalidArgument("unknown type '" + name + "' (use float32, float64, int64, int32 or bool)"));
  return *type;
}

// A loader as Python holds it. Calls that release the GIL mark the loader
// busy (the flag is read and written with the GIL held), so that a second
// Python thread gets an error instead of using the loader concurrently.
class PyLoader {
 public:
  explicit PyLoader(std::unique_ptr<Loader> loader) : loader_(std::move(loader)), pid_(getpid()) {}
  PyLoader(const PyLoader&) = delete;
  PyLoader& operator=(const PyLoader&) = delete;

  ~PyLoader() {
    if (getpid() != pid_) {
      // A copy inherited through fork(): its threads exist only in the parent,
      // so there is nothing to join or cancel here. Leak it rather than wait
      // forever (or abort) in the child.
      (void)loader_.release();
      return;
    }
    // Cancels reads and joins the loader's threads, without the GIL.
    std::optional<py::gil_scoped_release> release;
    if (PyGILState_Check()) release.emplace();
    loader_.reset();
  }

  // The next batch, or None at the end of the epoch.
  std::optional<Batch> Next() {
    Busy busy(*this);
    while (true) {
      NextResult result = Unwrap([this] {
        py::gil_scoped_release release;
        return loader_->Next(kWaitSlice);
      }());
      if (result.kind == NextResult::Kind::kBatch) return std::move(result.batch);
      if (result.kind == NextResult::Kind::kEndOfEpoch) return std::nullopt;
      if (PyErr_CheckSignals() != 0) throw py::error_already_set();
    }
  }

  // Runs `call(loader)` with the GIL released.
  template <typename Call>
  auto Released(Call call) {
    Busy busy(*this);
    py::gil_scoped_release release;
    return call(*loader_);
  }

  // The loader, for quick calls made with the GIL held.
  Loader& Get() {
    Busy busy(*this);
    return *loader_;
  }

 private:
  class Busy {
   public:
    explicit Busy(PyLoader& owner) : owner_(owner) {
      owner_.CheckProcess();
      if (owner_.busy_) {
        Check(InvalidArgument("this loader is in use by another thread; use one loader per thread"));
      }
      owner_.busy_ = true;
    }
    ~Busy() { owner_.busy_ = false; }
    Busy(const Busy&) = delete;
    Busy& operator=(const Busy&) = delete;

   private:
    PyLoader& owner_;
  };

  void CheckProcess() const {
    if (getpid() != pid_) {
      Check(InvalidArgument("this loader was created in another process (before a fork); build a new one here"));
    }
  }

  std::unique_ptr<Loader> loader_;
  pid_t pid_;          // the process whose threads these are
  bool busy_ = false;  // a call is using loader_ (GIL held to read or write)
};

// For tests of the wait: `source` with a sleep before every read, so that a
// Loader::Next() waits for as long as a test needs.
class DelayedSource final : public ColumnSource {
 public:
  DelayedSource(std::unique_ptr<ColumnSource> source, std::chrono::microseconds delay)
      : source_(std::move(source)), delay_(delay) {}
  std::string Description() const override { return source_->Description(); }
  int64_t NumEntries() const override { return source_->NumEntries(); }
  const std::vector<ColumnSpec>& Columns() const override { return source_->Columns(); }
  std::vector<int64_t> ClusterBoundaries() const override { return source_->ClusterBoundaries(); }
  std::vector<int64_t> UnitBoundaries(size_t column) const override { return source_->UnitBoundaries(column); }
  Result<Column> ReadColumn(size_t column, EntryRange range, ReadStats* stats = nullptr) const override {
    std::this_thread::sleep_for(delay_);
    return source_->ReadColumn(column, range, stats);
  }

 private:
  std::unique_ptr<ColumnSource> source_;
  std::chrono::microseconds delay_;
};

// A Python value as the option schema takes it. Booleans before integers
// (True is an int in Python); NumPy scalars through __index__ / __float__.
// DataLoader hands collections and preprocessing over as lists of dicts with
// fixed keys (python/rootbatch/loader.py normalises what users write).
loader::Collection CollectionFromDict(const py::dict& d) {
  loader::Collection c;
  c.name = d["name"].cast<std::string>();
  c.columns = d["columns"].cast<std::vector<std::string>>();
  c.max_length = d["max_length"].cast<int64_t>();
  const std::string layout = d["layout"].cast<std::string>();
  if (layout == "BPF") c.layout = loader::CollectionLayout::kBPF;
  else if (layout == "BFP") c.layout = loader::CollectionLayout::kBFP;
  else if (layout == "ragged") c.layout = loader::CollectionLayout::kRagged;
  else Check(InvalidArgument("collection '" + c.name + "': layout '" + layout + "' is not BPF, BFP or ragged"));
  c.pad_value = d["pad_value"].cast<double>();
  c.sort_by = d["sort_by"].is_none() ? std::string() : d["sort_by"].cast<std::string>();
  c.mask = d["mask"].cast<bool>();
  return c;
}

loader::ColumnTransform TransformFromDict(const py::dict& d) {
  loader::ColumnTransform t;
  t.column = d["column"].cast<std::string>();
  if (!d["fill_nan"].is_none()) t.fill_nan = d["fill_nan"].cast<double>();
  t.log = d["log"].cast<bool>();
  const py::object scaling = d["standardize"];
  if (py::isinstance<py::str>(scaling)) {
    if (scaling.cast<std::string>() != "auto") {
      Check(InvalidArgument("preprocessing of '" + t.column + "': standardize must be 'auto' or (center, scale)"));
    }
    t.scaling = loader::ColumnTransform::Scaling::kAuto;
  } else if (!scaling.is_none()) {
    const auto numbers = scaling.cast<std::vector<double>>();
    if (numbers.size() != 2) Check(InvalidArgument("preprocessing of '" + t.column + "': standardize takes (center, scale)"));
    t.scaling = loader::ColumnTransform::Scaling::kGiven;
    t.center = numbers[0];
    t.scale = numbers[1];
  }
  if (!d["clip"].is_none()) {
    const auto bounds = d["clip"].cast<std::vector<double>>();
    if (bounds.size() != 2) Check(InvalidArgument("preprocessing of '" + t.column + "': clip takes (lo, hi)"));
    t.clip = std::make_pair(bounds[0], bounds[1]);
  }
  return t;
}

loader::Reweighting ReweightingFromDict(const py::dict& d) {
  static const char* kKeys[] = {"variables", "edges", "classes", "reference", "mode"};
  for (const auto& [key, value] : d) {
    const std::string name = py::str(key);
    if (std::find(std::begin(kKeys), std::end(kKeys), name) == std::end(kKeys)) {
      Check(InvalidArgument("reweight: unknown key '" + name + "' (variables, edges, classes, reference, mode)"));
    }
  }
  for (const char* needed : {"variables", "edges", "classes"}) {
    if (!d.contains(needed)) Check(InvalidArgument(std::string("reweight needs '") + needed + "'"));
  }
  loader::Reweighting r;
  r.variables = d["variables"].cast<std::vector<std::string>>();
  for (const auto& edges : d["edges"]) r.edges.push_back(edges.cast<std::vector<double>>());
  r.classes = d["classes"].cast<std::vector<std::string>>();
  if (d.contains("reference") && !d["reference"].is_none()) r.reference = d["reference"].cast<std::string>();
  const std::string mode = d.contains("mode") ? d["mode"].cast<std::string>() : "weights";
  if (mode == "weights") r.mode = loader::Reweighting::Mode::kWeights;
  else if (mode == "sample") r.mode = loader::Reweighting::Mode::kSample;
  else Check(InvalidArgument("reweight: mode '" + mode + "' is not 'weights' or 'sample'"));
  return r;
}

py::dict TransformToDict(const loader::ColumnTransform& t) {
  py::dict d;
  d["column"] = t.column;
  d["fill_nan"] = t.fill_nan ? py::object(py::float_(*t.fill_nan)) : py::none();
  d["log"] = t.log;
  d["standardize"] = t.scaling == loader::ColumnTransform::Scaling::kNone
                         ? py::object(py::none())
                         : py::object(py::make_tuple(t.center, t.scale));
  d["auto"] = t.scaling == loader::ColumnTransform::Scaling::kAuto;
  d["clip"] = t.clip ? py::object(py::make_tuple(t.clip->first, t.clip->second)) : py::none();
  return d;
}

loader::OptionValue ToOptionValue(const std::string& name, const py::object& value) {
  if (value.is_none()) return std::monostate{};
  if (PyBool_Check(value.ptr())) return value.cast<bool>();
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (PyIndex_Check(value.ptr())) {
    py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value.ptr()));
    if (!index) throw py::error_already_set();
    int overflow = 0;
    const long long number = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (overflow != 0) Check(InvalidArgument("option '" + name + "': " + std::string(py::str(value)) + " is too large"));
    return static_cast<int64_t>(number);
  }
  if (PyFloat_Check(value.ptr()) || py::hasattr(value, "__float__")) return value.cast<double>();
  if (py::isinstance<py::dict>(value)) {
    const loader::OptionSpec* spec = loader::FindOption(name);
    if (spec != nullptr && spec->kind == loader::OptionKind::kReweight) return ReweightingFromDict(value.cast<py::dict>());
  }
  if (py::isinstance<py::list>(value) || py::isinstance<py::tuple>(value)) {
    const loader::OptionSpec* spec = loader::FindOption(name);
    if (spec != nullptr && spec->kind == loader::OptionKind::kJagged) return value.cast<std::vector<JaggedColumn>>();
    if (spec != nullptr && spec->kind == loader::OptionKind::kCollections) {
      std::vector<loader::Collection> collections;
      for (const auto& item : value) collections.push_back(CollectionFromDict(item.cast<py::dict>()));
      return collections;
    }
    if (spec != nullptr && spec->kind == loader::OptionKind::kTransforms) {
      std::vector<loader::ColumnTransform> transforms;
      for (const auto& item : value) transforms.push_back(TransformFromDict(item.cast<py::dict>()));
      return transforms;
    }
    std::vector<std::string> names;
    for (const auto& item : value) {
      if (!py::isinstance<py::str>(item)) {
        Check(InvalidArgument("option '" + name + "' must be a list of column names, got an item of type " +
                              std::string(py::str(py::type::of(item).attr("__name__")))));
      }
      names.push_back(item.cast<std::string>());
    }
    return names;
  }
  Check(InvalidArgument("option '" + name + "' got a value of type " +
                        std::string(py::str(py::type::of(value).attr("__name__")))));
  return std::monostate{};
}

py::dict StatsDict(const loader::LoaderStats& s) {
  py::dict d;
  d["batches"] = s.batches;
  d["events"] = s.events;
  d["bytes_read"] = s.bytes_read;
  d["bytes_decompressed"] = s.bytes_decompressed;
  d["units_read"] = s.units_read;
  d["units_per_epoch"] = s.units_per_epoch;
  d["consumer_wait_s"] = s.consumer_wait_s;
  d["assembler_wait_s"] = s.assembler_wait_s;
  d["worker_idle_s"] = s.worker_idle_s;
  d["first_batch_s"] = s.first_batch_s;
  return d;
}

}  // namespace

void RegisterLoader(py::module_& m) {
  m.def(
      "check_files",
      [](const std::vector<std::string>& patterns) {
        // What DataLoader checks when it is built (the files are opened
        // later, once per process): globs expand (matching nothing is an
        // error) and every file can be opened.
        py::gil_scoped_release release;
        std::vector<std::string> paths = Unwrap(ExpandPaths(patterns));
        for (const auto& path : paths) Unwrap(OpenByteSource(path));
        return paths;
      },
      py::arg("patterns"), "The paths `patterns` expand to; FileNotFoundError if one is missing or matches nothing.");
  py::class_<Dataset, std::shared_ptr<Dataset>>(m, "Dataset")
      .def_static(
          "open",
          [](const std::vector<std::string>& paths, const std::string& tree) {
            Result<std::shared_ptr<const Dataset>> ds = Status(StatusCode::kInternal, "unset");
            {
              py::gil_scoped_release release;
              ds = Dataset::Open(paths, tree, DefaultSourceOpener());
            }
            return std::const_pointer_cast<Dataset>(Unwrap(std::move(ds)));
          },
          py::arg("paths"), py::arg("tree"))
      .def_static(
          "_open_delayed",
          [](const std::vector<std::string>& paths, const std::string& tree, double read_delay_s) {
            // For tests of Ctrl-C: every column read sleeps read_delay_s first.
            const auto delay = std::chrono::microseconds(static_cast<int64_t>(read_delay_s * 1e6));
            SourceOpener inner = DefaultSourceOpener();
            SourceOpener opener = [inner, delay](const std::string& path, const std::string& name)
                -> Result<std::unique_ptr<ColumnSource>> {
              RB_ASSIGN_OR_RETURN(std::unique_ptr<ColumnSource> source, inner(path, name));
              return std::unique_ptr<ColumnSource>(std::make_unique<DelayedSource>(std::move(source), delay));
            };
            Result<std::shared_ptr<const Dataset>> ds = Status(StatusCode::kInternal, "unset");
            {
              py::gil_scoped_release release;
              ds = Dataset::Open(paths, tree, opener);
            }
            return std::const_pointer_cast<Dataset>(Unwrap(std::move(ds)));
          },
          py::arg("paths"), py::arg("tree"), py::arg("read_delay_s"))
      .def_property_readonly("num_files", &Dataset::NumFiles)
      .def_property_readonly("num_entries", &Dataset::NumEntries)
      .def_property_readonly("columns", &Dataset::Columns)
      .def_property_readonly("description", &Dataset::Description)
      .def("file_start", &Dataset::FileStart);

  py::class_<JaggedColumn>(m, "JaggedColumn")
      .def(py::init<>())
      .def_readwrite("name", &JaggedColumn::name)
      .def_property(
          "mode", [](const JaggedColumn& j) { return std::string(loader::JaggedModeName(j.mode)); },
          [](JaggedColumn& j, const std::string& mode) {
            if (mode == "pad") j.mode = JaggedMode::kPad;
            else if (mode == "ragged") j.mode = JaggedMode::kRagged;
            else if (mode == "flatten") j.mode = JaggedMode::kFlatten;
            else Check(InvalidArgument("unknown jagged mode '" + mode + "' (pad, ragged or flatten)"));
          })
      .def_readwrite("max_length", &JaggedColumn::max_length)
      .def_readwrite("max_inner_length", &JaggedColumn::max_inner_length)
      .def_readwrite("pad_value", &JaggedColumn::pad_value)
      .def_readwrite("mask", &JaggedColumn::mask)
      .def_property(
          "type", [](const JaggedColumn& j) { return std::string(DataTypeName(j.type)); },
          [](JaggedColumn& j, const std::string& t) { j.type = ParseType(t); });

  // Options travel as {keyword: value}; the C++ option schema converts and
  // checks them, so this binding lists no option by name.
  py::class_<LoaderOptions>(m, "LoaderOptions")
      .def_static(
          "from_dict",
          [](const py::dict& values) {
            std::map<std::string, loader::OptionValue> converted;
            for (const auto& [key, value] : values) {
              const std::string name = py::str(key);
              converted[name] = ToOptionValue(name, py::reinterpret_borrow<py::object>(value));
            }
            return Unwrap(loader::LoaderOptionsFromValues(converted));
          },
          py::arg("values"), "Options from DataLoader's keywords, checked (kinds, bounds, names).")
      .def("to_dict", [](const LoaderOptions& o) {
        py::dict d;
        for (const loader::OptionSpec& spec : loader::LoaderOptionSpecs()) {
          d[py::str(std::string(spec.name))] = loader::FormatOption(o, spec);
        }
        return d;
      }, "Each option's canonical text.");

  // The schema itself, for the Python layer and its docs and tests.
  m.def("loader_options", [] {
    const LoaderOptions defaults;
    py::list rows;
    for (const loader::OptionSpec& spec : loader::LoaderOptionSpecs()) {
      py::dict row;
      row["name"] = std::string(spec.name);
      row["default"] = loader::FormatOption(defaults, spec);
      row["changes_batches"] = spec.effect == loader::OptionEffect::kBatches;
      row["help"] = std::string(spec.help);
      rows.append(row);
    }
    return rows;
  });
  m.def(
      "gather_world",
      [](const std::vector<LoaderInput>& inputs, const LoaderOptions& options, int world_size, int num_workers,
         const std::vector<std::optional<std::string>>& states) {
        std::vector<std::optional<LoaderState>> parsed;  // None: a shard that had not started the epoch
        for (const auto& text : states) {
          parsed.push_back(text ? std::optional<LoaderState>(Unwrap(LoaderState::Parse(*text))) : std::nullopt);
        }
        py::gil_scoped_release release;  // builds and replays every shard's epoch order
        return Unwrap(loader::GatherWorld(inputs, options, world_size, num_workers, parsed)).Serialize();
      },
      py::arg("inputs"), py::arg("options"), py::arg("world_size"), py::arg("num_workers"), py::arg("states"),
      "The world state of every shard's state (in shard order), for a resume into another world shape.");
  m.def(
      "resume_elastic",
      [](const std::vector<LoaderInput>& inputs, const LoaderOptions& options, const std::string& world) {
        loader::WorldState state = Unwrap(loader::WorldState::Parse(world));
        Result<std::unique_ptr<Loader>> created = Status(StatusCode::kInternal, "unset");
        {
          py::gil_scoped_release release;
          created = loader::ResumeElastic(inputs, options, state);
        }
        return std::make_unique<PyLoader>(Unwrap(std::move(created)));
      },
      py::arg("inputs"), py::arg("options"), py::arg("world"),
      "A loader of this shard (options' shape) over the rest of the world state's epoch.");
  m.def("parse_size", [](const std::string& text) { return Unwrap(ParseByteSize(text)); }, py::arg("text"),
        "Bytes of a size like '256MB', '1.5GB' or '64MiB' (K/M/G are powers of 1024).");

  py::class_<LoaderInput>(m, "LoaderInput")
      .def(py::init([](std::shared_ptr<Dataset> dataset, std::optional<int64_t> class_label, double sampling_ratio,
                       std::optional<std::pair<int64_t, int64_t>> entries) {
             LoaderInput input;
             input.dataset = std::move(dataset);
             input.class_label = class_label;
             input.sampling_ratio = sampling_ratio;
             if (entries) input.entries = EntryRange{entries->first, entries->second};
             return input;
           }),
           py::arg("dataset"), py::arg("class_label") = py::none(), py::arg("sampling_ratio") = 1.0,
           py::arg("entries") = py::none());

  py::class_<PyLoader>(m, "Loader")
      .def(py::init([](std::vector<LoaderInput> inputs, LoaderOptions options) {
             Result<std::unique_ptr<Loader>> created = Status(StatusCode::kInternal, "unset");
             {
               py::gil_scoped_release release;
               created = Loader::Create(std::move(inputs), std::move(options));
             }
             return std::make_unique<PyLoader>(Unwrap(std::move(created)));
           }),
           py::arg("inputs"), py::arg("options"))
      .def("next", &PyLoader::Next, "The next batch of the epoch, or None when it is done.")
      .def(
          "set_epoch",
          [](PyLoader& self, int64_t epoch) { Check(self.Released([&](Loader& l) { return l.SetEpoch(epoch); })); },
          py::arg("epoch"))
      .def("state", [](PyLoader& self) { return self.Get().State().Serialize(); })
      .def(
          "restore",
          [](PyLoader& self, const std::string& text) {
            LoaderState state = Unwrap(LoaderState::Parse(text));
            Check(self.Released([&](Loader& l) { return l.Restore(state); }));
          },
          py::arg("state"))
      .def("stats", [](PyLoader& self) { return StatsDict(self.Get().Stats()); })
      .def("rest_of_epoch", [](PyLoader& self) { return self.Get().Options().rest_of_epoch; })
      .def("end_state",
           [](PyLoader& self) {
             LoaderState state = self.Get().State();
             state.position = self.Get().Epoch().num_batches;  // every batch of the epoch consumed
             return state.Serialize();
           },
           "The state of this loader's current epoch with every batch consumed.")
      .def("epoch_info", [](PyLoader& self) {
        const loader::EpochInfo& e = self.Get().Epoch();
        py::dict d;
        d["epoch"] = e.epoch;
        d["rows"] = e.rows;
        d["num_batches"] = e.num_batches;
        d["yielded_rows"] = e.yielded_rows;
        d["epoch_rows"] = e.epoch_rows;
        d["left_out"] = e.left_out;
        return d;
      })
      .def("layout", [](PyLoader& self) {
        const loader::RowLayout& layout = self.Get().Layout();
        py::dict d;
        d["feature_names"] = layout.feature_names;
        d["target_names"] = layout.target_names;
        py::list ragged;
        for (const auto& r : layout.ragged) {
          ragged.append(py::make_tuple(r.name, std::string(DataTypeName(r.type)), r.item_shape));
        }
        d["ragged"] = ragged;
        // Every fixed part of a row: (name, dtype, shape per row); a batch
        // tensor is [rows, *shape].
        py::list parts;
        for (const auto& part : layout.parts) {
          parts.append(py::make_tuple(part.name, std::string(DataTypeName(part.type)), part.shape));
        }
        d["parts"] = parts;
        d["targets_part"] = layout.targets_part;
        d["weights_part"] = layout.weights_part;
        d["mask_parts"] = layout.mask_parts;
        d["padded_parts"] = layout.padded_parts;
        return d;
      })
      .def("memory", [](PyLoader& self) {
        const loader::MemoryPlan& p = self.Get().Memory();
        py::dict d;
        d["num_slots"] = p.num_slots;
        d["slot_bytes"] = p.slot_bytes;
        d["batch_bytes"] = p.batch_bytes;
        d["batches_bytes"] = p.batches_bytes;
        d["in_flight_bytes"] = p.in_flight_bytes;
        d["fetch_bytes"] = p.fetch_bytes;
        d["buffer_bytes"] = p.buffer_bytes;
        d["description"] = p.Describe();
        return d;
      })
      .def("preprocessing", [](PyLoader& self) {
        py::list transforms;
        for (const auto& t : self.Get().Preprocessing()) transforms.append(TransformToDict(t));
        return py::make_tuple(transforms, self.Get().PreprocessingSampled());
      }, "(every transform with the numbers it applies, training entries sampled for 'auto')")
      .def("reweighting", [](PyLoader& self) -> py::object {
        const auto table = self.Get().ClassWeights();
        if (!table) return py::none();
        py::dict d;
        d["edges"] = table->edges;
        d["num_bins"] = table->num_bins;
        d["counts"] = table->counts;
        d["weights"] = table->weights;
        d["max_weight"] = table->max_weight;
        d["considered"] = self.Get().ReweightConsidered();
        d["kept"] = self.Get().ReweightKept();
        return d;
      }, "The reweighting's histograms and weights ([class * num_bins + bin]), or None")
      .def("cluster_warning", [](PyLoader& self) { return loader::ClusterWarning(self.Get()); })
      .def("shuffle_plan", [](PyLoader& self) {
        Result<loader::ShufflePlan> plan = [&] {
          py::gil_scoped_release release;  // index arithmetic over the whole epoch
          return loader::PredictShuffle(self.Get());
        }();
        Check(plan.status());
        py::dict d;
        d["epoch"] = plan->epoch;
        d["rows"] = plan->rows;
        d["buffer_rows"] = plan->buffer_rows;
        d["batch_size"] = plan->batch_size;
        d["segments"] = plan->segments;
        d["mean_segment_rows"] = plan->mean_segment_rows;
        d["segments_per_buffer"] = plan->segments_per_buffer;
        d["largest_cluster"] = plan->largest_cluster;
        d["largest_cluster_file"] = plan->largest_cluster_file;
        d["bins_per_batch"] = plan->predicted.bins_per_batch;
        d["var_ratio"] = plan->predicted.var_ratio;
        d["spearman"] = plan->predicted.spearman;
        d["full_batches"] = plan->predicted.full_batches;
        d["piece_entries"] = plan->piece_entries;
        d["units"] = plan->units;
        d["units_read"] = plan->units_read;
        d["decompressions_per_unit"] = plan->DecompressionsPerUnit();
        py::list warnings;
        for (const auto& w : plan->warnings) warnings.append(w);
        d["warnings"] = warnings;
        d["description"] = plan->Describe();
        return d;
      });
}

}  // namespace rootbatch::python
