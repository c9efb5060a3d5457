#include "rootbatch/tfile/root_file.hpp"

#include <algorithm>
#include <charconv>

#include "rootbatch/base/suggest.hpp"

namespace rootbatch {

Result<std::shared_ptr<RootFile>> RootFile::Open(const std::string& path) {
  RB_ASSIGN_OR_RETURN(auto source, OpenByteSource(path));
  return Open(std::move(source));
}

Result<std::shared_ptr<RootFile>> RootFile::Open(std::unique_ptr<ByteSource> source) {
  std::shared_ptr<RootFile> file(new RootFile());
  const ErrorContext context = FileContext(source->Name());
  RB_ASSIGN_OR_RETURN_CTX(file->header_, ReadFileHeader(*source), context);
  // The top directory record follows the TFile key's header and its two
  // TStrings (name, title): fBEGIN + fNbytesName.
  const int64_t top_offset = int64_t{file->header_.begin} + file->header_.nbytes_name;
  RB_ASSIGN_OR_RETURN_CTX(file->top_, ReadDirectory(*source, top_offset, ""), context);
  file->source_ = std::move(source);
  return file;
}

namespace {
void CollectKeys(const Directory& directory, std::vector<KeyEntry>& out) {
  size_t sub = 0;
  for (const KeyHeader& key : directory.keys) {
    std::string path = directory.path.empty() ? key.name : directory.path + "/" + key.name;
    out.push_back({path, &key});
    if (IsDirectoryClass(key.class_name) && sub < directory.subdirectories.size()) {
      CollectKeys(*directory.subdirectories[sub++], out);
    }
  }
}

std::string ListNames(const Directory& directory) {
  std::string names;
  for (const KeyHeader& key : directory.keys) {
    names += (names.empty() ? "" : ", ") + key.name + ";" + std::to_string(key.cycle) + " (" +
             key.class_name + ")";
  }
  return names.empty() ? "(no keys)" : names;
}

// "did you mean 'events'? (4 keys)" when a key of `directory` is close to
// `name`, else every key with its cycle and class.
std::string KeyHint(const Directory& directory, std::string_view name) {
  std::vector<std::string> names;
  for (const KeyHeader& key : directory.keys) {
    if (std::find(names.begin(), names.end(), key.name) == names.end()) names.push_back(key.name);
  }
  std::vector<std::string> close = ClosestNames(name, names);
  if (!close.empty()) {
    return DidYouMean(close) + " (" + std::to_string(directory.keys.size()) + " keys)";
  }
  return "it has: " + ListNames(directory);
}
}  // namespace

std::vector<KeyEntry> RootFile::AllKeys() const {
  std::vector<KeyEntry> out;
  CollectKeys(*top_, out);
  return out;
}

Result<const KeyHeader*> RootFile::FindKey(std::string_view path) const {
  std::string_view name = path;
  int cycle = -1;
  if (auto semicolon = path.rfind(';'); semicolon != std::string_view::npos) {
    name = path.substr(0, semicolon);
    std::string_view digits = path.substr(semicolon + 1);
    auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), cycle);
    if (ec != std::errc() || ptr != digits.data() + digits.size() || cycle < 0) {
      return InvalidArgument("bad cycle in '" + std::string(path) + "'; expected name;N");
    }
  }
  const Directory* directory = top_.get();
  while (true) {
    auto slash = name.find('/');
    if (slash == std::string_view::npos) break;
    std::string_view part = name.substr(0, slash);
    name = name.substr(slash + 1);
    if (part.empty()) continue;
    const Directory* next = nullptr;
    for (const auto& sub : directory->subdirectories) {
      std::string_view sub_name = sub->path;
      if (auto s = sub_name.rfind('/'); s != std::string_view::npos) sub_name = sub_name.substr(s + 1);
      if (sub_name == part) next = sub.get();
    }
    if (!next) {
      return NotFound("no directory '" + std::string(part) + "' in " +
                      (directory->path.empty() ? "the top directory" : "'" + directory->path + "'") +
                      " of '" + Name() + "'; " + KeyHint(*directory, part));
    }
    directory = next;
  }
  const KeyHeader* best = nullptr;
  for (const KeyHeader& key : directory->keys) {
    if (key.name != name) continue;
    if (cycle >= 0 ? key.cycle == cycle : (!best || key.cycle > best->cycle)) best = &key;
  }
  if (!best) {
    return NotFound("no key '" + std::string(path) + "' in '" + Name() + "'; in " +
                    (directory->path.empty() ? "the top directory" : "'" + directory->path + "'") + ", " +
                    KeyHint(*directory, name));
  }
  return best;
}

Result<std::vector<uint8_t>> RootFile::ReadPayload(const KeyHeader& key) const {
  return ReadKeyPayload(*source_, key).WithContext(FileContext(Name()));
}

Result<const StreamerInfoList*> RootFile::StreamerInfos() const {
  std::call_once(streamers_once_, [this] {
    if (header_.seek_info <= 0 || header_.nbytes_info <= 0) {
      streamers_ = StreamerInfoList{};
      return;
    }
    auto key = ReadKeyHeader(*source_, header_.seek_info);
    if (!key.IsOk()) {
      streamers_ = std::move(key).status().WithContext("StreamerInfo record of '" + Name() + "'");
      return;
    }
    auto payload = ReadPayload(*key);
    if (!payload.IsOk()) {
      streamers_ = std::move(payload).status().WithContext("StreamerInfo record");
      return;
    }
    streamers_ = ParseStreamerInfoList(*payload, key->keylen, key->seek_key + key->keylen)
                     .WithContext("StreamerInfo record of '" + Name() + "'");
  });
  if (!streamers_.IsOk()) return streamers_.status();
  return &streamers_.Value();
}

}  // namespace rootbatch
