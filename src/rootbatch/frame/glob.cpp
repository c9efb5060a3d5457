#include "rootbatch/frame/glob.hpp"

#include <glob.h>

#include <cerrno>

#include "rootbatch/io/byte_source.hpp"

namespace rootbatch {

bool HasWildcard(const std::string& pattern) {
  return pattern.find_first_of("*?[") != std::string::npos;
}

Result<std::vector<std::string>> ExpandPaths(const std::vector<std::string>& patterns) {
  std::vector<std::string> paths;
  for (const auto& pattern : patterns) {
    if (IsRemoteUrl(pattern) && HasWildcard(pattern)) {
      return InvalidArgument("'" + pattern + "': wildcards are not expanded in root:// URLs (XRootD servers need "
                             "not list directories); give the files one by one")
          .WithPath(pattern);
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
