// rootbatch ls FILE...
//
// A readable table of what a ROOT file holds: its header, every key, and for
// each tree its entries, clusters and branches with their types, codec and
// sizes. Branches rootbatch cannot read are listed with the reason. An
// RNTuple lists its entries, clusters and leaf columns with their type,
// column encoding, compression and page sizes, and its unreadable fields.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "cli/args.hpp"
#include "cli/commands.hpp"
#include "rootbatch/codec/codec.hpp"
#include "rootbatch/rntuple/ntuple_source.hpp"
#include "rootbatch/tfile/directory.hpp"
#include "rootbatch/tfile/root_file.hpp"
#include "rootbatch/ttree/basket.hpp"
#include "rootbatch/ttree/tree_source.hpp"

namespace rootbatch::cli {
namespace {

std::string HumanBytes(int64_t bytes) {
  char text[32];
  if (bytes < 1024) {
    std::snprintf(text, sizeof(text), "%lld B", static_cast<long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(text, sizeof(text), "%.1f KiB", bytes / 1024.0);
  } else if (bytes < int64_t{1024} * 1024 * 1024) {
    std::snprintf(text, sizeof(text), "%.1f MiB", bytes / (1024.0 * 1024.0));
  } else {
    std::snprintf(text, sizeof(text), "%.2f GiB", bytes / (1024.0 * 1024.0 * 1024.0));
  }
  return text;
}

// Prints rows as left-aligned columns, two spaces apart.
void PrintTable(const std::vector<std::vector<std::string>>& rows, const std::string& indent) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], row[c].size());
  }
  for (const auto& row : rows) {
    std::string line = indent;
    for (size_t c = 0; c < row.size(); ++c) {
      line += row[c];
      if (c + 1 < row.size()) line += std::string(widths[c] - row[c].size() + 2, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    std::printf("%s\n", line.c_str());
  }
}

std::string SettingText(int32_t fcompress) {
  CompressionSetting setting = CompressionSetting::FromRoot(fcompress);
  if (setting.level == 0) return std::to_string(fcompress) + " (uncompressed)";
  return std::to_string(fcompress) + " (" + std::string(CodecName(setting.codec)) + " level " +
         std::to_string(setting.level) + ")";
}

Status ListTree(const std::shared_ptr<const RootFile>& file, const std::string& path, int cycle) {
  RB_ASSIGN_OR_RETURN(auto tree, TreeSource::Open(file, path + ";" + std::to_string(cycle)));
  const TreeModel& model = tree->Model();
  const auto clusters = tree->ClusterBoundaries();
  std::printf("\ntree %s;%d: %lld entries, %zu clusters, %zu readable columns", path.c_str(), cycle,
              static_cast<long long>(model.entries), clusters.empty() ? size_t{0} : clusters.size() - 1,
              tree->Columns().size());
  if (!tree->Skipped().empty()) std::printf(", %zu unreadable branches", tree->Skipped().size());
  std::printf("\n");
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"COLUMN", "TYPE", "DTYPE", "KIND", "BASKETS", "CODEC", "COMPRESSED", "UNCOMPRESSED"});
  for (size_t c = 0; c < tree->Columns().size(); ++c) {
    const ColumnSpec& spec = tree->Columns()[c];
    const Interpretation& in = tree->ColumnInterpretation(c);
    const BranchModel& branch = model.branches[static_cast<size_t>(in.branch)];
    std::string kind = in.record.empty() ? "" : "leaf of " + in.record;
    if (kind.empty()) {
      switch (spec.kind) {
        case ColumnKind::kScalar: kind = "scalar"; break;
        case ColumnKind::kFixedArray: kind = "fixed"; break;
        case ColumnKind::kJagged: kind = "jagged"; break;
        case ColumnKind::kString: kind = "string"; break;
        case ColumnKind::kDoublyJagged: kind = "doubly jagged"; break;
      }
    }
    auto codec = BranchCodec(file->Source(), branch);
    rows.push_back({spec.name, spec.source_type, std::string(DataTypeName(spec.type)), kind,
                    std::to_string(BasketCount(branch)),
                    codec.IsOk() ? std::string(CodecName(*codec)) : "unreadable",
                    HumanBytes(branch.zip_bytes), HumanBytes(branch.tot_bytes)});
  }
  PrintTable(rows, "  ");
  if (!tree->Skipped().empty()) {
    std::printf("  unreadable:\n");
    std::vector<std::vector<std::string>> skipped;
    for (const auto& s : tree->Skipped()) skipped.push_back({s.name, s.type_name, s.reason});
    PrintTable(skipped, "    ");
  }
  return Status::Ok();
}

