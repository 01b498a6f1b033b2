"""One chaos run: make the hosts, start the agents, play the schedule, let the operator act,
check continuously, heal, wait for the final convergence, tear down, report."""

import os
import secrets
import sys
import threading
import time
from collections import Counter

from chorustools import agents as agents_module, client, hosts as hosts_module

from . import bounds as bounds_module
from . import registry, report, rollouts, schedule, tasks
from .checks import Checker
from .history import History
from .observer import Observer
from .operator import Operator
from .rollouts import RolloutOperator

POLL_PERIOD = 0.5


class Run:
    def __init__(self, args) -> None:
        self.args = args
        self.prefix = f"{hosts_module.PREFIX_START}{secrets.token_hex(2)}"
        self.run_dir = os.path.abspath(os.path.join(args.dir, self.prefix))
        self.start_time = None
        self.history = History()
        self.injected = Counter()
        self.skipped = Counter()
        self.notes: list[str] = []
        self.lock = threading.Lock()
        self.restart_threads: list[threading.Thread] = []
        self.stopping = threading.Event()
        self.hostile = None
        self.rollout_operator = None

    def clock(self) -> float:
        return time.monotonic() - self.start_time if self.start_time else 0.0

    # -- setup ------------------------------------------------------------------------------------

    def _make_hosts(self):
        if self.args.loopback:
            why = "--loopback given"
        else:
            why = hosts_module.namespaces_available()
        if why is None:
            return hosts_module.NetnsHosts(self.prefix, self.args.nodes)
        message = (f"chaos: network namespaces unavailable ({why}); running every agent on 127.0.0.1 "
                   f"instead: process faults only, no partitions or packet loss")
        print(message, file=sys.stderr)
        self.notes.append(message)
        return hosts_module.LoopbackHosts(self.prefix, self.args.nodes)

    def _record(self) -> None:
        registry.record(self.prefix, self.run_dir, [a.pid for a in self.agents if a.pid])

    def setup(self) -> None:
        os.makedirs(self.run_dir, exist_ok=True)
        registry.cleanup()  # what crashed runs left behind
        self.hosts = self._make_hosts()
        registry.record(self.prefix, self.run_dir, [])
        self.hosts.create()
        needs_namespaces = schedule.NETWORK_KINDS + schedule.HOSTILE_KINDS
        self.kinds = [k for k in self.args.faults if self.hosts.network_faults or k not in needs_namespaces]
        for k in sorted(set(self.args.faults) - set(self.kinds)):
            self.notes.append(f"fault kind {k} left out: it needs network namespaces")
        trust = os.path.join(self.run_dir, "trust")
        agents_module.init_trust(self.args.binary, trust)
        script = tasks.write(self.run_dir, self.args.tasks_seconds)
        self.agents = [agents_module.Agent(i, f"n{i + 1}", self.run_dir, self.args.binary, self.hosts,
                                           self.args.preset, agents_module.FIRST_VERSION, trust,
                                           tasks.environment(f"n{i + 1}", script)) for i in range(self.args.nodes)]
        rollout_script = rollouts.write(self.run_dir) if "rollout" in self.kinds else None
        for agent in self.agents:
            agent.busy = False
            if rollout_script:
                rollouts.equip(agent, rollout_script)
        self.bounds = bounds_module.protocol_bounds(self.args.preset, self.args.nodes, POLL_PERIOD, client.TIMEOUT)
        self.checker = Checker([a.name for a in self.agents], self.bounds, self.history,
                               lambda: [a.state for a in self.agents])
        self.checker.tasks.path = os.path.join(self.run_dir, "tasks.log")
        if set(self.kinds) & set(schedule.HOSTILE_KINDS):
            from .hostile import Hostile  # raw sockets and AF_PACKET: only when asked for
            self.hostile = Hostile(self)
            self.hostile.start(self.kinds)

    def seeds(self, agent) -> list[str]:
        first = not os.path.exists(os.path.join(self.agents[0].data_dir, "decisions"))
        if agent.index == 0 and first:
            return []  # the founder
        return [self.hosts.gossip(a.index) for a in self.agents if a is not agent]

    def boot(self) -> None:
        founder = self.agents[0]
        founder.start(self.seeds(founder))
        self._record()
        self._wait(lambda: client.healthy(founder.http), 30, "n1 to answer /v1/health")
        for agent in self.agents[1:]:
            agent.start(self.seeds(agent))
        self._record()

        def joined() -> bool:
            for agent in self.agents:
                cluster = client.get(agent.http, "/v1/cluster")
                members = client.get(agent.http, "/v1/members") or []
                alive = {m["name"] for m in members if m.get("status") == "alive"}
                if not cluster or len(cluster.get("voters", [])) < len(self.agents) or len(alive) < len(self.agents):
                    return False
            return True
        seconds = 60 + 3 * len(self.agents)
        if not self._wait(joined, seconds, "every agent to join and become a voter", soft=True):
            # Not a setup error: a broken build may never form a cluster. The checks run anyway.
            self.checker.violate(self.clock(), "7 convergence", f"the cluster did not form within {seconds}s: "
                                 "not every agent sees every other alive and as a voter", list(range(len(self.agents))))

    def _wait(self, condition, seconds: float, what: str, soft: bool = False) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return True
            for agent in self.agents:
                if agent.exited_unexpectedly() is not None:
                    raise RuntimeError(f"{agent.name} exited during start-up: " + "\n".join(agent.log_tail()))
            time.sleep(0.3)
        if soft:
            return False
        raise RuntimeError(f"timed out after {seconds:.0f}s waiting for {what}")

    # -- faults -----------------------------------------------------------------------------------

    def restart(self, agent, version: str | None, kind: str) -> None:
        """Graceful restart (SIGTERM, start again on the same data directory), in the background."""
        def work() -> None:
            try:
                t = self.clock()
                self.history.host_down(agent.index, t, kind)
                agent.terminate()
                agent.start(self.seeds(agent), version)
                self._record()
                self.history.host_up(agent.index, self.clock(), restarted=True)
                self.history.note(t, f"{kind} {agent.name} -> {agent.version}")
            finally:
                agent.busy = False
        with self.lock:
            if agent.busy or agent.state != "running":
                self.skipped[kind] += 1
                return
            agent.busy = True
            self.injected[kind] += 1
        thread = threading.Thread(target=work, daemon=True)
        self.restart_threads.append(thread)
        thread.start()

    def kill_runner(self, agent) -> None:
        """kill -9 of the upgrade-task runner (the operator's fault); restarted after the detection bound."""
        with self.lock:
            if agent.busy or agent.state != "running":
                self.skipped["kill-task-runner"] += 1
                return
            agent.busy = True
            self.injected["kill-task-runner"] += 1
        t = self.clock()
        self.history.host_down(agent.index, t, "kill-task-runner")
        self.history.note(t, f"kill-task-runner {agent.name}")
        agent.kill()
        self.checker.on_kill(agent.index, t)

        def back() -> None:
            time.sleep(self.bounds.detection + 5)
            agent.start(self.seeds(agent))
            self._record()
            self.history.host_up(agent.index, self.clock(), restarted=True)
            agent.busy = False
        thread = threading.Thread(target=back, daemon=True)
        self.restart_threads.append(thread)
        thread.start()

    def _network_rules(self) -> None:
        """Every host's rules from the network faults in force."""
        loss = {i: 0 for i in range(len(self.agents))}
        out = {i: set() for i in range(len(self.agents))}
        into = {i: set() for i in range(len(self.agents))}
        everyone = set(range(len(self.agents)))
        for entry in self.history.active_network(self.clock()):
            _, end, kind, side, params = entry
            if end is not None:
                continue
            rest = everyone - set(side)
            if kind == "loss":
                for h in side:
                    loss[h] = params["percent"]
            elif kind == "partition":
                for h in side:
                    out[h] |= rest
                    into[h] |= rest
            elif kind == "oneway":
                for h in side:
                    (out if params["direction"] == "out" else into)[h] |= rest
        for i in range(len(self.agents)):
            self.hosts.set_rules(i, loss[i], out[i], into[i])

    def minority_now(self) -> list[int]:
        for _, end, kind, side, _ in self.history.active_network(self.clock()):
            if end is None and kind == "partition":
                return side
        return []

    def begin(self, fault) -> callable:
        """Applies a fault; returns what heals it."""
        t = self.clock()
        if fault.kind in schedule.HOSTILE_KINDS:
            return self.hostile.begin(fault, t)
        if fault.kind in schedule.PROCESS_KINDS:
            agent = self.agents[fault.hosts[0]]
            with self.lock:
                if agent.busy or agent.state != "running":
                    self.skipped[fault.kind] += 1
                    return lambda: None
                agent.busy = True
            self.injected[fault.kind] += 1
            self.history.host_down(agent.index, t, fault.kind)
            if fault.kind == "kill":
                agent.kill()
                self.checker.on_kill(agent.index, t)
            elif fault.kind == "term":
                leaving = threading.Thread(target=agent.terminate, daemon=True)  # the leave takes a while
                leaving.start()
            else:
                agent.pause()

            def heal() -> None:
                if fault.kind == "term":
                    leaving.join()
                if fault.kind == "pause":
                    agent.resume()
                    self.history.host_up(agent.index, self.clock(), restarted=False)
                else:
                    agent.start(self.seeds(agent))
                    self._record()
                    self.history.host_up(agent.index, self.clock(), restarted=True)
                agent.busy = False
            return heal
        entry = self.history.network_start(t, fault.kind, fault.hosts, fault.params)
        self.injected[fault.kind if fault.kind != "partition" else f"partition-{fault.params['style']}"] += 1
        if fault.kind == "partition":
            self.checker.on_partition(t, fault.hosts, entry)
        self._network_rules()

        def heal_network() -> None:
            self.history.network_end(entry, self.clock())
            self._network_rules()
            if fault.kind in ("partition", "oneway"):
                self.checker.on_heal(self.clock(), fault.hosts)
        return heal_network

    # -- the run ----------------------------------------------------------------------------------

    def execute(self) -> int:
        args = self.args
        self.setup()
        try:
            self.start_time = time.monotonic()
            self.started_wall = time.time()
            self.observer = Observer(self.agents, self.checker, self.clock, POLL_PERIOD)
            self.observer.start()  # checks run from the first start, joining included
            self.boot()
            self.offset = self.clock()  # the schedule's time 0: the cluster has formed
            self.checker.quiet_floor = self.offset
            faults = schedule.plan(args.seed, args.nodes, args.duration, self.kinds, self.bounds.detection,
                                   self.bounds.convergence)
            self.plan = faults
            names = [a.name for a in self.agents]
            print(f"chaos: seed {args.seed}, {args.nodes} nodes ({self.hosts.kind}), {args.duration:.0f}s, "
                  f"{len(faults)} scheduled faults (plan {schedule.digest(faults)}), preset {args.preset}: "
                  f"detection bound {self.bounds.detection:.1f}s, convergence bound {self.bounds.convergence:.1f}s; "
                  f"run dir {self.run_dir}", file=sys.stderr)
            end = self.offset + args.duration
            operator_end = end - self.bounds.convergence - 5
            self.operator = None
            if "rollout" in self.kinds:
                self.rollout_operator = RolloutOperator(args.seed, self.agents, self.checker, self.history, self.clock,
                                                        self.minority_now)
            if "upgrade" in args.faults:
                self.operator = Operator(args.seed, self.agents, self.checker, self.history, self.clock, self.restart,
                                         self.minority_now, self.run_dir, max(1, (args.nodes - 1) // 2),
                                         self.kill_runner,
                                         lambda: self.rollout_operator is not None and self.rollout_operator.running)
            actors = [a for a in (self.operator, self.rollout_operator) if a]
            for actor in actors:
                actor.start()
            actions = []
            for n, fault in enumerate(faults):
                actions.append((fault.at + self.offset, n, "begin", fault))
            actions.sort(key=lambda a: (a[0], a[1]))
            heals: list[tuple[float, int, callable]] = []
            self.progress = report.Progress(end)
            while True:
                t = self.clock()
                while actions and actions[0][0] <= t:
                    at, n, _, fault = actions.pop(0)
                    self.history.note(t, fault.describe(names))
                    heals.append((fault.until + self.offset, n, self.begin(fault)))
                heals.sort(key=lambda h: (h[0], h[1]))
                while heals and heals[0][0] <= t:
                    heals.pop(0)[2]()
                for actor in actors:
                    if t >= operator_end and not actor.stopping.is_set():
                        actor.stopping.set()  # a rollout operator then aborts and gives its slots back
                for agent in self.agents:
                    code = agent.exited_unexpectedly()
                    if code is not None and not agent.busy:
                        self.checker.violate(t, "agent exit", f"{agent.name} exited with status {code}",
                                             [agent.index], key=("exit", agent.index, agent.lives))
                        agent.state = "crashed"
                self.checker.tick(t)
                self.progress.show(t, self)
                if t >= end and not heals and self._final_convergence_settled(t, end):
                    break
                time.sleep(0.2)
            for actor in actors:
                actor.stop()
            for thread in self.restart_threads + (self.hostile.threads if self.hostile else []):
                thread.join(30)
            self.checker.tick(self.clock())
            self.checker.finish(self.clock())
            self.progress.done()
        finally:
            self.end_time = self.clock()
            self.teardown()
        return self.write_report()

    def _final_convergence_settled(self, t: float, end: float) -> bool:
        c = self.checker
        return c.quiet_since is not None and (c.quiet_converged or c.quiet_flagged) \
            or t > end + self.bounds.observed(self.bounds.convergence) + 30

    def teardown(self) -> None:
        self.stopping.set()
        if self.hostile:
            self.hostile.stop()
        if hasattr(self, "observer"):
            self.observer.stop()
        for agent in getattr(self, "agents", []):
            if agent.process and agent.process.poll() is None:
                if agent.state == "paused":
                    agent.resume()
                agent.kill()
        if hasattr(self, "hosts"):
            self.hosts.destroy()
        registry.forget(self.prefix)

    def write_report(self) -> int:
        document = report.build(self)
        paths = report.write(document, self.args.report or os.path.join(self.run_dir, "report"))
        print(report.verdict(document, paths), file=sys.stderr)
        return 1 if document["violations"] else 0
