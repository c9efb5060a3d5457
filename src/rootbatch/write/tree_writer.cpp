#include "rootbatch/write/tree_writer.hpp"

#include <algorithm>
#include <cstring>

#include "rootbatch/write/basket_writer.hpp"
#include "rootbatch/write/file_writer.hpp"
#include "rootbatch/write/tree_record.hpp"

namespace rootbatch {
namespace {

// Reads value `i` of an int32/uint32 counter column as int64.
int64_t CounterValue(const ColumnView& column, DataType type, int64_t i) {
  if (type == DataType::kUInt32) {
    uint32_t v;
    std::memcpy(&v, column.values.data() + 4 * i, 4);
    return v;
  }
  int32_t v;
  std::memcpy(&v, column.values.data() + 4 * i, 4);
  return v;
}

}  // namespace

TreeWriter::TreeWriter(FileWriter* file, write::Directory* directory, std::string name, std::string title,
                       TreeWriterOptions options)
    : file_(file),
      directory_(directory),
      name_(std::move(name)),
      title_(std::move(title)),
      options_(options),
      compression_(options.compression.value_or(file->Compression())) {}

TreeWriter::~TreeWriter() = default;

size_t TreeWriter::NumBranches() const { return branches_.size(); }
const BranchSpec& TreeWriter::Branch(size_t index) const { return branches_[index]->Spec(); }

Result<size_t> TreeWriter::AddBranch(BranchSpec spec) {
  const std::string context = "tree '" + name_ + "'";
  if (finished_) return InvalidArgument("the file is closed").WithContext(context);
  if (num_entries_ > 0) {
    return InvalidArgument("branch '" + spec.name + "' added after entries were appended").WithContext(context);
  }
  RB_RETURN_IF_ERROR_CTX(write::ValidateBranchSpec(spec), context);
  int counter = -1;
  for (size_t i = 0; i < branches_.size(); ++i) {
    const BranchSpec& other = branches_[i]->Spec();
    if (other.name == spec.name) {
      return InvalidArgument("branch '" + spec.name + "' already exists").WithContext(context);
    }
    if (spec.kind == BranchKind::kCounterArray && other.name == spec.counter) counter = static_cast<int>(i);
  }
  if (spec.kind == BranchKind::kCounterArray) {
    if (counter < 0) {
      return InvalidArgument("branch '" + spec.name + "': counter branch '" + spec.counter +
                             "' must be added before it")
          .WithContext(context);
    }
    const BranchSpec& c = branches_[static_cast<size_t>(counter)]->Spec();
    if (c.kind != BranchKind::kScalar || (c.type != DataType::kInt32 && c.type != DataType::kUInt32)) {
      return InvalidArgument("branch '" + spec.name + "': counter '" + spec.counter +
                             "' must be an int32 or uint32 scalar branch")
          .WithContext(context);
    }
    branches_[static_cast<size_t>(counter)]->SetIsCounter();
  }
  write::BasketContext basket_context{file_, directory_, name_, compression_, options_.basket_size};
  branches_.push_back(std::make_unique<write::BranchWriter>(std::move(spec), std::move(basket_context)));
  counter_of_.push_back(counter);
  return branches_.size() - 1;
}

Status TreeWriter::CheckBatch(std::span<const ColumnView> columns, int64_t num_entries) const {
  if (num_entries < 0) return InvalidArgument("negative number of entries");
  if (columns.size() != branches_.size()) {
    return InvalidArgument("Append got " + std::to_string(columns.size()) + " columns for " +
                           std::to_string(branches_.size()) + " branches");
  }
  for (size_t i = 0; i < branches_.size(); ++i) {
    const BranchSpec& spec = branches_[i]->Spec();
    const ColumnView& column = columns[i];
    const std::string where = "branch '" + spec.name + "'";
    const int64_t width = ByteWidth(spec.type);
    const int64_t per_item = write::ValuesPerItem(spec);
    int64_t expected_values = num_entries * per_item;
    if (write::IsJagged(spec.kind)) {
      if (static_cast<int64_t>(column.offsets.size()) != num_entries + 1) {
        return InvalidArgument("expected " + std::to_string(num_entries + 1) + " offsets, got " +
                               std::to_string(column.offsets.size()))
            .WithContext(where);
      }
      for (int64_t e = 0; e < num_entries; ++e) {
        const int64_t items = column.offsets[e + 1] - column.offsets[e];
        if (items < 0) return InvalidArgument("offsets decrease at entry " + std::to_string(e)).WithContext(where);
        // One entry must fit a basket's 32-bit offsets with room to spare.
        if (items * per_item * width > (int64_t{1} << 30)) {
          return InvalidArgument("entry " + std::to_string(e) + " is larger than 1 GiB").WithContext(where);
        }
      }
      expected_values = (column.offsets[num_entries] - column.offsets[0]) * per_item;
    } else if (!column.offsets.empty()) {
      return InvalidArgument("offsets given for a fixed-size branch").WithContext(where);
    }
    if (static_cast<int64_t>(column.values.size()) != expected_values * width) {
      return InvalidArgument("expected " + std::to_string(expected_values * width) + " bytes of values, got " +
                             std::to_string(column.values.size()))
          .WithContext(where);
    }
    if (spec.kind == BranchKind::kCounterArray) {
      const size_t c = static_cast<size_t>(counter_of_[i]);
      const DataType counter_type = branches_[c]->Spec().type;
      for (int64_t e = 0; e < num_entries; ++e) {
        const int64_t count = CounterValue(columns[c], counter_type, e);
        const int64_t items = column.offsets[e + 1] - column.offsets[e];
        if (count != items) {
          return InvalidArgument("entry " + std::to_string(num_entries_ + e) + " has " + std::to_string(items) +
                                 " items but counter '" + spec.counter + "' says " + std::to_string(count))
              .WithContext(where);
        }
      }
    }
  }
  return Status::Ok();
}

Status TreeWriter::Append(std::span<const ColumnView> columns, int64_t num_entries) {
  const std::string context = "tree '" + name_ + "' in '" + file_->Path() + "'";
  if (finished_) return InvalidArgument("the file is closed").WithContext(context);
  RB_RETURN_IF_ERROR_CTX(CheckBatch(columns, num_entries), context);
  if (num_entries == 0) return Status::Ok();

  for (size_t i = 0; i < branches_.size(); ++i) {
    write::BranchWriter& b = *branches_[i];
    if (!b.IsCounter()) continue;
    int64_t max_count = 0;
    for (int64_t e = 0; e < num_entries; ++e) max_count = std::max(max_count, CounterValue(columns[i], b.Spec().type, e));
    b.NoteCount(max_count);
  }

  int64_t done = 0;
  while (done < num_entries) {
    const int64_t n = std::min(options_.cluster_size - entries_in_cluster_, num_entries - done);
    for (size_t i = 0; i < branches_.size(); ++i) {
      RB_RETURN_IF_ERROR_CTX(branches_[i]->AppendEntries(columns[i], done, done + n),
                             "branch '" + branches_[i]->Spec().name + "' of " + context);
    }
    done += n;
    num_entries_ += n;
    entries_in_cluster_ += n;
    if (entries_in_cluster_ == options_.cluster_size) {
      // A cluster boundary: every branch starts a new basket here.
      for (auto& b : branches_) RB_RETURN_IF_ERROR_CTX(b->FlushBasket(), context);
      entries_in_cluster_ = 0;
    }
  }
  return Status::Ok();
}

Status TreeWriter::Finish() {
  if (finished_) return Status::Ok();
  finished_ = true;
  const std::string context = "tree '" + name_ + "' in '" + file_->Path() + "'";
  for (auto& b : branches_) RB_RETURN_IF_ERROR_CTX(b->FlushBasket(), context);

  write::TreeRecord record;
  record.name = name_;
  record.title = title_;
  record.entries = num_entries_;
  record.auto_flush = options_.cluster_size;
  for (size_t i = 0; i < branches_.size(); ++i) {
    const write::BranchWriter& b = *branches_[i];
    write::BranchRecord r;
    r.spec = &b.Spec();
    r.compress = compression_.ToRoot();
    r.basket_size = options_.basket_size;
    r.entry_offset_len = b.EntryOffsetLen();
    r.entries = b.NumEntries();
    r.tot_bytes = b.TotBytes();
    r.zip_bytes = b.ZipBytes();
    r.basket_bytes = b.BasketBytes();
    r.basket_entry = b.BasketEntry();
    r.basket_seek = b.BasketSeek();
    r.is_counter = b.IsCounter();
    r.max_count = b.MaxCount();
    r.counter_index = counter_of_[i];
    record.branches.push_back(r);
  }
  write::KeyHeader key = file_->NewKey("TTree", name_, title_, directory_);
  const std::vector<uint8_t> payload = write::SerializeTree(record, key.keylen);
  RB_RETURN_IF_ERROR_CTX(file_->WriteKey(key, {}, payload, file_->Compression(), directory_), context);
  return Status::Ok();
}

void TreeWriter::CollectStreamerClasses(std::set<std::string>& classes) const {
  for (const auto& b : branches_) {
    const BranchSpec& spec = b->Spec();
    if (spec.kind == BranchKind::kVector) {
      classes.insert("TBranchElement");
      classes.insert("TLeafElement");
      classes.insert(write::VectorClassName(spec.type));
    } else {
      classes.insert(std::string(write::LeafClassName(spec.type)));
    }
  }
}

}  // namespace rootbatch
