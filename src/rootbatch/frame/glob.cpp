#include "rootbatch/frame/glob.hpp"

#include <fnmatch.h>
#include <glob.h>

#include <cerrno>

#include "rootbatch/io/byte_source.hpp"

namespace rootbatch {
namespace {

// root://host//dir/NAME-PATTERN: the server lists dir (where it allows
// listings) and the pattern picks the files among its entries, as a shell
// would (a leading dot must be matched explicitly; directories are skipped).
// Wildcards are taken in the last part only: a pattern over directories
// would cost a listing per directory, one round trip each.
Status ExpandRemote(const std::string& pattern, std::vector<std::string>* paths) {
  const size_t scheme_end = pattern.find("://") + 3;
  const size_t last_slash = pattern.rfind('/');
  if (last_slash < scheme_end || HasWildcard(pattern.substr(0, last_slash))) {
    return InvalidArgument("'" + pattern + "': in root:// URLs wildcards are expanded in the file name only "
                           "(root://host//dir/*.root), not in the host or the directories")
        .WithPath(pattern);
  }
  const std::string directory = pattern.substr(0, last_slash + 1);
  const std::string name_pattern = pattern.substr(last_slash + 1);
  RB_ASSIGN_OR_RETURN(std::vector<RemoteEntry> entries, ListRemoteDirectory(directory));
  const size_t before = paths->size();
  for (const RemoteEntry& entry : entries) {
    if (entry.is_directory) continue;
    if (fnmatch(name_pattern.c_str(), entry.name.c_str(), FNM_PERIOD) == 0) paths->push_back(directory + entry.name);
  }
  if (paths->size() == before) {
    return NotFound("no file matches '" + pattern + "' (the server lists " + std::to_string(entries.size()) +
                    " entries in '" + directory + "')")
        .WithPath(pattern)
        .WithErrno(ENOENT);
  }
  return Status::Ok();
}

}  // namespace

bool HasWildcard(const std::string& pattern) {
  return pattern.find_first_of("*?[") != std::string::npos;
}

Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& patterns) {
  std::vector<std::string> paths;
  for (const auto& pattern : patterns) {
    if (IsRemoteUrl(pattern) && HasWildcard(pattern)) {
      RB_RETURN_IF_ERROR(ExpandRemote(pattern, &paths));
      continue;
    }
    if (!HasWildcard(pattern)) {
      paths.push_back(pattern);
      continue;
    }
    glob_t matches{};
    int rc = glob(pattern.c_str(), GLOB_ERR, nullptr, &matches);
    if (rc == GLOB_NOMATCH) {
      globfree(&matches);
      return NotFound("no file matches '" + pattern + "'").WithPath(pattern).WithErrno(ENOENT);
    }
    if (rc != 0) {
      globfree(&matches);
      return IOError("cannot expand '" + pattern + "' (glob error " + std::to_string(rc) + ")");
    }
    for (size_t i = 0; i < matches.gl_pathc; ++i) paths.emplace_back(matches.gl_pathv[i]);
    globfree(&matches);
  }
  return paths;
}

}  // namespace rootbatch
