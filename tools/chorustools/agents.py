"""`chorus agent` processes: their command line, starting them in their own session with their
output in a log, and an `Agent` on a host (`hosts`) that can be restarted on the same data
directory (possibly on another application version), killed with -9, stopped with SIGTERM,
frozen with SIGSTOP and thawed with SIGCONT.

A sudden death (`kill`) is a host's power loss: in namespaces every process of the host dies,
the agent and the upgrade-tasks command it may be running alike; a stall (`pause`) freezes every
process of the host. On loopback a host's processes are those carrying its host mark.
"""

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable

from .hosts import HOST_MARK, host_mark

FIRST_VERSION = "1.0.0"


def find_binary(repo: str, explicit: str | None = None) -> str:
    """`explicit`, else CHORUS_BIN, else the release build when there is one, else the debug build."""
    if explicit or os.environ.get("CHORUS_BIN"):
        return explicit or os.environ["CHORUS_BIN"]
    release = os.path.join(repo, ".build", "release", "chorus")
    return release if os.access(release, os.X_OK) else os.path.join(repo, ".build", "debug", "chorus")


def init_trust(binary: str, trust_dir: str) -> None:
    """A development authority (`chorus keys init`) in `trust_dir`, unless one is there already."""
    if not os.path.exists(os.path.join(trust_dir, "authority.pub")):
        subprocess.run([binary, "keys", "init", "--dir", trust_dir], check=True, capture_output=True, timeout=30)


def agent_arguments(binary: str, name: str, bind: str, http: str, data_dir: str, trust_dir: str,
                    version: str | None = FIRST_VERSION, preset: str = "lan", joins: list[str] = (),
                    advertise: str | None = None, extra: list[str] = ()) -> list[str]:
    """The `chorus agent` command line of an agent that issues its own certificate with the
    authority key in `trust_dir`; a `version` of None gives none (the agent reads `[app]`)."""
    argv = [binary, "agent", "--name", name, "--bind", bind, "--http", http, "--data-dir", data_dir,
            *(["--app-version", version] if version else []), "--preset", preset,
            "--authority", os.path.join(trust_dir, "authority.pub"),
            "--authority-key", os.path.join(trust_dir, "authority.key")]
    if advertise:
        argv += ["--advertise", advertise]
    for seed in joins:
        argv += ["--join", seed]
    return argv + list(extra)


def spawn(argv: list[str], log_path: str, env: dict[str, str] | None = None, pipe: bool = False,
          preexec_fn: Callable[[], None] | None = None) -> subprocess.Popen:
    """Starts a process in its own session (a Ctrl-C of the caller does not reach it; its group
    can be killed whole), `env` added to this process's environment. Its output is appended to
    `log_path`, or with `pipe` left on `stdout` for the caller, who must read it to the end."""
    environment = {**os.environ, **env} if env else None
    if pipe:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                start_new_session=True, env=environment, preexec_fn=preexec_fn)
    with open(log_path, "ab") as log:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, env=environment, preexec_fn=preexec_fn)


def send_signal(pids: list[int], sig: int) -> None:
    """`sig` to each process that still exists."""
    for pid in pids:
        try:
            os.kill(pid, sig)
        except ProcessLookupError:
            pass


def admin_token(data_dir: str) -> str | None:
    """The agent's operator token (written at its first start), or None before it exists."""
    try:
        with open(os.path.join(data_dir, "admin.token")) as f:
            return f.read().strip()
    except OSError:
        return None


def log_tail(path: str, lines: int = 20) -> list[str]:
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            f.seek(max(0, f.tell() - 20000))
            return f.read().decode(errors="replace").splitlines()[-lines:]
    except OSError:
        return []


class Agent:
    """Host `index`'s agent, in `work_dir/NAME` (data/ and agent.log). `state`: new, running,
    paused, killed (sudden death), stopped (SIGTERM). `env` is added to the agent's environment
    (and so its upgrade-tasks command's) at every start.

    Once `version_file` is set, the application's version lives in that file (the agent's `[app]
    version_file`, which `env` must name) instead of a fixed `--app-version`: a start on a version
    writes it there, and a rollout's node command may rewrite it while the agent runs."""

    def __init__(self, index: int, name: str, work_dir: str, binary: str, hosts, preset: str, version: str,
                 trust_dir: str, env: dict[str, str] | None = None) -> None:
        self.index = index
        self.name = name
        self.binary = binary
        self.hosts = hosts
        self.preset = preset
        self.version_file: str | None = None
        self._version = version
        self.trust_dir = trust_dir
        self.env = env or {}
        self.dir = os.path.join(work_dir, name)
        self.data_dir = os.path.join(self.dir, "data")
        self.log_path = os.path.join(self.dir, "agent.log")
        self.process: subprocess.Popen | None = None
        self.state = "new"
        self.lives = 0
        self.lock = threading.RLock()
        os.makedirs(self.data_dir, exist_ok=True)

    @property
    def version(self) -> str:
        """The application version the agent reports: the version file's, else the fixed one."""
        if self.version_file:
            try:
                with open(self.version_file) as f:
                    return f.read().strip() or self._version
            except OSError:
                pass
        return self._version

    @property
    def http(self) -> str:
        return self.hosts.http(self.index)

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def admin_token(self) -> str | None:
        return admin_token(self.data_dir)

    def start(self, seeds: list[str], version: str | None = None) -> None:
        with self.lock:
            if version:
                self._version = version
            if self.version_file and (version or not os.path.exists(self.version_file)):
                with open(self.version_file, "w") as f:
                    f.write(self._version + "\n")
            gossip = self.hosts.gossip(self.index)
            argv = self.hosts.command_prefix(self.index) + agent_arguments(
                self.binary, self.name, gossip, self.http, self.data_dir, self.trust_dir,
                None if self.version_file else self._version, self.preset, seeds, advertise=gossip)
            with open(self.log_path, "ab") as log:
                log.write(f"--- start life {self.lives + 1} on {self.version} at {time.time():.3f}\n".encode())
            self.process = spawn(argv, self.log_path, env={**self.env, HOST_MARK: host_mark(self.hosts.prefix, self.index)})
            self.lives += 1
            self.state = "running"

    def _host_pids(self) -> list[int]:
        pids = self.hosts.processes(self.index)
        if self.pid and self.pid not in pids:
            pids.append(self.pid)
        return pids

    def kill(self) -> None:
        with self.lock:
            send_signal(self._host_pids(), signal.SIGKILL)
            self._reap()
            self.state = "killed"

    def terminate(self, timeout: float = 15.0) -> bool:
        """SIGTERM: the agent leaves gracefully. True if it exited by itself in time."""
        with self.lock:
            if self.state == "paused":
                self.resume()
            send_signal([self.pid] if self.pid else [], signal.SIGTERM)
            clean = True
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                clean = False
                send_signal(self._host_pids(), signal.SIGKILL)
                self._reap()
            self.state = "stopped"
            return clean

    def pause(self) -> None:
        with self.lock:
            send_signal(self._host_pids(), signal.SIGSTOP)
            self.state = "paused"

    def resume(self) -> None:
        with self.lock:
            send_signal(self._host_pids(), signal.SIGCONT)
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
        return log_tail(self.log_path, lines)
