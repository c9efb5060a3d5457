// The must-fail folder: every case of cases.txt (how each input is made and
// the error it must give) is read as a user would read the file, and must
// fail with its code and all its words. See cases.txt for the format.
#include <gtest/gtest.h>

#include <cstdint>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "rootbatch/rntuple/ntuple_source.hpp"
#include "rootbatch/ttree/tree_source.hpp"

namespace rootbatch {
namespace {

constexpr int64_t kMaxEntriesRead = int64_t{1} << 20;

struct Case {
  std::string name, input, read, patches, code;
  std::vector<std::string> words;
};

// gtest names a failing case by this, not by its bytes.
void PrintTo(const Case& c, std::ostream* out) { *out << c.name << " (" << c.input << ")"; }

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(' ');
  const size_t e = s.find_last_not_of(' ');
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

std::vector<std::string> Split(const std::string& s, const std::string& by) {
  std::vector<std::string> out;
  size_t at = 0;
  while (true) {
    const size_t next = s.find(by, at);
    out.push_back(Trim(s.substr(at, next - at)));
    if (next == std::string::npos) return out;
    at = next + by.size();
  }
}

std::vector<Case> LoadCases() {
  std::vector<Case> cases;
  std::ifstream in(std::string(ROOTBATCH_MUST_FAIL_DIR) + "/cases.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (Trim(line).empty() || line[0] == '#') continue;
    const auto f = Split(line, " | ");
    if (f.size() != 6) {
      cases.push_back({"malformed line: " + line, "", "", "", "", {}});
      continue;
    }
    cases.push_back({f[0], f[1], f[2], f[3], f[4], Split(f[5], ";")});
  }
  return cases;
}

std::vector<uint8_t> ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<uint8_t> Hex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  return out;
}

// Applies "truncate@N", "set@OFFSET=HEX" and "xor@OFFSET=HEX"; fails the
// test if an offset lies outside the bytes.
void Patch(std::vector<uint8_t>& bytes, const std::string& patches) {
  if (patches == "-") return;
  std::istringstream ops(patches);
  std::string op;
  while (ops >> op) {
    const size_t at = op.find('@');
    ASSERT_NE(at, std::string::npos) << op;
    const std::string kind = op.substr(0, at);
    const size_t eq = op.find('=', at);
    const uint64_t offset = std::stoull(op.substr(at + 1, eq == std::string::npos ? std::string::npos : eq - at - 1));
    if (kind == "truncate") {
      ASSERT_LT(offset, bytes.size()) << op;
      bytes.resize(offset);
      continue;
    }
    ASSERT_NE(eq, std::string::npos) << op;
    const std::vector<uint8_t> value = Hex(op.substr(eq + 1));
    ASSERT_LE(offset + value.size(), bytes.size()) << op;
    for (size_t k = 0; k < value.size(); ++k) {
      if (kind == "set") {
        bytes[offset + k] = value[k];
      } else {
        ASSERT_EQ(kind, "xor") << op;
        bytes[offset + k] ^= value[k];
      }
    }
  }
}

// Opens the bytes, every TTree and RNTuple, reads every column; the first error.
Status ReadEverything(std::vector<uint8_t> bytes, const std::string& name) {
  RB_ASSIGN_OR_RETURN(auto opened, RootFile::Open(MakeMemorySource(name, std::move(bytes))));
  std::shared_ptr<const RootFile> file = opened;
  for (const auto& entry : file->AllKeys()) {
    const std::string path = entry.path + ";" + std::to_string(entry.key->cycle);
    std::unique_ptr<ColumnSource> source;
    if (IsTreeClass(entry.key->class_name)) {
      RB_ASSIGN_OR_RETURN(source, TreeSource::Open(file, path));
    } else if (IsRNTupleClass(entry.key->class_name)) {
      RB_ASSIGN_OR_RETURN(source, NTupleSource::Open(file, path));
    } else {
      continue;
    }
    const int64_t n = std::min(source->NumEntries(), kMaxEntriesRead);
    for (size_t c = 0; c < source->Columns().size(); ++c) RB_RETURN_IF_ERROR(source->ReadColumn(c, {0, n}).status());
  }
  return Status::Ok();
}

class MustFail : public ::testing::TestWithParam<Case> {};

TEST_P(MustFail, GivesItsError) {
  const Case& c = GetParam();
  ASSERT_EQ(c.name.rfind("malformed", 0), std::string::npos) << c.name;
  ASSERT_EQ(c.read, "all") << c.name;
  const bool local = c.input.rfind("local:", 0) == 0;
  const std::string file_name = local ? c.input.substr(6) : c.input;
  const std::string path = local ? std::string(ROOTBATCH_MUST_FAIL_DIR) + "/" + file_name
                                 : std::string(ROOTBATCH_TESTDATA_DIR) + "/" + file_name;
  std::vector<uint8_t> bytes = ReadAll(path);
  ASSERT_TRUE(local || !bytes.empty()) << "cannot read " << path;
  Patch(bytes, c.patches);
  if (HasFatalFailure()) return;
  const Status s = ReadEverything(std::move(bytes), file_name);
  const std::string text = s.ToString();
  EXPECT_EQ(StatusCodeName(s.Code()), c.code) << text;
  for (const auto& word : c.words) EXPECT_NE(text.find(word), std::string::npos) << "'" << word << "' not in: " << text;
}

INSTANTIATE_TEST_SUITE_P(Cases, MustFail, ::testing::ValuesIn(LoadCases()), [](const auto& info) {
  std::string name = info.param.name;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
});

}  // namespace
}  // namespace rootbatch
