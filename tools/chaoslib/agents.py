"""The `chorus agent` processes of a run: start, restart on the same data directory (possibly on
another application version), kill -9, SIGTERM, SIGSTOP and SIGCONT.

A sudden death (`kill`) is a host's power loss: in namespaces every process of the host dies,
the agent and the upgrade-tasks command it may be running alike; a stall (`pause`) freezes every
process of the host. On loopback a host's processes are those carrying its CHAOS_HOST mark.
"""

import os
import signal
import subprocess
import threading
import time

from .hosts import host_mark

TASKS_SCRIPT = """#!/bin/sh
# The chaos run's upgrade tasks: one line when they start and one when they end, in a log all
# agents share, so the harness can check that one runner at a time runs them and how often they
# finished. A file `tasks-fail-once` makes the next run fail (the harness arms it at random).
log="{run_dir}/tasks.log"
dir="{run_dir}"
now() {{ date +%s.%N; }}
echo "$(now) start node=$CHAOS_NODE from=$CHORUS_UPGRADE_FROM to=$CHORUS_UPGRADE_TO attempt=$CHORUS_UPGRADE_ATTEMPT term=$CHORUS_UPGRADE_TERM pid=$$" >>"$log"
if mv "$dir/tasks-fail-once" "$dir/tasks-fail-once.taken.$$" 2>/dev/null; then
    echo "$(now) fail node=$CHAOS_NODE term=$CHORUS_UPGRADE_TERM pid=$$" >>"$log"
    exit 1
fi
sleep {seconds}
echo "$(now) done node=$CHAOS_NODE from=$CHORUS_UPGRADE_FROM to=$CHORUS_UPGRADE_TO term=$CHORUS_UPGRADE_TERM pid=$$" >>"$log"
"""


class Agent:
    """One host's agent. `state`: running, paused, killed (sudden death), stopped (SIGTERM)."""

    def __init__(self, index: int, name: str, run_dir: str, binary: str, hosts, preset: str, version: str,
                 trust_dir: str) -> None:
        self.index = index
        self.name = name
        self.binary = binary
        self.hosts = hosts
        self.preset = preset
        self.version = version
        self.trust_dir = trust_dir
        self.dir = os.path.join(run_dir, name)
        self.data_dir = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "agent.log")
        self.run_dir = run_dir
        self.process: subprocess.Popen | None = None
        self.state = "new"
        self.lives = 0
        self.lock = threading.RLock()
        os.makedirs(self.data_dir, exist_ok=True)

    @property
    def http(self) -> str:
        return self.hosts.http(self.index)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def admin_token(self) -> str | None:
        try:
            with open(os.path.join(self.data_dir, "admin.token")) as f:
                return f.read().strip()
        except OSError:
            return None

    def start(self, seeds: list[str], version: str | None = None) -> None:
        with self.lock:
            if version:
                self.version = version
            args = self.hosts.command_prefix(self.index) + [
                self.binary, "agent", "--name", self.name,
                "--bind", self.hosts.gossip(self.index), "--advertise", self.hosts.gossip(self.index),
                "--http", self.http, "--data-dir", self.data_dir, "--app-version", self.version,
                "--preset", self.preset,
                "--authority", os.path.join(self.trust_dir, "authority.pub"),
                "--authority-key", os.path.join(self.trust_dir, "authority.key"),
            ]
            for seed in seeds:
                args += ["--join", seed]
            env = dict(os.environ, CHAOS_NODE=self.name, CHAOS_HOST=host_mark(self.hosts.prefix, self.index),
                       CHORUS_UPGRADE_TASKS_COMMAND=os.path.join(self.run_dir, "upgrade-tasks.sh"))
            log = open(self.log_path, "ab")
            log.write(f"--- chaos: start life {self.lives + 1} on {self.version} at {time.time():.3f}\n".encode())
            log.flush()
            self.process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                            env=env, start_new_session=True)
            log.close()
            self.lives += 1
            self.state = "running"

    def _host_pids(self) -> list[int]:
        pids = self.hosts.processes(self.index)
        if self.pid and self.pid not in pids:
            pids.append(self.pid)
        return pids

    def _signal(self, sig: int, pids: list[int]) -> None:
        for pid in pids:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass

    def kill(self) -> None:
        with self.lock:
            self._signal(signal.SIGKILL, self._host_pids())
            self._reap()
            self.state = "killed"

    def terminate(self, timeout: float = 15.0) -> bool:
        """SIGTERM: the agent leaves gracefully. True if it exited by itself in time."""
        with self.lock:
            if self.state == "paused":
                self.resume()
            self._signal(signal.SIGTERM, [self.pid] if self.pid else [])
            clean = True
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                clean = False
                self._signal(signal.SIGKILL, self._host_pids())
                self._reap()
            self.state = "stopped"
            return clean

    def pause(self) -> None:
        with self.lock:
            self._signal(signal.SIGSTOP, self._host_pids())
            self.state = "paused"

    def resume(self) -> None:
        with self.lock:
            self._signal(signal.SIGCONT, self._host_pids())
            self.state = "running"

    def _reap(self) -> None:
        if self.process:
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass

    def exited_unexpectedly(self) -> int | None:
        """The exit status of an agent that should be running but is not."""
        if self.state in ("running", "paused") and self.process and self.process.poll() is not None:
            return self.process.returncode
        return None

    def log_tail(self, lines: int = 20) -> list[str]:
        try:
            with open(self.log_path, "rb") as f:
                f.seek(0, 2)
                f.seek(max(0, f.tell() - 20000))
                return f.read().decode(errors="replace").splitlines()[-lines:]
        except OSError:
            return []
