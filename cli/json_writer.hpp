// A minimal streaming JSON writer for the CLI's machine-readable output.
// Floats are written in the shortest form that reads back to the same
// double; non-finite floats as the strings "NaN", "Infinity", "-Infinity".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace rootbatch::cli {

class JsonWriter {
 public:
  void BeginObject();
  void EndObject();
  void BeginArray();
  void EndArray();
  void Key(std::string_view key);
  void String(std::string_view value);
  void Int(int64_t value);
  void UInt(uint64_t value);
  void Int128(__int128 value);
  void Double(double value);
  void Bool(bool value);
  void Null();
  // Inserts a line break before the next value (readability of long output).
  void NewLine() { pending_newline_ = true; }

  const std::string& Text() const { return out_; }

 private:
  void BeforeValue();
  void AppendQuoted(std::string_view value);
  std::string out_;
  std::vector<bool> first_;  // per open container: no value written yet
  bool after_key_ = false;
  bool pending_newline_ = false;
};

}  // namespace rootbatch::cli
