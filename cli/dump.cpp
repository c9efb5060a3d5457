// rootbatch dump FILE... --json [--tree T] [--branches a,b]
//
// One JSON object per file, in the layout of the golden files under
// shared/testdata/root/golden: the header, every key, and per tree and
// branch the entry count, the first and last five entries and sums; an
// RNTuple is listed as a tree (classname "ROOT::RNTuple") with one "branches"
// entry per readable leaf column. Other
// tools compare against this output: keep it stable.
#include <cstdio>
#include <map>
#include <set>

#include "cli/args.hpp"
#include "cli/column_stats.hpp"
#include "cli/commands.hpp"
#include "cli/frame_args.hpp"
#include "cli/json_writer.hpp"
#include "rootbatch/frame/open_source.hpp"
#include "rootbatch/rntuple/ntuple_source.hpp"
#include "rootbatch/tfile/directory.hpp"
#include "rootbatch/tfile/root_file.hpp"
#include "rootbatch/ttree/tree_source.hpp"

namespace rootbatch::cli {
namespace {

constexpr int64_t kShownEntries = 5;

const char* KindName(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kScalar: return "flat";
    case ColumnKind::kFixedArray: return "fixed";
    case ColumnKind::kJagged: return "jagged";
    case ColumnKind::kString: return "string";
    case ColumnKind::kDoublyJagged: return "jagged2";
  }
  return "?";
}

void WriteHeader(JsonWriter& json, const RootFile& file) {
  const FileHeader& h = file.Header();
  json.Key("header");
  json.BeginObject();
  json.Key("fVersion");
  json.Int(h.version + (h.big ? kBigFileVersionOffset : 0));
  json.Key("root_version");
  json.String(h.RootVersionString());
  json.Key("big");
  json.Bool(h.big);
  json.Key("fBEGIN");
  json.Int(h.begin);
  json.Key("fEND");
  json.Int(h.end);
  json.Key("fCompress");
  json.Int(h.compress);
  json.Key("fSeekInfo");
  json.Int(h.seek_info);
  json.EndObject();
}

void WriteEntries(JsonWriter& json, const std::vector<const Column*>& columns,
                  const std::vector<const ColumnSpec*>& specs, bool record, int64_t begin, int64_t end) {
  json.BeginArray();
  for (int64_t e = begin; e < end; ++e) {
    if (record) {
      json.BeginObject();
      for (size_t c = 0; c < columns.size(); ++c) {
        std::string field = specs[c]->name.substr(specs[c]->name.rfind('.') + 1);
        json.Key(field);
        WriteEntry(json, *specs[c], *columns[c], e);
      }
      json.EndObject();
    } else {
      WriteEntry(json, *specs[0], *columns[0], e);
    }
  }
  json.EndArray();
}

// One branch record: a column, or the columns of one leaf list.
void WriteBranch(JsonWriter& json, const std::string& name, const std::vector<const Column*>& columns,
                 const std::vector<const ColumnSpec*>& specs, bool record, int64_t entries) {
  json.NewLine();
  json.BeginObject();
  json.Key("name");
  json.String(name);
  json.Key("kind");
  json.String(record ? "record" : KindName(specs[0]->kind));
  json.Key("typename");
  json.String(record ? "record" : specs[0]->source_type);
  json.Key("dtype");
  json.String(record ? "record" : std::string(DataTypeName(specs[0]->type)));
  if (!record && !specs[0]->inner_shape.empty()) {
    json.Key("shape");
    json.BeginArray();
    for (int64_t d : specs[0]->inner_shape) json.Int(d);
    json.EndArray();
  }
  json.Key("n");
  json.Int(entries);
  json.Key("first");
  WriteEntries(json, columns, specs, record, 0, std::min(entries, kShownEntries));
  json.Key("last");
  WriteEntries(json, columns, specs, record, std::max<int64_t>(0, entries - kShownEntries), entries);
  if (record) {
    json.Key("sum");
    json.BeginObject();
    for (size_t c = 0; c < columns.size(); ++c) {
      json.Key(specs[c]->name.substr(specs[c]->name.rfind('.') + 1));
      json.Double(Summarize(*specs[c], *columns[c]).sum);
    }
    json.EndObject();
  } else {
    ColumnSums sums = Summarize(*specs[0], *columns[0]);
    if (specs[0]->kind == ColumnKind::kString) {
      json.Key("len_sum");
      json.Int(sums.len_sum);
    } else {
      json.Key("sum");
      json.Double(sums.sum);
      if (sums.has_isum) {
        json.Key("isum");
        json.Int128(sums.isum);
      }
      if (specs[0]->kind == ColumnKind::kJagged || specs[0]->kind == ColumnKind::kDoublyJagged) {
        json.Key("counts_sum");
        json.Int(sums.counts_sum);
      }
    }
  }
  json.EndObject();
}

// "skipped": what cannot be read (with the reason), then what failed to read.
void WriteSkipped(JsonWriter& json, const std::vector<UnreadableColumn>& skipped_columns,
                  const std::vector<std::pair<std::string, std::string>>& failed) {
  json.Key("skipped");
  json.BeginArray();
  for (const auto& skipped : skipped_columns) {
    json.NewLine();
    json.BeginObject();
    json.Key("name");
    json.String(skipped.name);
    json.Key("typename");
    json.String(skipped.type_name);
    json.Key("reason");
    json.String(skipped.reason);
    json.EndObject();
  }
  for (const auto& [name, reason] : failed) {
    json.NewLine();
    json.BeginObject();
    json.Key("name");
    json.String(name);
    json.Key("reason");
    json.String("read error: " + reason);
    json.EndObject();
  }
  json.EndArray();
}

// Opens a "trees" entry with the keys every format shares.
void BeginTree(JsonWriter& json, const std::string& path, int cycle, const std::string& class_name,
               const std::string& title, int64_t entries) {
  json.NewLine();
  json.BeginObject();
  json.Key("path");
  json.String(path);
  json.Key("cycle");
  json.Int(cycle);
  json.Key("classname");
  json.String(class_name);
  json.Key("title");
  json.String(title);
  json.Key("entries");
  json.Int(entries);
}

Status DumpTree(JsonWriter& json, std::shared_ptr<const RootFile> file, const std::string& path, int cycle,
                const std::set<std::string>& only) {
  RB_ASSIGN_OR_RETURN(auto tree, TreeSource::Open(file, path + ";" + std::to_string(cycle)));
  BeginTree(json, path, cycle, tree->ClassName(), tree->Model().title, tree->NumEntries());
  const auto& specs = tree->Columns();
  std::vector<std::pair<std::string, std::string>> failed;
  json.Key("branches");
  json.BeginArray();
  for (size_t c = 0; c < specs.size();) {
    const Interpretation& in = tree->ColumnInterpretation(c);
    // Leaf lists: every column of the same record goes into one entry.
    size_t stop = c + 1;
    if (!in.record.empty()) {
      while (stop < specs.size() && tree->ColumnInterpretation(stop).record == in.record) ++stop;
    }
    const std::string name = in.record.empty() ? specs[c].name : in.record;
    if (!only.empty() && !only.count(name)) {
      c = stop;
      continue;
    }
    std::vector<Column> columns;
    Status status;
    const int64_t column_entries = tree->ColumnEntries(c);
    for (size_t k = c; k < stop && status.IsOk(); ++k) {
      auto column = tree->ReadColumn(k, {0, column_entries});
      if (!column.IsOk()) {
        status = column.status();
      } else {
        columns.push_back(std::move(*column));
      }
    }
    if (!status.IsOk()) {
      failed.emplace_back(name, status.ToString());
    } else {
      std::vector<const Column*> column_ptrs;
      std::vector<const ColumnSpec*> spec_ptrs;
      for (size_t k = c; k < stop; ++k) {
        column_ptrs.push_back(&columns[k - c]);
        spec_ptrs.push_back(&specs[k]);
      }
      WriteBranch(json, name, column_ptrs, spec_ptrs, !in.record.empty(), column_entries);
    }
    c = stop;
  }
  json.EndArray();
  WriteSkipped(json, tree->Skipped(), failed);
  json.EndObject();
  return Status::Ok();
}

// "branches" and "skipped" of any column source, one entry per readable
// column over all of its entries (an RNTuple's leaf columns, a filtered
// frame's passing entries).
void WriteSourceBranches(JsonWriter& json, const ColumnSource& source, const std::set<std::string>& only) {
  const auto& specs = source.Columns();
  std::vector<std::pair<std::string, std::string>> failed;
  json.Key("branches");
  json.BeginArray();
  for (size_t c = 0; c < specs.size(); ++c) {
    if (!only.empty() && !only.count(specs[c].name)) continue;
    auto column = source.ReadColumn(c, {0, source.NumEntries()});
    if (!column.IsOk()) {
      failed.emplace_back(specs[c].name, column.status().ToString());
      continue;
    }
    WriteBranch(json, specs[c].name, {&*column}, {&specs[c]}, false, source.NumEntries());
  }
  json.EndArray();
  WriteSkipped(json, source.UnreadableColumns(), failed);
}

// An RNTuple in the layout of a tree: each readable leaf column is one
// "branches" entry with a TTree branch's keys.
Status DumpNTuple(JsonWriter& json, std::shared_ptr<const RootFile> file, const std::string& path, int cycle,
                  const std::set<std::string>& only) {
  RB_ASSIGN_OR_RETURN(auto ntuple, NTupleSource::Open(file, path + ";" + std::to_string(cycle)));
  BeginTree(json, path, cycle, "ROOT::RNTuple", ntuple->Descriptor().schema.description, ntuple->NumEntries());
  WriteSourceBranches(json, *ntuple, only);
  json.EndObject();
  return Status::Ok();
}

bool IsTree(const std::string& class_name) {
  return class_name == "TTree" || class_name == "TNtuple" || class_name == "TNtupleD";
}

// The tree or RNTuple `path;cycle` through --define/--filter: the dump
// layout over the passing entries, each define a branch.
Status DumpFrame(JsonWriter& json, const std::string& file_path, const std::string& path, int cycle,
                 const KeyHeader& key, const Args& args, const std::set<std::string>& only) {
  RB_ASSIGN_OR_RETURN(std::optional<Frame> frame,
                      FrameFromArgs(args, {file_path}, path + ";" + std::to_string(cycle)));
  RB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> rows, frame->Materialize(2));
  BeginTree(json, path, cycle, key.class_name, key.title, rows->NumEntries());
  WriteSourceBranches(json, rows->File(0), only);
  json.EndObject();
  return Status::Ok();
}

