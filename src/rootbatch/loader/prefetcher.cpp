#include "rootbatch/loader/prefetcher.hpp"

#include <chrono>

namespace rootbatch::loader {

Prefetcher::Prefetcher(ThreadPool* pool, std::shared_ptr<const BlockReader> reader, std::vector<Segment> reads,
                       int window, ErrorCallback on_error, PrefetchHooks hooks)
    : pool_(pool), window_(window < 1 ? 1 : window), state_(std::make_shared<State>()) {
  state_->reader = std::move(reader);
  state_->reads = std::move(reads);
  state_->on_error = std::move(on_error);
  state_->hooks = std::move(hooks);
  state_->max_spare = static_cast<size_t>(window_);
  state_->tickets.assign(state_->reads.size(), -1);
  std::vector<size_t> reserved;
  {
    std::lock_guard lock(state_->mutex);
    reserved = ReserveLocked();
  }
  Start(reserved);
}

Prefetcher::~Prefetcher() {
  Cancel();
  // Fetches of segments no task read (their tasks return early once
  // cancelled; ending a fetch twice is harmless).
  std::lock_guard lock(state_->mutex);
  for (size_t segment = state_->taken; segment < state_->scheduled; ++segment) {
    state_->reader->EndFetch(state_->reads[segment], state_->tickets[segment]);
  }
}

void Prefetcher::Cancel() {
  {
    std::lock_guard lock(state_->mutex);  // waits for a running error callback
    state_->cancelled = true;
  }
  state_->changed.notify_all();
}

std::vector<size_t> Prefetcher::ReserveLocked() {
  State& s = *state_;
  std::vector<size_t> reserved;
  while (!s.cancelled && s.error.IsOk() && s.scheduled < s.reads.size() &&
         s.scheduled - s.taken < static_cast<size_t>(window_)) {
    reserved.push_back(s.scheduled++);
    s.window.emplace_back();
  }
  return reserved;
}

void Prefetcher::Start(const std::vector<size_t>& segments) {
  for (size_t segment : segments) {
    // Before the task is submitted: its end reads the ticket.
    state_->tickets[segment] = state_->reader->StartFetch(state_->reads[segment]);
    if (state_->hooks.before_read) state_->hooks.before_read(segment);
    std::shared_ptr<State> state = state_;
    pool_->Submit([state, segment] { RunTask(state, segment); });
  }
}

void Prefetcher::RunTask(const std::shared_ptr<State>& state, size_t segment) {
  struct EndFetch {  // the fetched bytes are read (or no longer needed) once the task ends
    const State& state;
    size_t segment;
    ~EndFetch() { state.reader->EndFetch(state.reads[segment], state.tickets[segment]); }
  } end_fetch{*state, segment};
  {
    std::lock_guard lock(state->mutex);
    if (state->cancelled || !state->error.IsOk()) return;
  }
  std::unique_ptr<StagedBlock> recycled;
  {
    std::lock_guard lock(state->mutex);
    if (state->cancelled || !state->error.IsOk()) return;
    if (!state->spare.empty()) {
      recycled = std::move(state->spare.back());
      state->spare.pop_back();
    }
  }
  // Filled here, not by the consumer: the rows are written by this thread,
  // and memory another core wrote last costs a transfer per cache line.
  std::unique_ptr<StagedBlock> block = state->reader->Allocate(state->reads[segment], std::move(recycled));
  ReadStats stats;
  Status status = state->reader->ReadBlock(state->reads[segment], block.get(), &stats, &state->cancelled);
  const bool hooked = static_cast<bool>(state->hooks.after_read);
  if (hooked && status.IsOk() && !state->cancelled) status = state->hooks.after_read(segment, *block);
  {
    std::lock_guard lock(state->mutex);
    state->stats += stats;
    if (hooked && block) {  // its rows are where they go: its memory serves the next read
      if (state->spare.size() < state->max_spare) state->spare.push_back(std::move(block));
      block.reset();
    }
    if (!status.IsOk() && state->error.IsOk() && !state->cancelled) {
      state->error = std::move(status).WithContext("loader read of segment " + std::to_string(segment));
      // Under the lock: Cancel() cannot return while the owner is being told,
      // so the callback never outlives the object it points to.
      if (state->on_error) state->on_error(state->error);
    }
    if (segment >= state->taken) {
      Pending& pending = state->window[segment - state->taken];
      pending.block = std::move(block);
      pending.done = true;
    }
  }
  state->changed.notify_all();
}

Result<std::unique_ptr<StagedBlock>> Prefetcher::Next() {
  State& s = *state_;
  std::unique_lock lock(s.mutex);
  if (s.taken >= s.reads.size()) return std::unique_ptr<StagedBlock>();
  if (std::vector<size_t> reserved = ReserveLocked(); !reserved.empty()) {
    lock.unlock();
    Start(reserved);
    lock.lock();
  }
  auto start = std::chrono::steady_clock::now();
  s.changed.wait(lock, [&] {
    return s.cancelled || !s.error.IsOk() || (!s.window.empty() && s.window.front().done);
  });
  s.wait_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!s.error.IsOk()) return s.error;
  if (s.cancelled) return Cancelled("the loader was stopped");
  std::unique_ptr<StagedBlock> block = std::move(s.window.front().block);
  s.window.pop_front();
  ++s.taken;
  const std::vector<size_t> reserved = ReserveLocked();
  lock.unlock();
  Start(reserved);
  return block;
}

Result<bool> Prefetcher::Advance() {
  {
    std::lock_guard lock(state_->mutex);
    if (state_->taken >= state_->reads.size()) return false;
  }
  RB_ASSIGN_OR_RETURN(std::unique_ptr<StagedBlock> block, Next());
  Recycle(std::move(block));  // null where the worker gave it back already
  return true;
}

void Prefetcher::Recycle(std::unique_ptr<StagedBlock> block) {
  if (!block) return;
  std::lock_guard lock(state_->mutex);
  if (state_->spare.size() < state_->max_spare) state_->spare.push_back(std::move(block));
}

double Prefetcher::WaitSeconds() const {
  std::lock_guard lock(state_->mutex);
  return state_->wait_seconds;
}

ReadStats Prefetcher::Stats() const {
  std::lock_guard lock(state_->mutex);
  return state_->stats;
}

}  // namespace rootbatch::loader
