"""SPEC §11's invariants, judged from what every agent's endpoint says and from the shared
upgrade-tasks log, against the faults the harness knows it made (`History`).

Pure logic: the observer feeds samples and events in, the run loop calls `tick`; nothing here
does IO except reading the process table for the task runs, so the tests can feed it by hand.
"""

import os
import statistics
import threading
from collections import Counter, deque

from chorustools import events

from .budget import BudgetCheck

MODE = "M"
PHASES = {"STABLE": "S", "READY_TO_UPGRADE": MODE, "MIXED": MODE, "READY_TO_RUN_UPGRADE_TASKS": MODE,
          "RUNNING_UPGRADE_TASKS": "R", "UPGRADE_TASKS_FAILED": "F"}
# event -> (phases it may follow, phase it leads to). A retry (FAILED -> upgrade mode) has no
# event of its own, so whatever may follow upgrade mode may also follow FAILED.
EVENT_EDGES = {
    events.UPGRADE_STARTED: ({"S"}, MODE),
    events.UPGRADE_CANCELLED: ({MODE, "F"}, "S"),
    events.UPGRADE_APPROVED: ({MODE, "F"}, "R"),
    events.UPGRADE_FINISHED: ({"R"}, "S"),
    events.UPGRADE_TASKS_FAILED: ({"R"}, "F"),
    events.UPGRADE_MIXED: ({MODE, "F"}, MODE),
    events.UPGRADE_READY: ({MODE, "F"}, MODE),
}
MINORITY_GRACE = 2.0
# Invariant 8 (integrity) as far as the endpoints show it. Honest incarnations grow by one per
# restart or refutation, and a believed accusation can add at most 1,024 (IncarnationBounds):
# no run reaches 2^32 without an out-of-range number having been taken in.
INCARNATION_CEILING = 2**32
# Events by which an observer declares a member failed or gone (checked like /v1/members).
DEPARTURE_EVENTS = {events.MEMBER_FAILED: "dead", events.MEMBER_LEAVE: "left"}


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(p / 100 * len(ordered) + 0.5)) - 1))]


def summary(values: list[float]) -> dict:
    return {"count": len(values), "median": statistics.median(values) if values else None,
            "p99": percentile(values, 99), "max": max(values) if values else None}


