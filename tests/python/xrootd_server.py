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


def _run_openssl(*args):
    subprocess.run(["openssl", *args], check=True, capture_output=True, timeout=60)


def make_test_ca(folder):
    """A throwaway CA and a server certificate for 127.0.0.1 signed by it, in `folder`:
    returns (server certificate, server key, CA directory for X509_CERT_DIR)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (needed to make the TLS test certificates)")
    folder = pathlib.Path(folder)
    ca_key, ca_pem = folder / "ca.key", folder / "ca.pem"
    key, csr, pem = folder / "server.key", folder / "server.csr", folder / "server.pem"
    _run_openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(ca_key), "-out", str(ca_pem),
                 "-days", "2", "-subj", "/CN=rootbatch test CA")
    _run_openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(csr),
                 "-subj", "/CN=localhost")
    ext = folder / "ext.cnf"
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n")
    _run_openssl("x509", "-req", "-in", str(csr), "-CA", str(ca_pem), "-CAkey", str(ca_key), "-CAcreateserial",
                 "-out", str(pem), "-days", "2", "-extfile", str(ext))
    ca_dir = folder / "ca"
    ca_dir.mkdir()
    shutil.copy(ca_pem, ca_dir / "ca.pem")
    _run_openssl("rehash", str(ca_dir))
    for path in (ca_dir, *ca_dir.iterdir(), pem):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    # The server refuses a key that others can read; it runs as nobody when we are root.
    os.chmod(key, 0o600)
    if os.geteuid() == 0:
        os.chown(key, *_nobody())
    return pem, key, ca_dir


def _nobody():
    import pwd
    entry = pwd.getpwnam("nobody")
    return entry.pw_uid, entry.pw_gid


class XRootDServer:
    """`tls=True`: the server also speaks TLS (roots://), with a certificate of a test CA
    whose directory is `ca_dir` (a client trusts it through X509_CERT_DIR)."""

    def __init__(self, data_dir, port=None, tls=False):
        self.data_dir = pathlib.Path(data_dir).resolve()
        self.port = port or free_port()
        self.run_dir = pathlib.Path(tempfile.mkdtemp(prefix="rb-xrootd-"))
        os.chmod(self.run_dir, 0o777)  # the server runs as nobody when we are root
        self.process = None
        self.tls = tls
        self.ca_dir = None

    def url(self, path, scheme="root"):
        """root:// (or roots://) URL of a local path under data_dir (or of a path relative to it)."""
        path = pathlib.Path(path)
        rel = path.resolve().relative_to(self.data_dir) if path.is_absolute() else path
        return f"{scheme}://127.0.0.1:{self.port}//{rel.as_posix()}"

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
        ] + self._tls_lines()) + "\n")
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

    def _tls_lines(self):
        if not self.tls:
            return []
        tls_dir = self.run_dir / "tls"
        if self.ca_dir is None:  # made once: a restarted server keeps its certificate
            tls_dir.mkdir()
            os.chmod(tls_dir, 0o755)
            self.ca_dir = make_test_ca(tls_dir)[2]
        return [f"xrd.tls {tls_dir / 'server.pem'} {tls_dir / 'server.key'}", f"xrd.tlsca certdir {self.ca_dir}"]

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
