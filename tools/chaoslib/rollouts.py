"""The rollout operator (fault kind `rollout`, opt-in): rolling upgrades by Chorus (SPEC §13)
started, paused, resumed, aborted and slots released at random agents, FleetLock clients taking
and giving back reboot slots (some keep theirs until the end), and applications that fall sick
for a few seconds, so the disruption budget (invariant 10, `budget.py`) is tested under the
faults of the plan. Like the upgrade operator it reacts to what an agent reports; its choices
draw from a stream of its own seeded by the run's seed.

Each host's "application" is two files in its directory: `app-version` (the agent's `[app]
version_file`) and the marks `unhealthy` and `sick` (either fails `[app] health_command`). The
node command writes the target version; a fault armed in `rollout-fault` makes the next turn on
that host fail (`fail`: exit 1), outlive the healthy deadline (`hang`), or leave the application
unhealthy on the target (`unhealthy`); the rollback command puts the old version back, healthy.
"""

import os
import time

from chorustools import client

from .operator import Actor, bump

TURN_FAULTS = ("fail", "hang", "unhealthy")
FLEETLOCK_HEADERS = {"fleet-lock-protocol": "true"}
HEALTHY_DEADLINE = 10  # s; a `hang` sleeps past it
FINISH_SECONDS = 20.0  # how long the end may take: abort the rollout, give back every reboot slot

SCRIPT = """#!/bin/sh
# The chaos run's rollout node command (`upgrade`) and rollback command (`rollback`) for host
# $CHAOS_NODE, whose application is the files of $CHAOS_HOST_DIR; one line per run in a log all
# hosts share. A fault armed in rollout-fault is taken by the next turn.
dir="$CHAOS_HOST_DIR"
echo "$(date +%s.%N) $1 node=$CHAOS_NODE from=$CHORUS_ROLLOUT_FROM to=$CHORUS_ROLLOUT_TO attempt=$CHORUS_ROLLOUT_ATTEMPT term=$CHORUS_ROLLOUT_TERM" >>"{run_dir}/rollouts.log"
install() {{ printf '%s\\n' "$1" >"$dir/app-version.new" && mv "$dir/app-version.new" "$dir/app-version"; }}
if [ "$1" = rollback ]; then
    rm -f "$dir/unhealthy"
    install "$CHORUS_ROLLOUT_FROM"
    exit 0
fi
fault=$(cat "$dir/rollout-fault" 2>/dev/null)
rm -f "$dir/rollout-fault"
case "$fault" in
    fail) exit 1 ;;
    hang) sleep {hang} ;;
    unhealthy) touch "$dir/unhealthy" ;;
    *) rm -f "$dir/unhealthy" ;;
esac
install "$CHORUS_ROLLOUT_TO"
"""


def write(run_dir: str) -> str:
    """Writes the node and rollback command into the run directory; its path."""
    path = os.path.join(run_dir, "rollout-node.sh")
    with open(path, "w") as f:
        f.write(SCRIPT.format(run_dir=run_dir, hang=HEALTHY_DEADLINE + 5))
    os.chmod(path, 0o755)
    return path


def equip(agent, script: str) -> None:
    """Makes `agent` read its version from its host's file (a start on a version writes it there)
    and check its application's health, and gives it the rollout commands, with short timings so
    several rollouts fit in a run."""
    agent.version_file = os.path.join(agent.dir, "app-version")
    agent.env.update({
        "CHAOS_HOST_DIR": agent.dir,
        "CHORUS_APP_VERSION_FILE": agent.version_file,
        "CHORUS_APP_HEALTH_COMMAND": f"test ! -e {agent.dir}/unhealthy && test ! -e {agent.dir}/sick",
        "CHORUS_APP_CHECK_INTERVAL": "500ms",
        "CHORUS_ROLLOUT_NODE_COMMAND": f"{script} upgrade",
        "CHORUS_ROLLOUT_ROLLBACK_COMMAND": f"{script} rollback",
        "CHORUS_ROLLOUT_DRAIN_SECONDS": "1",
        "CHORUS_ROLLOUT_HEALTHY_SECONDS": "1",
        "CHORUS_ROLLOUT_HEALTHY_DEADLINE": str(HEALTHY_DEADLINE),
    })


