"""A local Starling cluster of real starling-server processes on loopback, for black-box tests.

    c = LocalCluster(3, rf=3).start()
    c.client(0).set("k", "v"); wait_until(lambda: c.client(2).get("k") == "v")
    c.stop()

Each node gets a free RESP port and a free gossip port, its data in a temporary directory,
and --enable-debug-command (STARLING CUT/HEAL).
"""
import os
import shutil
import tempfile
import time

import yaml

from conftest import Server, free_port


def wait_until(predicate, timeout=10.0, interval=0.02, what="condition"):
    """Polls predicate until it is true; returns the seconds it took, raises on timeout."""
    start = time.time()
    last_error = None
    while time.time() - start < timeout:
        try:
            if predicate():
                return time.time() - start
        except Exception as e:  # a node restarting refuses connections for a moment
            last_error = e
        time.sleep(interval)
    raise AssertionError("timed out after %.1fs waiting for %s (last error: %r)" %
                         (timeout, what, last_error))


class LocalCluster:
    def __init__(self, n=3, rf=3, **overrides):
        self.dir = tempfile.mkdtemp(prefix="starling-cluster-")
        self.ids = ["n%d" % (i + 1) for i in range(n)]
        self.config = {
            "cluster": "test",
            "replication_factor": rf,
            "gossip_period_ms": 10,
            "heartbeat_ms": 100,
            "failure_timeout_ms": 1000,
            "resend_timeout_ms": 200,
            "anti_entropy_period_ms": 2000,
            "durability": "everysec",
            "data_dir": self.dir,
            "secret": "test-secret",
            "bind": "127.0.0.1",
            "nodes": [{"id": i, "host": "127.0.0.1", "resp_port": free_port(),
                       "gossip_port": free_port()} for i in self.ids],
        }
        self.config.update(overrides)
        self.config_path = os.path.join(self.dir, "cluster.yaml")
        self.write_config()
        self.servers = [self._server(i) for i in range(n)]

    def write_config(self):
        with open(self.config_path, "w") as f:
            yaml.safe_dump(self.config, f)

    def _server(self, i):
        node = self.config["nodes"][i]
        os.makedirs(os.path.join(self.dir, node["id"]), exist_ok=True)
        s = Server("--config", self.config_path, "--node", node["id"], "--enable-debug-command",
                   data_dir=os.path.join(self.dir, node["id"]), port=node["resp_port"])
        s.own_dir = False
        return s

    def add_node(self):
        """Adds a node to the config file (not started, and the others not told yet)."""
        i = len(self.ids)
        self.ids.append("n%d" % (i + 1))
        self.config["nodes"].append({"id": self.ids[-1], "host": "127.0.0.1",
                                     "resp_port": free_port(), "gossip_port": free_port()})
        self.write_config()
        self.servers.append(self._server(i))
        return i

    def start(self):
        for s in self.servers:
            s.start()
        self.wait_all_up()
        return self

    def wait_all_up(self, timeout=10.0):
        n = len(self.servers)
        wait_until(lambda: all(self.peers_up(i) == n - 1 for i in range(n)
                               if self.servers[i].proc and self.servers[i].proc.poll() is None),
                   timeout=timeout, what="every peer up")

    def peers_up(self, i):
        return int(self.client(i).info("replication")["starling_peers_up"])

    def client(self, i, **kw):
        return self.servers[i].client(**kw)

    def info(self, i, section="replication"):
        return self.client(i).info(section)

    def stop(self):
        for s in self.servers:
            s.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def logs(self):
        return "\n".join("---- %s\n%s" % (self.ids[i], s.read_log()[-4000:])
                         for i, s in enumerate(self.servers))
