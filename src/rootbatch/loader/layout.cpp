#include "rootbatch/loader/layout.hpp"

#include <algorithm>
#include <functional>
#include <set>

#include "rootbatch/base/suggest.hpp"

#include "rootbatch/loader/convert.hpp"

namespace rootbatch::loader {
namespace {

size_t AlignUp(size_t value, size_t alignment) { return (value + alignment - 1) / alignment * alignment; }

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string Quote(const std::string& name) { return "'" + name + "'"; }

// Adds a part of `count` elements of `type` per row; returns its index.
int AddPart(RowLayout& layout, std::string name, DataType type, std::vector<int64_t> shape, int64_t count) {
  size_t width = static_cast<size_t>(ByteWidth(type));
  RowPart part{std::move(name), type, std::move(shape), AlignUp(layout.row_bytes, width),
               static_cast<size_t>(count) * width};
  layout.row_bytes = part.offset + part.bytes;
  layout.parts.push_back(std::move(part));
  return static_cast<int>(layout.parts.size()) - 1;
}

// The narrowest of float32, float64, int64 that holds every target exactly.
Result<DataType> DefaultTargetType(const std::vector<ColumnSpec>& targets) {
  for (DataType candidate : {DataType::kFloat32, DataType::kFloat64, DataType::kInt64}) {
    bool all = true;
    for (const auto& spec : targets) all = all && IsLossless(spec.type, candidate);
    // Class labels are small integers (checked when the layout is built).
    if (all) return candidate;
  }
  std::string list;
  for (const auto& spec : targets) {
    list += (list.empty() ? "" : ", ") + Quote(spec.name) + " (" + std::string(DataTypeName(spec.type)) + ")";
  }
  return InvalidArgument("targets " + list +
                         " have no common output type that holds them all exactly; set the target type "
                         "(float32, float64, int64, int32, bool) to say which conversion you want");
}

// Integer values going into a float type that may round them, for a column
// not listed in lossy_features: the reader checks every value.
bool NeedsExactCheck(const ColumnRoute& route, const LoaderOptions& options) {
  return IsInteger(route.spec.type) && IsFloat(route.out_type) && !IsLossless(route.spec.type, route.out_type) &&
         !Contains(options.lossy_features, route.name);
}

using SpecOf = std::function<Result<ColumnSpec>(const std::string&, const std::string&)>;

// The collections' routes (members, then a sort key that is not a member)
// and parts: a padded part [P, F] or [F, P] with its mask, or a ragged part
// with items of F values.
Status AddCollections(const LoaderOptions& options, const SpecOf& spec_of, RowLayout& layout) {
  for (const Collection& collection : options.collections) {
    CollectionPlacement placement;
    placement.name = collection.name;
    placement.layout = collection.layout;
    placement.max_length = collection.max_length;
    placement.pad_value = collection.pad_value;
    placement.type = options.feature_type;
    const int index = static_cast<int>(layout.collections.size());
    const std::string role = "column of collection " + Quote(collection.name);
    auto add_route = [&](const std::string& name) -> Result<size_t> {
      RB_ASSIGN_OR_RETURN(ColumnSpec spec, spec_of(name, role));
      if (spec.kind != ColumnKind::kJagged || spec.type == DataType::kChar) {
        return InvalidArgument(role + " " + Quote(name) + " is " + spec.source_type +
                               "; a collection's members are jagged columns of numbers with one level of lists "
                               "(std::vector<T>, T[n])");
      }
      ColumnRoute route{name, spec, ColumnRoute::Kind::kMember, options.feature_type, spec.InnerSize()};
      if (route.inner != 1) {
        return Unsupported(role + " " + Quote(name) + " (" + spec.source_type +
                           ") has items of several values; collection members take one value per item");
      }
      route.collection = index;
      route.check_exact = NeedsExactCheck(route, options);
      layout.routes.push_back(std::move(route));
      return layout.routes.size() - 1;
    };
    for (const auto& name : collection.columns) {
      RB_ASSIGN_OR_RETURN(size_t route, add_route(name));
      placement.members.push_back(route);
    }
    if (!collection.sort_by.empty()) {
      const auto member = std::find(collection.columns.begin(), collection.columns.end(), collection.sort_by);
      if (member != collection.columns.end()) {
        placement.sort_route = static_cast<int>(placement.members[static_cast<size_t>(member - collection.columns.begin())]);
      } else {
        RB_ASSIGN_OR_RETURN(size_t route, add_route(collection.sort_by));
        placement.sort_route = static_cast<int>(route);
      }
    }
    const auto features = static_cast<int64_t>(collection.columns.size());
    if (collection.layout == CollectionLayout::kRagged) {
      placement.ragged_index = static_cast<int>(layout.ragged.size());
      layout.ragged.push_back({collection.name, options.feature_type, {features}, features});
    } else {
      const int64_t length = collection.max_length;
      std::vector<int64_t> shape = collection.layout == CollectionLayout::kBPF ? std::vector<int64_t>{length, features}
                                                                                : std::vector<int64_t>{features, length};
      const int part = AddPart(layout, collection.name, options.feature_type, shape, length * features);
      placement.offset = layout.parts[static_cast<size_t>(part)].offset;
      layout.padded_parts.push_back(part);
      int mask = -1;
      if (collection.mask) {
        mask = AddPart(layout, collection.name + "_mask", DataType::kBool, {length}, length);
        placement.mask_offset = static_cast<int64_t>(layout.parts[static_cast<size_t>(mask)].offset);
      }
      layout.mask_parts.push_back(mask);
    }
    layout.collections.push_back(std::move(placement));
  }
  return Status::Ok();
}

// Gives each transform its route: a feature (scalar or fixed array), a padded
// or ragged jagged column with one level of lists, or a collection member.
Status AttachTransforms(const LoaderOptions& options, RowLayout& layout) {
  // A collection's sort key that is not a member is read, not output.
  auto output = [&](size_t r) {
    const ColumnRoute& route = layout.routes[r];
    if (route.kind != ColumnRoute::Kind::kMember) return true;
    const auto& members = layout.collections[static_cast<size_t>(route.collection)].members;
    return std::find(members.begin(), members.end(), r) != members.end();
  };
  for (const ColumnTransform& transform : options.preprocessing) {
    if (Contains(options.targets, transform.column) || transform.column == options.weight) {
      return InvalidArgument("preprocessing names " + Quote(transform.column) +
                             ", a target or the weight; it applies to the model's inputs only");
    }
    size_t r = 0;
    while (r < layout.routes.size() && !(layout.routes[r].name == transform.column && output(r))) ++r;
    if (r == layout.routes.size()) {
      std::vector<std::string> names;
      for (size_t i = 0; i < layout.routes.size(); ++i) {
        if (output(i)) names.push_back(layout.routes[i].name);
      }
      const std::vector<std::string> closest = ClosestNames(transform.column, names);
      return InvalidArgument("preprocessing names " + Quote(transform.column) +
                             ", which is not a feature, jagged column or collection member of this loader" +
                             (closest.empty() ? std::string() : "; " + DidYouMean(closest)));
    }
    ColumnRoute& route = layout.routes[r];
    if (!IsFloat(route.out_type)) {
      return InvalidArgument("preprocessing of " + Quote(transform.column) + " needs a float output type, not " +
                             std::string(DataTypeName(route.out_type)));
    }
    if (route.spec.kind == ColumnKind::kDoublyJagged) {
      return Unsupported("preprocessing of " + Quote(transform.column) + ": doubly jagged columns are not supported");
    }
    route.transform = static_cast<int>(layout.transforms.size());
    layout.transforms.push_back(transform);
  }
  return Status::Ok();
}

// The reweighting's variables and class columns, read as kInput routes;
// in weights mode the weights part, which the reweighting fills.
Status AddReweightRoutes(const LoaderOptions& options, const SpecOf& spec_of, RowLayout& layout) {
  if (!options.reweight) return Status::Ok();
  const Reweighting& r = *options.reweight;
  auto add = [&](const std::string& name, const std::string& role) -> Result<size_t> {
    RB_ASSIGN_OR_RETURN(ColumnSpec spec, spec_of(name, role));
    if (spec.kind != ColumnKind::kScalar || spec.type == DataType::kChar) {
      return InvalidArgument(role + " " + Quote(name) + " is " + spec.source_type + "; it must be a numeric scalar");
    }
    layout.routes.push_back({name, spec, ColumnRoute::Kind::kInput, DataType::kFloat64, 1});
    return layout.routes.size() - 1;
  };
  for (const auto& name : r.variables) {
    RB_ASSIGN_OR_RETURN(size_t route, add(name, "reweighting variable"));
    layout.reweight.variables.push_back(route);
  }
  for (const auto& name : r.classes) {
    RB_ASSIGN_OR_RETURN(size_t route, add(name, "reweighting class column"));
    layout.reweight.classes.push_back(route);
  }
  if (r.mode == Reweighting::Mode::kWeights) {
    if (!options.weight.empty()) {
      return InvalidArgument("reweight in mode 'weights' gives the batches' weights, and weights=" +
                             Quote(options.weight) + " names a column for them too; drop one, or reweight in mode "
                             "'sample'");
    }
    layout.weights_part = AddPart(layout, "weights", options.weight_type, {}, 1);
    layout.reweight.write_weights = true;
  }
  return Status::Ok();
}

}  // namespace

size_t RowLayout::RawBytesPerEntry(double mean_items) const {
  double bytes = 0;
  for (const auto& route : routes) {
    double per = static_cast<double>(route.inner * ByteWidth(route.spec.type));
    if (route.spec.kind == ColumnKind::kJagged) per = per * mean_items + 8;  // + offsets
    // + offsets, and at most one inner offset per value.
    if (route.spec.kind == ColumnKind::kDoublyJagged) per = (per + 8) * mean_items + 8;
    bytes += per;
  }
  return static_cast<size_t>(bytes + 0.5);
}

Result<RowLayout> BuildLayout(const std::vector<LoaderInput>& inputs, const LoaderOptions& options,
                              std::vector<std::vector<std::vector<size_t>>>* indices) {
  if (inputs.empty()) return InvalidArgument("the loader needs at least one input");
  for (size_t i = 0; i < inputs.size(); ++i) {
    if (inputs[i].dataset == nullptr) return InvalidArgument("input " + std::to_string(i) + " has no dataset");
    if (inputs[i].class_label.has_value() != inputs[0].class_label.has_value()) {
      return InvalidArgument("either every input has a class label or none does (input " + std::to_string(i) +
                             " differs from input 0)");
    }
    if (!(inputs[i].sampling_ratio > 0.0) || inputs[i].sampling_ratio > 1e6) {
      return InvalidArgument("input " + std::to_string(i) + ": sampling ratio must be positive, got " +
                             std::to_string(inputs[i].sampling_ratio));
    }
  }
  const bool labelled = inputs[0].class_label.has_value();
  const Dataset& schema = *inputs[0].dataset;
  // FindColumn suggests close names, resolves unique short names and says
  // why an existing branch cannot be read; the role says which option named it.
  auto spec_of = [&](const std::string& name, const std::string& role) -> Result<ColumnSpec> {
    RB_ASSIGN_OR_RETURN_CTX(size_t index, schema.File(0).FindColumn(name), role + " " + Quote(name));
    return schema.Columns()[index];
  };

  // Which column plays which role, with the conflicts named.
  std::vector<std::string> jagged_names;
  for (const auto& jagged : options.jagged) {
    if (Contains(jagged_names, jagged.name)) return InvalidArgument("jagged column " + Quote(jagged.name) + " listed twice");
    jagged_names.push_back(jagged.name);
  }
  // Collection members (and sort keys): each in one collection, in no other role.
  std::vector<std::string> member_names;
  for (const auto& collection : options.collections) {
    for (const auto& name : collection.columns) {
      if (Contains(member_names, name)) {
        return InvalidArgument("column " + Quote(name) + " is in two collections; a column can be in one");
      }
      member_names.push_back(name);
    }
  }
  auto member_conflict = [&](const std::string& name, const std::string& role) -> Status {
    if (!Contains(member_names, name)) return Status::Ok();
    return InvalidArgument("column " + Quote(name) + " is both " + role + " and a member of a collection; list it once");
  };
  for (const auto& name : jagged_names) RB_RETURN_IF_ERROR(member_conflict(name, "a jagged column"));
  for (const auto& name : options.targets) RB_RETURN_IF_ERROR(member_conflict(name, "a target"));
  if (!options.weight.empty()) RB_RETURN_IF_ERROR(member_conflict(options.weight, "the weight"));
  for (const auto& name : options.features) RB_RETURN_IF_ERROR(member_conflict(name, "a feature"));
  std::set<std::string> targets_seen;
  for (const auto& target : options.targets) {
    if (!targets_seen.insert(target).second) return InvalidArgument("target " + Quote(target) + " listed twice");
    if (target == options.weight) return InvalidArgument("column " + Quote(target) + " is both a target and the weight");
    if (Contains(jagged_names, target)) return InvalidArgument("column " + Quote(target) + " is both a target and a jagged input");
  }
  if (Contains(jagged_names, options.weight)) {
    return InvalidArgument("column " + Quote(options.weight) + " is both the weight and a jagged input");
  }
  std::vector<std::string> features = options.features;
  if (features.empty()) {
    for (const auto& spec : schema.Columns()) {
      if (spec.kind != ColumnKind::kScalar || spec.type == DataType::kChar) continue;
      if (Contains(options.targets, spec.name) || spec.name == options.weight || Contains(jagged_names, spec.name)) {
        continue;
      }
      features.push_back(spec.name);
    }
  }
  std::set<std::string> features_seen;
  for (const auto& feature : features) {
    if (!features_seen.insert(feature).second) return InvalidArgument("feature " + Quote(feature) + " listed twice");
    if (Contains(options.targets, feature)) {
      return InvalidArgument("column " + Quote(feature) + " is both a target and a feature; a model would see its answer");
    }
    if (feature == options.weight) return InvalidArgument("column " + Quote(feature) + " is both a feature and the weight");
    // A flattened jagged column may also be named among the features, as
    // ROOT's RDataLoader does with max_vec_sizes: it is flattened there.
    const auto jagged = std::find_if(options.jagged.begin(), options.jagged.end(),
                                     [&](const JaggedColumn& j) { return j.name == feature; });
    if (jagged != options.jagged.end() && jagged->mode != JaggedMode::kFlatten) {
      return InvalidArgument("column " + Quote(feature) + " is listed as a feature and as a jagged column; list it once");
    }
  }

  for (const auto& name : options.lossy_features) {
    if (!Contains(features, name) && !Contains(jagged_names, name)) {
      return InvalidArgument("lossy_features names " + Quote(name) +
                             ", which is not a feature or jagged column of this loader");
    }
  }
  // Integer values into a float type that cannot hold them all.
  auto check_exact = [&](const ColumnRoute& route) { return NeedsExactCheck(route, options); };

  RowLayout layout;
  auto numeric = [](const ColumnSpec& spec, const std::string& role, bool lists_of_lists = false) -> Status {
    if (spec.kind == ColumnKind::kString || spec.type == DataType::kChar) {
      return Unsupported(role + " " + Quote(spec.name) + " is a string column (" + spec.source_type +
                         "); only numeric columns can go into a batch");
    }
    if (spec.kind == ColumnKind::kDoublyJagged && !lists_of_lists) {
      return Unsupported(role + " " + Quote(spec.name) + " is doubly jagged (" + spec.source_type +
                         ", a list of lists per entry); the loader takes scalars and fixed arrays as features, "
                         "targets and weights; list it as a jagged column in mode pad or flatten with max_length "
                         "and max_inner_length");
    }
    return Status::Ok();
  };

  // Features: scalars, fixed arrays and flattened jagged columns named among
  // them, in their order (ROOT's order), then the other flattened jagged columns.
  std::vector<ColumnRoute> feature_routes;
  int64_t feature_count = 0;
  std::vector<ColumnRoute> jagged_routes;
  auto add_jagged = [&](const JaggedColumn& jagged) -> Status {
    RB_ASSIGN_OR_RETURN(ColumnSpec spec, spec_of(jagged.name, "jagged column"));
    RB_RETURN_IF_ERROR(numeric(spec, "jagged column", true));
    if (spec.kind != ColumnKind::kJagged && spec.kind != ColumnKind::kDoublyJagged) {
      return InvalidArgument("column " + Quote(jagged.name) + " (" + spec.source_type +
                             ") is not jagged; list it as a feature instead");
    }
    const bool doubly = spec.kind == ColumnKind::kDoublyJagged;
    if (doubly && jagged.mode == JaggedMode::kRagged) {
      return Unsupported("jagged column " + Quote(jagged.name) + " is doubly jagged (" + spec.source_type +
                         "); mode ragged takes one level of lists: use pad or flatten with max_length and "
                         "max_inner_length");
    }
    if (doubly && jagged.max_inner_length <= 0) {
      return InvalidArgument("jagged column " + Quote(jagged.name) + " is doubly jagged (" + spec.source_type +
                             "): set max_inner_length (items kept per inner list) as well as max_length (lists "
                             "kept per entry)");
    }
    if (!doubly && jagged.max_inner_length > 0) {
      return InvalidArgument("jagged column " + Quote(jagged.name) + " (" + spec.source_type +
                             ") has one level of lists: max_inner_length applies to doubly jagged columns only");
    }
    ColumnRoute route{jagged.name, spec, ColumnRoute::Kind::kPadded, jagged.type, spec.InnerSize()};
    route.max_length = jagged.max_length;
    route.max_inner_length = doubly ? jagged.max_inner_length : 0;
    // Values kept per entry: max_length items, or max_length x max_inner_length.
    const int64_t slots = route.max_length * (doubly ? route.max_inner_length : 1);
    route.pad_value = jagged.pad_value;
    if (jagged.mode == JaggedMode::kFlatten) route.out_type = options.feature_type;
    route.check_exact = check_exact(route);
    if (jagged.mode == JaggedMode::kFlatten) {
      route.offset = static_cast<size_t>(feature_count);
      if (doubly) {  // name_i_j: item j of list i
        for (int64_t i = 0; i < route.max_length; ++i) {
          for (int64_t j = 0; j < route.max_inner_length * route.inner; ++j) {
            layout.feature_names.push_back(jagged.name + "_" + std::to_string(i) + "_" + std::to_string(j));
          }
        }
      } else {
        for (int64_t j = 0; j < slots * route.inner; ++j) {
          layout.feature_names.push_back(jagged.name + "_" + std::to_string(j));
        }
      }
      feature_count += slots * route.inner;
      feature_routes.push_back(std::move(route));
    } else {
      if (jagged.mode == JaggedMode::kRagged) route.kind = ColumnRoute::Kind::kRagged;
      route.mask_offset = jagged.mask && jagged.mode == JaggedMode::kPad ? 0 : -1;
      jagged_routes.push_back(std::move(route));
    }
    return Status::Ok();
  };
  for (const auto& name : features) {
    const auto flattened = std::find_if(options.jagged.begin(), options.jagged.end(),
                                        [&](const JaggedColumn& j) { return j.name == name; });
    if (flattened != options.jagged.end()) {
      RB_RETURN_IF_ERROR(add_jagged(*flattened));
      continue;
    }
    RB_ASSIGN_OR_RETURN(ColumnSpec spec, spec_of(name, "feature"));
    RB_RETURN_IF_ERROR(numeric(spec, "feature"));
    if (spec.kind == ColumnKind::kJagged) {
      return InvalidArgument("feature " + Quote(name) + " is jagged (" + spec.source_type +
                             "); list it under jagged columns with a mode (pad, ragged or flatten)");
    }
    ColumnRoute route{name, spec, ColumnRoute::Kind::kFixed, options.feature_type, spec.InnerSize()};
    route.offset = static_cast<size_t>(feature_count);  // in elements until the part is placed
    route.check_exact = check_exact(route);
    if (spec.kind == ColumnKind::kScalar) {
      layout.feature_names.push_back(name);
    } else {
      for (int64_t j = 0; j < route.inner; ++j) layout.feature_names.push_back(name + "_" + std::to_string(j));
    }
    feature_count += route.inner;
    feature_routes.push_back(std::move(route));
  }
  for (const auto& jagged : options.jagged) {
    if (Contains(features, jagged.name)) continue;  // placed among the features
    RB_RETURN_IF_ERROR(add_jagged(jagged));
  }
  AddPart(layout, "features", options.feature_type, {feature_count}, feature_count);
  for (auto& route : feature_routes) {
    route.offset = layout.parts[0].offset + route.offset * static_cast<size_t>(ByteWidth(options.feature_type));
    layout.routes.push_back(std::move(route));
  }

  // Targets, then the class label as the last target.
  std::vector<ColumnSpec> target_specs;
  for (const auto& name : options.targets) {
    RB_ASSIGN_OR_RETURN(ColumnSpec spec, spec_of(name, "target"));
    RB_RETURN_IF_ERROR(numeric(spec, "target"));
    if (spec.kind == ColumnKind::kJagged) return InvalidArgument("target " + Quote(name) + " is jagged; targets must be scalars or fixed arrays");
    target_specs.push_back(spec);
  }
  const bool onehot = !options.class_columns.empty();
  if (onehot && labelled) {
    return InvalidArgument("class_columns and sources with class labels both give the class; use one of them");
  }
  if (onehot && options.class_columns.size() < 2) {
    return InvalidArgument("class_columns needs at least two one-hot columns, got " +
                           std::to_string(options.class_columns.size()));
  }
  if (!target_specs.empty() || labelled || onehot) {
    DataType target_type = DataType::kFloat32;
    if (options.target_type) {
      target_type = *options.target_type;
    } else if (!target_specs.empty()) {
      RB_ASSIGN_OR_RETURN(target_type, DefaultTargetType(target_specs));
    } else if (onehot) {
      target_type = DataType::kInt64;  // what a cross-entropy loss takes
    }
    if (labelled && !options.target_type && target_type == DataType::kFloat32) {
      for (const auto& input : inputs) {
        if (*input.class_label > (1 << 24) || *input.class_label < -(1 << 24)) target_type = DataType::kInt64;
      }
    }
    int64_t count = 0;
    for (const auto& spec : target_specs) count += spec.InnerSize();
    int64_t total = count + (labelled || onehot ? 1 : 0);
    layout.targets_part = AddPart(layout, "targets", target_type, {total}, total);
    size_t base = layout.parts[static_cast<size_t>(layout.targets_part)].offset;
    size_t width = static_cast<size_t>(ByteWidth(target_type));
    int64_t at = 0;
    for (const auto& spec : target_specs) {
      ColumnRoute route{spec.name, spec, ColumnRoute::Kind::kFixed, target_type, spec.InnerSize()};
      route.offset = base + static_cast<size_t>(at) * width;
      if (spec.kind == ColumnKind::kScalar) {
        layout.target_names.push_back(spec.name);
      } else {
        for (int64_t j = 0; j < route.inner; ++j) layout.target_names.push_back(spec.name + "_" + std::to_string(j));
      }
      at += route.inner;
      layout.routes.push_back(std::move(route));
    }
    if (labelled) {
      layout.class_label_offset = static_cast<int64_t>(base + static_cast<size_t>(at) * width);
      layout.target_names.push_back("class_label");
    }
    if (onehot) {
      layout.class_index_offset = static_cast<int64_t>(base + static_cast<size_t>(at) * width);
      layout.target_names.push_back("class_index");
      for (const auto& name : options.class_columns) {
        RB_ASSIGN_OR_RETURN(ColumnSpec spec, spec_of(name, "class column"));
        if (spec.kind != ColumnKind::kScalar || spec.type == DataType::kChar) {
          return InvalidArgument("class column " + Quote(name) + " is " + spec.source_type +
                                 "; one-hot class columns are numeric scalars (bool)");
        }
        layout.routes.push_back({name, spec, ColumnRoute::Kind::kInput, DataType::kFloat64, 1});
        layout.onehot_routes.push_back(layout.routes.size() - 1);
      }
    }
  }

  if (!options.weight.empty()) {
    RB_ASSIGN_OR_RETURN(ColumnSpec spec, spec_of(options.weight, "weight"));
    RB_RETURN_IF_ERROR(numeric(spec, "weight"));
    if (spec.kind != ColumnKind::kScalar) return InvalidArgument("weight " + Quote(options.weight) + " must be a scalar column");
    layout.weights_part = AddPart(layout, "weights", options.weight_type, {}, 1);
    ColumnRoute route{options.weight, spec, ColumnRoute::Kind::kFixed, options.weight_type, 1};
    route.offset = layout.parts[static_cast<size_t>(layout.weights_part)].offset;
    layout.routes.push_back(std::move(route));
  }

  // Padded and ragged jagged columns.
  for (auto& route : jagged_routes) {
    if (route.kind == ColumnRoute::Kind::kPadded) {
      // [L] or, doubly jagged, [L, L_inner]; then the item's own shape.
      std::vector<int64_t> lists = {route.max_length};
      if (route.max_inner_length > 0) lists.push_back(route.max_inner_length);
      const int64_t slots = route.max_length * std::max<int64_t>(route.max_inner_length, 1);
      std::vector<int64_t> shape = lists;
      shape.insert(shape.end(), route.spec.inner_shape.begin(), route.spec.inner_shape.end());
      int part = AddPart(layout, route.name, route.out_type, shape, slots * route.inner);
      route.offset = layout.parts[static_cast<size_t>(part)].offset;
      layout.padded_parts.push_back(part);
      int mask = -1;
      if (route.mask_offset >= 0) {
        mask = AddPart(layout, route.name + "_mask", DataType::kBool, lists, slots);
        route.mask_offset = static_cast<int64_t>(layout.parts[static_cast<size_t>(mask)].offset);
      }
      layout.mask_parts.push_back(mask);
    } else {
      route.ragged_index = static_cast<int>(layout.ragged.size());
      layout.ragged.push_back({route.name, route.out_type, route.spec.inner_shape, route.inner});
    }
    layout.routes.push_back(std::move(route));
  }
  RB_RETURN_IF_ERROR(AddCollections(options, spec_of, layout));
  RB_RETURN_IF_ERROR(AttachTransforms(options, layout));
  RB_RETURN_IF_ERROR(AddReweightRoutes(options, spec_of, layout));
  layout.entries_part = AddPart(layout, "entries", DataType::kInt64, {}, 1);
  layout.row_bytes = AlignUp(layout.row_bytes, 8);
  constexpr size_t kCacheLine = 64;
  const size_t aligned = AlignUp(layout.row_bytes, kCacheLine);
  layout.slot_stride = (aligned - layout.row_bytes) * 8 <= layout.row_bytes ? aligned : layout.row_bytes;

  // Every input and file must have every column, with the same shape.
  std::vector<std::string> names;
  for (const auto& route : layout.routes) names.push_back(route.name);
  indices->clear();
  for (size_t i = 0; i < inputs.size(); ++i) {
    RB_ASSIGN_OR_RETURN_CTX(auto per_file, inputs[i].dataset->ResolveColumns(names), "input " + std::to_string(i));
    const Dataset& dataset = *inputs[i].dataset;
    for (size_t r = 0; r < layout.routes.size(); ++r) {
      const ColumnSpec& here = dataset.Columns()[per_file[0][r]];
      const ColumnSpec& first = layout.routes[r].spec;
      if (here.type != first.type || here.kind != first.kind || here.inner_shape != first.inner_shape) {
        return InvalidArgument("column " + Quote(names[r]) + " is " + here.source_type + " in input " +
                               std::to_string(i) + " (" + dataset.Description() + ") but " + first.source_type +
                               " in input 0; all inputs must agree");
      }
    }
    indices->push_back(std::move(per_file));
  }
  return layout;
}

}  // namespace rootbatch::loader