std::string CompressionText(const std::string& settings) {
  std::string out;
  size_t start = 0;
  while (start <= settings.size() && !settings.empty()) {
    const size_t comma = settings.find(',', start);
    const std::string one = settings.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    const CompressionSetting setting = CompressionSetting::FromRoot(std::stoi(one));
    out += (out.empty() ? "" : ",") +
           (setting.level == 0 ? std::string("none")
                               : std::string(CodecName(setting.codec)) + " " + std::to_string(setting.level));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out.empty() ? "none" : out;
}

std::string KindText(ColumnKind kind) {
  switch (kind) {
    case ColumnKind::kScalar: return "scalar";
    case ColumnKind::kFixedArray: return "fixed";
    case ColumnKind::kJagged: return "jagged";
    case ColumnKind::kString: return "string";
    case ColumnKind::kDoublyJagged: return "doubly jagged";
  }
  return "?";
}

Status ListNTuple(const std::shared_ptr<const RootFile>& file, const std::string& path, int cycle) {
  RB_ASSIGN_OR_RETURN(auto ntuple, NTupleSource::Open(file, path + ";" + std::to_string(cycle)));
  const auto& d = ntuple->Descriptor();
  std::printf("\nrntuple %s;%d: %lld entries, %zu clusters in %zu cluster groups, %zu readable columns",
              path.c_str(), cycle, static_cast<long long>(ntuple->NumEntries()), d.clusters.size(), d.groups.size(),
              ntuple->Columns().size());
  if (!ntuple->UnreadableColumns().empty()) {
    std::printf(", %zu unreadable fields", ntuple->UnreadableColumns().size());
  }
  std::printf("\n  format %s, written by %s\n", d.anchor.Version().c_str(), d.schema.writer.c_str());
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"COLUMN", "TYPE", "DTYPE", "KIND", "PAGES", "ENCODING", "CODEC", "COMPRESSED", "UNCOMPRESSED"});
  for (size_t c = 0; c < ntuple->Columns().size(); ++c) {
    const ColumnSpec& spec = ntuple->Columns()[c];
    const auto storage = ntuple->Storage(c);
    rows.push_back({spec.name, spec.source_type, std::string(DataTypeName(spec.type)), KindText(spec.kind),
                    std::to_string(storage.pages), storage.encoding, CompressionText(storage.compression),
                    HumanBytes(storage.stored_bytes), HumanBytes(storage.uncompressed_bytes)});
  }
  PrintTable(rows, "  ");
  if (!ntuple->UnreadableColumns().empty()) {
    std::printf("  unreadable:\n");
    std::vector<std::vector<std::string>> skipped;
    for (const auto& s : ntuple->UnreadableColumns()) skipped.push_back({s.name, s.type_name, s.reason});
    PrintTable(skipped, "    ");
  }
  return Status::Ok();
}

Status ListFile(const std::string& path) {
  RB_ASSIGN_OR_RETURN(std::shared_ptr<const RootFile> file, RootFile::Open(path));
  const FileHeader& header = file->Header();
  std::printf("%s: %s, ROOT %s, %s header, compression %s\n", path.c_str(),
              HumanBytes(file->Source().Size()).c_str(), header.RootVersionString().c_str(),
              header.big ? "64-bit (big file)" : "32-bit", SettingText(header.compress).c_str());
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"KEY", "CLASS", "CYCLE", "STORED", "OBJECT", "TITLE"});
  const auto keys = file->AllKeys();
  for (const auto& entry : keys) {
    const KeyHeader& key = *entry.key;
    rows.push_back({entry.path, key.class_name, std::to_string(key.cycle), HumanBytes(key.nbytes),
                    HumanBytes(key.objlen), key.title});
  }
  PrintTable(rows, "  ");
  for (const auto& entry : keys) {
    if (IsRNTupleClass(entry.key->class_name)) {
      Status status = ListNTuple(file, entry.path, entry.key->cycle);
      if (!status.IsOk()) std::printf("\nrntuple %s;%d: %s\n", entry.path.c_str(), entry.key->cycle,
                                      status.ToString().c_str());
      continue;
    }
    if (!IsTreeClass(entry.key->class_name)) continue;
    Status status = ListTree(file, entry.path, entry.key->cycle);
    if (!status.IsOk()) std::printf("\ntree %s;%d: %s\n", entry.path.c_str(), entry.key->cycle,
                                    status.ToString().c_str());
  }
  return Status::Ok();
}

}  // namespace

int RunLs(const std::vector<std::string>& argv) {
  auto args = Args::Parse(argv, {}, {"help"});
  if (!args.IsOk()) return ReportError("ls", args.status());
  if (args->Flag("help") || args->Positional().empty()) {
    std::fprintf(args->Flag("help") ? stdout : stderr,
                 "usage: rootbatch ls FILE...\n"
                 "Lists the keys of each file and, for every tree and RNTuple, its entries,\n"
                 "clusters and columns with their types, codec (and RNTuple column encoding)\n"
                 "and sizes.\n");
    return args->Flag("help") ? 0 : 2;
  }
  int code = 0;
  for (size_t i = 0; i < args->Positional().size(); ++i) {
    if (i) std::printf("\n");
    Status status = ListFile(args->Positional()[i]);
    if (!status.IsOk()) code = ReportError("ls", status);
  }
  return code;
}

}  // namespace rootbatch::cli
