// Counts the bytes a process holds through the allocator and anonymous
// mappings, for tests that check a memory contract against real allocations
// rather than against the planner's arithmetic (memory_budget_test.cpp).
//
// allocation_counter.cpp replaces malloc, calloc, realloc, free and the
// aligned forms (glibc allows this: its own functions stay reachable as
// __libc_malloc and friends, which the wrappers call), so every operator new,
// std::aligned_alloc and every allocation of the compression libraries is
// counted, by the allocator's usable size. It also wraps mmap/munmap and
// counts anonymous mappings at their full length (the shuffle buffer is one:
// large_memory.cpp), committed or not, so the count is an upper bound on
// what they make resident. Not counted: thread stacks and glibc's own
// mappings (its arenas' reserves; the chunks in them are counted), which
// glibc makes through internal calls.
//
// Link the .cpp into one test executable only, and never into a sanitizer
// build: ASan and TSan bring their own malloc, and two replacements cannot
// coexist. CountingAllocations() says whether the wrappers are in force.
#pragma once

#include <cstdint>

namespace rootbatch::testing {

// True where this build counts (no sanitizer replaced the allocator).
bool CountingAllocations();

// Bytes held now: live heap blocks plus anonymous mappings.
int64_t LiveBytes();
// Of which anonymous mappings.
int64_t MappedBytes();
// The most LiveBytes has been since the last ResetPeak (or the start).
int64_t PeakBytes();
// Anonymous mappings when that peak was reached.
int64_t MappedBytesAtPeak();
// Starts a new peak at LiveBytes().
void ResetPeak();

}  // namespace rootbatch::testing
