"""A real redis-server (7.x, if installed) on a free loopback port, for side-by-side checks.

    ref = start_reference()      # None if redis-server is not installed
    ...RawConn(ref.port)...
    ref.stop()

The `reference` pytest fixture (module scope) yields one, or skips the test when there is
no redis-server on PATH. It saves nothing to disk (`--save "" --appendonly no`) and runs in
its own temporary directory.
"""
import shutil
import socket
import subprocess
import tempfile
import time

import pytest

from conftest import RawConn, RespError, free_port


class Reference:
    def __init__(self, port, proc, workdir):
        self.port = port
        self.proc = proc
        self.workdir = workdir

    def raw(self):
        return RawConn(self.port)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def start_reference(*extra):
    exe = shutil.which("redis-server")
    if exe is None:
        return None
    port = free_port()
    workdir = tempfile.mkdtemp(prefix="starling-redis-ref-")
    args = [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly",
            "no", "--dir", workdir] + list(extra)
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            cwd=workdir)
    deadline = time.time() + 10
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2) as s:
                s.sendall(b"PING\r\n")
                if s.recv(64):
                    return Reference(port, proc, workdir)
        except OSError:
            time.sleep(0.02)
    proc.kill()
    proc.wait()
    shutil.rmtree(workdir, ignore_errors=True)
    return None


@pytest.fixture(scope="module")
def reference():
    ref = start_reference()
    if ref is None:
        pytest.skip("redis-server is not installed")
    yield ref
    ref.stop()


def replies(port, commands):
    """Runs each command (a tuple of arguments) on one new connection; returns the replies."""
    c = RawConn(port)
    try:
        return [c.command(*cmd) for cmd in commands]
    finally:
        c.close()


def norm(x):
    """A reply with errors told apart from simple strings, for comparisons."""
    if isinstance(x, RespError):
        return ("error", str(x))
    if isinstance(x, list):
        return [norm(e) for e in x]
    if isinstance(x, dict):
        return {k: norm(v) for k, v in x.items()}
    return x
