#include "rootbatch/loader/option_schema.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <type_traits>

#include "rootbatch/base/byte_size.hpp"
#include "rootbatch/base/suggest.hpp"
#include "rootbatch/loader/convert.hpp"
#include "rootbatch/loader/rng.hpp"

namespace rootbatch::loader {
namespace {

constexpr int64_t kIntMax = std::numeric_limits<int32_t>::max();  // int fields
constexpr int64_t kInt64Max = std::numeric_limits<int64_t>::max();

constexpr std::string_view kShuffleChoices[] = {"none", "stream", "cluster-chunks", "pieces", "scatter"};  // ShuffleStrategy order
constexpr std::string_view kSplitChoices[] = {"all", "train", "validation"};         // Split order

std::string Quote(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string Number(double value) {
  char text[40];
  std::snprintf(text, sizeof(text), "%.17g", value);
  return text;
}

// How a value looks in a message ("2.5", "'abc'", "a list of 2 names").
std::string Describe(const OptionValue& value) {
  switch (value.index()) {
    case 0: return "None";
    case 1: return std::get<bool>(value) ? "True" : "False";
    case 2: return std::to_string(std::get<int64_t>(value));
    case 3: {
      char text[40];
      std::snprintf(text, sizeof(text), "%g", std::get<double>(value));
      return text;
    }
    case 4: return Quote(std::get<std::string>(value));
    case 5: return "a list of " + std::to_string(std::get<std::vector<std::string>>(value).size()) + " names";
    case 6: return "a list of jagged columns";
    case 7: return "a list of collections";
    case 8: return "a list of column transforms";
    default: return "a reweighting";
  }
}

Status Mismatch(const OptionSpec& spec, std::string_view wanted, const OptionValue& value) {
  return InvalidArgument("option " + Quote(spec.name) + " must be " + std::string(wanted) + ", got " +
                         Describe(value));
}

template <auto Member>
auto& Field(LoaderOptions& options) {
  return options.*Member;
}
template <auto Member>
const auto& Field(const LoaderOptions& options) {
  return options.*Member;
}

// --- one setter, formatter and checker per kind --------------------------------------

Status CheckRange(const OptionSpec& spec, int64_t value) {
  if (value >= spec.min && value <= spec.max) return Status::Ok();
  if (spec.max >= kIntMax) {
    return InvalidArgument("option " + Quote(spec.name) + " must be at least " + std::to_string(spec.min) + ", got " +
                           std::to_string(value));
  }
  return InvalidArgument("option " + Quote(spec.name) + " must be in [" + std::to_string(spec.min) + ", " +
                         std::to_string(spec.max) + "], got " + std::to_string(value));
}

template <auto Member>
Status SetBool(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  const bool* flag = std::get_if<bool>(&value);
  if (flag == nullptr) return Mismatch(spec, "True or False", value);
  Field<Member>(options) = *flag;
  return Status::Ok();
}
template <auto Member>
std::string FormatBool(const LoaderOptions& options) {
  return Field<Member>(options) ? "true" : "false";
}

template <auto Member>
Status SetInt(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  // Refuse 2.5 rather than truncate it; a bool is not a count either.
  const int64_t* number = std::get_if<int64_t>(&value);
  if (number == nullptr) return Mismatch(spec, "an integer", value);
  RB_RETURN_IF_ERROR(CheckRange(spec, *number));
  using T = std::remove_reference_t<decltype(Field<Member>(options))>;
  Field<Member>(options) = static_cast<T>(*number);
  return Status::Ok();
}
template <auto Member>
std::string FormatInt(const LoaderOptions& options) {
  return std::to_string(Field<Member>(options));
}
template <auto Member>
Status CheckInt(const OptionSpec& spec, const LoaderOptions& options) {
  return CheckRange(spec, static_cast<int64_t>(Field<Member>(options)));
}

template <auto Member>
Status SetSeed(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  const int64_t* number = std::get_if<int64_t>(&value);
  if (number == nullptr || *number < 0) return Mismatch(spec, "a non-negative integer", value);
  Field<Member>(options) = static_cast<uint64_t>(*number);
  return Status::Ok();
}

Status CheckFractionValue(const OptionSpec& spec, double value) {
  if (value >= spec.min_fraction && value < spec.max_fraction) return Status::Ok();
  return InvalidArgument("option " + Quote(spec.name) + " must be in [" + Number(spec.min_fraction) + ", " +
                         Number(spec.max_fraction) + "), got " + Number(value));
}
template <auto Member>
Status SetFraction(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  double number;
  if (const double* d = std::get_if<double>(&value)) {
    number = *d;
  } else if (const int64_t* i = std::get_if<int64_t>(&value)) {
    number = static_cast<double>(*i);
  } else {
    return Mismatch(spec, "a number", value);
  }
  RB_RETURN_IF_ERROR(CheckFractionValue(spec, number));
  Field<Member>(options) = number;
  return Status::Ok();
}
template <auto Member>
std::string FormatFraction(const LoaderOptions& options) {
  return Number(Field<Member>(options));
}
template <auto Member>
Status CheckFraction(const OptionSpec& spec, const LoaderOptions& options) {
  return CheckFractionValue(spec, Field<Member>(options));
}

template <auto Member>
Status SetSize(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  int64_t bytes;
  if (const int64_t* number = std::get_if<int64_t>(&value)) {
    bytes = *number;
  } else if (const std::string* text = std::get_if<std::string>(&value)) {
    RB_ASSIGN_OR_RETURN_CTX(bytes, ParseByteSize(*text), "option " + Quote(spec.name));
  } else {
    return Mismatch(spec, "a size in bytes or a text like '256MB'", value);
  }
  RB_RETURN_IF_ERROR(CheckRange(spec, bytes));
  Field<Member>(options) = bytes;
  return Status::Ok();
}

template <auto Member>
Status SetString(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  if (std::holds_alternative<std::monostate>(value)) {
    Field<Member>(options).clear();
    return Status::Ok();
  }
  const std::string* text = std::get_if<std::string>(&value);
  if (text == nullptr) return Mismatch(spec, "a column name or None", value);
  Field<Member>(options) = *text;
  return Status::Ok();
}
template <auto Member>
std::string FormatString(const LoaderOptions& options) {
  return Field<Member>(options);
}

template <auto Member>
Status SetNames(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  if (std::holds_alternative<std::monostate>(value)) {
    Field<Member>(options).clear();
  } else if (const std::string* one = std::get_if<std::string>(&value)) {
    Field<Member>(options) = {*one};  // a single name, not its characters
  } else if (const auto* names = std::get_if<std::vector<std::string>>(&value)) {
    Field<Member>(options) = *names;
  } else {
    return Mismatch(spec, "a column name or a list of them", value);
  }
  return Status::Ok();
}
template <auto Member>
std::string FormatNames(const LoaderOptions& options) {
  std::string text;
  for (const auto& name : Field<Member>(options)) text += (text.empty() ? "" : ",") + name;
  return text;
}

std::string ChoiceList(const OptionSpec& spec) {
  std::string list;
  for (size_t c = 0; c < spec.choices.size(); ++c) {
    list += (c == 0 ? "" : c + 1 == spec.choices.size() ? " or " : ", ") + Quote(spec.choices[c]);
  }
  return list;
}
template <auto Member>
Status SetChoice(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  using Enum = std::remove_reference_t<decltype(Field<Member>(options))>;
  if (const bool* flag = std::get_if<bool>(&value); flag != nullptr && spec.bool_choices) {
    Field<Member>(options) = static_cast<Enum>(*flag ? 1 : 0);
    return Status::Ok();
  }
  const std::string* text = std::get_if<std::string>(&value);
  for (size_t c = 0; text != nullptr && c < spec.choices.size(); ++c) {
    if (*text == spec.choices[c]) {
      Field<Member>(options) = static_cast<Enum>(c);
      return Status::Ok();
    }
  }
  return Mismatch(spec, (spec.bool_choices ? "True, False, " : "") + ChoiceList(spec), value);
}
Status ParseType(const OptionSpec& spec, const OptionValue& value, DataType* type) {
  const std::string* text = std::get_if<std::string>(&value);
  const auto parsed = text != nullptr ? ParseDataType(*text) : std::nullopt;
  if (!parsed || !IsOutputType(*parsed)) return Mismatch(spec, "float32, float64, int64, int32 or bool", value);
  *type = *parsed;
  return Status::Ok();
}
template <auto Member>
Status SetType(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  return ParseType(spec, value, &Field<Member>(options));
}
template <auto Member>
std::string FormatType(const LoaderOptions& options) {
  return std::string(DataTypeName(Field<Member>(options)));
}
Status CheckTypeValue(const OptionSpec& spec, DataType type) {
  if (IsOutputType(type)) return Status::Ok();
  return InvalidArgument("option " + Quote(spec.name) + ": " + std::string(DataTypeName(type)) +
                         " is not an output type (float32, float64, int64, int32, bool)");
}
template <auto Member>
Status CheckType(const OptionSpec& spec, const LoaderOptions& options) {
  return CheckTypeValue(spec, Field<Member>(options));
}

template <auto Member>
Status SetOptionalType(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  if (std::holds_alternative<std::monostate>(value)) {
    Field<Member>(options).reset();
    return Status::Ok();
  }
  DataType type = DataType::kFloat32;
  RB_RETURN_IF_ERROR(ParseType(spec, value, &type));
  Field<Member>(options) = type;
  return Status::Ok();
}
template <auto Member>
std::string FormatOptionalType(const LoaderOptions& options) {
  const auto& type = Field<Member>(options);
  return type ? std::string(DataTypeName(*type)) : "auto";
}
template <auto Member>
Status CheckOptionalType(const OptionSpec& spec, const LoaderOptions& options) {
  const auto& type = Field<Member>(options);
  return type ? CheckTypeValue(spec, *type) : Status::Ok();
}

template <auto Member>
Status SetJagged(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  if (std::holds_alternative<std::monostate>(value)) {
    Field<Member>(options).clear();
    return Status::Ok();
  }
  const auto* columns = std::get_if<std::vector<JaggedColumn>>(&value);
  if (columns == nullptr) return Mismatch(spec, "a list of jagged columns", value);
  Field<Member>(options) = *columns;
  return CheckJaggedColumns(*columns);
}
template <auto Member>
std::string FormatJagged(const LoaderOptions& options) {
  std::string text;
  for (const auto& j : Field<Member>(options)) {
    text += (text.empty() ? "" : ";") + j.name + ":" + std::string(JaggedModeName(j.mode)) + ":" +
            std::to_string(j.max_length) + ":" + std::to_string(j.max_inner_length) + ":" + Number(j.pad_value) +
            ":" + (j.mask ? "mask" : "nomask") + ":" + std::string(DataTypeName(j.type));
  }
  return text;
}
template <auto Member>
Status CheckJagged(const OptionSpec&, const LoaderOptions& options) {
  return CheckJaggedColumns(Field<Member>(options));
}

// A list option of structs (collections, transforms): set, formatted for the
// fingerprint, checked by `Check`.
template <auto Member, typename Item, Status (*Check)(const std::vector<Item>&)>
Status SetList(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  if (std::holds_alternative<std::monostate>(value)) {
    Field<Member>(options).clear();
    return Status::Ok();
  }
  const auto* items = std::get_if<std::vector<Item>>(&value);
  if (items == nullptr) return Mismatch(spec, std::string("a list of ") + std::string(spec.name), value);
  Field<Member>(options) = *items;
  return Check(*items);
}
template <auto Member, typename Item, Status (*Check)(const std::vector<Item>&)>
Status CheckList(const OptionSpec&, const LoaderOptions& options) {
  return Check(Field<Member>(options));
}

std::string FormatCollections(const LoaderOptions& options) {
  std::string text;
  for (const auto& c : options.collections) {
    std::string members;
    for (const auto& m : c.columns) members += (members.empty() ? "" : ",") + m;
    text += (text.empty() ? "" : ";") + c.name + ":[" + members + "]:" + std::to_string(c.max_length) + ":" +
            std::string(CollectionLayoutName(c.layout)) + ":" + Number(c.pad_value) + ":" + c.sort_by + ":" +
            (c.mask ? "mask" : "nomask");
  }
  return text;
}

// Given numbers are part of what the batches hold; "auto" ones follow from
// the data, the seed and preprocessing_sample, so "auto" stands for them.
std::string FormatTransforms(const LoaderOptions& options) {
  std::string text;
  for (const auto& t : options.preprocessing) {
    text += (text.empty() ? "" : ";") + t.column + ":";
    if (t.fill_nan) text += "fill_nan=" + Number(*t.fill_nan) + ",";
    if (t.log) text += "log,";
    if (t.scaling == ColumnTransform::Scaling::kAuto) text += "standardize=auto,";
    if (t.scaling == ColumnTransform::Scaling::kGiven) {
      text += "standardize=" + Number(t.center) + "/" + Number(t.scale) + ",";
    }
    if (t.clip) text += "clip=" + Number(t.clip->first) + "/" + Number(t.clip->second);
  }
  return text;
}

Status SetReweight(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options) {
  if (std::holds_alternative<std::monostate>(value)) {
    options.reweight.reset();
    return Status::Ok();
  }
  const auto* reweighting = std::get_if<Reweighting>(&value);
  if (reweighting == nullptr) return Mismatch(spec, "a reweighting or None", value);
  options.reweight = *reweighting;
  return CheckReweighting(*reweighting);
}
std::string FormatReweight(const LoaderOptions& options) {
  if (!options.reweight) return "";
  const Reweighting& r = *options.reweight;
  std::string text = r.mode == Reweighting::Mode::kSample ? "sample:" : "weights:";
  for (size_t v = 0; v < r.variables.size(); ++v) {
    text += r.variables[v] + "[";
    for (size_t e = 0; v < r.edges.size() && e < r.edges[v].size(); ++e) text += (e ? "," : "") + Number(r.edges[v][e]);
    text += "]";
  }
  text += ":";
  for (const auto& c : r.classes) text += c + ",";
  return text + ":" + r.reference;
}
Status CheckReweight(const OptionSpec&, const LoaderOptions& options) {
  return options.reweight ? CheckReweighting(*options.reweight) : Status::Ok();
}

// --- the rows -------------------------------------------------------------------------

template <auto Member>
constexpr OptionSpec Bool(std::string_view name, OptionEffect effect, std::string_view help) {
  return {name, {}, OptionKind::kBool, effect, help, 0, 0, 0, 0, {}, false, &SetBool<Member>, &FormatBool<Member>};
}
template <auto Member>
constexpr OptionSpec Int(std::string_view name, OptionEffect effect, int64_t min, int64_t max, std::string_view help,
                         std::string_view alias = {}) {
  return {name,         alias, OptionKind::kInt, effect, help, min, max, 0, 0, {}, false, &SetInt<Member>,
          &FormatInt<Member>, &CheckInt<Member>};
}
template <auto Member>
constexpr OptionSpec Seed(std::string_view name, std::string_view help) {
  return {name, {}, OptionKind::kSeed, OptionEffect::kBatches, help, 0, 0, 0, 0, {}, false, &SetSeed<Member>,
          &FormatInt<Member>};
}
template <auto Member>
constexpr OptionSpec Fraction(std::string_view name, double min, double max, std::string_view help) {
  return {name, {}, OptionKind::kFraction, OptionEffect::kBatches, help, 0, 0, min, max, {}, false,
          &SetFraction<Member>, &FormatFraction<Member>, &CheckFraction<Member>};
}
template <auto Member>
constexpr OptionSpec Size(std::string_view name, std::string_view help) {
  return {name, {}, OptionKind::kSize, OptionEffect::kBatches, help, 1, kInt64Max, 0, 0, {}, false,
          &SetSize<Member>, &FormatInt<Member>, &CheckInt<Member>};
}
template <auto Member>
constexpr OptionSpec String(std::string_view name, std::string_view help, std::string_view alias = {}) {
  return {name, alias, OptionKind::kString, OptionEffect::kBatches, help, 0, 0, 0, 0, {}, false,
          &SetString<Member>, &FormatString<Member>};
}
template <auto Member>
constexpr OptionSpec Names(std::string_view name, OptionEffect effect, std::string_view help) {
  return {name, {}, OptionKind::kNames, effect, help, 0, 0, 0, 0, {}, false, &SetNames<Member>, &FormatNames<Member>};
}
template <auto Member>
constexpr OptionSpec Type(std::string_view name, std::string_view help) {
  return {name, {}, OptionKind::kType, OptionEffect::kBatches, help, 0, 0, 0, 0, {}, false, &SetType<Member>,
          &FormatType<Member>, &CheckType<Member>};
}
template <auto Member, const std::string_view* Choices, size_t N>
std::string FormatChoiceOf(const LoaderOptions& options) {
  const auto index = static_cast<size_t>(Field<Member>(options));
  return index < N ? std::string(Choices[index]) : "?";
}
template <auto Member, const std::string_view* Choices, size_t N>
constexpr OptionSpec Choice(std::string_view name, bool bool_choices, std::string_view help) {
  return {name, {}, OptionKind::kChoice, OptionEffect::kBatches, help, 0, 0, 0, 0,
          std::span<const std::string_view>(Choices, N), bool_choices, &SetChoice<Member>,
          &FormatChoiceOf<Member, Choices, N>};
}

using O = LoaderOptions;
constexpr auto kBatches = OptionEffect::kBatches;
constexpr auto kSpeed = OptionEffect::kSpeed;

// Names are DataLoader's keywords (ROOT's RDataLoader's where they mean the
// same); the C++ field is beside each.
const OptionSpec kSpecs[] = {
    Names<&O::features>("columns", kBatches,
                        "feature columns (default: every numeric scalar column that is not a target, the weight or "
                        "jagged)"),
    Names<&O::targets>("target", kBatches, "target column(s), the y of each batch"),
    String<&O::weight>("weights", "a column of per-event weights, the w of each batch", "weight"),
    Names<&O::class_columns>("class_columns", kBatches,
                             "one-hot class columns: the targets end with the index of the one set (class_index)"),
    {"jagged", {}, OptionKind::kJagged, kBatches, "jagged columns and how to batch them (pad, ragged, flatten)",
     0, 0, 0, 0, {}, false, &SetJagged<&O::jagged>, &FormatJagged<&O::jagged>, &CheckJagged<&O::jagged>},
    {"collections", {}, OptionKind::kCollections, kBatches,
     "jagged columns of one collection grouped into one [rows, P, F] (or [rows, F, P], or ragged) tensor", 0, 0, 0,
     0, {}, false, &SetList<&O::collections, Collection, &CheckCollections>, &FormatCollections,
     &CheckList<&O::collections, Collection, &CheckCollections>},
    {"preprocessing", {}, OptionKind::kTransforms, kBatches,
     "per-column fill_nan, log, standardize (given or auto) and clip, applied on the workers", 0, 0, 0, 0, {}, false,
     &SetList<&O::preprocessing, ColumnTransform, &CheckTransforms>, &FormatTransforms,
     &CheckList<&O::preprocessing, ColumnTransform, &CheckTransforms>},
    Int<&O::preprocessing_sample>("preprocessing_sample", kBatches, 1, kInt64Max,
                                  "training-split entries sampled for standardize='auto'"),
    {"reweight", {}, OptionKind::kReweight, kBatches,
     "class reweighting in one or two variables: per-event weights, or seeded rejection sampling", 0, 0, 0, 0, {},
     false, &SetReweight, &FormatReweight, &CheckReweight},
    Type<&O::feature_type>("feature_type", "output type of the feature matrix"),
    {"target_type", {}, OptionKind::kOptionalType, kBatches,
     "output type of the targets; auto: the narrowest of float32, float64, int64 holding them exactly", 0, 0, 0,
     0, {}, false, &SetOptionalType<&O::target_type>, &FormatOptionalType<&O::target_type>,
     &CheckOptionalType<&O::target_type>},
    Type<&O::weight_type>("weight_type", "output type of the weights"),
    // Whether a read may fail, never what a batch holds: not in the fingerprint.
    Names<&O::lossy_features>("lossy_features", kSpeed,
                              "integer features a float output type may round (others fail when it would)"),
    Int<&O::batch_size>("batch_size", kBatches, 1, kInt64Max, "rows per batch"),
    Bool<&O::drop_remainder>("drop_remainder", kBatches, "drop each shard's last, partial batch"),
    Size<&O::memory_budget>("memory", "hard cap on what the loader holds (shuffle buffer, reads, ready batches)"),
    Int<&O::num_threads>("num_threads", kSpeed, 1, 256, "decompression threads (plus one assembling batches)",
                         "threads"),
    Int<&O::queue_batches>("queue_batches", kSpeed, 1, 64, "ready batches queued ahead of the consumer"),
    Seed<&O::seed>("seed", "seed of the split, the sampling and every epoch's order"),
    Choice<&O::shuffle, kShuffleChoices, 5>("shuffle", true,
                                            "strategy: stream (True), pieces, scatter, cluster-chunks (ROOT 6.40's) or none (False)"),
    Bool<&O::stratify>("stratify", kBatches, "stream: consecutive blocks from distant parts of the data"),
    Int<&O::block_split>("block_split", kBatches, 1, 1024,
                         "stream: cut every block into this many pieces (better mixing, more decompression)"),
    Int<&O::pieces_per_buffer>("pieces_per_buffer", kBatches, 0, 1 << 20,
                               "stream: pieces the buffer mixes (0: whole blocks, each basket decompressed once)"),
    Int<&O::max_block_entries>("max_block_entries", kBatches, 1, kInt64Max,
                               "longest block, the unit of reading and shuffling (part of the split's definition)"),
    Choice<&O::split, kSplitChoices, 3>("split", false, "which part: all, train or validation"),
    Fraction<&O::validation_fraction>("validation_split", 0.0, 1.0, "fraction of each source held out for validation"),
    Int<&O::rank>("rank", kBatches, 0, kIntMax, "this process's rank (DDP)"),
    Int<&O::world_size>("world_size", kBatches, 1, kIntMax, "processes sharing the data (DDP)"),
    Int<&O::worker_id>("worker_id", kBatches, 0, kIntMax, "this data-loading worker"),
    Int<&O::num_workers>("num_workers", kBatches, 1, kIntMax, "data-loading workers per process"),
};

}  // namespace

std::span<const OptionSpec> LoaderOptionSpecs() { return kSpecs; }

const OptionSpec* FindOption(std::string_view name) {
  for (const OptionSpec& spec : kSpecs) {
    if (spec.name == name || (!spec.cli_alias.empty() && spec.cli_alias == name)) return &spec;
  }
  return nullptr;
}

Status SetOption(LoaderOptions& options, std::string_view name, const OptionValue& value) {
  const OptionSpec* spec = FindOption(name);
  if (spec == nullptr) {
    std::vector<std::string> names;
    for (const OptionSpec& candidate : kSpecs) names.emplace_back(candidate.name);
    const std::vector<std::string> closest = ClosestNames(name, names);
    return InvalidArgument("unknown loader option " + Quote(name) +
                           (closest.empty() ? std::string() : "; " + DidYouMean(closest)));
  }
  return spec->set(*spec, value, options);
}

Status SetOptionFromText(LoaderOptions& options, const OptionSpec& spec, std::string_view text) {
  const std::string word(text);
  switch (spec.kind) {
    case OptionKind::kBool:
      if (word == "true" || word == "1") return spec.set(spec, true, options);
      if (word == "false" || word == "0") return spec.set(spec, false, options);
      return Mismatch(spec, "true or false", word);
    case OptionKind::kInt:
    case OptionKind::kSeed: {
      char* end = nullptr;
      errno = 0;
      const long long number = std::strtoll(word.c_str(), &end, 10);
      if (word.empty() || *end != '\0' || errno != 0) return Mismatch(spec, "an integer", word);
      return spec.set(spec, static_cast<int64_t>(number), options);
    }
    case OptionKind::kFraction: {
      char* end = nullptr;
      const double number = std::strtod(word.c_str(), &end);
      if (word.empty() || *end != '\0') return Mismatch(spec, "a number", word);
      return spec.set(spec, number, options);
    }
    case OptionKind::kNames: {
      std::vector<std::string> names;
      size_t start = 0;
      while (start <= word.size()) {
        const size_t comma = std::min(word.find(',', start), word.size());
        if (comma > start) names.push_back(word.substr(start, comma - start));
        start = comma + 1;
      }
      return spec.set(spec, names, options);
    }
    case OptionKind::kOptionalType:
      if (word == "auto") return spec.set(spec, std::monostate{}, options);
      return spec.set(spec, word, options);
    case OptionKind::kJagged:
    case OptionKind::kCollections:
    case OptionKind::kTransforms:
    case OptionKind::kReweight:
      return InvalidArgument("option " + Quote(spec.name) + " cannot be given as text");
    default:
      return spec.set(spec, word, options);
  }
}

Result<LoaderOptions> LoaderOptionsFromValues(const std::map<std::string, OptionValue>& values) {
  LoaderOptions options;
  for (const auto& [name, value] : values) RB_RETURN_IF_ERROR(SetOption(options, name, value));
  RB_RETURN_IF_ERROR(ValidateOptions(options));
  return options;
}

std::string FormatOption(const LoaderOptions& options, const OptionSpec& spec) { return spec.format(options); }

uint64_t OptionsFingerprint(const LoaderOptions& options) {
  uint64_t h = Mix64(0x6f7074696f6e73ull);
  auto add_text = [&h](std::string_view text) {
    for (char c : text) h = Mix64(h ^ static_cast<uint8_t>(c));
    h = Mix64(h ^ 0xffull);  // end of a word: "ab","c" differs from "a","bc"
  };
  for (const OptionSpec& spec : kSpecs) {
    if (spec.effect != OptionEffect::kBatches) continue;
    add_text(spec.name);
    add_text(spec.format(options));
  }
  return h;
}

std::string OptionsUsage() {
  const LoaderOptions defaults;
  std::string text;
  for (const OptionSpec& spec : kSpecs) {
    if (IsStructured(spec.kind)) continue;
    std::string flag = "--" + std::string(spec.name);
    for (char& c : flag) c = c == '_' ? '-' : c;
    std::string value;
    switch (spec.kind) {
      case OptionKind::kBool: value = ", --no-" + flag.substr(2); break;
      case OptionKind::kNames: value = " a,b,..."; break;
      case OptionKind::kSize: value = " SIZE"; break;
      case OptionKind::kString: value = " COL"; break;
      case OptionKind::kChoice:
      case OptionKind::kType:
      case OptionKind::kOptionalType: value = " NAME"; break;
      default: value = " N"; break;
    }
    std::string line = "  " + flag + value;
    line.resize(std::max<size_t>(line.size() + 1, 26), ' ');
    std::string fallback = spec.format(defaults);
    if (spec.kind == OptionKind::kSize) fallback = FormatByteSize(std::stoll(fallback));
    line += std::string(spec.help) + (fallback.empty() ? "" : " (default " + fallback + ")");
    if (!spec.cli_alias.empty()) line += "; also --" + std::string(spec.cli_alias);
    text += line + "\n";
  }
  return text;
}

}  // namespace rootbatch::loader
