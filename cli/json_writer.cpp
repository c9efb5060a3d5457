#include "cli/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace rootbatch::cli {

void JsonWriter::BeforeValue() {
  if (after_key_) {
    after_key_ = false;
    return;
  }
  if (!first_.empty()) {
    if (!first_.back()) out_ += ", ";
    first_.back() = false;
  }
  if (pending_newline_) {
    out_ += "\n";
    pending_newline_ = false;
  }
}

void JsonWriter::BeginObject() {
  BeforeValue();
  out_ += '{';
  first_.push_back(true);
}
void JsonWriter::EndObject() {
  out_ += '}';
  first_.pop_back();
}
void JsonWriter::BeginArray() {
  BeforeValue();
  out_ += '[';
  first_.push_back(true);
}
void JsonWriter::EndArray() {
  out_ += ']';
  first_.pop_back();
}

void JsonWriter::Key(std::string_view key) {
  BeforeValue();
  AppendQuoted(key);
  out_ += ": ";
  after_key_ = true;
}

void JsonWriter::String(std::string_view value) {
  BeforeValue();
  AppendQuoted(value);
}

void JsonWriter::AppendQuoted(std::string_view value) {
  out_ += '"';
  for (unsigned char c : value) {
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof(escaped), "\\u%04x", c);
          out_ += escaped;
        } else {
          out_ += static_cast<char>(c);
        }
    }
  }
  out_ += '"';
}

void JsonWriter::Int(int64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
}
void JsonWriter::UInt(uint64_t value) {
  BeforeValue();
  out_ += std::to_string(value);
}
void JsonWriter::Int128(__int128 value) {
  BeforeValue();
  if (value == 0) {
    out_ += '0';
    return;
  }
  bool negative = value < 0;
  unsigned __int128 magnitude = negative ? -static_cast<unsigned __int128>(value) : value;
  std::string digits;
  while (magnitude) {
    digits += static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  }
  if (negative) digits += '-';
  out_.append(digits.rbegin(), digits.rend());
}
void JsonWriter::Double(double value) {
  if (std::isnan(value)) {
    BeforeValue();
    out_ += "\"NaN\"";
    return;
  }
  if (std::isinf(value)) {
    BeforeValue();
    out_ += value > 0 ? "\"Infinity\"" : "\"-Infinity\"";
    return;
  }
  BeforeValue();
  char buffer[64];
  auto [ptr, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  std::string text(buffer, ptr);
  // Keep floats recognisable as floats ("2.0", not "2").
  if (text.find_first_of(".eE") == std::string::npos) text += ".0";
  out_ += text;
}
void JsonWriter::Bool(bool value) {
  BeforeValue();
  out_ += value ? "true" : "false";
}
void JsonWriter::Null() {
  BeforeValue();
  out_ += "null";
}

}  // namespace rootbatch::cli
