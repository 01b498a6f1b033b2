"""Local clusters of Chorus or Serf agents on loopback, driven through one interface.

A cluster starts its agents as separate process groups, reports what they see into a
MembershipViews store, and can kill one hard, make one leave, or stop them all.
"""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

from chorustools import agents, client
from chorustools.commands import first_output_line
from views import ALIVE, DEAD, GONE, LEFT, MembershipViews, now

LOOPBACK = "127.0.0.1"


@dataclass
class Agent:
    name: str
    gossip_port: int
    control_port: int  # Chorus: HTTP endpoint; Serf: RPC
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def gossip_address(self) -> str:
        return f"{LOOPBACK}:{self.gossip_port}"

    @property
    def control_address(self) -> str:
        return f"{LOOPBACK}:{self.control_port}"

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def has_exited(self) -> bool:
        return self.process is not None and self.process.poll() is not None


class Cluster:
    """Shared process handling; subclasses say how to start, watch and stop their agent."""

    system = "?"
    leave_signal = signal.SIGTERM
    observes_suspicion = True  # whether the views can show SUSPECT

    def __init__(self, size: int, base_port: int, work_dir: str, poll_interval: float) -> None:
        self.views = MembershipViews()
        self.work_dir = os.path.join(work_dir, f"{self.system}-{size}-{base_port}")
        self.poll_interval = poll_interval
        # Gossip on even offsets, the control endpoint on the odd port just above.
        self.agents = [Agent(f"{self.system}{i + 1}", base_port + 2 * i, base_port + 2 * i + 1) for i in range(size)]
        self._departed: set[str] = set()  # killed or asked to leave, even while still shutting down

    # -- lifecycle -----------------------------------------------------------------------

    @property
    def names(self) -> list[str]:
        return [agent.name for agent in self.agents]

    def agent(self, name: str) -> Agent:
        return next(agent for agent in self.agents if agent.name == name)

    def active_names(self) -> list[str]:
        """Agents running and not on their way out: the ones every member should see alive."""
        return [agent.name for agent in self.agents if agent.is_running() and agent.name not in self._departed]

    def prepare(self) -> None:
        os.makedirs(self.work_dir, exist_ok=True)

    def start_seed(self) -> None:
        self._start(self.agents[0], join=None)

    def start_joiners(self) -> None:
        seed = self.agents[0].gossip_address
        for agent in self.agents[1:]:
            self._start(agent, join=seed)

    def wait_seed_ready(self, timeout: float) -> None:
        seed = self.agents[0]
        deadline = now() + timeout
        while not self._is_ready(seed):
            if not seed.is_running():
                raise RuntimeError(f"{seed.name} exited at start; see {self._log_path(seed)}")
            if now() > deadline:
                raise RuntimeError(f"{seed.name} not ready after {timeout:.0f} s; see {self._log_path(seed)}")
            time.sleep(0.05)

    def kill_hard(self, name: str) -> None:
        self._departed.add(name)
        os.kill(self.agent(name).process.pid, signal.SIGKILL)

    def leave_gracefully(self, name: str) -> None:
        self._departed.add(name)
        os.kill(self.agent(name).process.pid, self.leave_signal)

    def pids(self) -> dict[str, int]:
        return {agent.name: agent.process.pid for agent in self.agents if agent.is_running()}

    def gossip_ports(self) -> dict[str, int]:
        return {agent.name: agent.gossip_port for agent in self.agents}

    def stop(self) -> None:
        """Kills every process group hard: the cluster is thrown away, a clean leave is not needed."""
        for agent in self.agents:
            if agent.process is None:
                continue
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(agent.process.pid, signal.SIGKILL)
        for agent in self.agents:
            if agent.process is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    agent.process.wait(timeout=10)

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Keeps the views fresh inside the block; outside it the agents are left undisturbed."""
        yield

    # -- per system ----------------------------------------------------------------------

    def _start(self, agent: Agent, join: str | None) -> None:
        raise NotImplementedError

    def _is_ready(self, agent: Agent) -> bool:
        raise NotImplementedError

    def _log_path(self, agent: Agent) -> str:
        return os.path.join(self.work_dir, f"{agent.name}.log")

    def _parse_log_line(self, line: str) -> tuple[str, str] | None:
        """(member, status) when a log line reports a member's new status; used when reading logs."""
        raise NotImplementedError

    def _spawn(self, agent: Agent, argv: list[str], read_log: bool, env: dict[str, str] | None = None) -> None:
        """Starts the agent in its own process group, with `env` added to this process's
        environment; its output goes to its log file, through a reader thread that records
        member events on arrival when `read_log` is set."""
        agent.process = agents.spawn(argv, self._log_path(agent), env=env, pipe=read_log)
        if read_log:
            threading.Thread(target=self._read_log, args=(agent,), name=f"log-{agent.name}", daemon=True).start()

    def _read_log(self, agent: Agent) -> None:
        """Copies the agent's output to its log file and records every member event with its arrival time.
        Runs until the agent exits, so the pipe never fills and blocks the agent."""
        with open(self._log_path(agent), "ab") as log:
            for raw in agent.process.stdout:
                arrived = now()
                log.write(raw)
                event = self._parse_log_line(raw.decode("utf-8", "replace"))
                if event:
                    self.views.report(agent.name, event[0], event[1], arrived)


