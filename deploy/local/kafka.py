"""Runs a real Apache Kafka cluster (KRaft, combined broker+controller nodes) from Maven jars."""

from __future__ import annotations

import itertools
import json
import shutil
import signal
import subprocess
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TypedDict

from deploy.local._kafka_config import LOG4J2_PROPERTIES, new_cluster_id, server_properties
from deploy.local._kafka_probe import describe_cluster
from deploy.local._process import (
    LOCALHOST,
    cmdline,
    free_ports,
    log_tail,
    pid_alive,
    read_pid,
    send,
    terminate,
    wait_until,
)
from deploy.local.kafka_libs import KAFKA_VERSION, ensure_kafka_libs

__all__ = ["FAST_START_JVM_OPTIONS", "KAFKA_VERSION", "KafkaCluster", "ensure_kafka_libs"]

# For short-lived test clusters: skipping the C2 compiler halved a 3-node start on a busy
# 2-core machine (about 25 s to 12 s) but cost about a third of steady produce throughput,
# so benchmarks and local runs keep the default JIT.
FAST_START_JVM_OPTIONS = ("-XX:TieredStopAtLevel=1",)


# Marks where each launch starts in the appended log, so errors are read from this run only.
_BANNER = "==== cppcc: starting"


class _Layout(TypedDict):
    """What cluster.json records, so a restart reuses the id, ports and node count."""

    cluster_id: str
    nodes: int
    broker_ports: list[int]
    controller_ports: list[int]


