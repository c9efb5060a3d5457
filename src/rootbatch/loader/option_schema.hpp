// The loader's options described once: name, kind, bounds, help and whether
// the option changes the batches. One table (option_schema.cpp) drives
//  - validation (ValidateOptions checks every row's bounds and kinds),
//  - the resume fingerprint (OptionsFingerprint hashes exactly the rows
//    marked kBatches, so a new option that reorders the stream cannot be
//    forgotten there),
//  - the CLI flags of `rootbatch bench` (--batch-size, --num-threads, ...),
//  - the Python binding (DataLoader passes its keywords by these names;
//    LoaderOptionsFromValues converts and checks them, with a suggestion for
//    a misspelled name).
// Adding an option: its field in LoaderOptions (options.hpp), its row in
// the table, the keyword in DataLoader.__init__ and the docs
// (docs/development.md "Adding a loader option").
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/options.hpp"

namespace rootbatch::loader {

enum class OptionKind : uint8_t {
  kBool,
  kInt,           // an integer field (int or int64_t), within [min, max]
  kSeed,          // uint64_t: any non-negative integer
  kFraction,      // a double within [min_fraction, max_fraction)
  kSize,          // bytes: an integer or a size like "256MB" (ParseByteSize)
  kString,        // a column name, empty for none
  kNames,         // a list of column names (a single string is one name)
  kChoice,        // one of `choices` (bools map to choices[1] / choices[0] where allowed)
  kType,          // an output type name: float32, float64, int64, int32, bool
  kOptionalType,  // an output type name or none (chosen from the data)
  kJagged,        // a list of JaggedColumn
  kCollections,   // a list of Collection
  kTransforms,    // a list of ColumnTransform
  kReweight,      // a Reweighting, or none
};

// Options whose values are lists of structs: Python and C++ set them; the
// command line has no syntax for them.
constexpr bool IsStructured(OptionKind kind) {
  return kind == OptionKind::kJagged || kind == OptionKind::kCollections || kind == OptionKind::kTransforms ||
         kind == OptionKind::kReweight;
}

enum class OptionEffect : uint8_t {
  kBatches,  // changes which rows are yielded, their values or their order: in the fingerprint
  kSpeed,    // only how fast batches come (threads, queue depth) or whether a read may fail
};

// A value as a binding hands it over (a Python object, a command-line word).
using OptionValue = std::variant<std::monostate, bool, int64_t, double, std::string, std::vector<std::string>,
                                 std::vector<JaggedColumn>, std::vector<Collection>, std::vector<ColumnTransform>,
                                 Reweighting>;

struct OptionSpec;
using OptionSetter = Status (*)(const OptionSpec& spec, const OptionValue& value, LoaderOptions& options);
using OptionFormatter = std::string (*)(const LoaderOptions& options);
using OptionChecker = Status (*)(const OptionSpec& spec, const LoaderOptions& options);

struct OptionSpec {
  std::string_view name;       // the Python keyword; the CLI flag is --name with '-' for '_'
  std::string_view cli_alias;  // an older flag of `rootbatch bench` that still works, or empty
  OptionKind kind;
  OptionEffect effect;
  std::string_view help;
  int64_t min = 0;             // kInt
  int64_t max = 0;
  double min_fraction = 0;     // kFraction: [min_fraction, max_fraction)
  double max_fraction = 0;
  std::span<const std::string_view> choices;  // kChoice
  bool bool_choices = false;   // kChoice: true and false stand for choices[1] and choices[0]
  OptionSetter set = nullptr;
  OptionFormatter format = nullptr;  // canonical text: defaults, fingerprints, messages
  OptionChecker check = nullptr;     // bounds of a value set directly in C++
};

// Every option, in the order of the docs.
std::span<const OptionSpec> LoaderOptionSpecs();
// The row named `name` (or its CLI alias), or nullptr.
const OptionSpec* FindOption(std::string_view name);

// Sets one option from a binding's value: checks the kind ("batch_size
// must be an integer, got 2.5") and the bounds. Unknown names are
// InvalidArgument with the closest names suggested.
Status SetOption(LoaderOptions& options, std::string_view name, const OptionValue& value);
// Sets one option from command-line text ("256MB", "a,b,c", "true").
Status SetOptionFromText(LoaderOptions& options, const OptionSpec& spec, std::string_view text);
// Defaults with `values` applied, then ValidateOptions.
Result<LoaderOptions> LoaderOptionsFromValues(const std::map<std::string, OptionValue>& values);

// The canonical text of one option's value in `options`.
std::string FormatOption(const LoaderOptions& options, const OptionSpec& spec);
// A hash of every kBatches option's name and canonical value.
uint64_t OptionsFingerprint(const LoaderOptions& options);

// What a CLI usage text says about every option: "  --batch-size N  rows per batch (default 1024)".
std::string OptionsUsage();

}  // namespace rootbatch::loader
