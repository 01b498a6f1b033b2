"""The operator: upgrade commands (start, approve, cancel, retry), maintenance on and off, and
the rolling restarts on a newer (or, to downgrade, older) application version that an upgrade
needs, and kill -9 of the node running the upgrade tasks while they run, issued at random agents, sometimes two at once at different agents, also during
partitions (then often on the minority side). It reacts to the state an agent reports, so it is
not part of the reproducible schedule; its choices draw from a stream seeded by the run's seed.
`Actor` is what it shares with the rollout operator (`rollouts.py`): the thread, the stream, the
record of every command and its answer.
"""

import os
import random
import threading
from collections import Counter

from chorustools import client


def bump(version: str) -> str:
    major, minor, *_ = (version.split(".") + ["0", "0"])[:3]
    return f"{major}.{int(minor) + 1}.0"


class Actor:
    """Acts every 1-3 s (`step`) at random live agents, its choices drawn from a stream of its own
    seeded by the run's seed; every command goes to the history and is counted by its answer."""

    def __init__(self, stream: str, seed: int, agents, history, clock, network_minority) -> None:
        self.rng = random.Random(f"{stream}:{seed}")
        self.agents = agents
        self.history = history
        self.clock = clock
        self.network_minority = network_minority  # () -> hosts on the minority side now, or []
        self.answers = Counter()
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(30)

    def _live(self):
        return [a for a in self.agents if a.state == "running" and not getattr(a, "busy", False)]

    def _pick(self):
        live = self._live()
        if not live:
            return None
        minority = [a for a in live if a.index in self.network_minority()]
        if minority and self.rng.random() < 0.5:
            return self.rng.choice(minority)
        return self.rng.choice(live)

    def ask(self, agent, name: str, method: str, path: str, body=None, headers=None, token: bool = True):
        """One command, recorded; its answer, or None when the agent did not answer."""
        answer = client.request(agent.http, method, path, token=agent.admin_token() if token else None, body=body,
                                timeout=8.0, headers=headers)
        status = answer.status if answer else "no answer"
        self.answers[(name, status)] += 1
        why = None  # a refusal's reason: `{"error","reason"}`, or FleetLock's `{"kind","value"}`
        if answer and answer.status != 200 and isinstance(answer.body, dict):
            why = answer.body.get("reason") or answer.body.get("value")
        self.history.note(self.clock(), f"operator {name} at {agent.name}: {status}" + (f" ({why})" if why else ""))
        return answer

    def step(self) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """What the actor must undo once it stops, before the run's final convergence check."""

    def _loop(self) -> None:
        while not self.stopping.wait(self.rng.uniform(1.0, 3.0)):
            try:
                self.step()
            except Exception as error:  # the operator must not take the run down
                self.history.note(self.clock(), f"operator error: {error!r}")
        try:
            self.finish()
        except Exception as error:
            self.history.note(self.clock(), f"operator error: {error!r}")


class Operator(Actor):
    def __init__(self, seed: int, agents, checker, history, clock, restart, network_minority, run_dir: str,
                 max_down: int, kill_runner, rolling=lambda: False) -> None:
        super().__init__("chorus-chaos-operator", seed, agents, history, clock, network_minority)
        self.checker = checker
        self.restart = restart                  # restart(agent, version, kind) in the background
        self.kill_runner = kill_runner          # kill_runner(agent): kill -9, restart after the detection bound
        self.rolling = rolling                  # () -> a rollout is running: it moves the nodes, not this operator
        self.run_dir = run_dir
        self.max_down = max_down
        self.maintenance_supported: bool | None = None

    def command(self, agent, name: str, method: str = "POST", path: str | None = None, body=None) -> None:
        answer = self.ask(agent, name, method, path or f"/v1/upgrade/{name}", body)
        if name in ("start", "cancel", "approve", "retry"):
            self.checker.on_command(self.clock(), agent.index, name, answer)
        if name.startswith("maintenance") and answer is not None:
            if answer.status in (404, 405):
                self.maintenance_supported = False
            elif answer.status < 500:
                self.maintenance_supported = True

    def concurrently(self, *calls) -> None:
        threads = [threading.Thread(target=self.command, args=c, daemon=True) for c in calls]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(15)

    def _down(self) -> int:
        return sum(1 for a in self.agents if a.state != "running" or getattr(a, "busy", False))

    def _restart_one(self, candidates, version: str, kind: str) -> None:
        candidates = [a for a in candidates if a.state == "running" and not getattr(a, "busy", False)]
        if candidates and self._down() < self.max_down:
            self.restart(self.rng.choice(candidates), version, kind)

    def step(self) -> None:
        asked = self._pick()
        if asked is None:
            return
        cluster = client.get(asked.http, "/v1/cluster", timeout=2.0)
        if not cluster:
            return
        state, r = cluster.get("state"), self.rng.random()
        others = lambda: [a for a in self._live() if a is not asked] or [asked]  # noqa: E731
        if state == "STABLE":
            version = cluster["clusterVersion"]
            stragglers = [a for a in self.agents if a.version != version]
            if stragglers and r < 0.7:
                self._restart_one(stragglers, version, "version-restart")
            elif r < 0.45:
                self.command(asked, "start")
            elif r < 0.55:
                self.concurrently((asked, "start"), (self.rng.choice(others()), "start"))
            elif r < 0.7 and self.maintenance_supported is not False:
                on = self.rng.random() < 0.5
                self.command(asked, "maintenance-on" if on else "maintenance-off", "PUT" if on else "DELETE",
                             "/v1/maintenance", {"message": "chaos"} if on else None)
        elif state in ("READY_TO_UPGRADE", "MIXED"):
            original = cluster.get("originalVersion") or cluster["clusterVersion"]
            target = bump(original)
            if r < 0.06:
                self.command(asked, "cancel")
            elif r < 0.12:
                self._restart_one([a for a in self.agents if a.version != original], original, "downgrade-restart")
            elif r < 0.16:
                self.command(asked, "approve")  # too early: must be refused
            elif not self.rolling():
                self._restart_one([a for a in self.agents if a.version != target], target, "upgrade-restart")
        elif state == "READY_TO_RUN_UPGRADE_TASKS":
            if self.rng.random() < 0.25:
                open(os.path.join(self.run_dir, "tasks-fail-once"), "w").close()
            if r < 0.15:
                self.concurrently((asked, "approve"), (self.rng.choice(others()), "approve"))
            elif r < 0.25:
                self.concurrently((asked, "approve"), (self.rng.choice(others()), "cancel"))
            elif r < 0.3:
                original = cluster.get("originalVersion") or cluster["clusterVersion"]
                self._restart_one(self.agents, original, "downgrade-restart")
                self.command(asked, "approve")
            else:
                self.command(asked, "approve")
        elif state == "RUNNING_UPGRADE_TASKS":
            runner = next((a for a in self.agents if a.name == cluster.get("taskRunner")), None)
            if r < 0.1:
                self.command(asked, "cancel")  # must be refused while the tasks run
            elif r < 0.6 and runner is not None and self._down() < self.max_down:
                self.kill_runner(runner)  # another node must take over after the lease, and finish once
        elif state == "UPGRADE_TASKS_FAILED":
            if r < 0.2:
                self.concurrently((asked, "retry"), (self.rng.choice(others()), "retry"))
            elif r < 0.3:
                self.command(asked, "cancel")
            else:
                self.command(asked, "retry")
