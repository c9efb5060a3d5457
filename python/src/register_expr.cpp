// _core._eval_expression: evaluates one Filter or Define expression over a
// whole tree, chunk by chunk, for the conformance tests against ROOT's
// RDataFrame (tests/python/test_expr_conformance.py). Not public API: the
// RDataFrame-style dataset graph will be the user-facing way in.
#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "glue.hpp"
#include "rootbatch/expr/compiled_expr.hpp"
#include "rootbatch/ttree/tree_source.hpp"

namespace rootbatch::python {
namespace {

struct Evaluated {
  Column values;                 // the concatenated result (define)
  std::vector<int64_t> passing;  // passing entry numbers (filter)
  std::string type;
};

Result<Evaluated> EvalOverTree(const std::string& path, const std::string& tree, const std::string& text,
                               bool filter, int64_t chunk) {
  RB_ASSIGN_OR_RETURN(auto source, OpenTreeSource(path, tree));
  RB_ASSIGN_OR_RETURN(expr::CompiledExpr e, expr::Compile(text, source->Columns()));
  std::vector<size_t> indices;
  for (const auto& name : e.Columns()) {
    RB_ASSIGN_OR_RETURN(size_t i, source->FindColumn(name));
    indices.push_back(i);
  }
  Evaluated out;
  out.type = expr::TypeName(e.Type());
  out.values.type = e.Type().elem;
  if (e.Type().jagged) out.values.offsets = {0};
  const int64_t n = source->NumEntries();
  for (int64_t begin = 0; begin < n; begin += chunk) {
    const EntryRange range{begin, std::min(n, begin + chunk)};
    std::vector<Column> columns;
    for (size_t i : indices) {
      RB_ASSIGN_OR_RETURN(Column c, source->ReadColumn(i, range));
      columns.push_back(std::move(c));
    }
    std::vector<const Column*> inputs;
    for (const Column& c : columns) inputs.push_back(&c);
    if (filter) {
      RB_ASSIGN_OR_RETURN(std::vector<uint8_t> mask, e.EvaluateMask(inputs, range));
      for (size_t k = 0; k < mask.size(); ++k) {
        if (mask[k]) out.passing.push_back(range.begin + static_cast<int64_t>(k));
      }
      continue;
    }
    RB_ASSIGN_OR_RETURN(Column c, e.Evaluate(inputs, range));
    out.values.values.insert(out.values.values.end(), c.values.begin(), c.values.end());
    if (!c.offsets.empty()) {
      const int64_t base = out.values.offsets.back();
      for (size_t k = 1; k < c.offsets.size(); ++k) out.values.offsets.push_back(base + c.offsets[k]);
    }
    out.values.num_entries += c.num_entries;
  }
  return out;
}

template <typename T>
py::array Copy(py::dtype dtype, const T* data, size_t count) {
  py::array out(std::move(dtype), std::vector<py::ssize_t>{static_cast<py::ssize_t>(count)});
  if (count) std::memcpy(out.mutable_data(), data, count * out.itemsize());
  return out;
}

}  // namespace

void RegisterExpr(py::module_& m) {
  m.def(
      "_eval_expression",
      [](const std::string& path, const std::string& tree, const std::string& text, bool filter,
         int64_t chunk) -> py::tuple {
        if (chunk <= 0) throw StatusError(InvalidArgument("chunk must be positive"));
        Result<Evaluated> r = Status(StatusCode::kInternal, "unset");
        {
          py::gil_scoped_release release;
          r = EvalOverTree(path, tree, text, filter, chunk);
        }
        Evaluated ev = Unwrap(std::move(r));
        if (filter) return py::make_tuple(Copy(py::dtype("int64"), ev.passing.data(), ev.passing.size()), py::none(), ev.type);
        const Column& c = ev.values;
        py::array values = Copy(NumpyDtype(c.type), c.values.data(), static_cast<size_t>(c.NumValues()));
        py::object offsets = py::none();
        if (!c.offsets.empty()) offsets = Copy(py::dtype("int64"), c.offsets.data(), c.offsets.size());
        return py::make_tuple(values, offsets, ev.type);
      },
      py::arg("path"), py::arg("tree"), py::arg("expression"), py::arg("filter") = false, py::arg("chunk") = 100000,
      "Evaluates an expression over a tree: (values, offsets or None, C++ type), or for a filter (passing entry "
      "numbers, None, type). For tests against ROOT.");
}

}  // namespace rootbatch::python
