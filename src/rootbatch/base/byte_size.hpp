// Memory sizes as people write them: "256MB", "1.5GB", "64MiB", "4096".
// The one parser behind `rootbatch bench --memory` and the Python
// `memory=` argument, so both accept the same words.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "rootbatch/base/status.hpp"

namespace rootbatch {

// Bytes of `text`: a positive number (decimals allowed) and an optional unit,
// case-insensitive, spaces around allowed: B, K/KB/KiB, M/MB/MiB, G/GB/GiB,
// T/TB/TiB. K, M, G and T are powers of 1024 whether written KB or KiB
// (memory budgets, as ROOT and most loaders mean them). Rounds down to whole
// bytes; InvalidArgument for anything else or a size below one byte.
Result<int64_t> ParseByteSize(std::string_view text);

// "256 MiB", "1.5 GiB", "512 B", "1234567 B (1.18 MiB)" for messages: exact
// when the size is a whole number of units, else bytes with an approximation.
std::string FormatByteSize(int64_t bytes);

}  // namespace rootbatch