class KafkaCluster:
    """A local KRaft cluster whose node processes this class starts, records and stops.

    Node ids are 0..nodes-1, so a partition leader id from metadata can be passed straight
    to kill_node/stop_node/start_node. Everything lives in state_dir, which restarts reuse.
    """

    def __init__(
        self,
        state_dir: Path,
        nodes: int = 1,
        ports: list[int] | None = None,
        *,
        controller_ports: list[int] | None = None,
        extra_config: Mapping[str, str] | None = None,
        heap: str = "512m",
        jvm_options: Sequence[str] = (),
        ready_timeout: float = 120.0,
    ) -> None:
        self.state_dir = state_dir.resolve()
        saved = self._load_layout()
        if saved and saved["nodes"] != nodes:
            raise ValueError(
                f"{self.state_dir} holds a {saved['nodes']}-node cluster, not {nodes}; "
                "use another state dir or delete this one"
            )
        self.nodes = nodes
        self.cluster_id = saved["cluster_id"] if saved else new_cluster_id()
        spare = iter(free_ports(2 * nodes))
        self.broker_ports = _ports(ports, saved and saved["broker_ports"], nodes, spare)
        self.controller_ports = _ports(
            controller_ports, saved and saved["controller_ports"], nodes, spare
        )
        self.extra_config = dict(extra_config or {})
        self.heap = heap
        self.jvm_options = list(jvm_options)
        self.ready_timeout = ready_timeout
        # Popen handles of the nodes this object launched, so their exits get reaped.
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    @property
    def bootstrap_servers(self) -> str:
        return ",".join(f"{LOCALHOST}:{port}" for port in self.broker_ports)

    @property
    def node_ids(self) -> range:
        return range(self.nodes)

    def log_path(self, node: int) -> Path:
        return self.state_dir / f"kafka-{node}.log"

    def node_pid(self, node: int) -> int | None:
        """The PID of the node's JVM if it runs and is the one we started, else None."""
        child = self._children.get(node)
        if child is not None:
            # Launched by this object: the handle is authoritative, and poll() reaps the exit.
            return child.pid if child.poll() is None else None
        pid = read_pid(self._pid_file(node))
        # The command line check guards against a recycled PID after a reboot or crash.
        if pid is None or not pid_alive(pid) or str(self._props(node)) not in cmdline(pid):
            return None
        return pid

    def start(self) -> None:
        """Start every node that is not already running, then wait until all serve metadata."""
        libs = ensure_kafka_libs()
        self._write_config()
        pending = [node for node in self.node_ids if self.node_pid(node) is None]
        self._format(pending, libs)
        for node in pending:
            self._launch(node, libs)
        self.wait_ready()

    def stop(self) -> None:
        """SIGTERM every node we started (all at once), SIGKILL after a timeout."""
        terminate([pid for node in self.node_ids if (pid := self.node_pid(node))], 45.0)
        for node in self.node_ids:
            self._forget(node)

    def kill_node(self, node: int) -> None:
        """SIGKILL one node, as a crash would."""
        pid = self.node_pid(node)
        if pid is not None:
            send(pid, signal.SIGKILL)
            wait_until(lambda: not pid_alive(pid), 10.0)
        self._forget(node)

    def stop_node(self, node: int) -> None:
        """SIGTERM one node (controlled shutdown), SIGKILL after a timeout."""
        pid = self.node_pid(node)
        if pid is not None:
            terminate([pid], 45.0)
        self._forget(node)

    def start_node(self, node: int) -> None:
        """Restart one node on its old ports and data, and wait until it serves metadata."""
        if self.node_pid(node) is None:
            self._launch(node, ensure_kafka_libs())
        self.wait_ready([node])

    def is_ready(self) -> bool:
        """Whether every node runs and answers metadata listing the whole cluster."""
        live = set(self.node_ids)
        return all(self.node_pid(n) is not None and self._answers(n, live) for n in live)

    def wait_ready(self, nodes: Iterable[int] | None = None, timeout: float | None = None) -> None:
        """Block until each given node (default: all) answers metadata listing all live nodes."""
        pending = set(self.node_ids if nodes is None else nodes)
        deadline = time.monotonic() + (timeout or self.ready_timeout)
        while pending:
            live = {n for n in self.node_ids if self.node_pid(n) is not None}
            for node in sorted(pending):
                if node not in live:
                    raise RuntimeError(self._failure(node, "exited while starting"))
                if self._answers(node, live):
                    pending.discard(node)
            if pending and time.monotonic() > deadline:
                raise TimeoutError(self._failure(min(pending), "did not serve metadata in time"))
            if pending:
                time.sleep(0.25)

    def _answers(self, node: int, live: set[int]) -> bool:
        try:
            view = describe_cluster(self.broker_ports[node])
        except (OSError, ValueError):
            return False
        return view.cluster_id == self.cluster_id and view.broker_ids >= live

    def _failure(self, node: int, what: str) -> str:
        log = self.log_path(node)
        child = self._children.get(node)
        code = f" (exit code {child.returncode})" if child and child.returncode is not None else ""
        return (
            f"Kafka node {node} {what}{code}. First errors of this run in {log}:\n"
            f"{_first_errors(log)}\nLast lines:\n{log_tail(log, 15)}"
        )

    def _props(self, node: int) -> Path:
        return self.state_dir / f"kafka-{node}.properties"

    def _pid_file(self, node: int) -> Path:
        return self.state_dir / f"kafka-{node}.pid"

    def _data_dir(self, node: int) -> Path:
        return self.state_dir / f"kafka-{node}-data"

    def _layout_file(self) -> Path:
        return self.state_dir / "cluster.json"

    def _load_layout(self) -> _Layout | None:
        try:
            loaded: _Layout = json.loads(self._layout_file().read_text())
        except FileNotFoundError:
            return None
        return loaded

    def _write_config(self) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        layout: _Layout = {
            "cluster_id": self.cluster_id,
            "nodes": self.nodes,
            "broker_ports": self.broker_ports,
            "controller_ports": self.controller_ports,
        }
        self._layout_file().write_text(json.dumps(layout, indent=2) + "\n")
        (self.state_dir / "log4j2.properties").write_text(LOG4J2_PROPERTIES)
        for node in self.node_ids:
            text = server_properties(
                node,
                self.broker_ports,
                self.controller_ports,
                self._data_dir(node),
                self.extra_config,
            )
            self._props(node).write_text(text)

    def _java(self, libs: Path, *memory: str) -> list[str]:
        java = shutil.which("java")
        if java is None:
            raise RuntimeError("java is not on PATH; OpenJDK 17 runs the Kafka broker")
        log4j = self.state_dir / "log4j2.properties"
        return [
            java,
            *self.jvm_options,
            *memory,
            "-XX:+ExitOnOutOfMemoryError",
            "-Djava.awt.headless=true",
            f"-Dlog4j2.configurationFile={log4j}",
            "-cp",
            f"{libs}/*",
        ]

    def _format(self, nodes: list[int], libs: Path) -> None:
        # Formatting twice would refuse anyway; meta.properties marks a formatted log dir.
        todo = [n for n in nodes if not (self._data_dir(n) / "meta.properties").exists()]
        # Static voters in the config, so no --standalone/--initial-controllers flags.
        tool = ["kafka.tools.StorageTool", "format", "-t", self.cluster_id, "-c"]
        # One JVM per node, run side by side: each takes seconds to start on 2 cores.
        runs = [
            subprocess.Popen(
                [*self._java(libs, "-Xmx256m"), *tool, str(self._props(node))],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for node in todo
        ]
        for node, run in zip(todo, runs, strict=True):
            output, _ = run.communicate()
            if run.returncode != 0:
                raise RuntimeError(f"formatting Kafka node {node} failed:\n{output[-4000:]}")

    def _launch(self, node: int, libs: Path) -> None:
        memory = (f"-Xmx{self.heap}", "-Xms256m")
        command = [*self._java(libs, *memory), "kafka.Kafka", str(self._props(node))]
        with self.log_path(node).open("ab") as log:
            log.write(f"\n{_BANNER} node {node} at {time.ctime()} ====\n".encode())
            log.flush()
            # A session of its own: a Ctrl-C in the terminal that ran `up` must not reach it.
            child = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=self.state_dir,
                start_new_session=True,
            )
        self._pid_file(node).write_text(f"{child.pid}\n")
        self._children[node] = child

    def _forget(self, node: int) -> None:
        self._pid_file(node).unlink(missing_ok=True)
        child = self._children.pop(node, None)
        if child is None:
            return
        if child.poll() is None:
            child.kill()  # only if it outlived its signals; it is our own child either way
        child.wait(timeout=10)


def _ports(
    given: list[int] | None, saved: list[int] | None, count: int, spare: Iterator[int]
) -> list[int]:
    """Explicit ports win, then the ones recorded by an earlier run, then fresh free ones."""
    chosen = given or saved or list(itertools.islice(spare, count))
    if len(chosen) != count:
        raise ValueError(f"expected {count} ports, got {chosen!r}")
    return list(chosen)


def _first_errors(log: Path, limit: int = 8) -> str:
    """The first ERROR/exception lines since the last launch: the cause, not the shutdown noise."""
    try:
        text = log.read_text(errors="replace")
    except FileNotFoundError:
        return "(no log)"
    this_run = text.rsplit(_BANNER, 1)[-1].splitlines()
    errors = [line for line in this_run if " ERROR " in line or "Exception:" in line]
    return "\n".join(errors[:limit]) or "(none)"
