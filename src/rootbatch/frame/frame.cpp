// Building the graph: each transformation is a new node holding what it
// needs (a compiled kernel, its inputs resolved to columns of the node above).
#include "rootbatch/frame/frame.hpp"

#include <cctype>

#include "rootbatch/base/suggest.hpp"
#include "rootbatch/expr/compiled_expr.hpp"
#include "rootbatch/frame/frame_node.hpp"
#include "rootbatch/frame/glob.hpp"

namespace rootbatch {

using frame::ColumnRef;
using frame::Kernel;
using frame::Node;
using frame::OpKind;

namespace frame_detail {

Status CheckArgument(const ColumnSpec& spec, DataType want, bool jagged, size_t position) {
  const bool is_jagged = spec.kind == ColumnKind::kJagged;
  if (spec.type != want || is_jagged != jagged ||
      (spec.kind != ColumnKind::kScalar && spec.kind != ColumnKind::kJagged)) {
    const std::string want_name = jagged ? "std::span<const " + std::string(DataTypeName(want)) + ">"
                                         : std::string(DataTypeName(want));
    return InvalidArgument("argument " + std::to_string(position + 1) + " of the callable is " + want_name +
                           ", but column '" + spec.name + "' holds " + spec.source_type + " (" +
                           std::string(DataTypeName(spec.type)) +
                           (is_jagged ? ", jagged" : spec.kind == ColumnKind::kScalar ? "" : ", not scalar") + ")");
  }
  return Status::Ok();
}

}  // namespace frame_detail

namespace {

bool IsIdentifier(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

// "; did you mean 'Jet_pt'? (947 columns)"
std::string Hint(std::string_view name, const std::vector<std::string>& names) {
  return "; " + NameHint(name, names, "columns");
}

const ColumnRef* FindRef(const std::vector<ColumnRef>& columns, std::string_view name) {
  for (const ColumnRef& c : columns) {
    if (c.spec.name == name) return &c;
  }
  return nullptr;
}

std::shared_ptr<Node> ChildOf(const std::shared_ptr<const Node>& parent, OpKind kind) {
  auto node = std::make_shared<Node>();
  node->kind = kind;
  node->parent = parent;
  node->dataset = parent->dataset;
  node->paths = parent->paths;
  node->columns = parent->columns;
  return node;
}

}  // namespace

Frame Frame::FromDataset(std::shared_ptr<const Dataset> dataset) {
  auto node = std::make_shared<Node>();
  node->dataset = std::move(dataset);
  const std::vector<ColumnSpec>& specs = node->dataset->Columns();
  for (size_t c = 0; c < specs.size(); ++c) node->columns.push_back({specs[c], static_cast<int>(c), nullptr});
  return Frame(std::move(node));
}

Result<Frame> Frame::Open(const std::vector<std::string>& paths, const std::string& tree,
                          const SourceOpener& opener) {
  RB_ASSIGN_OR_RETURN(std::vector<std::string> expanded, ExpandPaths(paths));
  RB_ASSIGN_OR_RETURN(std::shared_ptr<const Dataset> dataset, Dataset::Open(expanded, tree, opener));
  Frame frame = FromDataset(std::move(dataset));
  std::const_pointer_cast<Node>(frame.node_)->paths = std::move(expanded);
  return frame;
}

const Dataset& Frame::Source() const { return *node_->dataset; }

Result<std::shared_ptr<Kernel>> Frame::KernelOf(std::string_view expression) const {
  std::vector<ColumnSpec> schema;
  schema.reserve(node_->columns.size());
  for (const ColumnRef& c : node_->columns) schema.push_back(c.spec);
  RB_ASSIGN_OR_RETURN(expr::CompiledExpr compiled, expr::Compile(expression, schema));
  auto kernel = std::make_shared<Kernel>();
  kernel->text = std::string(expression);
  for (const std::string& name : compiled.Columns()) {
    const ColumnRef* ref = FindRef(node_->columns, name);
    if (!ref) return Internal("expression '" + kernel->text + "' reads '" + name + "', not in the frame");
    kernel->inputs.push_back(*ref);
  }
  kernel->result = compiled.ResultSpec("");
  kernel->result.rdf_type = expr::TypeName(compiled.Type());
  auto shared = std::make_shared<const expr::CompiledExpr>(std::move(compiled));
  kernel->reads_entry_numbers = shared->UsesEntryNumber();
  kernel->eval = [shared](std::span<const Column* const> inputs, int64_t num_rows, std::span<const int64_t> entries) {
    if (!shared->UsesEntryNumber()) return shared->Evaluate(inputs, EntryRange{0, num_rows});
    return shared->Evaluate(inputs, entries);
  };
  return kernel;
}

Result<std::shared_ptr<Kernel>> Frame::KernelOf(RowFunction function) const {
  auto kernel = std::make_shared<Kernel>();
  kernel->text = function.description;
  std::vector<ColumnSpec> specs;
  for (const std::string& name : function.columns) {
    const ColumnRef* ref = FindRef(node_->columns, name);
    if (!ref) {
      std::vector<std::string> names = ColumnNames();
      return NotFound("no column '" + name + "' for the " + function.description + Hint(name, names));
    }
    kernel->inputs.push_back(*ref);
    specs.push_back(ref->spec);
  }
  if (function.check) RB_RETURN_IF_ERROR(function.check(specs));
  kernel->result = function.result;
  kernel->eval = [eval = std::move(function.eval)](std::span<const Column* const> inputs, int64_t,
                                                  std::span<const int64_t> entries) { return eval(inputs, entries); };
  return kernel;
}

Result<Frame> Frame::Filter(std::string_view expression, std::string name) const {
  RB_ASSIGN_OR_RETURN(std::shared_ptr<Kernel> kernel, KernelOf(expression));
  if (kernel->result.kind != ColumnKind::kScalar) {
    return InvalidArgument("a filter must give one value per entry, but '" + kernel->text + "' is " +
                           kernel->result.rdf_type + "; reduce it with Any(), All() or Sum()");
  }
  auto node = ChildOf(node_, OpKind::kFilter);
  node->name = std::move(name);
  node->kernel = std::move(kernel);
  return Frame(std::move(node));
}

Result<Frame> Frame::Filter(RowFunction function, std::string name) const {
  RB_ASSIGN_OR_RETURN(std::shared_ptr<Kernel> kernel, KernelOf(std::move(function)));
  auto node = ChildOf(node_, OpKind::kFilter);
  node->name = std::move(name);
  node->kernel = std::move(kernel);
  return Frame(std::move(node));
}

Result<Frame> Frame::AddDefine(std::string name, std::shared_ptr<Kernel> kernel, bool redefine) const {
  if (!IsIdentifier(name)) {
    return InvalidArgument("cannot define column '" + name + "': a name is a C++ identifier (letters, digits, _)");
  }
  const ColumnRef* existing = FindRef(node_->columns, name);
  if (!redefine && existing) {
    return InvalidArgument("column '" + name + "' already exists (" +
                           (existing->define ? "defined above" : "in " + node_->dataset->Description()) +
                           "); use Redefine to replace it");
  }
  if (redefine && !existing) {
    return NotFound("cannot redefine column '" + name + "': there is no such column" +
                    Hint(name, ColumnNames()));
  }
  auto node = ChildOf(node_, OpKind::kDefine);
  node->name = name;
  kernel->result.name = name;
  if (kernel->result.source_type.empty()) kernel->result.source_type = kernel->result.rdf_type;
  node->kernel = std::move(kernel);
  ColumnRef ref{node->kernel->result, -1, node.get()};
  if (existing) {
    for (ColumnRef& c : node->columns) {
      if (c.spec.name == name) c = ref;
    }
  } else {
    node->columns.push_back(ref);
  }
  return Frame(std::move(node));
}

Result<Frame> Frame::Define(std::string name, std::string_view expression) const {
  RB_ASSIGN_OR_RETURN(std::shared_ptr<Kernel> kernel, KernelOf(expression));
  return AddDefine(std::move(name), std::move(kernel), false);
}

Result<Frame> Frame::Define(std::string name, RowFunction function) const {
  RB_ASSIGN_OR_RETURN(std::shared_ptr<Kernel> kernel, KernelOf(std::move(function)));
  return AddDefine(std::move(name), std::move(kernel), false);
}

Result<Frame> Frame::Redefine(std::string name, std::string_view expression) const {
  RB_ASSIGN_OR_RETURN(std::shared_ptr<Kernel> kernel, KernelOf(expression));
  return AddDefine(std::move(name), std::move(kernel), true);
}

Result<Frame> Frame::Range(int64_t begin, int64_t end, int64_t stride) const {
  if (begin < 0 || end < 0 || stride < 1 || (end != 0 && end < begin)) {
    return InvalidArgument("Range(" + std::to_string(begin) + ", " + std::to_string(end) + ", " +
                           std::to_string(stride) + "): need 0 <= begin <= end (0: to the end) and stride >= 1");
  }
  auto node = ChildOf(node_, OpKind::kRange);
  node->range_begin = begin;
  node->range_end = end;
  node->range_stride = stride;
  return Frame(std::move(node));
}

std::vector<std::string> Frame::ColumnNames() const {
  std::vector<std::string> names;
  for (const ColumnRef& c : node_->columns) names.push_back(c.spec.name);
  return names;
}

std::vector<std::string> Frame::DefinedColumnNames() const {
  std::vector<std::string> names;
  for (const Node* n : node_->Chain()) {
    if (n->kind == OpKind::kDefine) names.push_back(n->name);
  }
  return names;
}

Result<ColumnSpec> Frame::ColumnSpecOf(std::string_view name) const {
  if (const ColumnRef* ref = FindRef(node_->columns, name)) return ref->spec;
  for (const UnreadableColumn& u : node_->dataset->File(0).UnreadableColumns()) {
    if (u.name == name) return Unsupported("column '" + u.name + "' (" + u.type_name + ") cannot be read: " + u.reason);
  }
  return NotFound("no column '" + std::string(name) + "' in " + node_->dataset->Description() + " or its defines" +
                  Hint(name, ColumnNames()));
}

Result<std::string> Frame::ColumnType(std::string_view name) const {
  RB_ASSIGN_OR_RETURN(ColumnSpec spec, ColumnSpecOf(name));
  if (!spec.rdf_type.empty()) return spec.rdf_type;
  // RDataFrame reads std::vector as ROOT::VecOps::RVec.
  std::string type = spec.source_type;
  const std::string vec = "std::vector<";
  for (size_t at = type.find(vec); at != std::string::npos; at = type.find(vec, at)) {
    type.replace(at, vec.size(), "ROOT::VecOps::RVec<");
  }
  return type;
}

}  // namespace rootbatch
