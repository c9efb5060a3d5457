"""A real xrootd server on loopback for the remote-read tests (shared/docs/XROOTD.md):
serves one folder read-only on a free port; start() waits for it, stop() ends it.
Skips (pytest) where the server is not installed."""
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def public_dir(prefix="rb-served-"):
    """A fresh folder the server (run as nobody) can read: pytest's own temporary
    folders are private to their user. The caller removes it."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix=prefix))
    os.chmod(folder, 0o755)
    return folder


class XRootDServer:
    def __init__(self, data_dir, port=None):
        self.data_dir = pathlib.Path(data_dir).resolve()
        self.port = port or free_port()
        self.run_dir = pathlib.Path(tempfile.mkdtemp(prefix="rb-xrootd-"))
        os.chmod(self.run_dir, 0o777)  # the server runs as nobody when we are root
        self.process = None

    def url(self, path):
        """root:// URL of a local path under data_dir (or of a path relative to it)."""
        path = pathlib.Path(path)
        rel = path.resolve().relative_to(self.data_dir) if path.is_absolute() else path
        return f"root://127.0.0.1:{self.port}//{rel.as_posix()}"

    def start(self, timeout=20):
        exe = shutil.which("xrootd")
        if exe is None:
            pytest.skip("xrootd is not installed (scripts/setup installs xrootd-server)")
        config = self.run_dir / "xrootd.cfg"
        config.write_text("\n".join([
            f"xrd.port {self.port}",
            "xrd.network nodnr",
            "xrd.allow host 127.0.0.1",
            "xrd.allow host [::1]",
            f"oss.localroot {self.data_dir}",
            "all.export / r/o",
            f"all.adminpath {self.run_dir}",
            f"all.pidpath {self.run_dir}",
        ]) + "\n")
        log = self.run_dir / "xrootd.log"
        cmd = [exe, "-c", str(config), "-l", str(log)]
        if os.geteuid() == 0:
            cmd[1:1] = ["-R", "nobody"]
        self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"xrootd exited: {self.log_text()[-2000:]}")
            if "initialization completed" in self.log_text():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("xrootd did not start in time: " + self.log_text()[-2000:])

    def log_text(self):
        log = self.run_dir / "xrootd.log"
        return log.read_text(errors="replace") if log.exists() else ""

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        shutil.rmtree(self.run_dir, ignore_errors=True)