Status DumpFile(const std::string& path, const std::string& tree_filter, const std::set<std::string>& only,
                const Args& args) {
  const bool framed = !args.InOrder(kFrameOptions).empty();
  if (framed && tree_filter.empty()) {
    return InvalidArgument("--define and --filter need --tree (the tree or RNTuple they apply to)");
  }
  RB_ASSIGN_OR_RETURN(std::shared_ptr<const RootFile> file, RootFile::Open(path));
  JsonWriter json;
  json.BeginObject();
  json.Key("file");
  json.String(path.substr(path.rfind('/') + 1));
  json.Key("size");
  json.Int(file->Source().Size());
  WriteHeader(json, *file);
  json.Key("keys");
  json.BeginObject();
  const auto keys = file->AllKeys();
  for (const auto& entry : keys) {
    json.Key(entry.path + ";" + std::to_string(entry.key->cycle));
    json.String(entry.key->class_name);
  }
  json.EndObject();
  json.Key("trees");
  json.BeginArray();
  bool found = tree_filter.empty();
  for (const auto& entry : keys) {
    const bool rntuple = IsRNTupleClass(entry.key->class_name);
    if (!IsTree(entry.key->class_name) && !rntuple) continue;
    if (!tree_filter.empty()) {
      std::string with_cycle = entry.path + ";" + std::to_string(entry.key->cycle);
      if (tree_filter != entry.path && tree_filter != with_cycle) continue;
      found = true;
    }
    if (framed) {
      RB_RETURN_IF_ERROR(DumpFrame(json, path, entry.path, entry.key->cycle, *entry.key, args, only));
    } else if (rntuple) {
      RB_RETURN_IF_ERROR(DumpNTuple(json, file, entry.path, entry.key->cycle, only));
    } else {
      RB_RETURN_IF_ERROR(DumpTree(json, file, entry.path, entry.key->cycle, only));
    }
  }
  json.EndArray();
  json.EndObject();
  if (!found) {
    // Produces the error that lists the trees and RNTuples.
    RB_RETURN_IF_ERROR(OpenColumnSource(file, tree_filter).status());
  }
  std::fwrite(json.Text().data(), 1, json.Text().size(), stdout);
  std::fputc('\n', stdout);
  return Status::Ok();
}

}  // namespace