class RolloutOperator(Actor):
    """The rollout operator's thread; `finish` aborts the rollout and gives every reboot slot back."""

    def __init__(self, seed: int, agents, checker, history, clock, network_minority) -> None:
        super().__init__("chorus-chaos-rollouts", seed, agents, history, clock, network_minority)
        self.checker = checker
        # (host, FleetLock client) -> when the client, its reboot done, gives the slot back; None:
        # it keeps it until the end (or an operator's release)
        self.locks: dict[tuple[int, str], float | None] = {}
        self.sick: dict[int, float] = {}              # host -> when its application recovers (or recovered)
        self.running = False                          # a rollout runs, as the last agent asked said

    def _mark(self, agent, name: str, content: str | None) -> None:
        """Writes (or with None removes) one of the files of the host's application."""
        path = os.path.join(agent.dir, name)
        if content is None:
            if os.path.exists(path):
                os.remove(path)
            return
        with open(path, "w") as f:
            f.write(content)

    def step(self) -> None:
        for host, until in self.sick.items():
            if until <= self.clock() and os.path.exists(os.path.join(self.agents[host].dir, "sick")):
                self._mark(self.agents[host], "sick", None)
                self.history.note(self.clock(), f"operator app-recovers at {self.agents[host].name}")
        for (host, who), until in list(self.locks.items()):
            if until is not None and until <= self.clock() and self.agents[host] in self._live():
                self._unlock(self.agents[host], who)
        asked = self._pick()
        if asked is None:
            return
        rollout = client.get(asked.http, "/v1/rollout", timeout=2.0)
        if rollout is None:
            return
        self.running = rollout.get("state") == "running"
        r, stuck = self.rng.random(), self._stuck(rollout.get("slots") or [])
        if r < 0.3:
            self._fleetlock(asked)
        elif r < 0.36:
            self._sicken()
        elif r < 0.44 and stuck:
            self._command(asked, "release", {"name": self.rng.choice(stuck)})
        else:
            self._steer(asked, rollout)

    def _steer(self, asked, rollout: dict) -> None:
        state, r = rollout.get("state"), self.rng.random()
        if state in ("none", "finished", "aborted"):
            cluster = client.get(asked.http, "/v1/cluster", timeout=2.0)
            if cluster:
                self._start(asked, cluster)
        elif state == "running" and r < 0.18:
            self._command(asked, "pause" if r < 0.1 else "abort")
        elif state in ("paused", "halted") and r < 0.8:
            self._command(asked, "resume" if r < 0.5 else "abort")

    def _command(self, asked, verb: str, body=None):
        return self.ask(asked, f"rollout-{verb}", "POST", f"/v1/rollout/{verb}", body)

    def _start(self, asked, cluster: dict) -> None:
        """A rollout to the next minor version of the one the cluster upgrades from (the upgrade
        operator's target too) or, in upgrade mode, now and then back to that version, with a
        budget of 1 or 2, approved or not; some turns armed to fail."""
        original = cluster.get("originalVersion")
        back = original is not None and self.rng.random() < 0.3
        target = original if back else bump(original or cluster["clusterVersion"])
        budget = 2 if self.rng.random() < 0.25 else 1
        approve = self.rng.random() < 0.3
        for agent in self.agents:
            if self.rng.random() < 0.12:
                self._mark(agent, "rollout-fault", self.rng.choice(TURN_FAULTS))
        with self.checker.lock:
            self.checker.budget.on_start(self.clock(), budget)
        self._command(asked, "start", {"to": target, "maxUnavailable": budget, "approve": approve})

    def _stuck(self, slots: list[dict]) -> list[str]:
        """Holders whose slot an operator would free (`chorus rollout release NAME`): those that are
        down, and hosts whose FleetLock client keeps its reboot slot."""
        kept = {self.agents[h].name for (h, _), until in self.locks.items() if until is None}
        return sorted({s["holder"] for s in slots if s["holder"] in kept
                       or any(a.name == s["holder"] and a.state != "running" for a in self.agents)})

    def _fleetlock(self, asked) -> None:
        """A FleetLock client on the asked host asks for its reboot slot, or asks again (a recursive
        lock: 200); a second client of the same host must be refused while the first holds it. A
        client that got its slot gives it back 3-15 s later (its reboot), or one in five never."""
        held = [c for h, c in self.locks if h == asked.index]
        who = held[0] if held and self.rng.random() < 0.8 else f"zincati-{asked.name}-{self.rng.randint(1, 2)}"
        answer = self.ask(asked, "fleetlock-lock", "POST", "/v1/pre-reboot",
                          {"client_params": {"id": who, "group": "default"}}, FLEETLOCK_HEADERS, token=False)
        if answer and answer.status == 200 and (asked.index, who) not in self.locks:
            self.locks[(asked.index, who)] = None if self.rng.random() < 0.2 else self.clock() + self.rng.uniform(3, 15)

    def _unlock(self, agent, who: str) -> None:
        """FleetLock client `who` gives its reboot slot at `agent` back."""
        answer = self.ask(agent, "fleetlock-unlock", "POST", "/v1/steady-state",
                          {"client_params": {"id": who, "group": "default"}}, FLEETLOCK_HEADERS, token=False)
        if answer and answer.status == 200:
            del self.locks[(agent.index, who)]

    def _sicken(self) -> None:
        """An application fails its health check for 2-8 s, for reasons of its own; not again within
        10 s of recovering, so no poll misses a recovery between two sicknesses."""
        well = [a for a in self._live() if self.sick.get(a.index, -10.0) + 10 < self.clock()]
        if well:
            agent = self.rng.choice(well)
            self._mark(agent, "sick", "")
            self.sick[agent.index] = self.clock() + self.rng.uniform(2, 8)
            self.history.note(self.clock(), f"operator app-sick at {agent.name}")

    def finish(self) -> None:
        """Before the final convergence: applications well, no fault armed, the rollout aborted,
        every reboot slot given back."""
        for agent in self.agents:
            for mark in ("sick", "rollout-fault"):
                self._mark(agent, mark, None)
        deadline = time.monotonic() + FINISH_SECONDS
        aborted = False
        while time.monotonic() < deadline and (not aborted or self.locks):
            live = self._live()
            if live and not aborted:
                answer = self._command(self.rng.choice(live), "abort")
                aborted = answer is not None and answer.status in (200, 409)  # 409: none under way
            for host, who in list(self.locks):
                if self.agents[host] in live:
                    self._unlock(self.agents[host], who)
            time.sleep(0.5)

    def figures(self) -> dict:
        """What the operator did, by commands answered 200 (and FleetLock locks refused)."""
        def ok(name: str) -> int:
            return self.answers[(name, 200)]
        return {"rolloutsStarted": ok("rollout-start"), "pauses": ok("rollout-pause"), "resumes": ok("rollout-resume"),
                "aborts": ok("rollout-abort"), "releases": ok("rollout-release"), "rebootLocks": ok("fleetlock-lock"),
                "rebootLocksRefused": self.answers[("fleetlock-lock", 409)], "rebootUnlocks": ok("fleetlock-unlock")}
