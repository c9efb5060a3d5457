// Dataset: one tree read from several files, seen as one sequence of entries.
//
// The global entry index counts entries across the files in the order given
// (file 0's entries first); the loader reports it for every event it yields,
// so it is the identity tests and shuffle metrics use.
//
// Files are opened through a SourceOpener so that the frame and the loader
// never include a format's headers: the default opener reads TTrees
// (OpenTreeSource); tests pass in-memory sources.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "rootbatch/base/status.hpp"
#include "rootbatch/column/column.hpp"

namespace rootbatch {

using SourceOpener =
    std::function<Result<std::unique_ptr<ColumnSource>>(const std::string& path, const std::string& tree)>;

// Opens TTrees and RNTuples by their key's class (OpenColumnSource in
// open_source.hpp; default_opener.cpp).
SourceOpener DefaultSourceOpener();

class Dataset {
 public:
  // Expands `paths` (see ExpandPaths) and opens `tree` in each file with
  // `opener`. Errors name the file. Immutable afterwards; share it freely.
  static Result<std::shared_ptr<const Dataset>> Open(const std::vector<std::string>& paths,
                                                     const std::string& tree, const SourceOpener& opener);
  // Wraps already-open sources, in order (tests, custom formats).
  static Result<std::shared_ptr<const Dataset>> FromSources(
      std::vector<std::unique_ptr<ColumnSource>> sources);

  size_t NumFiles() const { return files_.size(); }
  const ColumnSource& File(size_t file) const { return *files_[file]; }
  int64_t NumEntries() const { return starts_.back(); }
  // Global index of the first entry of `file`; FileStart(NumFiles()) is NumEntries().
  int64_t FileStart(size_t file) const { return starts_[file]; }
  // (file, entry within the file) of a global index in [0, NumEntries()).
  std::pair<size_t, int64_t> Locate(int64_t global_entry) const;

  // The schema: the first file's columns.
  const std::vector<ColumnSpec>& Columns() const { return files_.front()->Columns(); }
  // Index of each named column in every file: result[file][i] is names[i]'s
  // index in that file. Fails if a file lacks a column or disagrees with the
  // first file on its type, kind or shape.
  Result<std::vector<std::vector<size_t>>> ResolveColumns(std::span<const std::string> names) const;

  // "tree 'events' in 3 files (a.root, ...)"
  std::string Description() const;

 private:
  explicit Dataset(std::vector<std::unique_ptr<ColumnSource>> files);

  std::vector<std::unique_ptr<ColumnSource>> files_;
  std::vector<int64_t> starts_;  // NumFiles() + 1 prefix sums of entries
};

}  // namespace rootbatch
