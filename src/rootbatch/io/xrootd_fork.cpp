// Fork handling for the XRootD client (XrdCl), run by rootbatch instead of by
// the client itself.
//
// Why: before a fork the client stops its threads, and after it starts them
// again (in the child on fresh connections). Its worker and timer threads are
// joined, but its event-loop (poller) threads are only told to stop: each
// acknowledges, then exits on its own, while the fork goes on. A thread that
// has resolved a host name takes glibc's resolver lock once more as it exits
// (to release its resolver state), and every login resolves this host's own
// name on the event-loop thread. A fork that lands in that moment copies the
// lock, held, into the child, where no thread will ever release it: the
// child's first login then blocks for good in getaddrinfo and its open
// expires. Seen in DataLoader workers forked just after the parent connected
// (XrdCl 5.5, glibc 2.36; one fork in a few dozen on a loaded machine).
//
// So rootbatch turns the client's own handler off (its RunForkHandler
// setting), registers one of its own that calls the client's fork handler
// (the same Prepare, Parent and Child), and after Prepare waits until the
// threads the client stopped have exited before the fork goes on. The
// client's handler still runs its other steps in the child (it reopens its
// log and renews its settings' lock), before this one.
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#include <XrdCl/XrdClDefaultEnv.hh>
#include <XrdCl/XrdClEnv.hh>
#include <XrdCl/XrdClLog.hh>

#include <chrono>
#include <mutex>

#include "rootbatch/base/thread_count.hpp"
#include "rootbatch/io/xrootd_client.hpp"

// The client's fork handler: exported by libXrdCl and returned by the public
// DefaultEnv::GetForkHandler(), but its header is not installed. Only these
// three non-virtual members are called.
namespace XrdCl {
class ForkHandler {
 public:
  void Prepare();
  void Parent();
  void Child();
};
}  // namespace XrdCl

namespace rootbatch::xrootd {
namespace {

// The client's defaults (XrdClConstants.hh) where its settings hold none.
constexpr int kClientWorkerThreads = 3;   // WorkerThreads: joined by Prepare
constexpr int kClientPollerThreads = 1;   // ParallelEvtLoop: exit after Prepare
constexpr int kClientTimerThreads = 1;    // the task manager: joined by Prepare
// How long a fork waits at most for the stopped threads to exit: an exit
// takes microseconds, but a loaded machine may not run the thread at once.
// Past it the fork goes on (another thread of the process may have started
// meanwhile, so the count is never reached).
constexpr auto kExitWait = std::chrono::seconds(1);
// Where no thread has gone this long after Prepare, the client was not
// running and nothing will exit. (Not "none gone at once": a joined thread
// stays listed in /proc for a moment after the join returns.)
constexpr auto kNothingStoppedWait = std::chrono::milliseconds(20);

int ClientSetting(const char* name, int fallback) {
  int value = fallback;
  XrdCl::DefaultEnv::GetEnv()->GetInt(name, value);
  return value;
}

void Prepare() {
  const int before = CountThreads();
  XrdCl::DefaultEnv::GetForkHandler()->Prepare();
  if (before < 0) return;
  const int target = before - ClientSetting("WorkerThreads", kClientWorkerThreads) - kClientTimerThreads -
                     ClientSetting("ParallelEvtLoop", kClientPollerThreads);
  const auto start = std::chrono::steady_clock::now();
  const timespec pause{0, 100'000};  // 0.1 ms
  for (;;) {
    const int count = CountThreads();
    if (count < 0 || count <= target) return;
    const auto waited = std::chrono::steady_clock::now() - start;
    if (waited > kExitWait || (count >= before && waited > kNothingStoppedWait)) return;
    nanosleep(&pause, nullptr);
  }
}

// As the client's own handler does: its log names the process it runs in.
void Parent() {
  XrdCl::DefaultEnv::GetLog()->SetPid(getpid());
  XrdCl::DefaultEnv::GetForkHandler()->Parent();
}
void Child() {
  XrdCl::DefaultEnv::GetLog()->SetPid(getpid());
  XrdCl::DefaultEnv::GetForkHandler()->Child();
}

}  // namespace

void TakeOverForkHandling() {
  static std::once_flag once;
  std::call_once(once, [] {
    XrdCl::Env* env = XrdCl::DefaultEnv::GetEnv();
    int enabled = 1;
    env->GetInt("RunForkHandler", enabled);
    if (enabled == 0) return;  // the user turned fork handling off (XRD_RUNFORKHANDLER=0)
    env->PutInt("RunForkHandler", 0);
    int now = 1;
    env->GetInt("RunForkHandler", now);
    if (now != 0) return;  // set by the user through the environment: the client's own handler runs
    // Registered after the client's (at its load): ours prepares before its
    // (which now does nothing there) and runs after it in parent and child.
    pthread_atfork(Prepare, Parent, Child);
  });
}

}  // namespace rootbatch::xrootd
