"""Remote reads against local ones (docs/benchmarks.md, "Remote files"): `rootbatch bench`
on a file read locally, over root:// on loopback, and over root:// through a proxy that
delays every message from the client to the server by --delay-ms (a one-way delay line:
messages keep their order and overlap, as on a long link). Runs are interleaved
(local, loopback, delayed) for --rounds rounds; prints events/s, the ratio to local
and the requests sent.

    python python/benchmarks/remote_latency.py samples/bench1M_zstd.root --delay-ms 10

The file's folder is served read-only by a real xrootd (tests/python/xrootd_server.py),
so it must be readable by the server's user (nobody, when run as root).

On one machine the server, the proxy and the loader share the cores, which a training
node reading from storage does not: `--loader-cpus 0 --server-cpus 1` pins every loader
run (local ones too) to the first set and the server and proxy to the second, so the
comparison isolates what latency costs from what the server's CPU costs.
"""
import argparse
import json
import os
import pathlib
import queue
import socket
import subprocess
import sys
import threading
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests" / "python"))
from xrootd_server import XRootDServer, free_port  # noqa: E402


class DelayProxy:
    """Forwards 127.0.0.1:port to the server; client-to-server bytes leave `delay` s
    after they arrived, in order; the answers come back at once."""

    def __init__(self, target_port, delay):
        self.target_port, self.delay = target_port, delay
        self.port = free_port()
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            client, _ = self.listener.accept()
            server = socket.create_connection(("127.0.0.1", self.target_port))
            for s in (client, server):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            line = queue.Queue()
            threading.Thread(target=self._read, args=(client, line), daemon=True).start()
            threading.Thread(target=self._send_later, args=(line, server), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client), daemon=True).start()

    def _read(self, source, line):
        while data := source.recv(1 << 16):
            line.put((time.monotonic() + self.delay, data))
        line.put((0, b""))

    def _send_later(self, line, sink):
        while True:
            due, data = line.get()
            if not data:
                sink.shutdown(socket.SHUT_WR)
                return
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            sink.sendall(data)

    @staticmethod
    def _pipe(source, sink):
        """The answers, undelayed: spliced through a kernel pipe where the OS allows it, so
        the proxy spends little CPU on the bulk of the bytes (it shares the cores with the
        loader being measured)."""
        try:
            if hasattr(os, "splice"):
                r, w = os.pipe()
                try:
                    while n := os.splice(source.fileno(), w, 1 << 20):
                        while n:
                            n -= os.splice(r, sink.fileno(), n)
                finally:
                    os.close(r)
                    os.close(w)
            else:
                while data := source.recv(1 << 16):
                    sink.sendall(data)
        except OSError:
            pass
        finally:
            sink.close()


def cpu_set(text):
    return {int(c) for c in text.split(",")} if text else None


def bench(cli, path, args):
    cmd = [cli, "bench", str(path), "--tree", args.tree, "--target", args.target, "--threads", str(args.threads),
           "--memory", args.memory, "--json"]
    pin = cpu_set(args.loader_cpus)
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=3600,
                         preexec_fn=(lambda: os.sched_setaffinity(0, pin)) if pin else None)
    return json.loads(out.stdout)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file")
    parser.add_argument("--tree", default="events")
    parser.add_argument("--target", default="label")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--memory", default="256MB")
    parser.add_argument("--delay-ms", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loader-cpus", default="", help="CPUs for the loader runs, e.g. 0 (default: any)")
    parser.add_argument("--server-cpus", default="", help="CPUs for the server and the proxy, e.g. 1 (default: any)")
    parser.add_argument("--rootbatch", default=str(REPO / "build" / "release" / "cli" / "rootbatch"))
    args = parser.parse_args(argv)
    path = pathlib.Path(args.file).resolve()
    if args.server_cpus:  # the server is started from here and inherits it, the proxy's threads too
        os.sched_setaffinity(0, cpu_set(args.server_cpus))
    rows = []
    with XRootDServer(path.parent) as server:
        proxy = DelayProxy(server.port, args.delay_ms / 1000)
        direct = server.url(path)
        delayed = direct.replace(f":{server.port}/", f":{proxy.port}/")
        for r in range(args.rounds):
            local = bench(args.rootbatch, path, args)
            loop = bench(args.rootbatch, direct, args)
            slow = bench(args.rootbatch, delayed, args)
            rows.append((local, loop, slow))
            print(f"round {r}: local {local['events_per_s'] / 1e6:.2f} M/s, loopback {loop['events_per_s'] / 1e6:.2f}"
                  f" ({loop['events_per_s'] / local['events_per_s']:.2f}), +{args.delay_ms:g} ms "
                  f"{slow['events_per_s'] / 1e6:.2f} ({slow['events_per_s'] / local['events_per_s']:.2f}); requests: "
                  f"{slow['remote_reads']} reads, {slow['remote_vector_reads']} vector reads of "
                  f"{slow['remote_chunks']} chunks for {slow['units_read']} baskets", flush=True)
    med = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    local = med([r[0]["events_per_s"] for r in rows])
    print(f"\nmedians: local {local / 1e6:.2f} M events/s, loopback {med([r[1]['events_per_s'] for r in rows]) / local:.2f}"
          f" of it, +{args.delay_ms:g} ms {med([r[2]['events_per_s'] for r in rows]) / local:.2f} of it")


if __name__ == "__main__":
    main()