class Checker:
    def __init__(self, names: list[str], bounds, history, states) -> None:
        """`states()` gives each host's harness-side state now (running, paused, killed, stopped)."""
        self.names = names
        self.index = {name: i for i, name in enumerate(names)}
        self.bounds = bounds
        self.history = history
        self.states = states
        self.lock = threading.RLock()
        self.violations: list[dict] = []
        self._seen_violations: set = set()
        self.checks = Counter()
        # latest sample per host: (t, life, cluster, members by name, self)
        self.latest: dict[int, tuple] = {}
        self.events: dict[int, deque] = {i: deque(maxlen=400) for i in range(len(names))}
        self.phase: dict[tuple[int, int], str | None] = {}
        # agreement and quorum
        self.reference: dict[int, dict] = {}
        self.voters_before: list[set] = []   # voters_before[k]: voters of slot k
        self._unchecked_proofs: dict[int, list] = {}  # proofs of slots whose voters are not known yet
        self.decisions_supported: bool | None = None
        # durability: last thing each host said in a life
        self.last_life: dict[int, dict] = {}
        # completeness: host -> {"t", "seen": {observer: t}}
        self.pending_kills: dict[int, dict] = {}
        self.detection_all: list[float] = []
        self.detection_each: list[float] = []
        # convergence
        self.quiet_since: float | None = None
        self.quiet_floor = float("inf")  # convergence is judged once the cluster has formed
        self.quiet_converged = False
        self.quiet_flagged = False
        self.convergence_times: list[dict] = []
        self.heals: list[dict] = []
        self.heal_times: list[float] = []
        # minority side
        self.minorities: list[dict] = []
        # integrity: (observer, life, member id) -> the highest incarnation it reported
        self.incarnations: dict[tuple, int] = {}
        # amplification: one entry per reflection measured
        self.reflections: list[dict] = []
        # operator acknowledgements: slot -> (decision, agent, t)
        self.acknowledged: list[tuple[int, str, str, float]] = []
        self.tasks = TaskRuns(self)
        self.finished_versions: set = set()
        self.budget = BudgetCheck(self)

    # -- recording --------------------------------------------------------------------------------

    def violate(self, t: float, invariant: str, message: str, hosts: list[int], key=None) -> None:
        with self.lock:
            key = key or (invariant, message)
            if key in self._seen_violations:
                return
            self._seen_violations.add(key)
            self.violations.append({"t": round(t, 3), "invariant": invariant, "message": message,
                                    "agents": [self.names[h] for h in hosts]})

    def excerpt(self, host: int, since: float, until: float) -> list[str]:
        with self.lock:
            return [f"{t:9.3f} {text}" for t, text in self.events[host] if since <= t <= until]

    # -- inputs -----------------------------------------------------------------------------------

    def on_sample(self, host: int, t: float, life: int, cluster: dict | None, members: list | None,
                  self_info: dict | None, decisions: list | None, rollout: dict | None = None) -> None:
        with self.lock:
            by_name = {m["name"]: m for m in members or []}
            previous = self.latest.get(host)
            self.latest[host] = (t, life, cluster, by_name, self_info)
            if previous is None or previous[1] != life:
                self._new_life(host, t, life, cluster, self_info)
            if self_info:
                record = self.last_life.setdefault(host, {})
                record.update(life=life, id=self_info.get("id"), incarnation=self_info.get("incarnation"))
                if cluster:
                    record["decisions"] = cluster.get("decisions", 0)
            if cluster:
                self._check_quorum_size(host, t, cluster)
                self._check_minority(host, t, cluster)
            if members is not None and cluster:
                self.budget.on_view(host, t, by_name, cluster.get("voters") or [], rollout)
            if rollout is not None:
                self.budget.on_rollout(host, t, rollout)
            if members is not None:
                self._check_accuracy(host, t, by_name)
                self._note_detections(host, t, by_name)
                self._check_incarnations(host, t, life, by_name, self_info)
            if decisions is not None:
                self._check_decisions(host, t, decisions)

    def _new_life(self, host: int, t: float, life: int, cluster: dict | None, self_info: dict | None) -> None:
        """Invariant 9: a restarted agent keeps its identity, a higher incarnation, its decisions."""
        before = self.last_life.get(host)
        if not before or before.get("life") == life or not self_info:
            return
        self.checks["9 durability"] += 1
        if before.get("id") and self_info.get("id") != before["id"]:
            self.violate(t, "9 durability", f"{self.names[host]} came back with id {self_info.get('id', '')[:16]}, "
                         f"was {before['id'][:16]}", [host])
        if before.get("incarnation") is not None and self_info.get("incarnation", 0) <= before["incarnation"]:
            self.violate(t, "9 durability", f"{self.names[host]} came back at incarnation "
                         f"{self_info.get('incarnation')}, not above {before['incarnation']}", [host])
        if cluster and cluster.get("decisions", 0) < before.get("decisions", 0):
            self.violate(t, "9 durability", f"{self.names[host]} came back with {cluster.get('decisions')} "
                         f"decisions, had {before['decisions']}", [host])

    def on_event(self, host: int, t: float, life: int, event: dict) -> None:
        with self.lock:
            name = event.get("event", "?")
            detail = ""
            if event.get("member"):
                detail = f"{event['member'].get('name')} {event['member'].get('status')}"
            elif event.get("cluster"):
                c = event["cluster"]
                detail = f"state={c.get('state')} version={c.get('clusterVersion')} decisions={c.get('decisions')}"
            self.events[host].append((t, f"{self.names[host]}#{life} {name} {detail}".rstrip()))
            self.budget.on_event(host, name)
            if name in DEPARTURE_EVENTS and event.get("member"):
                self._check_departure_event(host, t, event["member"], DEPARTURE_EVENTS[name])
            if name not in EVENT_EDGES:
                return
            self.checks["2 transitions"] += 1
            sources, target = EVENT_EDGES[name]
            current = self.phase.get((host, life))
            if current is not None and current not in sources:
                self.violate(t, "2 transitions", f"{self.names[host]} emitted {name} in phase {current} "
                             f"(allowed after {sorted(sources)})", [host], key=("2", host, life, event.get("id")))
            self.phase[(host, life)] = target
            if name == events.UPGRADE_FINISHED:
                self.finished_versions.add((event.get("cluster") or {}).get("clusterVersion"))
                self.tasks.check_finished(host, t, (event.get("cluster") or {}).get("clusterVersion"))

    def on_command(self, t: float, host: int, command: str, answer) -> None:
        """An operator command answered 200 names its slot: that slot must hold it everywhere."""
        if answer and answer.status == 200 and isinstance(answer.body, dict) and "slot" in answer.body:
            with self.lock:
                self.acknowledged.append((int(answer.body["slot"]), answer.body.get("decision"), self.names[host], t))

    def on_kill(self, host: int, t: float) -> None:
        with self.lock:
            self.pending_kills[host] = {"t": t, "seen": {}}

    def on_partition(self, t: float, minority: list[int], heal_entry: list) -> None:
        with self.lock:
            self.minorities.append({"t": t, "hosts": minority, "entry": heal_entry, "baseline": {}, "limit": None})

    def on_heal(self, t: float, side: list[int]) -> None:
        """A partition or one-way cut healed: the two sides must see each other again within the bound."""
        with self.lock:
            self.heals.append({"t": t, "side": side})

    # -- invariants ---------------------------------------------------------------------------------

    def _check_quorum_size(self, host: int, t: float, cluster: dict) -> None:
        voters = cluster.get("voters") or []
        self.checks["3 quorum"] += 1
        if voters and cluster.get("quorum") != len(voters) // 2 + 1:
            self.violate(t, "3 quorum", f"{self.names[host]} reports quorum {cluster.get('quorum')} of "
                         f"{len(voters)} voters (a majority is {len(voters) // 2 + 1})", [host],
                         key=("3size", host, cluster.get("quorum"), len(voters)))

    def _check_decisions(self, host: int, t: float, decisions: list) -> None:
        for d in decisions:
            slot = d["slot"]
            self.checks["1 agreement"] += 1
            ref = self.reference.get(slot)
            if ref is None:
                self.reference[slot] = dict(d, seenAt=self.names[host], t=t)
                self.budget.on_decision(t, d)
            elif ref["value"] != d["value"]:
                self.violate(t, "1 agreement", f"slot {slot}: {self.names[host]} holds {d['decision']} "
                             f"({d['value'][:24]}), {ref['seenAt']} holds {ref['decision']} ({ref['value'][:24]})",
                             [host, self.index.get(ref["seenAt"], host)], key=("1", slot, host))
            self._check_proof(host, t, d)
        self._extend_voters(t)

    def _extend_voters(self, t: float) -> None:
        while len(self.voters_before) <= len(self.reference):
            k = len(self.voters_before)
            if k == 0:
                self.voters_before.append(set())
                continue
            previous = self.reference.get(k - 1)
            if previous is None:
                return
            voters = set(self.voters_before[k - 1])
            if previous["decision"] == "found":
                voters = set(previous["members"])
            elif previous["decision"] == "admit":
                voters.update(previous["members"])
            elif previous["decision"] == "remove":
                voters.difference_update(previous["members"])
            self.voters_before.append(voters)
            # proofs of slot k that arrived before its voters were known
            for host, d in self._unchecked_proofs.pop(k, []):
                self._check_proof(host, t, d)

    def _check_proof(self, host: int, t: float, d: dict) -> None:
        """Invariant 3: each slot's proof holds votes of a majority of the slot's voters."""
        slot = d["slot"]
        votes = set(d.get("votes") or [])
        if slot == 0:
            self.checks["3 quorum"] += 1
            if d["decision"] != "found" or votes != set(d.get("members") or []):
                self.violate(t, "3 quorum", f"slot 0 at {self.names[host]} is {d['decision']} with "
                             f"{len(votes)} votes, not the founder's own", [host], key=("3", 0, host))
            return
        if slot >= len(self.voters_before):
            self._unchecked_proofs.setdefault(slot, []).append((host, d))
            return
        voters = self.voters_before[slot]
        self.checks["3 quorum"] += 1
        outsiders = votes - voters
        if outsiders or len(votes) < len(voters) // 2 + 1:
            self.violate(t, "3 quorum", f"slot {slot} ({d['decision']}) at {self.names[host]} is proven by "
                         f"{len(votes & voters)} votes of its {len(voters)} voters (a majority is "
                         f"{len(voters) // 2 + 1}){' and ' + str(len(outsiders)) + ' of non-voters' if outsiders else ''}",
                         [host], key=("3", slot))

    def _check_minority(self, host: int, t: float, cluster: dict) -> None:
        """Invariant 3: a minority side of a partition decides nothing while it lasts."""
        count = cluster.get("decisions", 0)
        for m in self.minorities:
            if host not in m["hosts"] or m["entry"][1] is not None and t > m["entry"][1]:
                continue
            if t < m["t"] + MINORITY_GRACE:
                continue
            if host not in m["baseline"]:
                known = self.last_life.get(host, {}).get("decisions", 0)
                m["baseline"][host] = max(count, known)
                continue
            limit = max(m["baseline"].values())
            self.checks["3 minority"] += 1
            if count > limit:
                self.violate(t, "3 minority", f"{self.names[host]} on the minority side "
                             f"({', '.join(self.names[h] for h in m['hosts'])}) of a partition since "
                             f"{m['t']:.1f}s holds {count} decisions, the side had {limit}", [host],
                             key=("3m", host, m["t"]))

    def _check_accuracy(self, host: int, t: float, members: dict, via: str = "poll") -> None:
        """Invariant 6: no live agent declared dead (or left) without a partition or heavy loss."""
        window = self.bounds.convergence
        if self.states()[host] != "running" or self.history.partitioned(t - window, t):
            return
        states = self.states()
        for name, m in members.items():
            other = self.index.get(name)
            if other is None or other == host:
                continue
            self.checks["6 accuracy" if via == "poll" else "6 accuracy (events)"] += 1
            if m.get("status") in ("dead", "left") and states[other] == "running" \
                    and not self.history.disturbed(other, t - window, t):
                told = "reports" if via == "poll" else "emitted an event declaring"
                self.violate(t, "6 accuracy", f"{self.names[host]} {told} {name} {m['status']} while it runs "
                             f"(no partition, loss <= 10%, and {name} was not stopped in the last {window:.0f}s)",
                             [host, other], key=("6", host, other, int(t // window)))

    def _check_departure_event(self, host: int, t: float, member: dict, status: str) -> None:
        """Invariant 6 from the event stream: a `dead` or `left` that lasts less than a poll
        (an accusation believed at once, then refuted) is still a live member declared gone."""
        self._check_accuracy(host, t, {member.get("name"): dict(member, status=status)}, via="event")

    def _check_incarnations(self, host: int, t: float, life: int, members: dict, self_info: dict | None) -> None:
        """Invariant 8, as far as the endpoints show it: a member's incarnation, as one observer
        reports it in one life, never goes back (a stale or replayed heartbeat changed nothing)
        and never reaches INCARNATION_CEILING (an out-of-range number was taken in)."""
        reports = list(members.values())
        if self_info:
            reports.append(dict(self_info, name=self.names[host]))
        for m in reports:
            incarnation, name = m.get("incarnation"), m.get("name")
            if not isinstance(incarnation, int) or name not in self.index:
                continue
            self.checks["8 integrity"] += 1
            key = (host, life, m.get("id") or name)
            before = self.incarnations.get(key)
            subject = self.index[name]
            if incarnation >= INCARNATION_CEILING:
                self.violate(t, "8 integrity", f"{self.names[host]} reports {name} at incarnation {incarnation}, "
                             f"beyond what honest restarts and believable accusations reach (2^32; heartbeats above "
                             f"2^62 and accusations over 1,024 ahead must be refused)", [host, subject],
                             key=("8c", host, name))
            if before is not None and incarnation < before:
                self.violate(t, "8 integrity", f"{self.names[host]} reports {name} at incarnation {incarnation}, "
                             f"below the {before} it reported before (an older heartbeat replaced a newer one)",
                             [host, subject], key=("8b", host, life, name))
            if before is None or incarnation > before:
                self.incarnations[key] = incarnation

    def on_reflection(self, t: float, victim: int, injected: int, received: int, detail: str) -> None:
        """SPEC §2: no datagram from an unverified source makes an agent send more bytes than it
        received. `injected`: the bytes sent in the victim's name; `received`: what reached the
        victim's address because of them."""
        with self.lock:
            ratio = received / injected if injected else None
            self.reflections.append({"t": round(t, 3), "victim": self.names[victim], "injected": injected,
                                     "received": received, "ratio": round(ratio, 3) if ratio is not None else None,
                                     "detail": detail})
            if not injected:
                return
            self.checks["§2 amplification"] += 1
            if received > injected:
                self.violate(t, "§2 amplification", f"{received} bytes reached {self.names[victim]}'s address for "
                             f"{injected} bytes sent in its name (ratio {ratio:.2f} > 1): {detail}", [victim],
                             key=("amp", t))

    def _note_detections(self, host: int, t: float, members: dict) -> None:
        for victim, pending in self.pending_kills.items():
            m = members.get(self.names[victim])
            if host != victim and host not in pending["seen"] and m and m.get("status") == "dead":
                pending["seen"][host] = t

    def tick(self, t: float) -> None:
        with self.lock:
            self._check_completeness(t)
            self._check_convergence(t)
            self._check_heals(t)
            self.tasks.tick(t)

    def _check_completeness(self, t: float) -> None:
        """Invariant 5: a killed agent is declared dead by every live agent within the bound."""
        deadline_after = self.bounds.observed(self.bounds.detection)
        states = self.states()
        for victim, pending in list(self.pending_kills.items()):
            t_kill = pending["t"]
            restarted = states[victim] not in ("killed",)
            observers = [h for h in range(len(self.names)) if h != victim
                         and states[h] == "running" and not self.history.disturbed(h, t_kill, t)]
            excused = self.history.partitioned(t_kill, t)
            if all(h in pending["seen"] for h in observers) and observers and not excused:
                times = [pending["seen"][h] - t_kill for h in observers]
                self.detection_each += times
                self.detection_all.append(max(times))
                del self.pending_kills[victim]
                continue
            if restarted or excused or t < t_kill + deadline_after:
                if restarted or excused:
                    del self.pending_kills[victim]
                continue
            self.checks["5 completeness"] += 1
            late = [h for h in observers if h not in pending["seen"]]
            if late:
                self.violate(t, "5 completeness", f"{self.names[victim]} was killed at {t_kill:.1f}s; after "
                             f"{t - t_kill:.1f}s (bound {self.bounds.detection:.1f}s + {self.bounds.poll_slack:.1f}s "
                             f"polling) {', '.join(self.names[h] for h in late)} still do not report it dead",
                             [victim] + late, key=("5", victim, t_kill))
            del self.pending_kills[victim]

    def converged(self, t: float, since: float) -> tuple[bool, str]:
        """Invariant 7's condition: every running agent answered since `since`, sees every running
        agent alive, and all report the same state, cluster version and number of decisions."""
        states = self.states()
        running = [h for h in range(len(self.names)) if states[h] == "running"]
        views = {}
        for h in running:
            sample = self.latest.get(h)
            if not sample or sample[0] < since or not sample[2]:
                return False, f"{self.names[h]} has not answered since {since:.1f}s"
            _, _, cluster, members, _ = sample
            for other in running:
                status = members.get(self.names[other], {}).get("status")
                if status != "alive":
                    return False, f"{self.names[h]} sees {self.names[other]} {status}"
            for other in range(len(self.names)):
                if states[other] in ("killed", "stopped") and members.get(self.names[other], {}).get("status") == "alive":
                    return False, f"{self.names[h]} sees the stopped {self.names[other]} alive"
            views[h] = (cluster.get("state"), cluster.get("clusterVersion"), cluster.get("decisions"),
                        (cluster.get("maintenance") or {}).get("enabled"))
        if len(set(views.values())) > 1:
            return False, "views differ: " + "; ".join(f"{self.names[h]} {v}" for h, v in views.items())
        return True, ""

    def _check_convergence(self, t: float) -> None:
        quiet = max(self.history.last_fault_end(), self.quiet_floor)
        if quiet == float("inf"):
            self.quiet_since = None
            return
        if self.quiet_since != quiet:
            self.quiet_since, self.quiet_converged, self.quiet_flagged = quiet, False, False
        if self.quiet_converged:
            return
        ok, why = self.converged(t, quiet)
        if ok:
            self.checks["7 convergence"] += 1
            self.quiet_converged = True
            if quiet == self.quiet_floor:
                return  # the cluster as it formed, no fault healed yet
            last = max(self.history.network, key=lambda e: e[1] or 0, default=None)
            after_partition = bool(last and last[1] == quiet and last[2] in ("partition", "oneway"))
            self.convergence_times.append({"t": round(quiet, 3), "seconds": round(t - quiet, 3),
                                           "afterPartition": after_partition})
        elif t - quiet > self.bounds.observed(self.bounds.convergence) and not self.quiet_flagged:
            self.checks["7 convergence"] += 1
            self.quiet_flagged = True
            self.violate(t, "7 convergence", f"no convergence {t - quiet:.1f}s after the last fault healed at "
                         f"{quiet:.1f}s (bound {self.bounds.convergence:.1f}s + polling): {why}",
                         list(range(len(self.names))), key=("7", quiet))

    def _sides_agree(self, heal: dict) -> tuple[bool, str]:
        """Every running host undisturbed since the heal, on either side, has answered since and
        sees every such host of the other side alive, and they report the same state and version."""
        t0 = heal["t"]
        states = self.states()
        hosts = [h for h in range(len(self.names))
                 if states[h] == "running" and not self.history.disturbed(h, t0, float("inf"))]
        side = [h for h in hosts if h in heal["side"]]
        rest = [h for h in hosts if h not in heal["side"]]
        views = set()
        for h in hosts:
            sample = self.latest.get(h)
            if not sample or sample[0] < t0 or not sample[2]:
                return False, f"{self.names[h]} has not answered since the heal"
            views.add((sample[2].get("state"), sample[2].get("clusterVersion")))
            for other in (rest if h in side else side):
                status = sample[3].get(self.names[other], {}).get("status")
                if status != "alive":
                    return False, f"{self.names[h]} sees {self.names[other]} {status}"
        if len(views) > 1:
            return False, f"the sides report different states: {sorted(views)}"
        return True, ""

    def _check_heals(self, t: float) -> None:
        """Invariant 7 after each partition: measured from the heal, among the hosts no other fault touched."""
        for heal in list(self.heals):
            ok, why = self._sides_agree(heal)
            if ok:
                self.checks["7 convergence after heal"] += 1
                self.heal_times.append(round(t - heal["t"], 3))
                self.heals.remove(heal)
            elif any(e[0] > heal["t"] for e in self.history.network):
                self.heals.remove(heal)  # another network fault began: this heal can no longer be judged
            elif t - heal["t"] > self.bounds.observed(self.bounds.convergence):
                self.checks["7 convergence after heal"] += 1
                self.violate(t, "7 convergence", f"the partition of {', '.join(self.names[h] for h in heal['side'])} "
                             f"healed at {heal['t']:.1f}s; {t - heal['t']:.1f}s later (bound "
                             f"{self.bounds.convergence:.1f}s + polling) the sides still disagree: {why}",
                             heal["side"], key=("7h", heal["t"]))
                self.heals.remove(heal)

    def finish(self, t: float) -> None:
        """End of run: every acknowledged command's slot holds that decision."""
        with self.lock:
            for slot, decision, agent, when in self.acknowledged:
                self.checks["1 acknowledged commands"] += 1
                ref = self.reference.get(slot)
                if self.decisions_supported and ref is not None and ref["decision"] != decision:
                    self.violate(t, "1 agreement", f"{agent} answered 200 for {decision} in slot {slot} at "
                                 f"{when:.1f}s, but slot {slot} holds {ref['decision']}", [self.index[agent]])

    def figures(self) -> dict:
        ratios = [r["ratio"] for r in self.reflections if r["ratio"] is not None]
        return {"detectionEveryone": summary(self.detection_all), "detectionEachObserver": summary(self.detection_each),
                "reflectionRatio": summary(ratios),
                "convergenceAfterPartition": summary(self.heal_times),
                "convergenceAfterAnyFault": summary([c["seconds"] for c in self.convergence_times])}


class TaskRuns:
    """Invariant 4 from the shared upgrade-tasks log: at most one run in progress at a time (a
    run is in progress while its process lives and is not stopped), and every finished upgrade
    has a run that completed."""

    def __init__(self, checker: Checker) -> None:
        self.checker = checker
        self.path: str | None = None
        self.offset = 0
        self.runs: dict[int, dict] = {}
        self.completed: Counter = Counter()
        self.overlaps = 0

    def _read(self) -> None:
        if not self.path or not os.path.exists(self.path):
            return
        with open(self.path) as f:
            f.seek(self.offset)
            chunk = f.read()
        complete = chunk[:chunk.rfind("\n") + 1]
        self.offset += len(complete.encode())
        for line in complete.splitlines():
            parts = line.split()
            if len(parts) < 3:
                continue
            fields = dict(p.split("=", 1) for p in parts[2:] if "=" in p)
            pid = int(fields.get("pid", 0))
            if parts[1] == "start":
                self.runs[pid] = dict(fields, started=float(parts[0]), ended=None)
            elif pid in self.runs:
                self.runs[pid]["ended"] = parts[1]
                if parts[1] == "done":
                    self.completed[fields.get("to")] += 1

    @staticmethod
    def _process_state(pid: int) -> str | None:
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return None

    def tick(self, t: float) -> None:
        self._read()
        active = []
        for pid, run in self.runs.items():
            if run["ended"] or run.get("gone"):
                continue
            state = self._process_state(pid)
            if state is None or state in ("Z", "X"):
                run["gone"] = True
            elif state not in ("T", "t"):
                active.append((pid, run))
        self.checker.checks["4 one task runner"] += 1
        if len(active) > 1:
            self.overlaps += 1
            who = [f"{r['node']} term {r['term']} (pid {pid})" for pid, r in active]
            hosts = [self.checker.index[r["node"]] for _, r in active if r["node"] in self.checker.index]
            self.checker.violate(t, "4 tasks", f"{len(active)} upgrade-task runs in progress at once: "
                                 + ", ".join(who), hosts, key=("4", tuple(sorted(p for p, _ in active))))

    def check_finished(self, host: int, t: float, version: str | None) -> None:
        self._read()
        self.checker.checks["4 tasks completed"] += 1
        if version and self.completed[version] == 0:
            self.checker.violate(t, "4 tasks", f"{self.checker.names[host]} reports the upgrade to {version} "
                                 f"finished, but no tasks run to {version} completed", [host], key=("4f", version))