class ChorusCluster(Cluster):
    """Chorus agents in development trust mode.

    Views come from polling every agent's GET /v1/members (`observe="poll"`, the public
    contract), or, like Serf's, from each agent's log (`observe="log"`: JSON log records that
    carry `member` and `status`), which costs the agents nothing; polling a debug build 20
    times a second costs each agent a few percent of a CPU, which on a small machine with 50
    agents saturates it and slows the agents being measured.

    With `keyring_file` every agent seals its gossip with the keys in that one shared file
    (`[gossip] keyring_file`, given as CHORUS_GOSSIP_KEYRING_FILE; mode 0600).
    """

    system = "chorus"

    def __init__(self, binary: str, preset: str, observe: str = "poll", keyring_file: str | None = None,
                 **kwargs) -> None:
        super().__init__(**kwargs)
        self.binary = binary
        self.preset = preset
        self.observe = observe
        self.keyring_file = keyring_file
        self.trust_dir = os.path.join(self.work_dir, "trust")

    def prepare(self) -> None:
        super().prepare()
        agents.init_trust(self.binary, self.trust_dir)

    def _start(self, agent: Agent, join: str | None) -> None:
        data_dir = os.path.join(self.work_dir, agent.name)
        os.makedirs(data_dir, exist_ok=True)
        argv = agents.agent_arguments(self.binary, agent.name, agent.gossip_address, agent.control_address, data_dir,
                                      self.trust_dir, preset=self.preset, joins=[join] if join else [],
                                      extra=["--log-format", "json"] if self.observe == "log" else [])
        env = {"CHORUS_GOSSIP_KEYRING_FILE": self.keyring_file} if self.keyring_file else None
        self._spawn(agent, argv, read_log=self.observe == "log", env=env)

    def _parse_log_line(self, line: str) -> tuple[str, str] | None:
        if '"member"' not in line:
            return None
        try:
            record = json.loads(line)
        except ValueError:
            return None
        if isinstance(record.get("member"), str) and isinstance(record.get("status"), str):
            return record["member"], record["status"]
        return None

    def _is_ready(self, agent: Agent) -> bool:
        return client.healthy(agent.control_address)

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        if self.observe == "log":
            yield
            return
        stop = threading.Event()
        # Agents not started yet are polled too: they answer once they are up (joins).
        pollers = [
            threading.Thread(target=self._poll, args=(agent, stop), name=f"poll-{agent.name}", daemon=True)
            for agent in self.agents
            if not agent.has_exited()
        ]
        for poller in pollers:
            poller.start()
        try:
            yield
        finally:
            stop.set()
            for poller in pollers:
                poller.join(timeout=5)

    def _poll(self, agent: Agent, stop: threading.Event) -> None:
        """Records the agent's member list every poll interval, until told to stop or the agent exits."""
        session = client.Session(agent.control_address)
        while not stop.is_set():
            started = now()
            members = session.get("/v1/members")
            try:
                statuses = {member["name"]: member["status"] for member in members}
                self.views.report_snapshot(agent.name, statuses, now())
            except (KeyError, TypeError):
                if agent.has_exited():
                    break
            stop.wait(max(0.0, self.poll_interval - (now() - started)))
        session.close()


class SerfCluster(Cluster):
    """Serf agents with the default (lan) profile; views come from each agent's log stream.

    The log line `serf: EventMemberFailed: NAME ADDR` is written the moment Serf learns the
    news. Event handlers would be later and noisier: the Serf agent coalesces member events
    (3 s coalesce, 1 s quiescent period) before it runs a handler.

    With `encrypt_key` (base64 of 16, 24 or 32 bytes) every agent starts with `-encrypt KEY`:
    Serf's keyring, memberlist's AES-GCM over every gossip datagram and push-pull stream.
    """

    system = "serf"
    leave_signal = signal.SIGINT  # the agent leaves gracefully on interrupt, not on terminate
    observes_suspicion = False  # only the prober logs a suspicion; others learn it silently

    _EVENT = re.compile(r"serf: EventMember(Join|Failed|Leave|Reap): (\S+)")
    _STATUS = {"Join": ALIVE, "Failed": DEAD, "Leave": LEFT, "Reap": GONE}

    def __init__(self, binary: str, encrypt_key: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.binary = binary
        self.encrypt_key = encrypt_key

    def _start(self, agent: Agent, join: str | None) -> None:
        argv = [self.binary, "agent", "-node", agent.name, "-bind", agent.gossip_address, "-rpc-addr", agent.control_address]
        if self.encrypt_key:
            argv += ["-encrypt", self.encrypt_key]
        if join:
            argv += ["-join", join]
        self._spawn(agent, argv, read_log=True)

    def _parse_log_line(self, line: str) -> tuple[str, str] | None:
        match = self._EVENT.search(line)
        return (match.group(2), self._STATUS[match.group(1)]) if match else None

    def _is_ready(self, agent: Agent) -> bool:
        try:
            with socket.create_connection((LOOPBACK, agent.control_port), timeout=1):
                return True
        except OSError:
            return False


def chorus_version(binary: str) -> str:
    return first_output_line([binary, "--version"])


def serf_version(binary: str) -> str:
    return first_output_line([binary, "version"])