int RunDump(const std::vector<std::string>& argv) {
  std::set<std::string> options = {"tree", "branches"};
  options.insert(kFrameOptions.begin(), kFrameOptions.end());
  auto args = Args::Parse(argv, options, {"json", "help"});
  if (!args.IsOk()) return ReportError("dump", args.status());
  if (args->Flag("help") || args->Positional().empty()) {
    std::fprintf(args->Flag("help") ? stdout : stderr,
                 "usage: rootbatch dump FILE... --json [--tree T] [--branches a,b]\n"
                 "                      [--define NAME=EXPR]... [--filter EXPR]...\n"
                 "Prints, per file, one JSON object: header, keys, and for every tree and branch\n"
                 "the entry count, first and last 5 entries, and sums (the golden-file layout).\n"
                 "With --define/--filter (RDataFrame expressions, applied in the order given;\n"
                 "--tree required) the tree's entries are those passing and each define is a branch.\n");
    return args->Flag("help") ? 0 : 2;
  }
  if (!args->Flag("json")) {
    return ReportError("dump", InvalidArgument("only --json output exists; add --json"));
  }
  std::vector<std::string> list = SplitList(args->GetOr("branches", ""));
  std::set<std::string> only(list.begin(), list.end());
  int code = 0;
  for (const auto& path : args->Positional()) {
    Status status = DumpFile(path, args->GetOr("tree", ""), only, *args);
    if (!status.IsOk()) code = ReportError("dump", status);
  }
  return code;
}

}  // namespace rootbatch::cli
