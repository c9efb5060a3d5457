// How the memory budget is split. Everything the loader holds is counted:
//
//   resident   what the sources keep (ColumnSource::ResidentBytes: a
//              frame's selection bitmap), taken off the budget before the
//              split below
//   buffer     7/8 of the budget less four batches (two queued, one being
//              built, one held by the consumer), as num_slots rows of
//              (row bytes + 12 bytes of bookkeeping + ragged values,
//              estimated from the mean number of items per entry)
//   batches    those four batches
//   the rest   (1/8): reads in flight, window x a staged segment (rows in
//              output types, and for remote files the bytes fetched ahead
//              for it: ColumnSource::PrefetchBytesPerEntry) + per worker its
//              segment's raw columns and the reader's basket buffers
//              (estimated as 2 x the widest raw column), and any queued
//              batches beyond two
//
// The buffer size depends only on the budget, the batch size and the
// columns, so threads and queue depth never change the batches. Blocks too
// long for the share are cut into turns of turn_entries, sized as if two
// workers read (the default) and no batch were queued beyond two, from the
// budget and the columns alone: the turns are the longest pieces the
// order places (epoch_order.hpp), so the cut decides the order and must not
// depend on the thread count. Reads cover at most
// max_read_entries (<= turn_entries; smaller with more workers, each holding
// its read's raw columns): a turn read in several pieces keeps its place in
// the stream, and a basket split across reads is decompressed once per read
// (the statistics show it). As many segments are read ahead as the share
// holds (at least threads + 1): a deep window lets the workers run ahead
// while the assembler thread is busy or descheduled.
#pragma once

#include <cstdint>
#include <string>

#include "rootbatch/base/status.hpp"
#include "rootbatch/loader/layout.hpp"
#include "rootbatch/loader/options.hpp"

namespace rootbatch::loader {

struct MemoryPlan {
  int64_t num_slots = 0;          // rows the shuffle buffer holds
  int64_t slot_bytes = 0;         // per slot, bookkeeping included
  int64_t turn_entries = 0;       // longest piece of a block in the stream's order (thread-independent)
  int64_t max_read_entries = 0;   // longest segment one read covers (<= turn_entries)
  int window = 0;                 // segments read ahead
  int64_t batch_bytes = 0;        // one batch
  int64_t batches_bytes = 0;      // all batches held
  int64_t in_flight_bytes = 0;    // blocks being read, at most
  int64_t fetch_bytes = 0;        // of which remote bytes fetched ahead (window x segment x fetch_row)
  int64_t buffer_bytes = 0;       // num_slots x slot_bytes
  int64_t resident_bytes = 0;     // kept by the sources (a frame's selection), taken off the budget first

  std::string Describe() const;   // one line, MiB
};

// `mean_items`: mean items per entry of the jagged columns (for estimates);
// `largest_block`: entries of the plan's largest block (segments are no
// longer, so more of them fit in flight); `fetch_row`: bytes a segment's
// fetch holds per row (BlockReader::FetchBytesPerRow; 0 for local files).
Result<MemoryPlan> PlanMemory(const RowLayout& layout, const LoaderOptions& options, double mean_items,
                              int64_t largest_block, double fetch_row = 0);

}  // namespace rootbatch::loader
